#!/usr/bin/env node
// Rewrites a wasm2c (wabt 1.0.32) translation in place so that, when it is compiled with
// -D<MACRO>=<bytes>, every load and store is bounds-checked against that compile-time
// constant instead of the memory's run-time size. Still a check and a trap (WASM_RT_TRAP_OOB)
// for every access outside [0, MACRO): nothing is wrapped or clamped. Without the macro the
// translation is unchanged (the run-time size; what the posix program uses, whose
// dtls_vm_set_memory_cap lowers the cap at run time).
//   node boards/tools/w2c-fixed-memory.mjs build/boards/w2c/full/dtls.c DTLS_MEMORY_CAP
// Why: the run-time size is a 64-bit field of the instance, and every store through the
// memory (bytes alias everything) makes GCC load it again before the next access. With a
// constant, the check is an add and a compare with an immediate. The embedder must back the
// memory with at least MACRO bytes: vm_wasm2c.c (g_memory[DTLS_MEMORY_CAP]) and hal_accel.c
// (g_accel_memory[DTLS_ACCEL_MEMORY_CAP]) size their buffers with the same macro.
import { readFileSync, writeFileSync } from "node:fs";

const [file, macro] = process.argv.slice(2);
if (!file || !/^[A-Z][A-Z0-9_]*$/.test(macro ?? "")) {
  console.error("usage: w2c-fixed-memory.mjs TRANSLATION.c MACRO");
  process.exit(2);
}
const src = readFileSync(file, "utf8");
const old = "#define MEMCHECK(mem, a, t) RANGE_CHECK(mem, a, sizeof(t))\n";
const marker = "/* w2c-fixed-memory.mjs */";
if (src.includes(marker)) process.exit(0);
if (src.split(old).length !== 2) {
  console.error(`${file}: wasm2c's MEMCHECK definition not found once (not wabt 1.0.32 output?)`);
  process.exit(1);
}
const fixed = `${marker}
#if defined(${macro})
#define MEMCHECK(mem, a, t)                                                   \\
  if (UNLIKELY(a + (uint64_t)sizeof(t) > (uint64_t)(${macro}))) \\
    TRAP(OOB);
#else
${old}#endif
`;
writeFileSync(file, src.replace(old, fixed));
