// Known-answer tests for the core's symmetric crypto, run on build/kat-crypto.wasm:
// every Wycheproof HMAC-SHA256 case, the Wycheproof AES-CCM cases with a 128-bit key,
// 96-bit nonce and 64-bit tag (plus the other tag sizes), tampered copies of the valid
// CCM-8 cases (the rejection branch), and cross-checks against
// node:crypto. Each suite runs twice: software AES (the HAL says "unsupported"), then
// with a HAL AES backed by node:crypto, which must give identical results.
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { BUILD } from "./support/paths";
import { VECTORS, seededPrng } from "./support/kat";
import { createCipheriv, createHash, createHmac } from "node:crypto";

const WASM = path.join(BUILD, "kat-crypto.wasm");

type Fn = (...args: number[]) => number;
interface KatExports {
  memory: WebAssembly.Memory;
  kat_buffer: Fn; kat_buffer_size: Fn; kat_sha256: Fn; kat_hmac: Fn; kat_prf: Fn;
  kat_aes_soft: Fn; kat_aes: Fn; kat_aes2: Fn; kat_aes_wipe: Fn;
  kat_ccm_seal: Fn; kat_ccm_open: Fn; kat_ct_equal: Fn;
}

// Deterministic "random" bytes, so a failure replays exactly.
const prng = seededPrng(0x9e3779b9);
function prngInt(n: number): number {
  return prng(4).readUInt32LE(0) % n;
}

function ecb(key: Uint8Array, block: Uint8Array): Buffer {
  const c = createCipheriv("aes-128-ecb", key, null);
  c.setAutoPadding(false);
  return c.update(block);
}

class Kat {
  halAesCalls = 0;
  private constructor(readonly x: KatExports, readonly base: number) {}

  static async load(hardwareAes: boolean): Promise<Kat> {
    let kat: Kat | undefined;
    const mem = () => new Uint8Array(kat!.x.memory.buffer);
    const hal = {
      aes128_encrypt(key: number, input: number, output: number): number {
        if (!hardwareAes) return -1;
        kat!.halAesCalls++;
        const m = mem();
        m.set(ecb(m.slice(key, key + 16), m.slice(input, input + 16)), output);
        return 0;
      },
      random(buf: number, len: number): number { mem().set(prng(len), buf); return 0; },
      clock_ms(): number { return 0; },
      wall_time_s(): bigint { return -1n; },
      send(): number { return 0; },
      log(): void {},
    };
    const module = await WebAssembly.compile(new Uint8Array(fs.readFileSync(WASM)));
    const instance = await WebAssembly.instantiate(module, { hal });
    const x = instance.exports as unknown as KatExports;
    kat = new Kat(x, x.kat_buffer());
    return kat;
  }

  put(off: number, bytes: Uint8Array): void {
    new Uint8Array(this.x.memory.buffer).set(bytes, this.base + off);
  }
  get(off: number, len: number): Buffer {
    return Buffer.from(new Uint8Array(this.x.memory.buffer, this.base + off, len));
  }
}

// Layout inside the 8 KiB kat buffer.
const KEY = 0, NONCE = 96, TAG = 128, OUT = 160, AAD = 256, DATA = 1024, MSG = 3072;

function hmacWasm(k: Kat, key: Buffer, msg: Buffer): Buffer {
  k.put(KEY, key);
  k.put(MSG, msg);
  k.x.kat_hmac(KEY, key.length, MSG, msg.length, OUT);
  return k.get(OUT, 32);
}

function ccmSealWasm(k: Kat, key: Buffer, nonce: Buffer, aad: Buffer, msg: Buffer, tagLen: number): { ok: boolean; ct: Buffer; tag: Buffer } {
  k.put(KEY, key); k.put(NONCE, nonce); k.put(AAD, aad); k.put(DATA, msg);
  const ok = k.x.kat_ccm_seal(KEY, NONCE, AAD, aad.length, DATA, msg.length, TAG, tagLen) === 1;
  return { ok, ct: k.get(DATA, msg.length), tag: k.get(TAG, tagLen) };
}

function ccmOpenWasm(k: Kat, key: Buffer, nonce: Buffer, aad: Buffer, ct: Buffer, tag: Buffer): { ok: boolean; pt: Buffer } {
  k.put(KEY, key); k.put(NONCE, nonce); k.put(AAD, aad); k.put(DATA, ct); k.put(TAG, tag);
  const ok = k.x.kat_ccm_open(KEY, NONCE, AAD, aad.length, DATA, ct.length, TAG, tag.length) === 1;
  return { ok, pt: k.get(DATA, ct.length) };
}

interface HmacCase { tcId: number; key: string; msg: string; tag: string; result: string }
interface HmacGroup { keySize: number; tagSize: number; tests: HmacCase[] }
interface CcmCase { tcId: number; key: string; iv: string; aad: string; msg: string; ct: string; tag: string; result: string }
interface CcmGroup { keySize: number; ivSize: number; tagSize: number; tests: CcmCase[] }

function readVectors<G>(name: string): G[] {
  const file = path.join(VECTORS, name);
  return JSON.parse(fs.readFileSync(file, "utf8")).testGroups as G[];
}
const hx = (s: string) => Buffer.from(s, "hex");

interface CcmInput { what: string; key: Buffer; iv: Buffer; aad: Buffer; ct: Buffer; tag: Buffer }

/** Forgeries derived from one valid CCM-8 case: each must fail to open. */
function tamperedCcm8(t: CcmCase): CcmInput[] {
  const base = { key: hx(t.key), iv: hx(t.iv), aad: hx(t.aad), ct: hx(t.ct), tag: hx(t.tag) };
  const out: CcmInput[] = [];
  const flip = (b: Buffer, bit: number) => { const c = Buffer.from(b); c[bit >> 3] ^= 1 << (bit & 7); return c; };
  for (let bit = 0; bit < 64; bit++) out.push({ ...base, what: `tag bit ${bit}`, tag: flip(base.tag, bit) });
  for (let i = 0; i < base.ct.length; i++) out.push({ ...base, what: `ciphertext byte ${i}`, ct: flip(base.ct, i * 8 + (i & 7)) });
  for (let i = 0; i < base.aad.length; i++) out.push({ ...base, what: `AAD byte ${i}`, aad: flip(base.aad, i * 8 + (i & 7)) });
  for (let i = 0; i < 12; i++) out.push({ ...base, what: `nonce byte ${i}`, iv: flip(base.iv, i * 8 + (i & 7)) });
  // Tags cut short: 7 bytes (not a CCM tag size), 6 and 4 (valid sizes, but the tag of
  // another M), none; and a record one byte short, whose last 8 bytes are taken as the tag.
  for (const n of [7, 6, 4, 0]) out.push({ ...base, what: `tag truncated to ${n} bytes`, tag: base.tag.subarray(0, n) });
  if (base.ct.length > 0) {
    const record = Buffer.concat([base.ct, base.tag]).subarray(0, base.ct.length + 7);
    out.push({ ...base, what: "record one byte short", ct: record.subarray(0, record.length - 8), tag: record.subarray(record.length - 8) });
  }
  return out;
}

for (const hardwareAes of [false, true]) {
  describe(`kat-crypto.wasm, ${hardwareAes ? "HAL AES (node:crypto)" : "software AES"}`, () => {
    let k: Kat;
    before(async () => { k = await Kat.load(hardwareAes); });

    test("SHA-256 matches node:crypto for lengths 0..300", () => {
      for (let n = 0; n <= 300; n++) {
        const m = prng(n);
        k.put(MSG, m);
        k.x.kat_sha256(MSG, n, OUT);
        assert.equal(k.get(OUT, 32).toString("hex"), createHash("sha256").update(m).digest("hex"), `length ${n}`);
      }
    });

    test("Wycheproof hmac_sha256_test.json: every case", () => {
      let run = 0;
      for (const g of readVectors<HmacGroup>("hmac_sha256_test.json")) {
        const tagLen = g.tagSize / 8;
        for (const t of g.tests) {
          const mac = hmacWasm(k, hx(t.key), hx(t.msg)).subarray(0, tagLen);
          const expected = hx(t.tag);
          const matches = expected.length === tagLen && mac.equals(expected);
          assert.equal(matches, t.result === "valid", `tcId ${t.tcId} (${t.result})`);
          run++;
        }
      }
      assert.ok(run > 0);
      console.log(`wycheproof hmac_sha256: ${run} cases`);
    });

    test("Wycheproof aes_ccm_test.json: every case with 128-bit key, 96-bit nonce, 64-bit tag", () => {
      let run = 0;
      for (const g of readVectors<CcmGroup>("aes_ccm_test.json")) {
        if (g.keySize !== 128 || g.ivSize !== 96 || g.tagSize !== 64) continue;
        for (const t of g.tests) {
          const [key, iv, aad, msg, ct, tag] = [t.key, t.iv, t.aad, t.msg, t.ct, t.tag].map(hx);
          if (t.result === "valid") {
            const s = ccmSealWasm(k, key, iv, aad, msg, 8);
            assert.ok(s.ok, `tcId ${t.tcId} seal`);
            assert.equal(s.ct.toString("hex") + s.tag.toString("hex"), t.ct + t.tag, `tcId ${t.tcId} seal`);
            const o = ccmOpenWasm(k, key, iv, aad, ct, tag);
            assert.ok(o.ok, `tcId ${t.tcId} open`);
            assert.equal(o.pt.toString("hex"), t.msg, `tcId ${t.tcId} open`);
          } else {
            const o = ccmOpenWasm(k, key, iv, aad, ct, tag);
            assert.equal(o.ok, false, `tcId ${t.tcId} must be rejected`);
            assert.ok(o.pt.every((b) => b === 0), `tcId ${t.tcId} data wiped`);
          }
          run++;
        }
      }
      assert.ok(run > 0);
      console.log(`wycheproof aes_ccm (128-bit key, 96-bit nonce, CCM-8): ${run} cases`);
    });

    test("Wycheproof CCM-8 cases, tampered: open refuses every one and leaves no plaintext", () => {
      // The CCM-8 group has only valid cases, so its rejection branch needs derived ones:
      // every tag bit, a bit in every ciphertext, AAD and nonce byte, and truncated tags.
      // The core's open decrypts in place and wipes the data when the tag is wrong.
      let run = 0, searched = 0;
      for (const g of readVectors<CcmGroup>("aes_ccm_test.json")) {
        if (g.keySize !== 128 || g.ivSize !== 96 || g.tagSize !== 64) continue;
        for (const t of g.tests) {
          if (t.result !== "valid") continue;
          for (const c of tamperedCcm8(t)) {
            k.put(0, Buffer.alloc(k.x.kat_buffer_size())); // no earlier plaintext anywhere
            const o = ccmOpenWasm(k, c.key, c.iv, c.aad, c.ct, c.tag);
            const what = `tcId ${t.tcId}, ${c.what}`;
            assert.equal(o.ok, false, `${what} must be rejected`);
            assert.ok(o.pt.every((b) => b === 0), `${what}: data not wiped`);
            const msg = hx(t.msg);
            if (msg.length >= 8) {
              assert.equal(Buffer.from(k.x.memory.buffer).indexOf(msg), -1, `${what}: plaintext left in memory`);
              searched++;
            }
            run++;
          }
        }
      }
      assert.ok(run > 500 && searched > 0, `${run} tampered cases`);
      console.log(`wycheproof aes_ccm CCM-8, tampered: ${run} cases rejected (${searched} with a memory search)`);
    });

    test("Wycheproof aes_ccm_test.json: 128-bit key, 96-bit nonce, every tag size", () => {
      // The core's ccmSeal/ccmOpen take the tag length; sizes outside {4,6,...,16} must fail.
      let run = 0;
      for (const g of readVectors<CcmGroup>("aes_ccm_test.json")) {
        if (g.keySize !== 128 || g.ivSize !== 96) continue;
        const tagLen = g.tagSize / 8;
        for (const t of g.tests) {
          const [key, iv, aad, msg, ct, tag] = [t.key, t.iv, t.aad, t.msg, t.ct, t.tag].map(hx);
          if (t.result === "valid") {
            const s = ccmSealWasm(k, key, iv, aad, msg, tagLen);
            assert.ok(s.ok, `tcId ${t.tcId} seal`);
            assert.equal(s.ct.toString("hex") + s.tag.toString("hex"), t.ct + t.tag, `tcId ${t.tcId} seal`);
          }
          const o = ccmOpenWasm(k, key, iv, aad, ct, tag);
          assert.equal(o.ok, t.result === "valid", `tcId ${t.tcId} open (${t.result})`);
          if (o.ok) assert.equal(o.pt.toString("hex"), t.msg, `tcId ${t.tcId} plaintext`);
          run++;
        }
      }
      assert.ok(run > 0);
      console.log(`wycheproof aes_ccm (128-bit key, 96-bit nonce, all tag sizes): ${run} cases`);
    });

    test("CCM-8 matches node:crypto on random keys, nonces, AAD and lengths", () => {
      for (let i = 0; i < 200; i++) {
        const key = prng(16), nonce = prng(12), aad = prng(prngInt(40)), msg = prng(prngInt(600));
        const c = createCipheriv("aes-128-ccm", key, nonce, { authTagLength: 8 });
        c.setAAD(aad, { plaintextLength: msg.length });
        const ct = Buffer.concat([c.update(msg), c.final()]);
        const tag = c.getAuthTag();
        const s = ccmSealWasm(k, key, nonce, aad, msg, 8);
        assert.equal(s.ct.toString("hex") + s.tag.toString("hex"), ct.toString("hex") + tag.toString("hex"), `case ${i}`);
        const o = ccmOpenWasm(k, key, nonce, aad, ct, tag);
        assert.ok(o.ok && o.pt.equals(msg), `case ${i} open`);
      }
    });

    test("selected-key AES (one and two blocks) matches node:crypto", () => {
      for (let i = 0; i < 100; i++) {
        const key = prng(16), a = prng(16), b = prng(16);
        k.put(KEY, key); k.put(DATA, a); k.put(DATA + 16, b);
        k.x.kat_aes(KEY, DATA, OUT);
        assert.ok(k.get(OUT, 16).equals(ecb(key, a)), `one block ${i}`);
        k.x.kat_aes2(KEY, DATA, DATA, DATA + 16, OUT);
        assert.ok(k.get(DATA, 16).equals(ecb(key, a)), `two blocks ${i} (in place)`);
        assert.ok(k.get(OUT, 16).equals(ecb(key, b)), `two blocks ${i}`);
      }
      k.x.kat_aes_wipe();
    });

    test("TLS 1.2 PRF matches an HMAC-based P_SHA256 in node:crypto", () => {
      const hmac = (key: Buffer, d: Buffer) => createHmac("sha256", key).update(d).digest();
      for (let i = 0; i < 20; i++) {
        const secret = prng(prngInt(100)), label = Buffer.from("key expansion"), seed = prng(prngInt(100));
        const n = 1 + prngInt(150);
        const ls = Buffer.concat([label, seed]);
        let a: Buffer = ls, expected = Buffer.alloc(0);
        while (expected.length < n) { a = hmac(secret, a); expected = Buffer.concat([expected, hmac(secret, Buffer.concat([a, ls]))]); }
        k.put(KEY, secret); k.put(AAD, label); k.put(MSG, seed);
        k.x.kat_prf(KEY, secret.length, AAD, label.length, MSG, seed.length, DATA, n);
        assert.equal(k.get(DATA, n).toString("hex"), expected.subarray(0, n).toString("hex"), `case ${i}`);
      }
    });

    test(hardwareAes ? "the HAL AES was used" : "the HAL AES was not used", () => {
      if (hardwareAes) assert.ok(k.halAesCalls > 0);
      else assert.equal(k.halAesCalls, 0);
    });
  });
}

describe("software AES against node:crypto", () => {
  test("300 random keys and blocks", async () => {
    const k = await Kat.load(false);
    for (let i = 0; i < 300; i++) {
      const key = prng(16), block = prng(16);
      k.put(KEY, key); k.put(DATA, block);
      k.x.kat_aes_soft(KEY, DATA, OUT);
      assert.equal(k.get(OUT, 16).toString("hex"), ecb(key, block).toString("hex"), `case ${i}`);
    }
  });
});
