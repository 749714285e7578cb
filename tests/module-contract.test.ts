// The module boundary (DESIGN.md): imports only from "hal", exactly the HAL list with
// its signatures; numbers-only exports; no allocator linked in; fixed memory.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { HAL_IMPORTS } from "../host/hal";
import { BUILD, ROOT } from "./support/paths";

const MODULES = ["dtls.wasm", "dtls-psk.wasm", "dtls-full-hw.wasm", "dtls-psk-hw.wasm", "dtls-cert-hw.wasm"];

// DESIGN.md: AES block, TRNG, monotonic ms clock, wall-clock seconds, send, log; and the
// P-256 operations a board may answer (boards/hal/hal.h).
const HAL_SIGNATURES: Record<string, string> = {
  aes128_encrypt: "(i32 i32 i32) -> i32",
  random: "(i32 i32) -> i32",
  clock_ms: "() -> i32",
  wall_time_s: "() -> i64",
  send: "(i32 i32) -> i32",
  log: "(i32 i32 i32) -> ()",
  p256_public: "(i32 i32) -> i32",
  p256_ecdh: "(i32 i32 i32) -> i32",
  p256_sign: "(i32 i32 i32 i32) -> i32",
  p256_verify: "(i32 i32 i32) -> i32",
  p256_validate: "(i32) -> i32",
};

/** Import signatures read from the binary's type and import sections. */
function importSignatures(bytes: Uint8Array): Map<string, string> {
  let p = 8;
  const u32 = () => { let r = 0, s = 0, b; do { b = bytes[p++]; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return r >>> 0; };
  const name = () => { const n = u32(); const t = Buffer.from(bytes.subarray(p, p + n)).toString(); p += n; return t; };
  const valtype = (b: number) => ({ 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64" } as Record<number, string>)[b] ?? `0x${b.toString(16)}`;
  const types: string[] = [];
  const out = new Map<string, string>();
  while (p < bytes.length) {
    const id = bytes[p++];
    const size = u32();
    const end = p + size;
    if (id === 1) {
      for (let n = u32(); n > 0; n--) {
        p++; // 0x60
        const params = Array.from({ length: u32() }, () => valtype(bytes[p++]));
        const results = Array.from({ length: u32() }, () => valtype(bytes[p++]));
        types.push(`(${params.join(" ")}) -> ${results.length ? results.join(" ") : "()"}`);
      }
    } else if (id === 2) {
      for (let n = u32(); n > 0; n--) {
        const mod = name(), field = name();
        const kind = bytes[p++];
        if (kind === 0) out.set(`${mod}.${field}`, types[u32()]);
        else out.set(`${mod}.${field}`, `kind ${kind}`);
      }
    }
    p = end;
  }
  return out;
}

for (const file of MODULES) {
  test(`${file} imports only the HAL, with the HAL's signatures`, () => {
    const bytes = new Uint8Array(readFileSync(join(BUILD, file)));
    const imports = importSignatures(bytes);
    assert.ok(imports.size >= 4, "the module imports the HAL");
    for (const [key, sig] of imports) {
      const [mod, field] = key.split(".");
      assert.equal(mod, "hal", `import ${key} is outside module "hal" (no env.abort/trace/seed, no WASI)`);
      assert.ok((HAL_IMPORTS as readonly string[]).includes(field), `${field} is not in the HAL list`);
      assert.equal(sig, HAL_SIGNATURES[field], `signature of hal.${field}`);
    }
  });

  test(`${file} exports numbers-only functions and one memory of at most one page`, () => {
    const module = new WebAssembly.Module(new Uint8Array(readFileSync(join(BUILD, file))));
    const exports = WebAssembly.Module.exports(module);
    const names = exports.map((e) => e.name).sort();
    for (const required of ["dtls_buffer", "dtls_config_psk", "dtls_connect", "dtls_on_datagram",
      "dtls_poll", "dtls_write", "dtls_read", "dtls_close", "dtls_state", "dtls_last_alert"]) {
      assert.ok(names.includes(required), `missing export ${required}`);
    }
    assert.deepEqual(exports.filter((e) => e.kind === "memory").map((e) => e.name), ["memory"]);
    const wat = readFileSync(join(BUILD, file.replace(".wasm", ".wat")), "utf8");
    assert.match(wat, /\(memory \$0 1 1\)/, "one page, and the maximum is fixed");
    // No allocator in the module at all: nothing can ever move the heap top.
    assert.doesNotMatch(wat, /__alloc|__new|__realloc|rt\/stub/, "an allocator was linked in");
  });
}

test("the HAL list is the same in assembly/hal.ts, host/hal.ts and DESIGN's list", () => {
  const source = readFileSync(join(ROOT, "assembly", "hal.ts"), "utf8");
  const declared = [...source.matchAll(/@external\("hal", "([a-z0-9_]+)"\)/g)].map((m) => m[1]).sort();
  assert.deepEqual(declared, [...HAL_IMPORTS].sort());
  assert.deepEqual(Object.keys(HAL_SIGNATURES).sort(), [...HAL_IMPORTS].sort());
});

test("the PSK-only module is smaller than the full one", () => {
  const full = readFileSync(join(BUILD, "dtls.wasm")).length;
  const psk = readFileSync(join(BUILD, "dtls-psk.wasm")).length;
  assert.ok(psk <= full, `dtls-psk.wasm ${psk} > dtls.wasm ${full}`);
  // 17.5 KB before issue 10; session export, tickets, Connection ID, heartbeat and the
  // small-PMTU ClientHello added 3.5 KB (docs/BENCHMARKS.md has the figures).
  assert.ok(psk < 22 * 1024, `dtls-psk.wasm is ${psk} bytes, over the 22 KiB aim`);
});

test("the core sends certificate-only alerts only from its X.509 code (RFC 7925 s. 6: not with PSK or raw keys)", () => {
  const { execFileSync } = require("node:child_process");
  const uses = execFileSync("grep", ["-rnE", "ALERT_(BAD_CERTIFICATE|UNSUPPORTED_CERTIFICATE|CERTIFICATE_REVOKED|CERTIFICATE_EXPIRED|CERTIFICATE_UNKNOWN|UNKNOWN_CA|ACCESS_DENIED|DECOMPRESSION_FAILURE|UNKNOWN_PSK_IDENTITY)",
    join(ROOT, "assembly"), "--include=*.ts", "--exclude-dir=__tests__"], { encoding: "utf8" }).split("\n").filter(Boolean);
  // Their definitions in protocol.ts, the validator (assembly/x509/) and the reading of an X.509
  // Certificate message (handshake/certificate.ts, reached only when X.509 was offered), and
  // its extensions (handshake/cert_ext.ts: bad_certificate_hash_value for a wrong cached_info hash).
  assert.ok(uses.every((l: string) => /assembly\/(protocol\.ts|x509\/|handshake\/(certificate|cert_ext)\.ts)/.test(l)), uses.join("\n"));
});
