// Key generation, public-key validation and ECDH for P-256.
import { halRandom } from "../../hal";
import { FE_SIZE, limbsFromBytes, limbsLess, fieldWipe } from "./field";
import { nisValid, scalarWipe } from "./scalar";
import { PT_SIZE, mulBaseCT, mulCT, ptoAffineBytes, ponCurve, pointWipe } from "./point";
import { P_LIMBS, N_WORDS } from "./tables";
import { WORK_POINT, workWipe } from "./work";
import { P256_OK, P256_ERR_RANDOM, P256_ERR_PRIVATE, P256_ERR_POINT, P256_ERR_INTERNAL } from "./codes";

// Key scratch: plain limbs x, y (or d), Montgomery x, y of a decoded point, scalar words,
// the negated scalar and the result point.
const KS_SIZE: i32 = 36 * 4 + 32 * 2;
// @ts-ignore: decorator
@lazy const KS: usize = memory.data(KS_SIZE, 8);
// @ts-ignore: decorator
@lazy const LX = KS;
// @ts-ignore: decorator
@lazy const LY = KS + 36;
// @ts-ignore: decorator
@lazy const MX = KS + 72;
// @ts-ignore: decorator
@lazy const MY = KS + 108;
// @ts-ignore: decorator
@lazy const KW = KS + 144;
// @ts-ignore: decorator
@lazy const KN = KS + 176;
// @ts-ignore: decorator
@lazy const RP = WORK_POINT;

// Wipes every P-256 scratch region (called at the end of each operation on secrets).
export function p256Wipe(): void {
  memory.fill(KS, 0, KS_SIZE);
  fieldWipe(); scalarWipe(); pointWipe(); workWipe();
}

// 32 big-endian bytes -> 8 little-endian u32 words.
export function wordsFromBytes(dst: usize, src: usize): void {
  for (let i: usize = 0; i < 8; i++) store<u32>(dst + (i << 2), bswap<u32>(load<u32>(src + 28 - (i << 2))));
}

// Decodes and fully validates an uncompressed point (public data, variable time):
// length 65, prefix 0x04, x < p, y < p, y^2 = x^3 - 3x + b (which also excludes the
// point at infinity, which has no affine encoding). Montgomery x, y go to mx, my.
export function decodePoint(pub: usize, len: i32, mx: usize, my: usize): bool {
  if (len != 65 || load<u8>(pub) != 0x04) return false;
  limbsFromBytes(LX, pub + 1);
  limbsFromBytes(LY, pub + 33);
  if (!limbsLess(LX, P_LIMBS) || !limbsLess(LY, P_LIMBS)) return false;
  return ponCurve(mx, my, LX, LY) != 0;
}

// 1 when the 65 bytes at pub are a valid uncompressed P-256 public key.
export function p256ValidatePublic(pub65: usize, len: i32 = 65): bool {
  const ok = decodePoint(pub65, len, MX, MY);
  p256Wipe();
  return ok;
}

// pub65Out = 0x04 || X || Y of priv*G. Constant time in priv.
export function p256PublicFromPrivate(priv32: usize, pub65Out: usize): i32 {
  limbsFromBytes(LX, priv32);
  if (!nisValid(LX)) { p256Wipe(); return P256_ERR_PRIVATE; }
  wordsFromBytes(KW, priv32);
  mulBaseCT(RP, KW);
  store<u8>(pub65Out, 0x04);
  const rc = ptoAffineBytes(RP, pub65Out + 1, pub65Out + 33);
  p256Wipe();
  return rc == 0 ? P256_OK : P256_ERR_INTERNAL;
}

// Attempts at drawing a private key in [1, n-1] before giving up on the TRNG (a fair
// TRNG is rejected with probability < 2^-32 per attempt).
const KEYGEN_ATTEMPTS: i32 = 16;

// A fresh key pair: priv32Out from the HAL TRNG by rejection sampling into [1, n-1],
// pub65Out = 0x04 || X || Y.
export function p256Keygen(priv32Out: usize, pub65Out: usize): i32 {
  for (let attempt = 0; attempt < KEYGEN_ATTEMPTS; attempt++) {
    if (halRandom(priv32Out, 32) != 0) break;
    limbsFromBytes(LX, priv32Out);
    if (nisValid(LX)) return p256PublicFromPrivate(priv32Out, pub65Out);
  }
  memory.fill(priv32Out, 0, 32);
  p256Wipe();
  return P256_ERR_RANDOM;
}

// ECDH (RFC 7925 / RFC 8422): shared32Out = x-coordinate of priv * peer. The peer's
// point is validated fully first (length peerLen = 65, 0x04, x, y < p, on the curve).
// Constant time in priv.
export function p256Ecdh(priv32: usize, peerPub65: usize, shared32Out: usize, peerLen: i32 = 65): i32 {
  if (!decodePoint(peerPub65, peerLen, MX, MY)) { p256Wipe(); return P256_ERR_POINT; }
  limbsFromBytes(LX, priv32);
  if (!nisValid(LX)) { p256Wipe(); return P256_ERR_PRIVATE; }
  // k' = k if k is odd, else n - k (x(kP) = x(-kP)): mulCT needs an odd scalar.
  wordsFromBytes(KW, priv32);
  let borrow: i64 = 0;
  for (let i: usize = 0; i < 32; i += 4) {
    const t = <i64>load<u32>(N_WORDS + i) - <i64>load<u32>(KW + i) + borrow;
    store<u32>(KN + i, <u32>t);
    borrow = t >> 32;
  }
  const even: u32 = (load<u32>(KW) & 1) - 1; // all ones when k is even
  for (let i: usize = 0; i < 32; i += 4) {
    const a = load<u32>(KW + i);
    store<u32>(KW + i, a ^ ((a ^ load<u32>(KN + i)) & even));
  }
  mulCT(RP, MX, KW);
  const rc = ptoAffineBytes(RP, shared32Out, 0);
  p256Wipe();
  if (rc != 0) { memory.fill(shared32Out, 0, 32); return P256_ERR_INTERNAL; }
  return P256_OK;
}
