// AES-128 encryption (FIPS-197): the board's AES through the HAL when it has one,
// otherwise a constant-time bitsliced software AES. CCM only needs the forward cipher.
import { halAes128Encrypt, HAL_OK, HAL_UNSUPPORTED } from "../hal";
import { ctEqual, wipe } from "./ct";

// ---------------------------------------------------------------------------------
// Software AES, bitsliced: no table lookups and no branches on key or data.
//
// The state is 8 u32 "planes": plane i holds bit i of every state byte. Byte (row r,
// column c) of a first block sits at bit 4r + c, of a second block at bit 16 + 4r + c, so
// two blocks (CCM's CBC-MAC block and its counter block) cost the same as one. With rows
// in nibbles, ShiftRows and MixColumns are shifts and masks on each plane.
//
// SubBytes is computed, not looked up: the inverse in GF(2^8) is x^254, reached with
// four bitsliced multiplications and three linear Frobenius maps (x^2, x^4, x^16), then
// the affine map of FIPS-197 section 5.1.1. The Frobenius maps were derived by computing
// (x^i)^(2^k) mod x^8 + x^4 + x^3 + x + 1 for each basis element x^i.
//
// Round keys: 11 rounds x 8 planes x u16 (one block's 16 bits) = 176 bytes.
// ---------------------------------------------------------------------------------

export const AES_ROUND_KEYS_SIZE: i32 = 176;

// @ts-ignore: decorator
@lazy const st = memory.data(32);   // state planes
// @ts-ignore: decorator
@lazy const x2 = memory.data(32);   // S-box temporaries: powers of the state
// @ts-ignore: decorator
@lazy const x3 = memory.data(32);
// @ts-ignore: decorator
@lazy const x12 = memory.data(32);
// @ts-ignore: decorator
@lazy const x15 = memory.data(32);
// @ts-ignore: decorator
@lazy const xr = memory.data(32);

// Bitsliced GF(2^8) product: schoolbook, then reduction by x^8 = x^4 + x^3 + x + 1.
function gfMul(dst: usize, a: usize, b: usize): void {
  const a0 = load<u32>(a, 0), b0 = load<u32>(b, 0);
  const a1 = load<u32>(a, 4), b1 = load<u32>(b, 4);
  const a2 = load<u32>(a, 8), b2 = load<u32>(b, 8);
  const a3 = load<u32>(a, 12), b3 = load<u32>(b, 12);
  const a4 = load<u32>(a, 16), b4 = load<u32>(b, 16);
  const a5 = load<u32>(a, 20), b5 = load<u32>(b, 20);
  const a6 = load<u32>(a, 24), b6 = load<u32>(b, 24);
  const a7 = load<u32>(a, 28), b7 = load<u32>(b, 28);
  let c0 = (a0 & b0);
  let c1 = (a0 & b1) ^ (a1 & b0);
  let c2 = (a0 & b2) ^ (a1 & b1) ^ (a2 & b0);
  let c3 = (a0 & b3) ^ (a1 & b2) ^ (a2 & b1) ^ (a3 & b0);
  let c4 = (a0 & b4) ^ (a1 & b3) ^ (a2 & b2) ^ (a3 & b1) ^ (a4 & b0);
  let c5 = (a0 & b5) ^ (a1 & b4) ^ (a2 & b3) ^ (a3 & b2) ^ (a4 & b1) ^ (a5 & b0);
  let c6 = (a0 & b6) ^ (a1 & b5) ^ (a2 & b4) ^ (a3 & b3) ^ (a4 & b2) ^ (a5 & b1) ^ (a6 & b0);
  let c7 = (a0 & b7) ^ (a1 & b6) ^ (a2 & b5) ^ (a3 & b4) ^ (a4 & b3) ^ (a5 & b2) ^ (a6 & b1) ^ (a7 & b0);
  let c8 = (a1 & b7) ^ (a2 & b6) ^ (a3 & b5) ^ (a4 & b4) ^ (a5 & b3) ^ (a6 & b2) ^ (a7 & b1);
  let c9 = (a2 & b7) ^ (a3 & b6) ^ (a4 & b5) ^ (a5 & b4) ^ (a6 & b3) ^ (a7 & b2);
  let c10 = (a3 & b7) ^ (a4 & b6) ^ (a5 & b5) ^ (a6 & b4) ^ (a7 & b3);
  let c11 = (a4 & b7) ^ (a5 & b6) ^ (a6 & b5) ^ (a7 & b4);
  let c12 = (a5 & b7) ^ (a6 & b6) ^ (a7 & b5);
  let c13 = (a6 & b7) ^ (a7 & b6);
  let c14 = (a7 & b7);
  c10 ^= c14; c9 ^= c14; c7 ^= c14; c6 ^= c14;
  c9 ^= c13; c8 ^= c13; c6 ^= c13; c5 ^= c13;
  c8 ^= c12; c7 ^= c12; c5 ^= c12; c4 ^= c12;
  c7 ^= c11; c6 ^= c11; c4 ^= c11; c3 ^= c11;
  c6 ^= c10; c5 ^= c10; c3 ^= c10; c2 ^= c10;
  c5 ^= c9; c4 ^= c9; c2 ^= c9; c1 ^= c9;
  c4 ^= c8; c3 ^= c8; c1 ^= c8; c0 ^= c8;
  store<u32>(dst, c0, 0);
  store<u32>(dst, c1, 4);
  store<u32>(dst, c2, 8);
  store<u32>(dst, c3, 12);
  store<u32>(dst, c4, 16);
  store<u32>(dst, c5, 20);
  store<u32>(dst, c6, 24);
  store<u32>(dst, c7, 28);
}

// x^2 is linear over GF(2): output bit j is the XOR of the input bits i whose
// basis element (x^i)^2 has bit j set.
function gfPow2(dst: usize, a: usize): void {
  const a0 = load<u32>(a, 0);
  const a1 = load<u32>(a, 4);
  const a2 = load<u32>(a, 8);
  const a3 = load<u32>(a, 12);
  const a4 = load<u32>(a, 16);
  const a5 = load<u32>(a, 20);
  const a6 = load<u32>(a, 24);
  const a7 = load<u32>(a, 28);
  store<u32>(dst, a0 ^ a4 ^ a6, 0);
  store<u32>(dst, a4 ^ a6 ^ a7, 4);
  store<u32>(dst, a1 ^ a5, 8);
  store<u32>(dst, a4 ^ a5 ^ a6 ^ a7, 12);
  store<u32>(dst, a2 ^ a4 ^ a7, 16);
  store<u32>(dst, a5 ^ a6, 20);
  store<u32>(dst, a3 ^ a5, 24);
  store<u32>(dst, a6 ^ a7, 28);
}

// x^4 is linear over GF(2): output bit j is the XOR of the input bits i whose
// basis element (x^i)^4 has bit j set.
function gfPow4(dst: usize, a: usize): void {
  const a0 = load<u32>(a, 0);
  const a1 = load<u32>(a, 4);
  const a2 = load<u32>(a, 8);
  const a3 = load<u32>(a, 12);
  const a4 = load<u32>(a, 16);
  const a5 = load<u32>(a, 20);
  const a6 = load<u32>(a, 24);
  const a7 = load<u32>(a, 28);
  store<u32>(dst, a0 ^ a2 ^ a3 ^ a5 ^ a6 ^ a7, 0);
  store<u32>(dst, a2 ^ a3 ^ a4 ^ a5 ^ a6, 4);
  store<u32>(dst, a4 ^ a5 ^ a7, 8);
  store<u32>(dst, a2 ^ a3 ^ a4, 12);
  store<u32>(dst, a1 ^ a2 ^ a4 ^ a5 ^ a6, 16);
  store<u32>(dst, a3 ^ a6, 20);
  store<u32>(dst, a4 ^ a7, 24);
  store<u32>(dst, a3 ^ a5 ^ a6 ^ a7, 28);
}

// x^16 is linear over GF(2): output bit j is the XOR of the input bits i whose
// basis element (x^i)^16 has bit j set.
function gfPow16(dst: usize, a: usize): void {
  const a0 = load<u32>(a, 0);
  const a1 = load<u32>(a, 4);
  const a2 = load<u32>(a, 8);
  const a3 = load<u32>(a, 12);
  const a4 = load<u32>(a, 16);
  const a5 = load<u32>(a, 20);
  const a6 = load<u32>(a, 24);
  const a7 = load<u32>(a, 28);
  store<u32>(dst, a0 ^ a4 ^ a5 ^ a6, 0);
  store<u32>(dst, a1, 4);
  store<u32>(dst, a1 ^ a2 ^ a4 ^ a6 ^ a7, 8);
  store<u32>(dst, a1 ^ a3 ^ a4 ^ a6 ^ a7, 12);
  store<u32>(dst, a1 ^ a5 ^ a6, 16);
  store<u32>(dst, a2 ^ a3 ^ a7, 20);
  store<u32>(dst, a1 ^ a2 ^ a3 ^ a4 ^ a7, 24);
  store<u32>(dst, a2 ^ a3 ^ a5, 28);
}

// FIPS-197 section 5.1.1: b'_i = b_i ^ b_(i+4) ^ b_(i+5) ^ b_(i+6) ^ b_(i+7) ^ c_i with
// c = 0x63 (bits 0, 1, 5, 6: a NOT of those planes).
function affine(dst: usize, b: usize): void {
  const b0 = load<u32>(b, 0), b1 = load<u32>(b, 4), b2 = load<u32>(b, 8), b3 = load<u32>(b, 12);
  const b4 = load<u32>(b, 16), b5 = load<u32>(b, 20), b6 = load<u32>(b, 24), b7 = load<u32>(b, 28);
  store<u32>(dst, ~(b0 ^ b4 ^ b5 ^ b6 ^ b7), 0);
  store<u32>(dst, ~(b1 ^ b5 ^ b6 ^ b7 ^ b0), 4);
  store<u32>(dst, b2 ^ b6 ^ b7 ^ b0 ^ b1, 8);
  store<u32>(dst, b3 ^ b7 ^ b0 ^ b1 ^ b2, 12);
  store<u32>(dst, b4 ^ b0 ^ b1 ^ b2 ^ b3, 16);
  store<u32>(dst, ~(b5 ^ b1 ^ b2 ^ b3 ^ b4), 20);
  store<u32>(dst, ~(b6 ^ b2 ^ b3 ^ b4 ^ b5), 24);
  store<u32>(dst, b7 ^ b3 ^ b4 ^ b5 ^ b6, 28);
}

// SubBytes on every byte of the planes at p, in place. 0 maps to 0 before the affine
// step, as FIPS-197 requires, because 0^254 = 0.
function subBytes(p: usize): void {
  gfPow2(x2, p);          // x^2
  gfMul(x3, x2, p);       // x^3
  gfPow4(x12, x3);        // x^12
  gfMul(x15, x12, x3);    // x^15
  gfPow16(xr, x15);       // x^240
  gfMul(xr, xr, x12);     // x^252
  gfMul(xr, xr, x2);      // x^254 = x^-1
  affine(p, xr);
}

// ShiftRows (FIPS-197 section 5.1.2): row r of each block rotates left by r columns,
// i.e. within nibble r, new column c takes old column c + r.
@inline function shiftRows(x: u32): u32 {
  return (x & 0x000f000f)
    | ((x >>> 1) & 0x00700070) | ((x << 3) & 0x00800080)
    | ((x >>> 2) & 0x03000300) | ((x << 2) & 0x0c000c00)
    | ((x << 1) & 0xe000e000) | ((x >>> 3) & 0x10001000);
}

// Row r takes row r + 1 (mod 4) of the same column, per 16-bit block.
@inline function rot1(x: u32): u32 {
  return ((x >>> 4) & 0x0fff0fff) | ((x << 12) & 0xf000f000);
}
@inline function rot2(x: u32): u32 {
  return ((x >>> 8) & 0x00ff00ff) | ((x << 8) & 0xff00ff00);
}

// One round key plane (u16) applied to both blocks.
@inline function keyPlane(rk: usize, i: usize): u32 {
  const k = <u32>load<u16>(rk + (i << 1));
  return k | (k << 16);
}

// ShiftRows, then MixColumns if mix (FIPS-197 section 5.1.3), then AddRoundKey, on st.
// MixColumns: out_r = 2 a_r ^ 3 a_(r+1) ^ a_(r+2) ^ a_(r+3) = 2 t_r ^ s ^ a_r with
// t_r = a_r ^ a_(r+1) and s the column sum; 2 t is xtime, a shuffle of planes.
function roundLinear(rk: usize, mix: bool): void {
  let a0 = shiftRows(load<u32>(st, 0)), a1 = shiftRows(load<u32>(st, 4));
  let a2 = shiftRows(load<u32>(st, 8)), a3 = shiftRows(load<u32>(st, 12));
  let a4 = shiftRows(load<u32>(st, 16)), a5 = shiftRows(load<u32>(st, 20));
  let a6 = shiftRows(load<u32>(st, 24)), a7 = shiftRows(load<u32>(st, 28));
  if (mix) {
    const t0 = a0 ^ rot1(a0), t1 = a1 ^ rot1(a1), t2 = a2 ^ rot1(a2), t3 = a3 ^ rot1(a3);
    const t4 = a4 ^ rot1(a4), t5 = a5 ^ rot1(a5), t6 = a6 ^ rot1(a6), t7 = a7 ^ rot1(a7);
    // xtime: multiply by x, reducing x^8 = x^4 + x^3 + x + 1 (0x1b).
    a0 = t7 ^ t0 ^ rot2(t0) ^ a0;
    a1 = t0 ^ t7 ^ t1 ^ rot2(t1) ^ a1;
    a2 = t1 ^ t2 ^ rot2(t2) ^ a2;
    a3 = t2 ^ t7 ^ t3 ^ rot2(t3) ^ a3;
    a4 = t3 ^ t7 ^ t4 ^ rot2(t4) ^ a4;
    a5 = t4 ^ t5 ^ rot2(t5) ^ a5;
    a6 = t5 ^ t6 ^ rot2(t6) ^ a6;
    a7 = t6 ^ t7 ^ rot2(t7) ^ a7;
  }
  store<u32>(st, a0 ^ keyPlane(rk, 0), 0);
  store<u32>(st, a1 ^ keyPlane(rk, 1), 4);
  store<u32>(st, a2 ^ keyPlane(rk, 2), 8);
  store<u32>(st, a3 ^ keyPlane(rk, 3), 12);
  store<u32>(st, a4 ^ keyPlane(rk, 4), 16);
  store<u32>(st, a5 ^ keyPlane(rk, 5), 20);
  store<u32>(st, a6 ^ keyPlane(rk, 6), 24);
  store<u32>(st, a7 ^ keyPlane(rk, 7), 28);
}

// Bit i of the 4 bytes of column word w (row r in byte r) to bits 4r.
@inline function gather(w: u32, i: u32): u32 {
  let t = (w >>> i) & 0x01010101;
  t = (t | (t >>> 4)) & 0x00110011;
  return (t | (t >>> 8)) & 0x1111;
}

// Bits 4r of a plane back to bit i of byte r.
@inline function scatter(x: u32, i: u32): u32 {
  let t = x & 0x1111;
  t = (t | (t << 8)) & 0x00110011;
  return ((t | (t << 4)) & 0x01010101) << i;
}

// Planes of block b (16 bytes in FIPS-197 order: byte 4c + r) at bit offset shift,
// ORed into dst (8 u32).
function toPlanes(dst: usize, b: usize, shift: u32): void {
  for (let c: u32 = 0; c < 4; c++) {
    const w = load<u32>(b + (<usize>c << 2));
    const s = c + shift;
    store<u32>(dst, load<u32>(dst, 0) | (gather(w, 0) << s), 0);
    store<u32>(dst, load<u32>(dst, 4) | (gather(w, 1) << s), 4);
    store<u32>(dst, load<u32>(dst, 8) | (gather(w, 2) << s), 8);
    store<u32>(dst, load<u32>(dst, 12) | (gather(w, 3) << s), 12);
    store<u32>(dst, load<u32>(dst, 16) | (gather(w, 4) << s), 16);
    store<u32>(dst, load<u32>(dst, 20) | (gather(w, 5) << s), 20);
    store<u32>(dst, load<u32>(dst, 24) | (gather(w, 6) << s), 24);
    store<u32>(dst, load<u32>(dst, 28) | (gather(w, 7) << s), 28);
  }
}

function fromPlanes(out: usize, src: usize, shift: u32): void {
  for (let c: u32 = 0; c < 4; c++) {
    const s = c + shift;
    const w = scatter(load<u32>(src, 0) >>> s, 0) | scatter(load<u32>(src, 4) >>> s, 1)
      | scatter(load<u32>(src, 8) >>> s, 2) | scatter(load<u32>(src, 12) >>> s, 3)
      | scatter(load<u32>(src, 16) >>> s, 4) | scatter(load<u32>(src, 20) >>> s, 5)
      | scatter(load<u32>(src, 24) >>> s, 6) | scatter(load<u32>(src, 28) >>> s, 7);
    store<u32>(out + (<usize>c << 2), w);
  }
}

// SubWord (FIPS-197 section 5.2) through the same S-box circuit: byte k of w at bit 8k.
function subWord(w: u32): u32 {
  for (let i: u32 = 0; i < 8; i++) store<u32>(st + (<usize>i << 2), (w >>> i) & 0x01010101);
  subBytes(st);
  let r: u32 = 0;
  for (let i: u32 = 0; i < 8; i++) r |= (load<u32>(st + (<usize>i << 2)) & 0x01010101) << i;
  return r;
}

// @ts-ignore: decorator
@lazy const kbuf = memory.data(16);

// FIPS-197 section 5.2 key expansion for Nk = 4, stored as bitsliced round keys.
export function aesSoftExpandKey(key16: usize, roundKeys176: usize): void {
  memory.copy(kbuf, key16, 16);
  let rcon: u32 = 1;
  for (let r: usize = 0; r < 11; r++) {
    wipe(st, 32);
    toPlanes(st, kbuf, 0);
    for (let i: usize = 0; i < 8; i++) store<u16>(roundKeys176 + (r << 4) + (i << 1), <u16>load<u32>(st + (i << 2)));
    if (r == 10) break;
    // Words are little-endian u32 of the key bytes, so RotWord is a rotate right by 8.
    let w0 = load<u32>(kbuf, 0), w1 = load<u32>(kbuf, 4), w2 = load<u32>(kbuf, 8), w3 = load<u32>(kbuf, 12);
    w0 ^= subWord(rotr<u32>(w3, 8)) ^ rcon;
    w1 ^= w0; w2 ^= w1; w3 ^= w2;
    store<u32>(kbuf, w0, 0); store<u32>(kbuf, w1, 4); store<u32>(kbuf, w2, 8); store<u32>(kbuf, w3, 12);
    // Rcon doubles in GF(2^8); it is public.
    rcon = (rcon << 1) ^ (((rcon >>> 7) & 1) * 0x11b);
  }
  wipe(kbuf, 16);
  wipe(st, 32);
}

// Round key `round` (0..10) back in FIPS-197 byte order (tests compare with Appendix A).
export function aesSoftRoundKeyBytes(roundKeys176: usize, round: i32, out16: usize): void {
  for (let i: usize = 0; i < 8; i++) store<u32>(xr + (i << 2), <u32>load<u16>(roundKeys176 + (<usize>round << 4) + (i << 1)));
  fromPlanes(out16, xr, 0);
  wipe(xr, 32);
}

// Encrypts two blocks at once (in0 -> out0, in1 -> out1). Inputs and outputs may alias.
export function aesSoftEncrypt2(roundKeys176: usize, in0: usize, out0: usize, in1: usize, out1: usize): void {
  wipe(st, 32);
  toPlanes(st, in0, 0);
  toPlanes(st, in1, 16);
  for (let i: usize = 0; i < 8; i++) store<u32>(st + (i << 2), load<u32>(st + (i << 2)) ^ keyPlane(roundKeys176, i));
  for (let r: usize = 1; r < 10; r++) {
    subBytes(st);
    roundLinear(roundKeys176 + (r << 4), true);
  }
  subBytes(st);
  roundLinear(roundKeys176 + 160, false);
  fromPlanes(out0, st, 0);
  fromPlanes(out1, st, 16);
}

const spare = memory.data(16);

export function aesSoftEncrypt(roundKeys176: usize, input16: usize, output16: usize): void {
  aesSoftEncrypt2(roundKeys176, input16, output16, input16, spare);
}

// ---------------------------------------------------------------------------------
// The selected key: HAL or software.
// ---------------------------------------------------------------------------------

const MODE_NONE: i32 = 0;
const MODE_HAL: i32 = 1;
const MODE_SOFT: i32 = 2;
const HAL_UNKNOWN: i32 = 0;
const HAL_PRESENT: i32 = 1;
const HAL_ABSENT: i32 = 2;

let mode: i32 = MODE_NONE;
// Whether the board has hardware AES is learnt once, from the first key; it is not secret.
let halState: i32 = HAL_UNKNOWN;
const curKey = memory.data(16);
// @ts-ignore: decorator
@lazy const schedule = memory.data(176);

export function aesSetKey(key16: usize): void {
  if (!AES_IN_MODULE) { // the board's engine only (checked by crypto/board_crypto.ts)
    memory.copy(curKey, key16, 16);
    mode = MODE_HAL;
    return;
  }
  if (halState != HAL_ABSENT) {
    memory.copy(curKey, key16, 16);
    if (halState == HAL_PRESENT) { mode = MODE_HAL; return; }
    wipe(spare, 16);
    const r = halAes128Encrypt(curKey, spare, spare);
    wipe(spare, 16);
    if (r == HAL_OK) { halState = HAL_PRESENT; mode = MODE_HAL; return; }
    if (r == HAL_UNSUPPORTED) halState = HAL_ABSENT;
    mode = MODE_NONE; // curKey changed: the schedule below must be rebuilt
  }
  // The software schedule costs about two blocks: keep it while the key stays the same
  // (a record layer sets the same key for every record).
  if (mode == MODE_SOFT && ctEqual(curKey, key16, 16)) return;
  memory.copy(curKey, key16, 16);
  aesSoftExpandKey(curKey, schedule);
  mode = MODE_SOFT;
}

// Set when the board's engine failed and the module has no software AES: what came out
// is not ciphertext, so crypto/ccm.ts discards it and the connection fails.
export let aesUnavailable: bool = false;

export function aesReset(): void { aesUnavailable = false; }

// A HAL that fails after having worked: use software AES for this key from now on.
function halFailed(): void {
  if (!AES_IN_MODULE) { aesUnavailable = true; return; }
  aesSoftExpandKey(curKey, schedule);
  mode = MODE_SOFT;
}

// Encrypts one block with the selected key. input16 and output16 may alias.
export function aesEncryptBlock(input16: usize, output16: usize): void {
  if (mode == MODE_HAL) {
    // Through spare, so a failing HAL cannot have clobbered an aliased input.
    if (halAes128Encrypt(curKey, input16, spare) == HAL_OK) {
      memory.copy(output16, spare, 16);
      return;
    }
    halFailed();
  }
  if (!AES_IN_MODULE) { wipe(output16, 16); return; }
  aesSoftEncrypt(schedule, input16, output16);
}

// Encrypts two independent blocks; the software path does both in one pass.
export function aesEncryptBlock2(in0: usize, out0: usize, in1: usize, out1: usize): void {
  if (mode == MODE_HAL) {
    aesEncryptBlock(in0, out0);
    aesEncryptBlock(in1, out1);
    return;
  }
  if (!AES_IN_MODULE) { aesEncryptBlock(in0, out0); aesEncryptBlock(in1, out1); return; }
  aesSoftEncrypt2(schedule, in0, out0, in1, out1);
}

// Forgets the key: the stored copy, the schedule and every temporary derived from it.
export function aesWipe(): void {
  wipe(curKey, 16);
  wipe(spare, 16);
  if (AES_IN_MODULE) { // the software AES's buffers exist only in modules that have it
    wipe(schedule, 176);
    wipe(st, 32);
    wipe(x2, 32);
    wipe(x3, 32);
    wipe(x12, 32);
    wipe(x15, 32);
    wipe(xr, 32);
  }
  mode = MODE_NONE;
}
