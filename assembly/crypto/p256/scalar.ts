// Arithmetic modulo the group order n of P-256 (scalars), in the representation of
// field.ts (9 limbs of 29 bits). Canonical values are plain (not Montgomery) unless said.
// Constant time throughout.
import { N_LIMBS, RR_N } from "./tables";
import { nmul, nsqr } from "./fe_gen";
import { FE_SIZE, fcmov, fcopy, limbsFromBytes } from "./field";
import { WORK } from "./work";

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

// Low 128 bits of n - 2, most significant byte first (the top half is
// ffffffff 00000000 ffffffff ffffffff and has its own chain).
// @ts-ignore: decorator
@lazy const NM2_LOW: usize = memory.data<u8>([
  0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
  0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x4f]);

// Bit b (0 = least significant) of the low 128 bits of n - 2.
// @ts-ignore: decorator
@inline function nm2Bit(b: i32): i32 {
  return (<i32>load<u8>(NM2_LOW + <usize>(15 - (b >> 3))) >> (b & 7)) & 1;
}

// r = a^(n-2) = a^-1 mod n, a and r in Montgomery form. Constant time (the exponent is
// public, so its sliding windows are too): 252 squarings, about 40 multiplications.
// Uses 468 bytes of WORK.
export function ninv(r: usize, a: usize): void {
  const tab = WORK; // tab + 36 i = a^(2i+1), i = 0..7
  const a2 = WORK + 8 * 36, x8 = WORK + 9 * 36, x16 = WORK + 10 * 36, x32 = WORK + 11 * 36;
  const t = WORK + 12 * 36;
  fcopy(tab, a);
  nsqr(a2, a);
  for (let i: usize = 1; i < 8; i++) nmul(tab + 36 * i, tab + 36 * (i - 1), a2);
  const x4 = tab + 7 * 36; // a^15 = a^(2^4 - 1)
  nsqrn(x8, x4, 4); nmul(x8, x8, x4);
  nsqrn(x16, x8, 8); nmul(x16, x16, x8);
  nsqrn(x32, x16, 16); nmul(x32, x32, x16);
  nsqrn(t, x32, 64); nmul(t, t, x32);     // ffffffff 00000000 ffffffff
  nsqrn(t, t, 32); nmul(t, t, x32);       // ffffffff
  // the low 128 bits: windows of up to 4 bits that end in a 1
  let i = 127;
  while (i >= 0) {
    if (nm2Bit(i) == 0) { nsqr(t, t); i--; continue; }
    let j = i - 3;
    if (j < 0) j = 0;
    while (nm2Bit(j) == 0) j++;
    let v = 0;
    for (let b = i; b >= j; b--) v = (v << 1) | nm2Bit(b);
    nsqrn(t, t, i - j + 1);
    nmul(t, t, tab + 36 * <usize>((v - 1) >> 1));
    i = j - 1;
  }
  fcopy(r, t);
  memory.fill(WORK, 0, 13 * 36);
}

export function nsqrn(r: usize, a: usize, n: i32): void {
  nsqr(r, a);
  for (let i = 1; i < n; i++) nsqr(r, r);
}
