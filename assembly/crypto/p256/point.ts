// Points of P-256 (y^2 = x^3 - 3x + b) in Jacobian coordinates (X, Y, Z) <-> (X/Z^2, Y/Z^3),
// coordinates in Montgomery form (field.ts). A point takes PT_SIZE = 108 bytes: X at 0,
// Y at 36, Z at 72. Z = 0 is the point at infinity.
//
// Scalar multiplication:
//  - mulBaseCT: k*G with a signed 4-tooth comb (teeth 64 bits apart) over the 8-entry
//    affine table of tables.ts; 63 doublings and 64 mixed additions, every table entry read
//    with masks on every step. Constant time.
//  - mulCT: k*P for a variable point, regular signed 4-bit windows (odd digits only, never
//    zero), 252 doublings and 63 mixed additions over an affine table of P, 3P, .., 15P read
//    with masks. Constant time.
//  - mulDoubleVar: u1*G + u2*Q for verification, variable time (public inputs only):
//    width-4 NAF for Q interleaved with the comb for G.
import {
  FE_SIZE, fadd, fsub, fmul, fsqr, fmulSmall, fneg, fdbl, faddMul, fsubMul, fmulSub, fsubSub2,
  fcopy, fcmov, fisZero, finv,
  ffromMont, limbsFromLeWords, limbsToBytes, fcanon, fequal,
} from "./field";
import { COMB, ONE_P, B_MONT, P_LIMBS, RR_P, N_WORDS } from "./tables";
import { WORK, WORK_SCALAR, WORK_ECDH_ENTRIES, WORK_NAF_ENTRIES } from "./work";

export const PT_SIZE: usize = 108;
// @ts-ignore: decorator
@inline export function PX(p: usize): usize { return p; }
// @ts-ignore: decorator
@inline export function PY(p: usize): usize { return p + 36; }
// @ts-ignore: decorator
@inline export function PZ(p: usize): usize { return p + 72; }

// Field temporaries of the point formulas.
const FT_SIZE: i32 = 36 * 9;
// @ts-ignore: decorator
@lazy const FT: usize = memory.data(FT_SIZE, 8);
// @ts-ignore: decorator
@lazy const T0 = FT;
// @ts-ignore: decorator
@lazy const T1 = FT + 36;
// @ts-ignore: decorator
@lazy const T2 = FT + 72;
// @ts-ignore: decorator
@lazy const T3 = FT + 108;
// @ts-ignore: decorator
@lazy const T4 = FT + 144;
// @ts-ignore: decorator
@lazy const T5 = FT + 180;
// @ts-ignore: decorator
@lazy const T6 = FT + 216;
// @ts-ignore: decorator
@lazy const T7 = FT + 252;
// @ts-ignore: decorator
@lazy const T8 = FT + 288;
// Points used by the scalar multiplications.
// @ts-ignore: decorator
@lazy const PTS: usize = memory.data(<i32>PT_SIZE * 3, 8);
// @ts-ignore: decorator
@lazy const ACC = PTS;
// @ts-ignore: decorator
@lazy const SEL = PTS + PT_SIZE;
// @ts-ignore: decorator
@lazy const TMP = PTS + 2 * PT_SIZE;
// Comb selection in packed words (16 words: x then y), in TMP until paddAffine writes it.
// @ts-ignore: decorator
@lazy const WORDS = TMP;

export function pointWipe(): void {
  memory.fill(FT, 0, FT_SIZE);
  memory.fill(PTS, 0, PT_SIZE * 3);
}

export function pcopy(r: usize, p: usize): void { memory.copy(r, p, PT_SIZE); }

export function pcmov(r: usize, p: usize, mask: u32): void {
  fcmov(r, p, mask); fcmov(r + 36, p + 36, mask); fcmov(r + 72, p + 72, mask);
}

// r = 2p (a = -3, dbl-2001-b with Z3 = 2YZ). Complete for Jacobian inputs: infinity stays
// infinity, and P-256 has no point of order 2. r may alias p.
export function pdouble(r: usize, p: usize): void {
  const X = p, Y = p + 36, Z = p + 72;
  const delta = T0, gamma = T1, beta = T2, alpha = T3, t1 = T4, t2 = T5;
  fsqr(delta, Z);
  fsqr(gamma, Y);
  fmul(beta, X, gamma);
  fsub(t1, X, delta);
  faddMul(t2, X, delta, 3);
  fmul(alpha, t1, t2);               // alpha = 3 (X - delta)(X + delta)
  fmul(t1, Y, Z);
  fdbl(r + 72, t1);                  // Z3 = 2 Y Z
  fsqr(t1, alpha);
  fsubMul(r, t1, beta, 8);           // X3 = alpha^2 - 8 beta
  fmulSub(t2, beta, 4, r);
  fmul(t2, alpha, t2);
  fsqr(t1, gamma);
  fsubMul(r + 36, t2, t1, 8);        // Y3 = alpha (4 beta - X3) - 8 gamma^2
}

// r = p + q with q affine (x, y at q, q + 36; Z = 1 implied), madd-2004-hmv.
// Not valid when p = +-q or p is infinity; callers exclude or repair those cases.
// Leaves H in T3 and R in T4. r may alias p.
export function paddAffine(r: usize, p: usize, q: usize): void {
  const X1 = p, Y1 = p + 36, Z1 = p + 72;
  const z1z1 = T0, u2 = T1, s2 = T2, H = T3, R = T4, HH = T5, HHH = T6, V = T7, w = T8;
  fsqr(z1z1, Z1);
  fmul(u2, q, z1z1);
  fmul(s2, Z1, z1z1);
  fmul(s2, q + 36, s2);
  fsub(H, u2, X1);
  fsub(R, s2, Y1);
  fsqr(HH, H);
  fmul(HHH, H, HH);
  fmul(V, X1, HH);
  fmul(w, Y1, HHH);
  fmul(r + 72, Z1, H);               // Z3 = Z1 H
  fsqr(T0, R);
  fsubSub2(r, T0, HHH, V);           // X3 = R^2 - HHH - 2V
  fsub(T0, V, r);
  fmul(T0, R, T0);
  fsub(r + 36, T0, w);               // Y3 = R (V - X3) - Y1 HHH
}

// ACC += SEL where the two may be equal (the last addition of the comb and of the ECDH
// ladder): paddAffine leaves H and R in T3 and T4, both zero exactly then, and the doubling
// of SEL is taken instead, in constant time.
function paddAffineLast(): void {
  paddAffine(TMP, ACC, SEL);
  const same: u32 = 0 - <u32>(fisZero(T3) & fisZero(T4));
  pdouble(SEL, SEL);
  pcmov(TMP, SEL, same);
  pcopy(ACC, TMP);
}

// Affine coordinates of p as big-endian bytes (x to xOut, y to yOut if not 0).
// Returns 0, or -1 if p is infinity. Constant time in the coordinates.
export function ptoAffineBytes(p: usize, xOut: usize, yOut: usize): i32 {
  const zi = T0, zi2 = T1, t = T2;
  const inf = fisZero(p + 72);
  finv(zi, p + 72);
  fsqr(zi2, zi);
  fmul(t, p, zi2);
  ffromMont(t, t);
  limbsToBytes(xOut, t);
  if (yOut != 0) {
    fmul(zi2, zi2, zi);
    fmul(t, p + 36, zi2);
    ffromMont(t, t);
    limbsToBytes(yOut, t);
  }
  return -inf;
}

// ---------------------------------------------------------------------------------------
// Fixed base, constant time.

// Column j of the comb for scalar words k (8 little-endian u32 words): bits j, j+64,
// j+128, j+192 as a 4-bit index. Indices into k depend only on j (public).
// @ts-ignore: decorator
@inline function combColumn(k: usize, j: u32): u32 {
  const w = <usize>(j >> 5) << 2, s = j & 31;
  return ((load<u32>(k + w) >>> s) & 1)
    | (((load<u32>(k + w + 8) >>> s) & 1) << 1)
    | (((load<u32>(k + w + 16) >>> s) & 1) << 2)
    | (((load<u32>(k + w + 24) >>> s) & 1) << 3);
}

// Signed comb recoding: an odd k' (k if k is odd, else n - k) is sum_i s_i 2^i with
// s_i = 2 bit_i(h) - 1 in {-1, +1}, h = (k' - 1)/2 + 2^255 = (k' >> 1) | 2^255. The words
// of h go to dst; returns all-ones when k was even (the caller negates every digit, since
// k G = -(n - k) G). Constant time.
function combRecode(dst: usize, k: usize): u32 {
  const even: u32 = (load<u32>(k) & 1) - 1;
  let borrow: i64 = 0, prev: u32 = 0;
  for (let i: usize = 0; i < 32; i += 4) {
    const a = load<u32>(k + i);
    const t = <i64>load<u32>(N_WORDS + i) - <i64>a + borrow;
    borrow = t >> 32;
    const w = a ^ ((a ^ <u32>t) & even);          // word i of k'
    if (i != 0) store<u32>(dst + i - 4, (prev >>> 1) | (w << 31));
    prev = w;
  }
  store<u32>(dst, (prev >>> 1) | 0x80000000, 28);
  return even;
}

// Column j of a recoded scalar: the comb entry index and whether to negate it (all-ones).
// Bits j, j+64, j+128 of h pick the signs of 2^0, 2^64, 2^128 G in the entry; bit j+192
// is the sign of 2^192 G: when it is -1, the entry of the flipped signs is negated.
// @ts-ignore: decorator
@inline function combIndex(c: u32): u32 { return (c ^ ((c >> 3) - 1)) & 7; }
// @ts-ignore: decorator
@inline function combNegate(c: u32): u32 { return (c >> 3) - 1; }

// All-ones when idx = j, else zero (idx, j < 2^31). Constant time.
// @ts-ignore: decorator
@inline function maskEq(idx: u32, j: u32): u64 { return 0 - <u64>(((idx ^ j) - 1) >>> 31); }

// dst = entry idx (0..7) of the 8 entries at tab, stride bytes apart, size bytes each (a
// multiple of 8), every entry read with masks: each 64-bit word of dst from the same word of
// all 8 entries. Constant time. Inlined with constant stride and size at both callers.
// @ts-ignore: decorator
@inline function select8(dst: usize, tab: usize, idx: u32, stride: usize, size: usize): void {
  const m0 = maskEq(idx, 0), m1 = maskEq(idx, 1), m2 = maskEq(idx, 2), m3 = maskEq(idx, 3);
  const m4 = maskEq(idx, 4), m5 = maskEq(idx, 5), m6 = maskEq(idx, 6), m7 = maskEq(idx, 7);
  for (let o: usize = 0; o < size; o += 8) {
    const e = tab + o;
    store<u64>(dst + o, (load<u64>(e) & m0) | (load<u64>(e + stride) & m1)
      | (load<u64>(e + 2 * stride) & m2) | (load<u64>(e + 3 * stride) & m3)
      | (load<u64>(e + 4 * stride) & m4) | (load<u64>(e + 5 * stride) & m5)
      | (load<u64>(e + 6 * stride) & m6) | (load<u64>(e + 7 * stride) & m7));
  }
}

// SEL = affine table entry idx (0..7) of the comb (64 bytes of packed words each) read with
// masks from every entry, y negated when neg (all-ones). x at SEL, y at SEL + 36.
function combSelect(idx: u32, neg: u32): void {
  select8(WORDS, COMB, idx, 64, 64);
  limbsFromLeWords(SEL, WORDS);
  limbsFromLeWords(SEL + 36, WORDS + 32);
  fneg(T0, SEL + 36);
  fcmov(SEL + 36, T0, neg);
}

// r = k*G (Jacobian), k as 8 little-endian u32 words, 1 <= k < n. Constant time: a signed
// 4-tooth comb (teeth 64 bits apart), every column a nonzero digit, 64 doublings and 63
// mixed additions over the 8 entries of tables.ts, every entry read on every step.
//
// Why no exceptional addition can occur before the last column: with k' the odd scalar of
// combRecode and S_l = sum_i s_(i+64l) 2^i its four signed 64-bit blocks, the accumulator
// before column j >= 1 is A G, A = sum_l 2^(64l) 2 P_l with P_l = sum_(i>j) s_(i+64l)
// 2^(i-j-1), odd, |P_l| < 2^(63-j); the entry is V G, V = sum_l 2^(64l) s_(j+64l). A -+ V
// = sum_l 2^(64l) c_l with every c_l odd and |c_l| <= 2^63 + 1: an odd number (not 0) of
// absolute value below n. So A != +-V (mod n), and A != 0 (mod n) likewise. At j = 0 the
// sum is k' itself: the addition may only meet the doubling case (A = V), which is computed
// as well and selected in constant time.
export function mulBaseCT(r: usize, k: usize): void {
  const h = WORK_SCALAR;
  const even = combRecode(h, k);
  fcopy(SEL + 72, ONE_P);
  let c = combColumn(h, 63);
  combSelect(combIndex(c), combNegate(c) ^ even);
  pcopy(ACC, SEL);
  for (let j: i32 = 62; j >= 0; j--) {
    pdouble(ACC, ACC);
    c = combColumn(h, <u32>j);
    combSelect(combIndex(c), combNegate(c) ^ even);
    if (j != 0) {
      paddAffine(ACC, ACC, SEL);
    } else {
      paddAffineLast();
    }
  }
  memory.fill(h, 0, 32);
  pcopy(r, ACC);
}

// ---------------------------------------------------------------------------------------
// Variable base, constant time.

// Entries of the window tables: odd multiples (2j+1) P, affine (x, y: 72 bytes each).
const ECDH_ENTRIES: usize = <usize>WORK_ECDH_ENTRIES;   // P .. 15P: signed 4-bit windows (mulCT)
const NAF_ENTRIES: usize = <usize>WORK_NAF_ENTRIES;     // Q .. 7Q: width-4 NAF (mulDoubleVar)

// dst = tab[idx] (the 8 affine points of mulCT, 72 bytes each), read with masks. Constant time.
function selectAffine(dst: usize, tab: usize, idx: u32): void {
  select8(dst, tab, idx, 72, 72);
}

// tab + 72 j = affine (2j+1) P for j < count (count >= 3), P affine (Montgomery x, y at p).
// Uses 72 (count - 1) + 108 bytes at tab (work.ts), ACC (D = 2P), SEL and TMP (the H values,
// count - 2 <= 6 of them), T0..T8; one inversion. Constant time.
//
// Every addition is mixed, on the isomorphic curve where D is affine: with D = (Xd, Yd, Zd),
// phi(x, y) = (Zd^2 x, Zd^3 y) maps the curve to y^2 = x^3 + a Zd^4 x + b Zd^6 (the addition
// formulas use neither a nor b), phi(D) = (Xd, Yd), and a Jacobian (X', Y', Z') there is
// (X', Y', Z' Zd) here. Entry 1 = phi(P) + phi(D), entry j = entry (j-1) + phi(D), built
// Jacobian at tab + 72 j: its X, Y are where the affine x, y go, its Z lies over entry
// j + 1's x until the addition that makes entry j + 1 has read it (paddAffine reads all of p
// before writing r, and writes r + 72 first, beyond p). No exceptional addition: P has order
// n, and (2j-1) P = +-2P would need 2j-1 = +-2 (mod n). With H_j the H of the addition that
// makes entry j, Z_j = Z_(j-1) H_j (Z_0 = Zd), so only Z_last is inverted and
// 1/Z_(j-1) = H_j / Z_j. Entry 0 is P itself, copied back last.
// Inlined so that count is a constant in each caller: GCC then bounds every pointer given to
// fmul/fsqr and drops their bounds checks in the wasm2c translation (not inlined, with a
// variable count: fmul 1564 -> 2092 bytes of Thumb code, keygen 0.75 -> 0.94 M on the M4).
// @ts-ignore: decorator
@inline function oddMultiples(tab: usize, p: usize, count: usize): void {
  const D = ACC, H = SEL;
  fcopy(tab, p); fcopy(tab + 36, p + 36); fcopy(tab + 72, ONE_P);
  pdouble(D, tab);
  fsqr(T0, D + 72);
  fmul(tab, tab, T0);                // phi(P) = (Zd^2 x, Zd^3 y), Z = 1
  fmul(T0, T0, D + 72);
  fmul(tab + 36, tab + 36, T0);
  for (let j: usize = 1; j < count; j++) {
    paddAffine(tab + 72 * j, tab + 72 * (j - 1), D);
    if (j >= 2) fcopy(H + 36 * (j - 2), T3); // H_j
  }
  fmul(T0, tab + 72 * count, D + 72); // Z_last
  finv(T0, T0, T1);                  // 1/Z_last (scratch T1..T5)
  for (let j = count - 1; j >= 1; j--) {
    const e = tab + 72 * j;
    fsqr(T6, T0);
    fmul(e, e, T6);                  // x = X / Z^2
    fmul(T6, T6, T0);
    fmul(e + 36, e + 36, T6);        // y = Y / Z^3
    if (j > 1) fmul(T0, T0, H + 36 * (j - 2)); // 1/Z_(j-1)
  }
  fcopy(tab, p); fcopy(tab + 36, p + 36);
}

// r = k*P, P affine (Montgomery x, y at p), k as 8 little-endian u32 words with
// 1 <= k < n and k odd (callers pass k or n - k). Constant time. Table: P, 3P, .., 15P,
// affine (oddMultiples: 612 bytes of WORK while built, then 576), so every addition is mixed.
//
// Digits: with k_0 = k and k_(i+1) = (k_i - d_i)/16, d_i = (k_i mod 32) - 16 (odd, -15..15)
// gives k_i = (k >> 4i) | 1 (odd) and d_i = ((k >> 4i) & 31 | 1) - 16 for i = 0..62, and
// k = sum d_i 16^i + k_63 16^63 with k_63 = (k >> 252) | 1 in 1..15 (k < 2^256): the
// accumulator starts at k_63 P. Before adding d_i the accumulator is A*P with A = 16 k_(i+1);
// for i >= 1, 16 <= A <= 2^(256-4i) <= 2^252, so 0 < A -+ d_i < n: no exceptional case
// (A != +-d_i, A != 0 mod n). At i = 0, A = k - d_0 with 1 <= k < n: A = -d_0 (mod n) needs
// k = 0; A = 0 needs k = d_0 or k = n + d_0, both impossible (d_0 = (k mod 32) - 16 and
// n = 17 mod 32 would give k = k - 16, or k = k + 1, mod 32). But A = d_0 happens:
// k = n + 2 d_0 holds for k = n - 2 (k mod 32 = 15, d_0 = -1; the even private key 2 gives
// it), so the last addition computes the doubling as well and selects it in constant time
// (paddAffineLast). 252 doublings, 63 mixed additions, one inversion.
export function mulCT(r: usize, p: usize, k: usize): void {
  const tab = WORK;
  oddMultiples(tab, p, ECDH_ENTRIES);
  selectAffine(ACC, tab, load<u32>(k, 28) >>> 29); // k_63 = 2 idx + 1 (bit 252 is forced)
  fcopy(ACC + 72, ONE_P);
  fcopy(SEL + 72, ONE_P);
  for (let i: i32 = 62; i >= 0; i--) {
    pdouble(ACC, ACC); pdouble(ACC, ACC); pdouble(ACC, ACC); pdouble(ACC, ACC);
    // window: bits 4i .. 4i+4 (may straddle two words; the position is public)
    const bit = <u32>i * 4;
    const w = <usize>(bit >> 5) << 2, s = bit & 31;
    let win = load<u32>(k + w) >>> s;
    if (s > 27 && w < 28) win |= load<u32>(k + w + 4) << (32 - s);
    win = (win & 31) | 1;
    const neg: u32 = 0 - ((win >>> 4) ^ 1); // d < 0 when bit 4 is clear
    const pos = (win & 15) >> 1;              // |d| = 2 pos + 1 when d > 0
    const idx = (pos ^ (neg & 7)) & 7;        // d < 0: |d| = 16 - win, index 7 - pos
    selectAffine(SEL, tab, idx);
    fneg(T0, SEL + 36);
    fcmov(SEL + 36, T0, neg);
    if (i != 0) {
      paddAffine(ACC, ACC, SEL);
    } else {
      paddAffineLast();
    }
  }
  pcopy(r, ACC);
}

// ---------------------------------------------------------------------------------------
// Validation.

// 1 if the affine point (x, y) (plain limbs, both already < p) is on the curve, else 0.
// Leaves the Montgomery forms in xm, ym.
export function ponCurve(xm: usize, ym: usize, x: usize, y: usize): i32 {
  fmul(xm, x, RR_P);
  fmul(ym, y, RR_P);
  fsqr(T0, ym);                // y^2
  fsqr(T1, xm);
  fmul(T1, T1, xm);            // x^3
  fmulSmall(T2, xm, 3);
  fsub(T1, T1, T2);
  fadd(T1, T1, B_MONT);        // x^3 - 3x + b
  return fequal(T0, T1);
}

// ---------------------------------------------------------------------------------------
// Variable time (verification only: every input is public).

// r = p + q, q affine with q + 72 = ONE, every case handled. r may alias p, not q: the sum
// is written in place, and the exceptional cases (H = 0) then overwrite it from q alone.
function paddAffineVar(r: usize, p: usize, q: usize): void {
  if (fisZero(p + 72)) { pcopy(r, q); return; }
  paddAffine(r, p, q);
  if (fisZero(T3)) {
    if (fisZero(T4)) pdouble(r, q);
    else memory.fill(r, 0, PT_SIZE);
  }
}

// Bits [bit, bit + count) of the 256-bit number k (8 little-endian words), count <= 4.
function getBits(k: usize, bit: i32, count: i32): i32 {
  const w = bit >> 5, s = bit & 31;
  let v: u32 = load<u32>(k + (<usize>w << 2)) >>> s;
  if (s + count > 32 && w < 7) v |= load<u32>(k + (<usize>(w + 1) << 2)) << (32 - s);
  return <i32>(v & ((1 << count) - 1));
}

// Width-4 NAF of k: 257 digits (odd in -7..7, or 0), two per byte at naf (digit i in
// the low nibble of byte i/2 when i is even, else the high nibble; 129 bytes).
function wnaf4(naf: usize, k: usize): void {
  memory.fill(naf, 0, 129);
  let carry = 0, bit = 0;
  while (bit < 256) {
    if (getBits(k, bit, 1) == carry) { bit++; continue; }
    let now = 4;
    if (now > 256 - bit) now = 256 - bit;
    let word = getBits(k, bit, now) + carry;
    carry = (word >> 3) & 1;
    word -= carry << 4;
    const at = naf + <usize>(bit >> 1);
    store<u8>(at, load<u8>(at) | <u8>((word & 15) << ((bit & 1) << 2)));
    bit += now;
  }
  if (carry) store<u8>(naf + 128, 1);
}

// @ts-ignore: decorator
@inline function nafDigit(naf: usize, i: i32): i32 {
  const nib = <i32>(load<u8>(naf + <usize>(i >> 1)) >> <u8>((i & 1) << 2)) & 15;
  return (nib << 28) >> 28;
}

// r = u1*G + u2*Q (Jacobian), u1, u2 as 8 little-endian words (< n), Q affine Montgomery
// (x at q, y at q + 36). Variable time. Doublings: 256; additions: about 51 for Q
// (width-4 NAF over Q, 3Q, 5Q, 7Q, made affine by one inversion: mixed additions) and 60
// for G (the comb columns, in the last 64 doublings). WORK: 324 bytes while the table is
// built (oddMultiples), then 288 of table, 32 of recoded u1, 129 of digits.
export function mulDoubleVar(r: usize, u1: usize, u2: usize, q: usize): void {
  const tab = WORK, h1 = WORK + 72 * NAF_ENTRIES, naf = h1 + 32;
  oddMultiples(tab, q, NAF_ENTRIES); // tab + 72 j: x, y of (2j+1) Q
  const even1 = combRecode(h1, u1);
  wnaf4(naf, u2);
  memory.fill(ACC, 0, PT_SIZE);
  fcopy(SEL + 72, ONE_P);            // the entries are affine (Z = 1 for paddAffineVar's cases)
  let started = false;
  for (let i = 256; i >= 0; i--) {
    if (started) pdouble(ACC, ACC);
    const d = nafDigit(naf, i);
    if (d != 0) {
      const e = tab + 72 * <usize>(((d < 0 ? -d : d) - 1) >> 1);
      fcopy(SEL, e);
      if (d > 0) fcopy(SEL + 36, e + 36);
      else fneg(SEL + 36, e + 36);
      paddAffineVar(ACC, ACC, SEL);
      started = true;
    }
    if (i < 64) {
      const c = combColumn(h1, <u32>i);
      const e = COMB + 64 * <usize>combIndex(c);
      limbsFromLeWords(SEL, e);
      limbsFromLeWords(SEL + 36, e + 32);
      if ((combNegate(c) ^ even1) != 0) fneg(SEL + 36, SEL + 36);
      paddAffineVar(ACC, ACC, SEL);
      started = true;
    }
  }
  pcopy(r, ACC);
}
