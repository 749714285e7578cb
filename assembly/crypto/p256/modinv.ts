// Constant-time modular inversion by Bernstein-Yang divsteps ("Fast constant-time gcd
// computation and modular inversion", 2019), in the half-delta variant: 20 batches of 30
// divsteps = 600, more than the 590 that suffice for any modulus and input below 2^256.
// Numbers in the loop are 9 signed limbs of 30 bits (i32 slots, the top limb carries the
// sign); 30 divsteps act on the low limbs only and give a 2x2 matrix (scaled by 2^30) that
// is then applied to (f, g) and, modulo M, to (d, e). No branch and no memory index depends
// on the values. Used for the field (finv) and the scalars (ninv): one pass replaces an
// exponentiation of 255 squarings.
const M30: i32 = 0x3fffffff;
// Scratch: 180 bytes (f, g, d, e and the modulus, 9 limbs each), given by the caller.
export const MODINV_SCRATCH: usize = 180;

// 9 limbs of 29 bits (value below 2^256) -> 9 limbs of 30 bits.
function toS30(dst: usize, src: usize): void {
  let acc: u64 = 0, bits: i32 = 0, o: usize = 0;
  for (let i: usize = 0; i < 36; i += 4) {
    acc |= <u64>load<u32>(src + i) << <u64>bits;
    bits += 29;
    if (bits >= 30) { store<i32>(dst + o, <i32>(<u32>acc) & M30); o += 4; acc >>= 30; bits -= 30; }
  }
  store<i32>(dst + o, <i32>acc);
}

// 9 limbs of 30 bits (value below 2^256, normalised) -> 9 limbs of 29 bits.
function fromS30(dst: usize, src: usize): void {
  let acc: u64 = 0, bits: i32 = 0, o: usize = 0;
  for (let i: usize = 0; i < 36; i += 4) {
    acc |= <u64>load<u32>(src + i) << <u64>bits;
    bits += 30;
    while (bits >= 29 && o < 32) { store<u32>(dst + o, <u32>acc & 0x1fffffff); o += 4; acc >>= 29; bits -= 29; }
  }
  store<u32>(dst + o, <u32>acc);
}

// r = a^-1 mod M (0 for 0), a and r as 9 plain limbs of 29 bits, 0 <= a < M; mLimbs: M in
// the same form (M odd, below 2^256); mInv30 = M^-1 mod 2^30. r may alias a, not scratch
// (MODINV_SCRATCH bytes, wiped on return).
export function modInverse(r: usize, a: usize, mLimbs: usize, mInv30: i32, scratch: usize): void {
  const SF = scratch, SG = scratch + 36, SD = scratch + 72, SE = scratch + 108, SM = scratch + 144;
  toS30(SM, mLimbs);
  memory.copy(SF, SM, 36);
  toS30(SG, a);
  memory.fill(SD, 0, 72);
  store<i32>(SE, 1);
  let zeta: i32 = -1; // -(delta + 1/2), delta = 1/2
  for (let batch = 0; batch < 20; batch++) {
    // 30 divsteps on the low bits: t = [u v; q r], scaled by 2^30.
    let f = load<u32>(SF), g = load<u32>(SG);
    let u: i32 = 1, v: i32 = 0, q: i32 = 0, rr: i32 = 1;
    for (let i = 0; i < 30; i++) {
      let c1 = zeta >> 31;                  // delta > 0
      const c2 = -<i32>(g & 1);             // g odd
      const x = (<i32>f ^ c1) - c1, y = (u ^ c1) - c1, z = (v ^ c1) - c1;
      g += <u32>(x & c2); q += y & c2; rr += z & c2;
      c1 &= c2;                             // swap
      zeta = (zeta ^ c1) - 1;
      f += g & <u32>c1; u += q & c1; v += rr & c1;
      g >>= 1; u <<= 1; v <<= 1;
    }
    // (d, e) = t (d, e) / 2^30 mod M: add md M, me M so that the low 30 bits vanish.
    const sd = load<i32>(SD, 32) >> 31, se = load<i32>(SE, 32) >> 31;
    let md = (u & sd) + (v & se), me = (q & sd) + (rr & se);
    const d0 = <i64>load<i32>(SD), e0 = <i64>load<i32>(SE), m0 = <i64>load<i32>(SM);
    let cd = <i64>u * d0 + <i64>v * e0, ce = <i64>q * d0 + <i64>rr * e0;
    md -= (mInv30 * <i32>cd + md) & M30;
    me -= (mInv30 * <i32>ce + me) & M30;
    cd = (cd + m0 * <i64>md) >> 30;
    ce = (ce + m0 * <i64>me) >> 30;
    // (f, g) = t (f, g) / 2^30 (exact)
    const f0 = <i64>load<i32>(SF), g0 = <i64>load<i32>(SG);
    let cf = (<i64>u * f0 + <i64>v * g0) >> 30, cg = (<i64>q * f0 + <i64>rr * g0) >> 30;
    for (let k: usize = 4; k < 36; k += 4) {
      const dk = <i64>load<i32>(SD + k), ek = <i64>load<i32>(SE + k), mk = <i64>load<i32>(SM + k);
      cd += <i64>u * dk + <i64>v * ek + mk * <i64>md;
      ce += <i64>q * dk + <i64>rr * ek + mk * <i64>me;
      store<i32>(SD + k - 4, <i32>cd & M30); cd >>= 30;
      store<i32>(SE + k - 4, <i32>ce & M30); ce >>= 30;
      const fk = <i64>load<i32>(SF + k), gk = <i64>load<i32>(SG + k);
      cf += <i64>u * fk + <i64>v * gk;
      cg += <i64>q * fk + <i64>rr * gk;
      store<i32>(SF + k - 4, <i32>cf & M30); cf >>= 30;
      store<i32>(SG + k - 4, <i32>cg & M30); cg >>= 30;
    }
    store<i32>(SD, <i32>cd, 32); store<i32>(SE, <i32>ce, 32);
    store<i32>(SF, <i32>cf, 32); store<i32>(SG, <i32>cg, 32);
  }
  // g = 0, f = +-1, d = +-a^-1 in (-2M, M): bring d into [0, M) with the sign of f.
  normalise(SD, SM, load<i32>(SD, 32) >> 31, 0);   // (-M, M)
  normalise(SD, SM, 0, load<i32>(SF, 32) >> 31);   // times the sign of f
  normalise(SD, SM, load<i32>(SD, 32) >> 31, 0);   // [0, M)
  fromS30(r, SD);
  memory.fill(scratch, 0, MODINV_SCRATCH);
}

// d = (d + (M & add)) negated if negate (all-ones or zero masks), carries propagated.
function normalise(SD: usize, SM: usize, add: i32, negate: i32): void {
  let c: i32 = 0;
  for (let k: usize = 0; k < 36; k += 4) {
    let x = load<i32>(SD + k) + (load<i32>(SM + k) & add);
    x = (x ^ negate) - negate + c;
    if (k < 32) { store<i32>(SD + k, x & M30); c = x >> 30; } else store<i32>(SD + k, x);
  }
}
