#!/usr/bin/env node
// Rewrites a wasm2c (wabt 1.0.32) translation in place so that GCC compiles it to fast code
// with whatever flags the firmware's own build passes (plain -O2 or -Os), not only with the
// boards' W2C_ARM_CFLAGS (mk/boards.mk). Two hints, each measured by `make bench-m4` (issue 13;
// boards/README.md "What a translation carries for GCC" has the figures):
// - `#pragma GCC optimize("no-schedule-insns")` at the top, GCC only (clang has no such pass to
//   turn off and would warn about the pragma): GCC's first scheduling pass (before register
//   allocation, on at -O2 and -O3 for ARM) lengthens the live ranges of the field
//   multiplications' limbs, and more of them spill. The GCC manual says of the optimize
//   attribute, which this pragma applies to every function after it, that it "should be used
//   for debugging purposes only" and "is not suitable in production code": a build that wants
//   none of it compiles with -DW2C_NO_OPTIMIZE_PRAGMA (and may pass -fno-schedule-insns itself,
//   as the boards do: their flags do not depend on the pragma).
// - wasm2c's load and store helpers (`static inline`, a bounds check each) always inlined (GCC
//   and clang): at -Os GCC otherwise calls them out of line.
//   node boards/tools/w2c-gcc-hints.mjs build/boards/w2c/full/dtls.c
import { readFileSync, writeFileSync } from "node:fs";

const [file] = process.argv.slice(2);
if (!file) {
  console.error("usage: w2c-gcc-hints.mjs TRANSLATION.c");
  process.exit(2);
}
const src = readFileSync(file, "utf8");
const marker = "/* w2c-gcc-hints.mjs */";
if (src.includes(marker)) process.exit(0);
// The helpers of DEFINE_LOAD and DEFINE_STORE, in their little- and big-endian definitions.
const helpers = /static inline (t3 name\(wasm_rt_memory_t\* mem, u64 addr\)|void name\(wasm_rt_memory_t\* mem, u64 addr, t2 value\))/g;
const found = src.match(helpers)?.length ?? 0;
if (found !== 4) {
  console.error(`${file}: wasm2c's load/store helpers found ${found} times, not 4 (not wabt 1.0.32 output?)`);
  process.exit(1);
}
writeFileSync(file, `${marker}
/* Compiled fast whatever the build's flags (boards/README.md "What a translation carries for
 * GCC"): GCC's first scheduling pass off (the GCC manual calls its optimize attribute and this
 * pragma a debugging aid: -DW2C_NO_OPTIMIZE_PRAGMA drops it), the load/store helpers inlined. */
#if defined(__GNUC__) && !defined(__clang__) && !defined(W2C_NO_OPTIMIZE_PRAGMA)
#pragma GCC optimize("no-schedule-insns")
#endif
#if defined(__GNUC__)
#define W2C_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define W2C_ALWAYS_INLINE inline
#endif
${src.replace(helpers, "static W2C_ALWAYS_INLINE $1")}`);
