// Field arithmetic modulo p = 2^256 - 2^224 + 2^192 + 2^96 - 1 (P-256).
//
// An element is 9 limbs of 29 bits in u32 slots (FE_SIZE = 36 bytes), little-endian,
// normally in Montgomery form (x * 2^261 mod p). Elements are kept "loose": limbs
// normalised to 0..2^29-1 and the value below 2^257, not necessarily below p.
// fmul/fsqr (fe_gen.ts) accept values below 2^258 and return values below 2^257; every
// function here returns values below 2^257. fcanon gives the unique value below p.
//
// All functions are constant time: no branch and no memory index depends on the values.
// Pointers may alias.
import { P_LIMBS, ONE_PLAIN, RR_P } from "./tables";
import { modInverse } from "./modinv";
import { WORK_INV } from "./work";

// p^-1 mod 2^30 (p = -1 mod 2^96)
const P_INV30: i32 = 0x3fffffff;
import { fmul, fsqr } from "./fe_gen";
import { fadd, fsub, fneg, fdbl, fmulSmall, faddMul, fsubMul, fmulSub, fsubSub2, fisZero } from "./fe_lin";

export { fmul, fsqr, fadd, fsub, fneg, fdbl, fmulSmall, faddMul, fsubMul, fmulSub, fsubSub2, fisZero };

export const FE_SIZE: usize = 36;
const M: i32 = 0x1fffffff;

// Propagates carries through 9 signed limbs whose sum is non-negative, folds the bits
// from 2^256 up with 2^256 = 2^224 - 2^192 - 2^96 + 1 (mod p), propagates again and
// stores. Input limbs must be within +-2^30; the value below 2^261.
// @ts-ignore: decorator
@inline function foldStore(r: usize, t0: i32, t1: i32, t2: i32, t3: i32, t4: i32, t5: i32,
  t6: i32, t7: i32, t8: i32): void {
  t1 += t0 >> 29; t0 &= M;
  t2 += t1 >> 29; t1 &= M;
  t3 += t2 >> 29; t2 &= M;
  t4 += t3 >> 29; t3 &= M;
  t5 += t4 >> 29; t4 &= M;
  t6 += t5 >> 29; t5 &= M;
  t7 += t6 >> 29; t6 &= M;
  t8 += t7 >> 29; t7 &= M;
  const q = t8 >> 24; t8 &= 0xffffff;
  t0 += q; t3 -= q << 9; t6 -= q << 18; t7 += q << 21;
  t1 += t0 >> 29; t0 &= M;
  t2 += t1 >> 29; t1 &= M;
  t3 += t2 >> 29; t2 &= M;
  t4 += t3 >> 29; t3 &= M;
  t5 += t4 >> 29; t4 &= M;
  t6 += t5 >> 29; t5 &= M;
  t7 += t6 >> 29; t6 &= M;
  t8 += t7 >> 29; t7 &= M;
  store<i32>(r, t0, 0); store<i32>(r, t1, 4); store<i32>(r, t2, 8);
  store<i32>(r, t3, 12); store<i32>(r, t4, 16); store<i32>(r, t5, 20);
  store<i32>(r, t6, 24); store<i32>(r, t7, 28); store<i32>(r, t8, 32);
}

export function fcopy(r: usize, a: usize): void {
  store<u64>(r, load<u64>(a, 0), 0); store<u64>(r, load<u64>(a, 8), 8);
  store<u64>(r, load<u64>(a, 16), 16); store<u64>(r, load<u64>(a, 24), 24);
  store<u32>(r, load<u32>(a, 32), 32);
}

export function fzero(r: usize): void {
  memory.fill(r, 0, FE_SIZE);
}

// Temporaries of fcanon, fequal (may hold secret-derived values: fieldWipe).
// @ts-ignore: decorator
@lazy const FT: usize = memory.data(36 * 2, 8);
export function fieldWipe(): void { memory.fill(FT, 0, 36 * 2); }

// r = mask ? a : r, mask all-ones or zero.
export function fcmov(r: usize, a: usize, mask: u32): void {
  const m: u64 = <u64>mask | (<u64>mask << 32);
  for (let i: usize = 0; i < 32; i += 8) {
    const x = load<u64>(r + i);
    store<u64>(r + i, x ^ ((x ^ load<u64>(a + i)) & m));
  }
  const x = load<u32>(r, 32);
  store<u32>(r, x ^ ((x ^ load<u32>(a, 32)) & mask), 32);
}

// r = a fully reduced: the unique value below p (same domain as a).
export function fcanon(r: usize, a: usize): void {
  foldStore(r, load<i32>(a, 0), load<i32>(a, 4), load<i32>(a, 8), load<i32>(a, 12),
    load<i32>(a, 16), load<i32>(a, 20), load<i32>(a, 24), load<i32>(a, 28), load<i32>(a, 32));
  // now below 2^256 + 2^229 < 2p: subtract p once if no borrow.
  let borrow: i32 = 0;
  const d = FT;
  for (let i: usize = 0; i < FE_SIZE; i += 4) {
    const t = load<i32>(r + i) - load<i32>(P_LIMBS + i) + borrow;
    store<i32>(d + i, t & M);
    borrow = t >> 29;
  }
  // borrow is 0 (r >= p: take d) or -1 (keep r)
  fcmov(r, d, ~<u32>borrow);
}

// 1 if a = b mod p, else 0 (constant time).
export function fequal(a: usize, b: usize): i32 {
  const d = FT + 36;
  fsub(d, a, b);
  return fisZero(d);
}

// To and from Montgomery form.
export function ftoMont(r: usize, a: usize): void { fmul(r, a, RR_P); }
export function ffromMont(r: usize, a: usize): void { fmul(r, a, ONE_PLAIN); fcanon(r, r); }

// Big-endian 32 bytes -> 9 plain limbs (value below 2^256, not reduced).
export function limbsFromBytes(r: usize, src: usize): void {
  limbsFromWords(r,
    bswap<u32>(load<u32>(src, 28)), bswap<u32>(load<u32>(src, 24)),
    bswap<u32>(load<u32>(src, 20)), bswap<u32>(load<u32>(src, 16)),
    bswap<u32>(load<u32>(src, 12)), bswap<u32>(load<u32>(src, 8)),
    bswap<u32>(load<u32>(src, 4)), bswap<u32>(load<u32>(src, 0)));
}

// 8 little-endian 32-bit words at src (least significant first) -> 9 limbs.
export function limbsFromLeWords(r: usize, src: usize): void {
  limbsFromWords(r, load<u32>(src, 0), load<u32>(src, 4), load<u32>(src, 8), load<u32>(src, 12),
    load<u32>(src, 16), load<u32>(src, 20), load<u32>(src, 24), load<u32>(src, 28));
}

// @ts-ignore: decorator
@inline function limbsFromWords(r: usize, w0: u32, w1: u32, w2: u32, w3: u32, w4: u32,
  w5: u32, w6: u32, w7: u32): void {
  const m = <u32>M;
  store<u32>(r, w0 & m, 0);
  store<u32>(r, ((w0 >>> 29) | (w1 << 3)) & m, 4);
  store<u32>(r, ((w1 >>> 26) | (w2 << 6)) & m, 8);
  store<u32>(r, ((w2 >>> 23) | (w3 << 9)) & m, 12);
  store<u32>(r, ((w3 >>> 20) | (w4 << 12)) & m, 16);
  store<u32>(r, ((w4 >>> 17) | (w5 << 15)) & m, 20);
  store<u32>(r, ((w5 >>> 14) | (w6 << 18)) & m, 24);
  store<u32>(r, ((w6 >>> 11) | (w7 << 21)) & m, 28);
  store<u32>(r, w7 >>> 8, 32);
}

// 9 limbs of a value below 2^256 -> big-endian 32 bytes.
export function limbsToBytes(dst: usize, a: usize): void {
  const l0 = load<u32>(a, 0), l1 = load<u32>(a, 4), l2 = load<u32>(a, 8);
  const l3 = load<u32>(a, 12), l4 = load<u32>(a, 16), l5 = load<u32>(a, 20);
  const l6 = load<u32>(a, 24), l7 = load<u32>(a, 28), l8 = load<u32>(a, 32);
  store<u32>(dst, bswap<u32>(l0 | (l1 << 29)), 28);
  store<u32>(dst, bswap<u32>((l1 >>> 3) | (l2 << 26)), 24);
  store<u32>(dst, bswap<u32>((l2 >>> 6) | (l3 << 23)), 20);
  store<u32>(dst, bswap<u32>((l3 >>> 9) | (l4 << 20)), 16);
  store<u32>(dst, bswap<u32>((l4 >>> 12) | (l5 << 17)), 12);
  store<u32>(dst, bswap<u32>((l5 >>> 15) | (l6 << 14)), 8);
  store<u32>(dst, bswap<u32>((l6 >>> 18) | (l7 << 11)), 4);
  store<u32>(dst, bswap<u32>((l7 >>> 21) | (l8 << 8)), 0);
}

// Constant-time a < b for plain limbs (normalised): 1 or 0.
export function limbsLess(a: usize, b: usize): i32 {
  let borrow: i32 = 0;
  for (let i: usize = 0; i < FE_SIZE; i += 4) {
    borrow = (load<i32>(a + i) - load<i32>(b + i) + borrow) >> 29;
  }
  return borrow & 1;
}

// Constant-time: 1 if all limbs are zero.
export function limbsIsZero(a: usize): i32 {
  let acc: u32 = 0;
  for (let i: usize = 0; i < FE_SIZE; i += 4) acc |= load<u32>(a + i);
  return <i32>(((acc - 1) & ~acc) >>> 31);
}

// r = a^-1 (0 for 0), a and r in Montgomery form (x R -> x^-1 R). Constant time: out of
// Montgomery form, the divsteps inversion of modinv.ts, back. Its scratch is WORK_INV (so
// not while WORK holds a table), or the given MODINV_SCRATCH bytes. r may alias a.
export function finv(r: usize, a: usize, scratch: usize = WORK_INV): void {
  fmul(r, a, ONE_PLAIN);
  fcanon(r, r);
  modInverse(r, r, P_LIMBS, P_INV30, scratch);
  fmul(r, r, RR_P);
}
