// Arithmetic modulo the group order n of P-256 (scalars), in the representation of
// field.ts (9 limbs of 29 bits). Canonical values are plain (not Montgomery) unless said.
// Constant time throughout.
import { N_LIMBS, RR_N, ONE_PLAIN } from "./tables";
import { nmul, nsqr } from "./fe_gen";
import { FE_SIZE, fcmov, fcopy, limbsFromBytes } from "./field";
import { modInverse } from "./modinv";
import { WORK_INV } from "./work";

export { nmul, nsqr };

const M: i32 = 0x1fffffff;
// @ts-ignore: decorator
@lazy const ST: usize = memory.data(36, 8);
export function scalarWipe(): void { memory.fill(ST, 0, 36); }

// r = a - n if a >= n, else a (constant time). a normalised, below 2^261.
function nsubIfGe(r: usize, a: usize): void {
  let borrow: i32 = 0;
  for (let i: usize = 0; i < FE_SIZE; i += 4) {
    const t = load<i32>(a + i) - load<i32>(N_LIMBS + i) + borrow;
    store<i32>(ST + i, t & M);
    borrow = t >> 29;
  }
  if (r != a) fcopy(r, a);
  fcmov(r, ST, ~<u32>borrow);
}

// r = a mod n for a loose value below 3n (the outputs of nmul and nsqr are).
export function ncanon(r: usize, a: usize): void {
  nsubIfGe(r, a);
  nsubIfGe(r, r);
}

// r = (32 big-endian bytes at src) mod n.
export function nfromBytes(r: usize, src: usize): void {
  limbsFromBytes(r, src);
  nsubIfGe(r, r);
}

// r = a + b mod n for canonical a, b.
export function naddCanon(r: usize, a: usize, b: usize): void {
  let c: i32 = 0;
  for (let i: usize = 0; i < FE_SIZE; i += 4) {
    const t = load<i32>(a + i) + load<i32>(b + i) + c;
    store<i32>(r + i, t & M);
    c = t >> 29;
  }
  nsubIfGe(r, r);
}

// 1 if 1 <= a < n (a plain normalised limbs), else 0. Constant time.
export function nisValid(a: usize): i32 {
  let borrow: i32 = 0;
  let acc: u32 = 0;
  for (let i: usize = 0; i < FE_SIZE; i += 4) {
    const x = load<i32>(a + i);
    acc |= <u32>x;
    borrow = (x - load<i32>(N_LIMBS + i) + borrow) >> 29;
  }
  const nonzero = <i32>((acc | (0 - acc)) >>> 31);
  return nonzero & borrow & 1;
}

// To Montgomery form (a*R mod n).
export function ntoMont(r: usize, a: usize): void { nmul(r, a, RR_N); }

// n^-1 mod 2^30
const N_INV30: i32 = 0x11ff43b1;

// r = a^-1 mod n, a and r in Montgomery form (x R -> x^-1 R). Constant time: out of
// Montgomery form, the divsteps inversion of modinv.ts (its scratch: WORK_INV), back.
// r may alias a.
export function ninv(r: usize, a: usize): void {
  nmul(r, a, ONE_PLAIN);
  ncanon(r, r);
  modInverse(r, r, N_LIMBS, N_INV30, WORK_INV);
  ntoMont(r, r);
}
