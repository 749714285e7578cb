// One scratch region shared, one operation at a time, by the big temporaries of P-256:
// the ECDH window table, the verification table and wNAF digits, the mod-n inversion
// table. Nothing keeps data here between calls; callers wipe it when done.
export const WORK_SIZE: usize = 8 * 108 + 260;
export const WORK: usize = memory.data(<i32>WORK_SIZE, 16);

// After a scalar multiplication its table is dead, so these may be used (one at a time
// with the tables, never across them):
export const WORK_POINT: usize = WORK;        // 108 bytes: the result of a scalar multiplication
export const WORK_INV: usize = WORK + 112;    // 180 bytes: finv temporaries
export const WORK_HMAC: usize = WORK + 512;   // HMAC context of RFC 6979 (not across ninv)

export function workWipe(): void { memory.fill(WORK, 0, WORK_SIZE); }
