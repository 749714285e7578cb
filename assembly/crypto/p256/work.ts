// One scratch region shared, one operation at a time, by the big temporaries of P-256:
// the ECDH window table, the verification table and wNAF digits, the mod-n inversion
// table. Nothing keeps data here between calls; callers wipe it when done.
export const WORK_SIZE: usize = 8 * 108 + 260;
export const WORK: usize = memory.data(<i32>WORK_SIZE, 16);

export function workWipe(): void { memory.fill(WORK, 0, WORK_SIZE); }
