// One scratch region shared, one operation at a time, by the big temporaries of P-256:
// the ECDH window table (612 bytes while built, point.ts oddMultiples), the verification
// table, recoded u1 and wNAF digits (452), the inversions' numbers (180, modinv.ts), the HMAC
// context of RFC 6979. Nothing keeps data here between calls; callers wipe it when done.
import { HMAC_CTX_SIZE } from "../hmac";

// Window tables of odd multiples P, 3P, .. (affine, 72 bytes an entry; the last one is built
// Jacobian, 108 bytes): ECDH's (mulCT) and verification's (mulDoubleVar, followed by the
// 32 bytes of recoded u1 and 129 of NAF digits).
export const WORK_ECDH_ENTRIES: i32 = 8;   // fixed: point.ts's selectAffine reads 8 entries
export const WORK_NAF_ENTRIES: i32 = 4;
const WORK_ECDH: i32 = 72 * (WORK_ECDH_ENTRIES - 1) + 108;
const WORK_VERIFY: i32 = 72 * WORK_NAF_ENTRIES + 32 + 132;
const WORK_HMAC_OFF: i32 = 300;
const WORK_TABLES: i32 = WORK_ECDH > WORK_VERIFY ? WORK_ECDH : WORK_VERIFY;
export const WORK_SIZE: usize = <usize>(WORK_HMAC_OFF + HMAC_CTX_SIZE > WORK_TABLES ? WORK_HMAC_OFF + HMAC_CTX_SIZE : WORK_TABLES);
// @ts-ignore: decorator
@lazy export const WORK: usize = memory.data(<i32>WORK_SIZE, 16);

// After a scalar multiplication its table is dead, so these may be used (one at a time
// with the tables, never across them):
// @ts-ignore: decorator
@lazy export const WORK_POINT: usize = WORK;        // 108 bytes: the result of a scalar multiplication
// @ts-ignore: decorator
@lazy export const WORK_INV: usize = WORK + 112;    // 180 bytes: scratch of modinv.ts (finv, ninv)
// @ts-ignore: decorator
@lazy export const WORK_SCALAR: usize = WORK + 112; // 32 bytes: mulBaseCT's recoded scalar (not across finv)
// @ts-ignore: decorator
@lazy export const WORK_HMAC: usize = WORK + <usize>WORK_HMAC_OFF;   // HMAC context of RFC 6979 (not across ninv)

export function workWipe(): void { memory.fill(WORK, 0, WORK_SIZE); }
