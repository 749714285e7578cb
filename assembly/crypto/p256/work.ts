// One scratch region shared, one operation at a time, by the big temporaries of P-256:
// the ECDH window table (432 bytes), the verification table and wNAF digits (564), the
// inversions' numbers (180, modinv.ts). Nothing keeps data here between calls; callers wipe it when done.
import { HMAC_CTX_SIZE } from "../hmac";

// Largest user: verification (4 Jacobian points + 129 bytes of NAF digits), or the HMAC
// context at WORK_HMAC should it ever grow.
const WORK_VERIFY: i32 = 4 * 108 + 132;
const WORK_HMAC_OFF: i32 = 300;
export const WORK_SIZE: usize = <usize>(WORK_HMAC_OFF + HMAC_CTX_SIZE > WORK_VERIFY ? WORK_HMAC_OFF + HMAC_CTX_SIZE : WORK_VERIFY);
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
