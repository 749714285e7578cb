#!/usr/bin/env node
// Flash and RAM of the QEMU image by part, from the GNU ld map file.
//   node boards/tools/size-report.mjs build/boards/qemu/dtls-qemu.map [--json]
// Parts: the wasm2c translation of the module or (wasm3 images) the module's bytes and the
// interpreter, the module's linear memory (wasm2c: a static buffer of the memory cap; wasm3
// allocates it on the heap), the runtime glue (boards/runtime), the board (HAL, UART, startup,
// app), libc/libgcc, and the stack reserved by the linker script. The heap region is not a
// part: what it holds is measured at run time (boards/qemu/heap.c).
import { readFileSync } from "node:fs";

const [mapFile = "build/boards/qemu/dtls-qemu.map", ...flags] = process.argv.slice(2);
const text = readFileSync(mapFile, "utf8");
const body = text.slice(text.indexOf("Linker script and memory map"));
const FLASH_SECTIONS = new Set([".isr_vector", ".text", ".ARM.exidx"]);
const parts = {};
const add = (part, kind, n) => { parts[part] ??= { flash: 0, ram: 0 }; parts[part][kind] += n; };

function partOf(file, input) {
  if (file.includes("libwasm3.a(") || file.includes("/qemu/wasm3/")) return "wasm3 interpreter";
  if (/\.a\(/.test(file) || file.includes("/lib/gcc/") || file.includes("newlib")) return "libc + libgcc";
  if (file.includes("/qemu/accel/")) return "accelerator (wasm2c)";
  if (file.endsWith("/dtls.o")) return "module (wasm2c)";
  if (file.endsWith("/dtls_wasm.o")) return "module (wasm bytes, for wasm3)";
  if (file.includes("/runtime/") || /\/(vm_wasm2c|vm_wasm3|wasm_rt_mini)\.o$/.test(file)) {
    return input.includes("g_memory") ? "linear memory (cap)" : "runtime glue";
  }
  return "board (HAL, UART, startup, app)";
}

let out = null;
let pending = null; // input section name waiting for its address line
for (const line of body.split("\n")) {
  const top = /^(\.[\w.]+)\s/.exec(line) ?? /^(\.[\w.]+)$/.exec(line);
  if (top) { out = top[1]; pending = null; continue; }
  if (!out) continue;
  let m = /^ (\.[\w.$]+|COMMON)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$/.exec(line);
  if (!m && pending) {
    const c = /^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$/.exec(line);
    if (c) m = [line, pending, c[1], c[2], c[3]];
  }
  pending = null;
  if (!m) {
    const name = /^ (\.[\w.$]+|COMMON)$/.exec(line);
    if (name) pending = name[1];
    continue;
  }
  const size = parseInt(m[3], 16);
  if (!size) continue;
  const part = partOf(m[4].trim(), m[1]);
  if (FLASH_SECTIONS.has(out)) add(part, "flash", size);
  else if (out === ".data") { add(part, "flash", size); add(part, "ram", size); }
  else if (out === ".bss") add(part, "ram", size);
}
const stack = /^\.stack\s+0x[0-9a-f]+\s+0x([0-9a-f]+)/m.exec(body);
if (stack) add("stack (linker script)", "ram", parseInt(stack[1], 16));
const total = Object.values(parts).reduce((t, p) => ({ flash: t.flash + p.flash, ram: t.ram + p.ram }), { flash: 0, ram: 0 });
if (flags.includes("--json")) {
  process.stdout.write(JSON.stringify({ parts, total }) + "\n");
} else {
  const rows = Object.entries(parts).sort((a, b) => b[1].flash + b[1].ram - a[1].flash - a[1].ram);
  process.stdout.write("| part | flash (bytes) | RAM (bytes) |\n|---|---:|---:|\n");
  for (const [name, p] of rows) process.stdout.write(`| ${name} | ${p.flash} | ${p.ram} |\n`);
  process.stdout.write(`| **total** | **${total.flash}** | **${total.ram}** |\n`);
}
