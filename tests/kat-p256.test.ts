// Known-answer tests for P-256 on build/kat-p256.wasm: every case of the Wycheproof files
// ecdh_secp256r1_test.json, ecdh_secp256r1_ecpoint_test.json,
// ecdsa_secp256r1_sha256_test.json (DER) and ecdsa_secp256r1_sha256_p1363_test.json,
// plus cross-checks against node:crypto, RFC 6979 A.2.5 and key generation.
//
// "acceptable" cases: the core accepts exactly one encoding of a public key, the
// uncompressed point (RFC 7925 section 4.4 / RFC 8422), and for a SubjectPublicKeyInfo only
// the one canonical DER prefix of id-ecPublicKey + prime256v1 followed by that point. So
// every acceptable case (compressed points, unusual SPKI encodings) is asserted REJECTED.
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { BUILD } from "./support/paths";
import { VECTORS, seededPrng } from "./support/kat";
import { createHash, createECDH, generateKeyPairSync, sign as nodeSign, verify as nodeVerify, KeyObject } from "node:crypto";

const WASM = path.join(BUILD, "kat-p256.wasm");

type Fn = (...args: number[]) => number;
interface KatExports {
  memory: WebAssembly.Memory;
  kat_buffer: Fn; kat_buffer_size: Fn; kat_keygen: Fn; kat_public: Fn; kat_validate: Fn;
  kat_ecdh: Fn; kat_sign: Fn; kat_sign_det: Fn; kat_verify: Fn; kat_sig_to_der: Fn;
  kat_sig_from_der: Fn;
}

// Deterministic "random" bytes, so a failure replays exactly.
const prng = seededPrng(0x2545f491);

// Buffer layout (offsets into kat_buffer()).
const PRIV = 0, HASH = 32, SIG = 64, OUT = 128, PUB = 256, DER = 512;

class Kat {
  randomCalls = 0;
  private constructor(readonly x: KatExports, readonly base: number) {}

  static async load(): Promise<Kat> {
    let kat: Kat | undefined;
    const hal = {
      aes128_encrypt(): number { return -1; },
      random(buf: number, len: number): number {
        kat!.randomCalls++;
        new Uint8Array(kat!.x.memory.buffer).set(prng(len), buf);
        return 0;
      },
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

  put(off: number, data: Uint8Array): void {
    assert.ok(off + data.length <= this.x.kat_buffer_size(), "test input too large");
    new Uint8Array(this.x.memory.buffer).set(data, this.base + off);
  }
  get(off: number, len: number): Buffer {
    return Buffer.from(new Uint8Array(this.x.memory.buffer).slice(this.base + off, this.base + off + len));
  }

  ecdh(priv: Buffer, pub: Buffer): { rc: number; shared: Buffer } {
    this.put(PRIV, priv); this.put(PUB, pub);
    const rc = this.x.kat_ecdh(PRIV, PUB, pub.length, OUT);
    return { rc, shared: this.get(OUT, 32) };
  }
  publicOf(priv: Buffer): { rc: number; pub: Buffer } {
    this.put(PRIV, priv);
    const rc = this.x.kat_public(PRIV, PUB);
    return { rc, pub: this.get(PUB, 65) };
  }
  verify(pub: Buffer, hash: Buffer, sig: Buffer): boolean {
    this.put(PUB, pub); this.put(HASH, hash); this.put(SIG, sig);
    return this.x.kat_verify(PUB, HASH, SIG) === 1;
  }
  sign(priv: Buffer, hash: Buffer, deterministic: boolean): { rc: number; sig: Buffer } {
    this.put(PRIV, priv); this.put(HASH, hash);
    const rc = deterministic ? this.x.kat_sign_det(PRIV, HASH, SIG) : this.x.kat_sign(PRIV, HASH, SIG);
    return { rc, sig: this.get(SIG, 64) };
  }
  sigFromDer(der: Buffer): Buffer | null {
    if (der.length > 256) return null; // far beyond any DER signature; the parser caps at 72
    this.put(DER, der);
    return this.x.kat_sig_from_der(DER, der.length, SIG) === 1 ? this.get(SIG, 64) : null;
  }
  sigToDer(sig: Buffer): Buffer | null {
    this.put(SIG, sig);
    const n = this.x.kat_sig_to_der(SIG, DER, 80);
    return n < 0 ? null : this.get(DER, n);
  }
}

interface WycheproofFile { numberOfTests: number; testGroups: any[] }
function loadVectors(name: string): WycheproofFile {
  return JSON.parse(fs.readFileSync(path.join(VECTORS, name), "utf8"));
}

// Private keys in the vectors are minimal big-endian integers (sometimes with a 00 byte).
function priv32(hex: string): Buffer {
  let b = Buffer.from(hex, "hex");
  while (b.length > 32 && b[0] === 0) b = b.subarray(1);
  assert.ok(b.length <= 32, "private key over 32 bytes");
  return Buffer.concat([Buffer.alloc(32 - b.length), b]);
}

// The one SubjectPublicKeyInfo prefix the core takes for a P-256 key (SEQUENCE { SEQUENCE
// { id-ecPublicKey, prime256v1 }, BIT STRING (0 unused bits) of 66 bytes }).
const SPKI_PREFIX = Buffer.from("3059301306072a8648ce3d020106082a8648ce3d030107034200", "hex");
function pointFromSpki(spki: Buffer): Buffer | null {
  if (spki.length !== SPKI_PREFIX.length + 65) return null;
  if (!spki.subarray(0, SPKI_PREFIX.length).equals(SPKI_PREFIX)) return null;
  return spki.subarray(SPKI_PREFIX.length);
}

const sha256 = (m: Buffer) => createHash("sha256").update(m).digest();

let kat: Kat;
before(async () => { kat = await Kat.load(); });

describe("Wycheproof ECDH", () => {
  test("ecdh_secp256r1_ecpoint_test.json (raw points): every case", () => {
    const v = loadVectors("ecdh_secp256r1_ecpoint_test.json");
    let n = 0, valid = 0;
    for (const g of v.testGroups) for (const t of g.tests) {
      n++;
      const { rc, shared } = kat.ecdh(priv32(t.private), Buffer.from(t.public, "hex"));
      const what = `tcId ${t.tcId} (${t.comment}, ${t.result})`;
      if (t.result === "valid") {
        valid++;
        assert.equal(rc, 0, what);
        assert.equal(shared.toString("hex"), t.shared, what);
      } else {
        // invalid: must be refused; acceptable (compressed points): refused by choice.
        assert.ok(rc < 0, what);
      }
    }
    assert.equal(n, v.numberOfTests);
    assert.ok(n > 0 && valid > 0);
  });

  test("ecdh_secp256r1_test.json (SubjectPublicKeyInfo): every case", () => {
    const v = loadVectors("ecdh_secp256r1_test.json");
    let n = 0, computed = 0;
    for (const g of v.testGroups) for (const t of g.tests) {
      n++;
      const what = `tcId ${t.tcId} (${t.comment}, ${t.result})`;
      const point = pointFromSpki(Buffer.from(t.public, "hex"));
      let ok = false;
      if (point) {
        computed++;
        const { rc, shared } = kat.ecdh(priv32(t.private), point);
        ok = rc === 0;
        if (ok) assert.equal(shared.toString("hex"), t.shared, what);
      }
      if (t.result === "valid") assert.ok(ok, what);
      else assert.ok(!ok, what); // invalid, and acceptable by choice (see the header)
    }
    assert.equal(n, v.numberOfTests);
    assert.ok(n > 0 && computed > 0);
  });
});

describe("Wycheproof ECDSA P-256 SHA-256", () => {
  test("ecdsa_secp256r1_sha256_test.json (DER signatures): every case", () => {
    const v = loadVectors("ecdsa_secp256r1_sha256_test.json");
    let n = 0, valid = 0;
    for (const g of v.testGroups) {
      const pub = Buffer.from(g.publicKey.uncompressed, "hex");
      for (const t of g.tests) {
        n++;
        const what = `tcId ${t.tcId} (${t.comment}, ${t.result})`;
        const der = Buffer.from(t.sig, "hex");
        const sig = kat.sigFromDer(der);
        const ok = sig !== null && kat.verify(pub, sha256(Buffer.from(t.msg, "hex")), sig);
        assert.equal(ok, t.result === "valid", what);
        if (t.result === "valid") {
          valid++;
          // a valid signature is strict DER, so encoding it again gives the same bytes
          assert.equal(kat.sigToDer(sig!)!.toString("hex"), t.sig, what + " (re-encoded)");
        }
      }
    }
    assert.equal(n, v.numberOfTests);
    assert.ok(n > 0 && valid > 0);
  });

  test("ecdsa_secp256r1_sha256_p1363_test.json (r || s): every case", () => {
    const v = loadVectors("ecdsa_secp256r1_sha256_p1363_test.json");
    let n = 0, valid = 0;
    for (const g of v.testGroups) {
      const pub = Buffer.from(g.publicKey.uncompressed, "hex");
      for (const t of g.tests) {
        n++;
        const what = `tcId ${t.tcId} (${t.comment}, ${t.result})`;
        const sig = Buffer.from(t.sig, "hex");
        const ok = sig.length === 64 && kat.verify(pub, sha256(Buffer.from(t.msg, "hex")), sig);
        assert.equal(ok, t.result === "valid", what);
        if (ok) valid++;
      }
    }
    assert.equal(n, v.numberOfTests);
    assert.ok(n > 0 && valid > 0);
  });
});

function nodeKey(): { priv: Buffer; pub: Buffer; key: KeyObject; pubKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const jwk = privateKey.export({ format: "jwk" });
  const pub = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url")]);
  return { priv: priv32(Buffer.from(jwk.d!, "base64url").toString("hex")), pub, key: privateKey, pubKey: publicKey };
}

describe("P-256 against node:crypto", () => {
  test("public keys and ECDH secrets match, including edge scalars", () => {
    const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const b32 = (v: bigint) => Buffer.from(v.toString(16).padStart(64, "0"), "hex");
    const scalars = [1n, 2n, 3n, 15n, 16n, 17n, 31n, 1n << 64n, (1n << 128n) - 1n, 1n << 255n,
      N - 1n, N - 2n, N - 3n, N - 6n, N - 30n, N - 32n];
    const peer = createECDH("prime256v1"); peer.generateKeys();
    for (const k of scalars) {
      const mine = createECDH("prime256v1"); mine.setPrivateKey(b32(k));
      const { rc, pub } = kat.publicOf(b32(k));
      assert.equal(rc, 0); assert.ok(pub.equals(mine.getPublicKey()), "public key of " + k.toString(16));
      const e = kat.ecdh(b32(k), peer.getPublicKey());
      assert.equal(e.rc, 0);
      assert.ok(e.shared.equals(peer.computeSecret(mine.getPublicKey())), "ECDH with " + k.toString(16));
    }
    for (const k of [0n, N, N + 1n, (1n << 256n) - 1n]) {
      assert.ok(kat.publicOf(b32(k)).rc < 0, "private key out of range accepted");
      assert.ok(kat.ecdh(b32(k), peer.getPublicKey()).rc < 0, "private key out of range accepted (ECDH)");
    }
    // wrong length or prefix of the peer key
    const pk = peer.getPublicKey();
    assert.ok(kat.ecdh(b32(5n), pk.subarray(0, 64)).rc < 0);
    assert.ok(kat.ecdh(b32(5n), Buffer.concat([Buffer.from([6]), pk.subarray(1)])).rc < 0);
    assert.ok(kat.ecdh(b32(5n), Buffer.concat([pk, Buffer.from([0])])).rc < 0);
  });

  test("sign then verify, both ways with node:crypto", () => {
    for (let i = 0; i < 8; i++) {
      const k = nodeKey();
      const msg = prng(20 + i);
      const h = sha256(msg);
      const s = kat.sign(k.priv, h, false);
      assert.equal(s.rc, 0);
      assert.ok(nodeVerify("sha256", msg, { key: k.pubKey, dsaEncoding: "ieee-p1363" }, s.sig));
      assert.ok(kat.verify(k.pub, h, s.sig));
      const bad = Buffer.from(s.sig); bad[63] ^= 1;
      assert.ok(!kat.verify(k.pub, h, bad));
      const other = Buffer.from(h); other[0] ^= 0x80;
      assert.ok(!kat.verify(k.pub, other, s.sig));
      const ns = nodeSign("sha256", msg, { key: k.key, dsaEncoding: "ieee-p1363" });
      assert.ok(kat.verify(k.pub, h, ns));
      // DER round trip of our own signature, checked by node too
      const der = kat.sigToDer(s.sig)!;
      assert.ok(nodeVerify("sha256", msg, { key: k.pubKey, dsaEncoding: "der" }, der));
      assert.ok(kat.sigFromDer(der)!.equals(s.sig));
    }
  });

  test("hedged signatures differ, deterministic ones repeat", () => {
    const k = nodeKey(), h = sha256(Buffer.from("abc"));
    const a = kat.sign(k.priv, h, false), b = kat.sign(k.priv, h, false);
    assert.ok(!a.sig.equals(b.sig));
    assert.ok(kat.verify(k.pub, h, a.sig) && kat.verify(k.pub, h, b.sig));
    const c = kat.sign(k.priv, h, true), d = kat.sign(k.priv, h, true);
    assert.ok(c.sig.equals(d.sig));
  });

  test("RFC 6979 A.2.5 (P-256, SHA-256)", () => {
    const x = Buffer.from("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721", "hex");
    const ux = "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6";
    const uy = "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299";
    const { pub } = kat.publicOf(x);
    assert.equal(pub.toString("hex").toUpperCase(), "04" + ux + uy);
    const cases = [
      ["sample", "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
        "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8"],
      ["test", "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
        "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083"],
    ];
    for (const [m, r, s] of cases) {
      const h = sha256(Buffer.from(m));
      const out = kat.sign(x, h, true);
      assert.equal(out.rc, 0);
      assert.equal(out.sig.toString("hex").toUpperCase(), r + s, m);
      assert.ok(kat.verify(pub, h, out.sig));
    }
  });
});

describe("P-256 key generation", () => {
  test("two key pairs differ, use the TRNG, and are consistent", () => {
    const keys: Buffer[] = [];
    for (let i = 0; i < 2; i++) {
      const before = kat.randomCalls;
      assert.equal(kat.x.kat_keygen(PRIV, PUB), 0);
      assert.ok(kat.randomCalls > before, "keygen did not use the HAL TRNG");
      const priv = kat.get(PRIV, 32), pub = kat.get(PUB, 65);
      const e = createECDH("prime256v1"); e.setPrivateKey(priv);
      assert.ok(pub.equals(e.getPublicKey()));
      assert.equal(kat.x.kat_validate(PUB, 65), 1);
      keys.push(Buffer.concat([priv, pub]));
    }
    assert.ok(!keys[0].subarray(0, 32).equals(keys[1].subarray(0, 32)));
    assert.ok(!keys[0].subarray(32).equals(keys[1].subarray(32)));
  });

  test("public key validation", () => {
    const e = createECDH("prime256v1"); e.generateKeys();
    const pub = e.getPublicKey();
    kat.put(PUB, pub);
    assert.equal(kat.x.kat_validate(PUB, 65), 1);
    assert.equal(kat.x.kat_validate(PUB, 64), 0);
    const bad = Buffer.from(pub); bad[64] ^= 1;
    kat.put(PUB, bad);
    assert.equal(kat.x.kat_validate(PUB, 65), 0);
    const comp = e.getPublicKey(undefined, "compressed");
    kat.put(PUB, comp);
    assert.equal(kat.x.kat_validate(PUB, 33), 0);
    // x = p (not reduced) with a y that would fit x = 0
    const P = Buffer.from("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", "hex");
    kat.put(PUB, Buffer.concat([Buffer.from([4]), P, Buffer.alloc(32)]));
    assert.equal(kat.x.kat_validate(PUB, 65), 0);
  });
});
