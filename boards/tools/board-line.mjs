#!/usr/bin/env node
// One line of the board's figures from the bridge's board JSON (SLIP_BRIDGE_BOARD_JSON):
// heap (peak held, region taken of the region's size), C stack peak, and, under --icount,
// the instructions to instantiate (wasm3: compile) and of the handshake.
//   node boards/tools/board-line.mjs FILE [LABEL]
import { readFileSync } from "node:fs";

const [file, label = "board"] = process.argv.slice(2);
const b = JSON.parse(readFileSync(file, "utf8"));
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const mi = (n) => (n === undefined ? "n/a (no --icount)" : `${(n / 1e6).toFixed(2)} M`);
const parts = [
  `heap peak ${kib(b.heap_peak_bytes ?? 0)} (region taken ${kib(b.heap_region_bytes ?? 0)} of ${kib(b.heap_size_bytes ?? 0)}` +
    `, ${b.heap_calls_after_init ?? "?"} allocations after init)`,
  `stack peak ${b.stack_peak_bytes ?? b.stack_used ?? 0} B`,
  `init ${mi(b.init_instructions)} instructions`,
  `handshake ${mi(b.handshake_instructions)} instructions`,
];
process.stdout.write(`${label}: ${parts.join(", ")}\n`);
