// ECDSA over P-256 with SHA-256 hashes (the caller hashes): signing with RFC 6979
// deterministic nonces (HMAC-SHA256), hedged with TRNG bytes as RFC 6979 section 3.6
// allows, and verification. Signatures are r || s, 32 big-endian bytes each.
import { halRandom } from "../../hal";
import { hmacSha256Init, hmacSha256Update, hmacSha256Final } from "../hmac";
import { limbsFromBytes, limbsToBytes, limbsIsZero, limbsLess, fmul, fsqr, fequal, fisZero } from "./field";
import { nmul, ncanon, nfromBytes, naddCanon, nisValid, ntoMont, ninv } from "./scalar";
import { PT_SIZE, mulBaseCT, mulDoubleVar, ptoAffineBytes } from "./point";
import { decodePoint, p256Wipe, wordsFromBytes } from "./keys";
import { WORK_POINT, WORK_HMAC } from "./work";
import { N_LIMBS, P_LIMBS, RR_P } from "./tables";
import { P256_OK, P256_ERR_RANDOM, P256_ERR_PRIVATE, P256_ERR_POINT, P256_ERR_INTERNAL } from "./codes";

// Scratch: scalars (limbs), RFC 6979 state, the key and result point of verification.
const ES_SIZE: i32 = 36 * 8 + 32 * 4 + 36 + 72 + <i32>PT_SIZE;
// @ts-ignore: decorator
@lazy const ES: usize = memory.data(ES_SIZE, 8);
// @ts-ignore: decorator
@lazy const D = ES;
// @ts-ignore: decorator
@lazy const Z = ES + 36;
// @ts-ignore: decorator
@lazy const K = ES + 72;
// @ts-ignore: decorator
@lazy const R = ES + 108;
// @ts-ignore: decorator
@lazy const S = ES + 144;
// @ts-ignore: decorator
@lazy const T = ES + 180;
// @ts-ignore: decorator
@lazy const U1 = ES + 216;                 // also Montgomery temporaries
// @ts-ignore: decorator
@lazy const U2 = ES + 252;
// @ts-ignore: decorator
@lazy const KB = ES + 288; // 32-byte strings
// @ts-ignore: decorator
@lazy const VB = ES + 320;
// @ts-ignore: decorator
@lazy const ZB = ES + 352;
// @ts-ignore: decorator
@lazy const XB = ES + 384;
// @ts-ignore: decorator
@lazy const EXTRA = ES + 416;                                // 32 bytes TRNG + 1 separator byte
// @ts-ignore: decorator
@lazy const QP = ES + 452;                                   // verify: key (x, y), then result point
// Used only between scalar multiplications (see work.ts).
// @ts-ignore: decorator
@lazy const CTX = WORK_HMAC;
// @ts-ignore: decorator
@lazy const RPT = WORK_POINT;

function wipeAll(): void {
  memory.fill(ES, 0, ES_SIZE);
  p256Wipe();
}

// out32 = HMAC(KB, VB [|| sep || x || h || extra]) ; sep < 0: V only.
function hmacKV(out32: usize, sep: i32, priv: usize, extra: usize, extraLen: i32): void {
  hmacSha256Init(CTX, KB, 32);
  hmacSha256Update(CTX, VB, 32);
  if (sep >= 0) {
    store<u8>(EXTRA + 32, <u8>sep);
    hmacSha256Update(CTX, EXTRA + 32, 1);
    if (priv != 0) {
      hmacSha256Update(CTX, priv, 32);
      hmacSha256Update(CTX, ZB, 32);
      if (extraLen > 0) hmacSha256Update(CTX, extra, extraLen);
    }
  }
  hmacSha256Final(CTX, out32);
}

// Nonce candidates tried before giving up (each is rejected with probability < 2^-32).
const SIGN_ATTEMPTS: i32 = 16;

function signWith(priv32: usize, hash32: usize, extra: usize, extraLen: i32, sig64Out: usize): i32 {
  limbsFromBytes(D, priv32);
  if (!nisValid(D)) { wipeAll(); return P256_ERR_PRIVATE; }
  nfromBytes(Z, hash32);              // bits2int(h) mod n (qlen = hlen = 256)
  limbsToBytes(ZB, Z);                // bits2octets(h)
  // RFC 6979 3.2 b-g (with the additional data k' of section 3.6 after bits2octets(h))
  memory.fill(VB, 0x01, 32);
  memory.fill(KB, 0x00, 32);
  hmacKV(KB, 0x00, priv32, extra, extraLen);
  hmacKV(VB, -1, 0, 0, 0);
  hmacKV(KB, 0x01, priv32, extra, extraLen);
  hmacKV(VB, -1, 0, 0, 0);
  ntoMont(T, D);                      // d R
  for (let attempt = 0; attempt < SIGN_ATTEMPTS; attempt++) {
    hmacKV(VB, -1, 0, 0, 0);          // h: T = V (qlen = 256 = hlen: one block)
    limbsFromBytes(K, VB);
    if (nisValid(K)) {
      wordsFromBytes(XB, VB);
      mulBaseCT(RPT, XB);
      if (ptoAffineBytes(RPT, XB, 0) == 0) {
        nfromBytes(R, XB);            // r = x mod n
        if (!limbsIsZero(R)) {
          nmul(U1, R, T);             // r d
          ncanon(U1, U1);
          naddCanon(U1, U1, Z);       // z + r d
          ntoMont(U2, K);
          ninv(U2, U2);               // k^-1 R
          nmul(S, U1, U2);            // s = (z + r d) / k
          ncanon(S, S);
          if (!limbsIsZero(S)) {
            limbsToBytes(sig64Out, R);
            limbsToBytes(sig64Out + 32, S);
            wipeAll();
            return P256_OK;
          }
        }
      }
    }
    hmacKV(KB, 0x00, 0, 0, 0);        // K = HMAC_K(V || 0x00), V = HMAC_K(V)
    hmacKV(VB, -1, 0, 0, 0);
  }
  wipeAll();
  return P256_ERR_INTERNAL;
}

// Deterministic ECDSA signature (RFC 6979, no hedging): for known-answer tests and for
// callers that want reproducible signatures.
export function p256SignDeterministic(priv32: usize, hash32: usize, sig64Out: usize): i32 {
  return signWith(priv32, hash32, 0, 0, sig64Out);
}

// ECDSA signature, nonce per RFC 6979 hedged with 32 TRNG bytes (section 3.6).
export function p256Sign(priv32: usize, hash32: usize, sig64Out: usize): i32 {
  if (halRandom(EXTRA, 32) != 0) { wipeAll(); return P256_ERR_RANDOM; }
  return signWith(priv32, hash32, EXTRA, 32, sig64Out);
}

// The same, with the 32 hedging bytes drawn by the caller (crypto/ec.ts, and the board
// accelerator, which must give the core's bytes for the core's random stream).
export function p256SignHedged(priv32: usize, hash32: usize, extra32: usize, sig64Out: usize): i32 {
  memory.copy(EXTRA, extra32, 32);
  return signWith(priv32, hash32, EXTRA, 32, sig64Out);
}

// ECDSA verification of sig64 = r || s over hash32 with the public key pub65
// (0x04 || X || Y, validated). Variable time: all inputs are public.
export function p256Verify(pub65: usize, hash32: usize, sig64: usize): bool {
  const q = QP; // Montgomery x, y of the key
  if (!decodePoint(pub65, 65, q, q + 36)) { wipeAll(); return false; }
  limbsFromBytes(R, sig64);
  limbsFromBytes(S, sig64 + 32);
  if (!nisValid(R) || !nisValid(S)) { wipeAll(); return false; }
  nfromBytes(Z, hash32);
  ntoMont(T, S);
  ninv(T, T);                         // s^-1 R
  nmul(U1, Z, T); ncanon(U1, U1);     // u1 = z / s
  nmul(U2, R, T); ncanon(U2, U2);     // u2 = r / s
  limbsToBytes(KB, U1); wordsFromBytes(XB, KB);
  limbsToBytes(KB, U2); wordsFromBytes(VB, KB);
  const P = q + 72;
  mulDoubleVar(P, XB, VB, q);
  // x(P) mod n == r  <=>  X == r' Z^2 for r' in {r, r + n (if < p)}, no inversion.
  let ok = false;
  const X = P, Zc = P + 72;
  if (!fisZero(Zc)) {
    fsqr(D, Zc);                      // Z^2 (Montgomery)
    fmul(K, R, RR_P);                 // r R
    fmul(K, K, D);
    if (fequal(K, X)) ok = true;
    else {
      // r + n < p ?
      let c: i32 = 0;
      for (let i: usize = 0; i < 36; i += 4) {
        const t = load<i32>(R + i) + load<i32>(N_LIMBS + i) + c;
        store<i32>(K + i, t & 0x1fffffff);
        c = t >> 29;
      }
      if (limbsLess(K, P_LIMBS)) {
        fmul(K, K, RR_P);
        fmul(K, K, D);
        if (fequal(K, X)) ok = true;
      }
    }
  }
  wipeAll();
  return ok;
}
