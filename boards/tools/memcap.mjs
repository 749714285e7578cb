#!/usr/bin/env node
// Prints the linear-memory cap a module needs: the end of its static data and fixed buffers
// (dtls_info INFO_STATIC_END) or its allocator top (INFO_HEAP_TOP), whichever is higher (for
// build/accel.wasm: accel_static_end()),
// rounded up to 256 bytes. The core allocates nothing after start-up, so this is all the
// memory it ever touches; CI proves it by running handshakes under exactly this cap.
//   node boards/tools/memcap.mjs build/dtls.wasm   ->  e.g. 11776
import { readFileSync } from "node:fs";

const INFO_HEAP_TOP = 11;
const INFO_STATIC_END = 13;
const PAGE = 65536;

const file = process.argv[2] ?? "build/dtls.wasm";
const module = new WebAssembly.Module(readFileSync(file));
const hal = {
  aes128_encrypt: () => -1, random: () => 0, clock_ms: () => 0, wall_time_s: () => -1n,
  send: () => 0, log: () => {},
  p256_public: () => -1, p256_ecdh: () => -1, p256_sign: () => -1, p256_verify: () => -1, p256_validate: () => -1,
};
const imports = {};
for (const imp of WebAssembly.Module.imports(module)) {
  imports[imp.module] ??= {};
  imports[imp.module][imp.name] = hal[imp.name] ?? (() => 0);
}
let cap = PAGE;
try {
  const { exports } = new WebAssembly.Instance(module, imports);
  // build/accel.wasm (the board accelerator) has no dtls_info: it reports its static end.
  const top = exports.accel_static_end ? exports.accel_static_end()
    : Math.max(exports.dtls_info(INFO_STATIC_END), exports.dtls_info(INFO_HEAP_TOP));
  if (top > 0 && top <= PAGE) cap = Math.min(PAGE, Math.ceil(top / 256) * 256);
} catch (e) {
  process.stderr.write(`memcap: ${file}: ${e.message}; using one full page\n`);
}
process.stdout.write(`${cap}\n`);
