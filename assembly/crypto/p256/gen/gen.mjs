// Generates the straight-line field multiplication code and the constant tables of
// assembly/crypto/p256/. Run: node assembly/crypto/p256/gen/gen.mjs (writes fe_gen.ts and
// tables.ts beside this folder). The output is committed; this script documents it.
//
// Representation: 9 limbs of 29 bits (radix 2^29, 261 bits), little-endian, each limb in
// a u32 slot (36 bytes per element). Montgomery form with R = 2^261.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..");

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
const GX = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n;
const GY = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n;
const W = 29n, MASK = (1n << W) - 1n, L = 9, R = 1n << 261n;

const mod = (a, m) => ((a % m) + m) % m;
function powmod(b, e, m) { let r = 1n; b = mod(b, m); while (e > 0n) { if (e & 1n) r = r * b % m; b = b * b % m; e >>= 1n; } return r; }
const inv = (a, m) => powmod(a, m - 2n, m);
function limbs(x) { const o = []; for (let i = 0; i < L; i++) { o.push(Number(x & MASK)); x >>= W; } if (x) throw new Error("too big"); return o; }
const hex = (v) => "0x" + v.toString(16).padStart(8, "0");
const arr = (ls) => ls.map(hex).join(", ");

// ---------------------------------------------------------------------------------------
// Field code.
// One limb per load, zero-extended by the load itself (i64.load32_u): what lets GCC fuse
// products and sums into UMLAL, with no extension left per product for wasm3 to execute.
function loads32(name, ptr) {
  const l = [];
  for (let i = 0; i < L; i++) l.push(`  const ${name}${i}: i64 = <i64>load<u32>(${ptr}, ${4 * i});`);
  return l.join("\n");
}
// Output limb k of a multiplication (from the column sum t); limbs stored two at a time.
const outLimb = (k) => (k & 1) === 0
  ? `  const o${k}: u64 = <u64>(t & 0x1FFFFFFF); t >>= 29;`
  : `  store<u64>(r, o${k - 1} | (<u64>(t & 0x1FFFFFFF) << 32), ${4 * (k - 1)}); t >>= 29;`;

// Montgomery multiplication/squaring mod p. p = 2^256 - 2^224 + 2^192 + 2^96 - 1, so
// -p^-1 = 1 (mod 2^29): m_k is the low limb itself, and m_k * p is a sum of shifts:
// -m_k at limb k, +m_k<<9 at limb k+3 (2^96), +m_k<<18 at k+6 (2^192),
// -m_k<<21 at k+7 (2^224), +m_k<<24 at k+8 (2^256).
function genP(square) {
  const body = [];
  body.push(loads32("a", "a"));
  if (square) {
    for (let i = 0; i < L; i++) body.push(`  const d${i}: i64 = <i64>(<u32>a${i} << 1);`);
  } else body.push(loads32("b", "b"));
  body.push("  let t: i64 = 0;");
  for (let c = 0; c <= 2 * L - 2; c++) {
    const terms = [];
    for (let i = 0; i < L; i++) {
      const j = c - i;
      if (j < 0 || j >= L) continue;
      if (square) {
        if (i < j) terms.push(`${"d" + i} * ${"a" + j}`);
        else if (i === j) terms.push(`${"a" + i} * ${"a" + i}`);
      } else terms.push(`${"a" + i} * ${"b" + j}`);
    }
    const red = [];
    if (c - 3 >= 0 && c - 3 < L) red.push(`+ (m${c - 3} << 9)`);
    if (c - 6 >= 0 && c - 6 < L) red.push(`+ (m${c - 6} << 18)`);
    if (c - 7 >= 0 && c - 7 < L) red.push(`- (m${c - 7} << 21)`);
    if (c - 8 >= 0 && c - 8 < L) red.push(`+ (m${c - 8} << 24)`);
    body.push(`  t += ${terms.join(" + ")} ${red.join(" ")};`);
    if (c < L) body.push(`  const m${c}: i64 = t & 0x1FFFFFFF; t >>= 29;`);
    else body.push(outLimb(c - L));
  }
  body.push(`  store<u32>(r, <u32>t, ${4 * (L - 1)});`);
  return body.join("\n");
}

// Generic Montgomery multiplication mod n (n0 = -n^-1 mod 2^29).
function genN(square) {
  const nl = limbs(N);
  // -n^-1 mod 2^29 by Newton's iteration (x <- x (2 - n x) doubles the correct bits)
  let x = 1n;
  for (let i = 0; i < 5; i++) x = mod(x * (2n - N * x), 1n << W);
  if (mod(x * N, 1n << W) !== 1n) throw new Error("n0");
  const n0 = Number(mod(-x, 1n << W));
  const body = [];
  body.push(loads32("a", "a"));
  if (square) { for (let i = 0; i < L; i++) body.push(`  const d${i}: i64 = <i64>(<u32>a${i} << 1);`); }
  else body.push(loads32("b", "b"));
  body.push("  let t: i64 = 0;");
  for (let c = 0; c <= 2 * L - 2; c++) {
    const terms = [];
    for (let i = 0; i < L; i++) {
      const j = c - i;
      if (j < 0 || j >= L) continue;
      if (square) { if (i < j) terms.push(`${"d" + i} * ${"a" + j}`); else if (i === j) terms.push(`${"a" + i} * ${"a" + i}`); }
      else terms.push(`${"a" + i} * ${"b" + j}`);
    }
    for (let k = 0; k < L; k++) {
      const j = c - k;
      if (j < 1 || j >= L || k >= c) continue;
      terms.push(`m${k} * ${hex(nl[j])}`);
    }
    body.push(`  t += ${terms.join(" + ")};`);
    if (c < L) {
      body.push(`  const m${c}: i64 = ((t & 0x1FFFFFFF) * ${hex(n0)}) & 0x1FFFFFFF;`);
      body.push(`  t = (t + m${c} * ${hex(nl[0])}) >> 29;`);
    } else body.push(outLimb(c - L));
  }
  body.push(`  store<u32>(r, <u32>t, ${4 * (L - 1)});`);
  return body.join("\n");
}

const feGen = `// GENERATED by gen/gen.mjs: do not edit by hand.
// Montgomery multiplication in radix 2^29 (9 limbs, R = 2^261), straight-line code:
// i64 products of 29-bit limbs accumulate column by column without overflow.
// Inputs: normalised limbs (0..2^29-1), values below 2^258. Output: normalised limbs,
// value below 2^257 and congruent to a*b/R. r may alias a or b.

// r = a*b/R mod p
export function fmul(r: usize, a: usize, b: usize): void {
${genP(false)}
}

// r = a*a/R mod p
export function fsqr(r: usize, a: usize): void {
${genP(true)}
}

// r = a*b/R mod n
export function nmul(r: usize, a: usize, b: usize): void {
${genN(false)}
}

// r = a*a/R mod n
export function nsqr(r: usize, a: usize): void {
${genN(true)}
}
`;
writeFileSync(join(out, "fe_gen.ts"), feGen);

// ---------------------------------------------------------------------------------------
// Linear operations mod p (fe_lin.ts): one pass of i64 limb arithmetic, every limb kept
// non-negative by adding MSUB, a multiple of p in a redundant form whose limbs 0..7 are at
// least 8 * 2^29 and limb 8 at least 8 * 2^25 (so up to 8 times a loose element can be
// subtracted). Then the bits from 2^256 up (q = t8 >> 24) are folded with
// 2^256 = 2^224 - 2^192 - 2^96 + 1 (mod p) and carries propagate once. The result has
// normalised limbs and is below 2^256 + 2^240 < 2^257.
function redundantMultiple(c, k = 8n) {
  const ls = limbs(c * P).map(BigInt);
  const need = (i) => (i < 8 ? k << 29n : k << 25n);
  for (let i = 0; i < 8; i++) {
    while (ls[i] < need(i)) { ls[i] += k << 29n; ls[i + 1] -= k; }
  }
  let v = 0n;
  for (let i = 8; i >= 0; i--) v = (v << 29n) + ls[i];
  if (v !== c * P || ls[8] < need(8)) throw new Error("MSUB");
  return ls;
}
const MSUB = redundantMultiple(32n);
// For one element subtracted (fsub, fneg): 4p with limbs 0..7 in [2^29, 2^30), limb 8 at
// least 2^25, so every limb of a - b + MSUB1 stays below 3 * 2^29 and the whole
// operation fits i32 (half the instructions of i64 on a 32-bit target).
const MSUB1 = redundantMultiple(4n, 1n);
if (MSUB1.some((v, i) => i < 8 && v >= 1n << 30n)) throw new Error("MSUB1");

const ld = (p, i) => `<i64>load<u32>(${p}, ${4 * i})`;
// One linear operation in the running-sum form: one running value through the limbs (i64,
// or i32 where the limbs fit: fadd, fsub, fneg, fdbl), limb 8 first for the fold (q), each limb's loads inline and each
// limb stored from the running value, the carry t >> 29 first in each limb's sum: the same
// integer arithmetic as folding all limbs and then carrying once (the same stored limbs),
// fewer operations for both backends than limb pairs split into locals (bench-m4: wasm2c
// sums -2 %, wasm3 -2.3 %). Each limb is stored before the next is loaded, which is safe
// when r aliases an input (limb i is read before r's limb i is written).
function linFn(name, params, doc, limbExpr, ty = "i64") {
  const e = []; for (let i = 0; i < L; i++) e.push(ty === "i64" ? limbExpr(i) : `(${limbExpr(i)})`);
  const st = ty === "i64" ? (v, o) => `i64.store32(r, ${v}, ${o});` : (v, o) => `store<i32>(r, ${v}, ${o});`;
  const fold = ["+ q", "", "", "- (q << 9)", "", "", "- (q << 18)", "+ (q << 21)"];
  const body = [`  const t8: ${ty} = ${e[8]};`, "  const q = t8 >> 24;"];
  for (let i = 0; i < L - 1; i++) {
    body.push(`  ${i ? "" : "let "}t${i ? "" : ": " + ty} = ${i ? "(t >> 29) + " : ""}${e[i]}${fold[i] ? " " + fold[i] : ""};`);
    body.push(`  ${st("t & 0x1fffffff", 4 * i)}`);
  }
  body.push(`  ${st("(t >> 29) + (t8 & 0xffffff)", 32)}`);
  return `// ${doc}\nexport function ${name}(${params}): void {\n` + body.join("\n") + "\n}";
}
const ms = (i) => `${MSUB[i]}`;
const ld32 = (p, i) => `load<i32>(${p}, ${4 * i})`;
const ms1 = (i) => `${MSUB1[i]}`;
const feLin = `// GENERATED by gen/gen.mjs: do not edit by hand.
// Linear operations modulo p on loose elements (see field.ts): one pass each, the
// multiple of p that keeps limbs non-negative inlined as constants. Inputs: normalised
// limbs, values below 2^257; k, ka, kb in 1..8 (at most 8 subtracted in all). Output:
// normalised limbs, value below 2^257. r may alias the inputs. Constant time.

${linFn("fadd", "r: usize, a: usize, b: usize", "r = a + b (i32)", (i) => `${ld32("a", i)} + ${ld32("b", i)}`, "i32")}

${linFn("fsub", "r: usize, a: usize, b: usize", "r = a - b (i32)", (i) => `${ld32("a", i)} - ${ld32("b", i)} + ${ms1(i)}`, "i32")}

${linFn("fneg", "r: usize, a: usize", "r = -a (i32)", (i) => `${ms1(i)} - ${ld32("a", i)}`, "i32")}

${linFn("fdbl", "r: usize, a: usize", "r = 2a (i32)", (i) => `${ld32("a", i)} << 1`, "i32")}

${linFn("fmulSmall", "r: usize, a: usize, k: i64", "r = k a", (i) => `${ld("a", i)} * k`)}

${linFn("faddMul", "r: usize, a: usize, b: usize, k: i64", "r = k (a + b)", (i) => `(${ld("a", i)} + ${ld("b", i)}) * k`)}

${linFn("fsubMul", "r: usize, a: usize, b: usize, kb: i64", "r = a - kb b", (i) => `${ld("a", i)} - ${ld("b", i)} * kb + ${ms(i)}`)}

${linFn("fmulSub", "r: usize, a: usize, ka: i64, b: usize", "r = ka a - b", (i) => `${ld("a", i)} * ka - ${ld("b", i)} + ${ms(i)}`)}

// 1 if a = 0 mod p (a loose: below 2^257, so a is 0, p or 2p), else 0. Constant time.
export function fisZero(a: usize): i32 {
${(() => { const pl = limbs(P), p2 = limbs(2n * P); const o = [];
  o.push("  let z0: u32 = 0, z1: u32 = 0, z2: u32 = 0;");
  for (let i = 0; i < L; i++) o.push(`  { const x = load<u32>(a, ${4 * i}); z0 |= x; z1 |= x ^ ${hex(pl[i])}; z2 |= x ^ ${hex(p2[i])}; }`);
  o.push("  return <i32>((((z0 - 1) & ~z0) | ((z1 - 1) & ~z1) | ((z2 - 1) & ~z2)) >>> 31);");
  return o.join("\n"); })()}
}

${linFn("fsubSub2", "r: usize, a: usize, b: usize, c: usize", "r = a - b - 2c", (i) => `${ld("a", i)} - ${ld("b", i)} - (${ld("c", i)} << 1) + ${ms(i)}`)}
`;
writeFileSync(join(out, "fe_lin.ts"), feLin);


// ---------------------------------------------------------------------------------------
// Tables and constants.
function ecAdd(p1, p2) {
  if (p1 === null) return p2; if (p2 === null) return p1;
  const [x1, y1] = p1, [x2, y2] = p2;
  let lam;
  if (x1 === x2) { if (mod(y1 + y2, P) === 0n) return null; lam = mod((3n * x1 * x1 - 3n) * inv(2n * y1, P), P); }
  else lam = mod((y2 - y1) * inv(x2 - x1, P), P);
  const x3 = mod(lam * lam - x1 - x2, P);
  return [x3, mod(lam * (x1 - x3) - y1, P)];
}
function ecMul(k, pt) { let r = null; let q = pt; while (k > 0n) { if (k & 1n) r = ecAdd(r, q); q = ecAdd(q, q); k >>= 1n; } return r; }
const G = [GX, GY];
const mont = (x) => mod(x * R, P);
// Words of a value below 2^256, least significant first.
function words(x) { const o = []; for (let i = 0; i < 8; i++) { o.push(Number(x & 0xffffffffn)); x >>= 32n; } return o; }

// Signed comb: 4 teeth 64 bits apart. T[c] = (2^192 + sum_(l<3) (+1 if bit l of c is set,
// else -1) 2^(64 l)) G, c = 0..7, affine, Montgomery form, 8 32-bit words per coordinate
// (least significant first).
const comb = [];
for (let c = 0; c < 8; c++) {
  let k = 1n << 192n;
  for (let l = 0; l < 3; l++) k += (c & (1 << l) ? 1n : -1n) << BigInt(64 * l);
  const pt = ecMul(mod(k, N), G);
  comb.push(...words(mont(pt[0])), ...words(mont(pt[1])));
}
const combLines = [];
for (let i = 0; i < comb.length; i += 8) combLines.push("  " + comb.slice(i, i + 8).map(hex).join(", ") + ",");

const tables = `// GENERATED by gen/gen.mjs: do not edit by hand.
// Constants of P-256 in the field representation of field.ts (9 limbs of 29 bits) and
// the fixed-base comb table.

// p, n (plain limbs)
export const P_LIMBS: usize = memory.data<u32>([${arr(limbs(P))}]);
export const N_LIMBS: usize = memory.data<u32>([${arr(limbs(N))}]);
// R^2 mod p, R^2 mod n (to enter Montgomery form), R mod p (Montgomery one)
export const RR_P: usize = memory.data<u32>([${arr(limbs(mod(R * R, P)))}]);
export const RR_N: usize = memory.data<u32>([${arr(limbs(mod(R * R, N)))}]);
export const ONE_P: usize = memory.data<u32>([${arr(limbs(mod(R, P)))}]);
export const ONE_N: usize = memory.data<u32>([${arr(limbs(mod(R, N)))}]);
// Curve constant b, Montgomery form
export const B_MONT: usize = memory.data<u32>([${arr(limbs(mont(B)))}]);
// The generator, Montgomery form
export const GX_MONT: usize = memory.data<u32>([${arr(limbs(mont(GX)))}]);
export const GY_MONT: usize = memory.data<u32>([${arr(limbs(mont(GY)))}]);
// n as 8 32-bit words, least significant first
export const N_WORDS: usize = memory.data<u32>([${words(N).map(hex).join(", ")}]);
// Plain 1 (leaves Montgomery form when multiplied)
export const ONE_PLAIN: usize = memory.data<u32>([1, 0, 0, 0, 0, 0, 0, 0, 0]);

// Signed comb table: 8 affine points, entry c holds (2^192 + sum_(l<3) (+-1) 2^(64 l)) G,
// + where bit l of c is set; x then y, Montgomery form, each as 8 32-bit words, least
// significant first (512 bytes).
export const COMB: usize = memory.data<u32>([
${combLines.join("\n")}
]);
`;
// @lazy: a build that never uses P-256 (the PSK-only core) then reserves none of this.
const lazyTables = tables.split("\n").map((l) =>
  l.startsWith("export const ") && l.includes("memory.data") ? "// @ts-ignore: decorator\n@lazy " + l : l).join("\n");
writeFileSync(join(out, "tables.ts"), lazyTables);
console.log("wrote fe_gen.ts, fe_lin.ts, tables.ts");
