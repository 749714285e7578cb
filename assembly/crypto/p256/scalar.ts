// Arithmetic modulo the group order n of P-256 (scalars), in the representation of
// field.ts (9 limbs of 29 bits). Canonical values are plain (not Montgomery) unless said.
// Constant time throughout.
import { N_LIMBS, RR_N } from "./tables";
import { nmul, nsqr } from "./fe_gen";
import { FE_SIZE, fcmov, fcopy, limbsFromBytes } from "./field";
import { WORK } from "./work";

export { nmul, nsqr };

const M: i32 = 0x1fffffff;
const ST: usize = memory.data(36, 8);
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

// Low 128 bits of n - 2, most significant byte first (the top half is
// ffffffff 00000000 ffffffff ffffffff and has its own chain).
const NM2_LOW: usize = memory.data<u8>([
  0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
  0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x4f]);

// r = a^(n-2) = a^-1 mod n, a and r in Montgomery form. Constant time (the exponent is
// public): 252 squarings, about 50 multiplications. Uses WORK (19 elements).
export function ninv(r: usize, a: usize): void {
  const tab = WORK; // tab + 36*i = a^(i+1), i = 0..14
  const x8 = WORK + 15 * 36, x16 = WORK + 16 * 36, x32 = WORK + 17 * 36, t = WORK + 18 * 36;
  fcopy(tab, a);
  nsqr(tab + 36, a);
  for (let i: usize = 2; i < 15; i++) nmul(tab + 36 * i, tab + 36 * (i - 1), a);
  const x4 = tab + 14 * 36;
  nsqrn(x8, x4, 4); nmul(x8, x8, x4);
  nsqrn(x16, x8, 8); nmul(x16, x16, x8);
  nsqrn(x32, x16, 16); nmul(x32, x32, x16);
  nsqrn(t, x32, 64); nmul(t, t, x32);
  nsqrn(t, t, 32); nmul(t, t, x32);
  for (let i: usize = 0; i < 16; i++) {
    const byte = <usize>load<u8>(NM2_LOW + i);
    nsqrn(t, t, 4);
    const hi = byte >> 4;
    if (hi != 0) nmul(t, t, tab + 36 * (hi - 1));
    nsqrn(t, t, 4);
    const lo = byte & 15;
    if (lo != 0) nmul(t, t, tab + 36 * (lo - 1));
  }
  fcopy(r, t);
  memory.fill(WORK, 0, 19 * 36);
}

export function nsqrn(r: usize, a: usize, n: i32): void {
  nsqr(r, a);
  for (let i = 1; i < n; i++) nsqr(r, r);
}
