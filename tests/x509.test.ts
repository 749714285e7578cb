// The X.509 library (assembly/x509/, issue 11) on build/kat-x509.wasm with certificates made
// by openssl (tests/support/certs.ts): good chains of 0 to 3 intermediates, every refusal
// the issue lists with its reason, alert and failing certificate, the time policy (RFC 7925
// s. 12), the trust anchor store, and a seeded DER mutation corpus (no trap, no mutated
// certificate accepted). The P-256 work is the module's own (the HAL answers "unsupported").
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { createPublicKey } from "node:crypto";
import { BUILD } from "./support/paths";
import { seededPrng } from "./support/kat";
import { makePki, Pki, RefusalName, CHAIN_DEPTH_MAX, ALERT_CERTIFICATE_EXPIRED, ALERT_CERTIFICATE_UNKNOWN, ALERT_BAD_CERTIFICATE, ALERT_UNSUPPORTED_CERTIFICATE } from "./support/certs";
import * as codes from "../host/codes";

const WASM = path.join(BUILD, "kat-x509.wasm");
const CHAIN_SERVER = 0, CHAIN_CLIENT = 1;
// A fixed "now" inside every good certificate's validity (2020..2049): 2030-01-01.
const NOW = BigInt(Date.UTC(2030, 0, 1) / 1000);
const reasonOf = (name: string): number => {
  const v = (codes as unknown as Record<string, number>)[name];
  assert.equal(typeof v, "number", `${name} is not in host/codes.ts`);
  return v;
};

type Fn = (...args: (number | bigint)[]) => number;
interface X509Exports {
  memory: WebAssembly.Memory;
  kat_buffer: Fn; kat_buffer_size: Fn; x509_anchors_reset: Fn; x509_anchor_add: Fn; x509_anchor_count: Fn;
  x509_trusted_authorities: Fn; x509_chain_begin: Fn; x509_chain_add: Fn; x509_chain_end: Fn;
  x509_chain_count: Fn; x509_fail_index: Fn; x509_leaf: Fn;
}

interface Outcome { verdict: number; reason: number; alert: number; index: number; count: number; }
interface Options { name?: string; now?: bigint; acceptUnknownTime?: boolean; purpose?: number; }

// Buffer layout: the reference name, the certificate being added, output.
const NAME = 0, CERT = 512, OUT = 8192;

class X509 {
  constructor(readonly x: X509Exports, readonly base: number) {}

  static async load(): Promise<X509> {
    const hal = { p256_verify: (): number => -1, p256_validate: (): number => -1 };
    const module = await WebAssembly.compile(new Uint8Array(fs.readFileSync(WASM)));
    const instance = await WebAssembly.instantiate(module, { hal });
    const x = instance.exports as unknown as X509Exports;
    return new X509(x, x.kat_buffer());
  }

  mem(): Uint8Array { return new Uint8Array(this.x.memory.buffer); }
  put(off: number, data: Uint8Array): void {
    assert.ok(off + data.length <= this.x.kat_buffer_size(), "input too large for the kat buffer");
    this.mem().set(data, this.base + off);
  }
  get(off: number, n: number): Buffer { return Buffer.from(this.mem().slice(this.base + off, this.base + off + n)); }

  anchors(ders: Buffer[]): void {
    this.x.x509_anchors_reset();
    for (const d of ders) assert.equal(this.addAnchor(d), 0, "anchor refused");
  }
  addAnchor(der: Buffer): number { this.put(CERT, der); return this.x.x509_anchor_add(CERT, der.length); }

  // Runs chainBegin, chainAdd for each certificate (stopping at the first refusal, as the
  // handshake does), chainEnd.
  // With atEnd, each certificate is copied to the very end of linear memory: a read past
  // its last byte would trap (the module's memory is 2 pages, fixed), failing the test.
  validate(certs: Buffer[], o: Options = {}, atEnd = false): Outcome {
    const name = Buffer.from(o.name ?? "server.example", "latin1");
    this.put(NAME, name);
    this.x.x509_chain_begin(NAME, name.length, o.now ?? NOW, o.acceptUnknownTime ? 1 : 0, o.purpose ?? CHAIN_SERVER);
    let v = 0;
    for (const c of certs) {
      const off = atEnd ? this.x.memory.buffer.byteLength - this.base - c.length : CERT;
      this.mem().set(c, this.base + off);
      v = this.x.x509_chain_add(off, c.length);
      if (v != 0) break;
    }
    if (v == 0) v = this.x.x509_chain_end();
    return { verdict: v, reason: v >> 8, alert: v & 0xff, index: this.x.x509_fail_index(), count: this.x.x509_chain_count() };
  }
}

function publicPoint(keyPem: string): Buffer {
  const jwk = createPublicKey(fs.readFileSync(keyPem)).export({ format: "jwk" });
  return Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x as string, "base64url"), Buffer.from(jwk.y as string, "base64url")]);
}

let pki: Pki;
let lib: X509;
before(async () => {
  pki = makePki();
  lib = await X509.load();
});

describe("good chains (RFC 7925 s. 4.4.4: at least 3 certificates not counting the anchor)", () => {
  for (let n = 0; n <= 3; n++) {
    test(`server leaf with ${n} intermediate(s) is accepted; the leaf key is the certificate's`, () => {
      assert.ok(n < CHAIN_DEPTH_MAX, `CHAIN_DEPTH_MAX (${CHAIN_DEPTH_MAX}) is below issue 11's 3 intermediates`);
      lib.anchors([pki.root.der]);
      const out = lib.validate(pki.server[n].certs);
      assert.deepEqual(out, { verdict: 0, reason: 0, alert: 0, index: -1, count: n + 1 });
      assert.ok(lib.x.x509_leaf(OUT) == 0, "a server leaf has no EUI-64");
      assert.deepEqual(lib.get(OUT, 65), publicPoint(pki.server[n].key));
    });
  }
  test("the anchor itself sent as the last certificate is accepted (and not counted against the limit)", () => {
    lib.anchors([pki.root.der]);
    assert.equal(lib.validate([...pki.server[3].certs, pki.root.der]).verdict, 0);
    assert.equal(lib.validate([...pki.server[0].certs, pki.root.der]).verdict, 0);
  });
  test("the anchor can be an intermediate: the chain ends there", () => {
    lib.anchors([pki.intermediates[1].der]);
    assert.equal(lib.validate(pki.server[2].certs.slice(0, 1)).verdict, 0);
    // Certificates after the one the anchor issued are not part of the path.
    assert.equal(lib.validate(pki.server[2].certs).verdict, 0);
  });
  test("an intermediate without keyUsage (RFC 5280 6.1.4 (n)); a self-signed leaf that is its own anchor", () => {
    const a = pki.accepted.caWithoutKeyUsage;
    lib.anchors(a.anchors);
    assert.equal(lib.validate(a.certs).verdict, 0);
    const s = pki.accepted.selfSigned;
    lib.anchors(s.anchors);
    assert.deepEqual(lib.validate(s.certs), { verdict: 0, reason: 0, alert: 0, index: -1, count: 1 });
    // Not an anchor: unknown_ca.
    lib.anchors([pki.root.der]);
    assert.equal(lib.validate(s.certs).reason, reasonOf("REASON_CERT_UNKNOWN_CA"));
  });
  test("the reference name compares ASCII case-insensitively (RFC 6125 6.4.1)", () => {
    lib.anchors([pki.root.der]);
    assert.equal(lib.validate(pki.server[1].certs, { name: "SERVER.Example" }).verdict, 0);
  });
  test("one anchor of several", () => {
    lib.anchors([pki.refusals.unknownRoot.certs[1], pki.intermediates[3].der, pki.root.der]);
    assert.equal(lib.validate(pki.server[2].certs).verdict, 0);
  });
  for (let n = 0; n <= 3; n++) {
    test(`client chain with ${n} intermediate(s) (CHAIN_CLIENT: clientAuth, EUI-64 identity, RFC 7925 s. 4.4.2)`, () => {
      lib.anchors([pki.root.der]);
      const out = lib.validate(pki.client[n].certs, { name: "", purpose: CHAIN_CLIENT });
      assert.equal(out.verdict, 0);
      assert.equal(lib.x.x509_leaf(OUT), 1);
      assert.equal(lib.get(OUT + 65, 8).toString("hex"), pki.eui64.replace(/-/g, ""));
    });
  }
  test("a client leaf with its EUI-64 only in the CN (RFC 7925 s. 4.4.2)", () => {
    const a = pki.accepted.clientEuiInCn;
    lib.anchors(a.anchors);
    assert.equal(lib.validate(a.certs, { name: "", purpose: CHAIN_CLIENT }).verdict, 0);
    assert.equal(lib.x.x509_leaf(OUT), 1);
    assert.equal(lib.get(OUT + 65, 8).toString("hex"), pki.eui64.replace(/-/g, ""));
    // A server leaf has no EUI-64 (its CN is "Test Server"): not a client identity.
    const s = pki.accepted.caWithoutKeyUsage;
    lib.anchors(s.anchors);
    assert.equal(lib.validate(s.certs, { name: "", purpose: CHAIN_CLIENT }).reason, reasonOf("REASON_CERT_NAME_MISMATCH"));
  });
  test("a reference name that is an EUI-64 is compared with the leaf's EUI-64 (RFC 7925 s. 4.4.1 last paragraph)", () => {
    lib.anchors([pki.root.der]);
    const c = pki.client[1].certs;
    const hex = pki.eui64.replace(/-/g, "");
    // The identity matches (in any of the text forms); then the client leaf's extKeyUsage
    // (clientAuth only) refuses it as a server's.
    for (const name of [hex.toUpperCase(), hex.replace(/(..)(?!$)/g, "$1:"), pki.eui64]) {
      assert.equal(lib.validate(c, { name }).reason, reasonOf("REASON_CERT_KEY_USAGE"), name);
    }
    for (const name of [hex.slice(0, 15) + "2", pki.eui64.slice(0, -1), pki.eui64.replace(/-/g, ".")]) {
      assert.equal(lib.validate(c, { name }).reason, reasonOf("REASON_CERT_NAME_MISMATCH"), name);
    }
  });
  test("a server certificate is not a client's, nor a client certificate a server's (extKeyUsage)", () => {
    lib.anchors([pki.root.der]);
    const asClient = lib.validate(pki.server[1].certs, { name: "", purpose: CHAIN_CLIENT });
    assert.equal(asClient.reason, reasonOf("REASON_CERT_NAME_MISMATCH")); // no EUI-64 in it
    const r = pki.refusals.clientAuthOnly;
    assert.deepEqual(lib.validate(r.certs), { verdict: (reasonOf(r.reason) << 8) | r.alert, reason: reasonOf(r.reason), alert: r.alert, index: 0, count: 1 });
  });
});

describe("refusals (issue 11), each with its reason, RFC 7925 s. 6 alert and failing certificate", () => {
  const names: RefusalName[] = ["unknownRoot", "expired", "notYetValid", "wrongName", "wildcard", "twoNames", "cnOnly",
    "rsaKey", "sha1", "caWithoutCa", "pathLen", "noKeyCertSign", "tooLong", "tamperedSignature", "criticalExtension"];
  for (const name of names) {
    test(name, () => {
      const r = pki.refusals[name];
      lib.anchors(r.anchors);
      const out = lib.validate(r.certs, { name: r.refName });
      assert.equal(out.reason, reasonOf(r.reason), `reason ${out.reason}, want ${r.reason}`);
      assert.equal(out.alert, r.alert);
      assert.equal(out.index, r.index);
      // Streaming: nothing after the failing certificate is read (unknownRoot fails at chainEnd).
      assert.equal(out.count, name == "unknownRoot" ? r.certs.length : Math.max(r.index, 0) + (name == "tamperedSignature" ? 2 : 1));
    });
  }
  test("a wildcard is refused even when the reference name is the same text", () => {
    const r = pki.refusals.wildcard;
    lib.anchors(r.anchors);
    assert.equal(lib.validate(r.certs, { name: "*.example" }).reason, reasonOf("REASON_CERT_NAME_MISMATCH"));
  });
  test("the CN is never a fallback: not even the reference name in the CN matches", () => {
    const r = pki.refusals.cnOnly;
    lib.anchors(r.anchors);
    assert.equal(lib.validate(r.certs, { name: pki.serverName }).reason, reasonOf("REASON_CERT_NAME_MISMATCH"));
  });
  test("an empty reference name matches nothing", () => {
    lib.anchors([pki.root.der]);
    assert.equal(lib.validate(pki.server[1].certs, { name: "" }).reason, reasonOf("REASON_CERT_NAME_MISMATCH"));
  });
  test("a chain missing its intermediate: unknown_ca at the leaf", () => {
    lib.anchors([pki.root.der]);
    const out = lib.validate(pki.server[2].certs.slice(0, 1));
    assert.deepEqual([out.reason, out.alert, out.index], [reasonOf("REASON_CERT_UNKNOWN_CA"), 48, 0]);
  });
  test("the intermediates out of order: unknown_ca", () => {
    lib.anchors([pki.root.der]);
    const c = pki.server[2].certs;
    assert.equal(lib.validate([c[0], c[2], c[1]]).reason, reasonOf("REASON_CERT_UNKNOWN_CA"));
  });
  test("an empty chain is refused", () => {
    lib.anchors([pki.root.der]);
    assert.equal(lib.validate([]).reason, reasonOf("REASON_CERT_MALFORMED"));
  });
  test("a certificate over CERT_MAX (1024) is refused unread", () => {
    lib.anchors([pki.root.der]);
    const big = Buffer.alloc(1025, 0x30);
    const out = lib.validate([big]);
    assert.deepEqual([out.reason, out.alert, out.index], [reasonOf("REASON_CERT_UNSUPPORTED_ALGORITHM"), ALERT_UNSUPPORTED_CERTIFICATE, 0]);
  });
});

describe("time (RFC 7925 s. 12: without a trusted clock the configuration decides)", () => {
  test("unknown time is refused with certificate_unknown unless accepted by configuration", () => {
    lib.anchors([pki.root.der]);
    const out = lib.validate(pki.server[2].certs, { now: -1n });
    assert.deepEqual([out.reason, out.alert, out.index], [reasonOf("REASON_CERT_TIME_UNKNOWN"), ALERT_CERTIFICATE_UNKNOWN, 0]);
    assert.equal(lib.validate(pki.server[2].certs, { now: -1n, acceptUnknownTime: true }).verdict, 0);
    // An expired leaf passes only when the time is unknown and that is accepted.
    const e = pki.refusals.expired;
    assert.equal(lib.validate(e.certs, { now: -1n, acceptUnknownTime: true }).verdict, 0);
  });
  test("validity bounds: notBefore and notAfter (UTCTime leaf 2049, GeneralizedTime CA 2051) are inclusive", () => {
    lib.anchors([pki.root.der]);
    const leafStart = BigInt(Date.UTC(2020, 0, 1) / 1000), leafEnd = BigInt(Date.UTC(2049, 11, 31, 23, 59, 59) / 1000);
    assert.equal(lib.validate(pki.server[1].certs, { now: leafStart }).verdict, 0);
    assert.equal(lib.validate(pki.server[1].certs, { now: leafEnd }).verdict, 0);
    assert.equal(lib.validate(pki.server[1].certs, { now: leafStart - 1n }).reason, reasonOf("REASON_CERT_NOT_YET_VALID"));
    const late = lib.validate(pki.server[1].certs, { now: leafEnd + 1n });
    assert.deepEqual([late.reason, late.alert, late.index], [reasonOf("REASON_CERT_EXPIRED"), ALERT_CERTIFICATE_EXPIRED, 0]);
  });
});

describe("trust anchor store", () => {
  test("anchorAdd refuses what is not a profile certificate, and a fifth anchor", () => {
    lib.x.x509_anchors_reset();
    assert.equal(lib.addAnchor(pki.refusals.rsaKey.certs[0]), codes.ERR_BAD_ARGUMENT);
    assert.equal(lib.addAnchor(Buffer.from("3003020100", "hex")), codes.ERR_BAD_ARGUMENT);
    for (let i = 0; i < 4; i++) assert.equal(lib.addAnchor(pki.intermediates[i].der), 0);
    assert.equal(lib.addAnchor(pki.root.der), codes.ERR_TOO_LARGE);
    assert.equal(lib.x.x509_anchor_count(), 4);
  });
  test("TrustedAuthorities (RFC 6066 s. 6): x509_name entries carrying each anchor's subject DN", () => {
    lib.anchors([pki.root.der, pki.intermediates[0].der]);
    const n = lib.x.x509_trusted_authorities(OUT, 512);
    const out = lib.get(OUT, n);
    assert.equal(out.readUInt16BE(0), n - 2);
    let p = 2;
    const dns: Buffer[] = [];
    while (p < n) {
      assert.equal(out[p], 2, "IdentifierType x509_name");
      const l = out.readUInt16BE(p + 1);
      dns.push(out.subarray(p + 3, p + 3 + l));
      p += 3 + l;
    }
    assert.equal(p, n);
    assert.equal(dns.length, 2);
    // The root's subject DN is intermediate 1's issuer DN: both certificates contain it, and
    // it is a DER SEQUENCE naming "Test Root".
    assert.equal(dns[0][0], 0x30);
    assert.ok(pki.root.der.includes(dns[0]) && pki.intermediates[0].der.includes(dns[0]));
    assert.ok(dns[0].includes(Buffer.from("Test Root")) && dns[1].includes(Buffer.from("Test Intermediate 1")));
    assert.equal(lib.x.x509_trusted_authorities(OUT, n - 1), -1);
  });
});

// The offsets of every DER header's length byte(s) in a certificate (constructed elements,
// and OCTET STRINGs that carry DER, are walked into).
function lengthOffsets(der: Buffer): number[] {
  const out: number[] = [];
  const walk = (p: number, end: number): void => {
    while (p + 2 <= end) {
      const tag = der[p];
      let n = der[p + 1], h = 2;
      if (n & 0x80) { const k = n & 0x7f; n = 0; for (let i = 0; i < k; i++) n = n * 256 + der[p + 2 + i]; h += k; }
      for (let i = 1; i < h; i++) out.push(p + i);
      if (tag & 0x20 || tag == 0x04) walk(p + h, p + h + n);
      p += h + n;
    }
  };
  walk(0, der.length);
  return out;
}

// A DER tree, re-encoded with one element's header written otherwise (BER forms DER forbids).
interface Node { tag: number; body: Buffer; kids?: Node[] }
function parseTree(der: Buffer): Node[] {
  const out: Node[] = [];
  let p = 0;
  while (p < der.length) {
    const tag = der[p];
    let n = der[p + 1], h = 2;
    if (n & 0x80) { const k = n & 0x7f; n = 0; for (let i = 0; i < k; i++) n = n * 256 + der[p + 2 + i]; h += k; }
    const body = der.subarray(p + h, p + h + n);
    out.push({ tag, body, kids: tag & 0x20 ? parseTree(body) : undefined });
    p += h + n;
  }
  return out;
}
type Form = "nonMinimal" | "indefinite";
function encode(nodes: Node[], target: Node | undefined, form: Form): Buffer {
  return Buffer.concat(nodes.map((x) => {
    const body = x.kids ? encode(x.kids, target, form) : x.body;
    const n = body.length;
    let len: Buffer;
    if (x === target && form == "indefinite") return Buffer.concat([Buffer.from([x.tag, 0x80]), body, Buffer.from([0, 0])]);
    if (x === target) len = n < 256 ? Buffer.from([0x82, 0, n]) : Buffer.from([0x83, 0, n >> 8, n & 0xff]);
    else len = n < 0x80 ? Buffer.from([n]) : n < 256 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
    return Buffer.concat([Buffer.from([x.tag]), len, body]);
  }));
}
function allNodes(nodes: Node[]): Node[] { return nodes.flatMap((x) => [x, ...(x.kids ? allNodes(x.kids) : [])]); }

describe("BER forms in a real certificate: refused as malformed, not passed on to the signature check", () => {
  test("each element's length re-encoded non-minimally, each constructed one with an indefinite length, a trailing byte", () => {
    lib.anchors([pki.root.der]);
    const [leaf, int1] = pki.server[1].certs;
    const tree = parseTree(leaf);
    assert.deepEqual(encode(tree, undefined, "nonMinimal"), leaf, "the re-encoder gives DER back");
    const malformed = reasonOf("REASON_CERT_MALFORMED");
    let cases = 0;
    for (const node of allNodes(tree)) {
      for (const form of ["nonMinimal", "indefinite"] as Form[]) {
        if (form == "indefinite" && !node.kids) continue;
        const out = lib.validate([encode(tree, node, form), int1], {}, true);
        assert.deepEqual([out.reason, out.alert, out.index], [malformed, ALERT_BAD_CERTIFICATE, 0], `${form} length of tag ${node.tag.toString(16)}`);
        cases++;
      }
    }
    assert.ok(cases > 80, `${cases} cases`);
    assert.equal(lib.validate([Buffer.concat([leaf, Buffer.from([0])]), int1]).reason, malformed);
  });
});

describe("DER mutation corpus (seeded): no trap, no mutated certificate accepted", () => {
  // Mutations of the leaf and of the intermediate of a one-intermediate chain: bit flips,
  // random bytes, length bytes (of every DER header) set to boundary values or off by one,
  // truncations, insertions and deletions. Each certificate ends at the end of the module's
  // memory, so reading past it would trap. Every byte of
  // a DER certificate is either under the signature or strictly encoded, so every mutation
  // must be refused; and a wasm trap would throw here.
  const CASES = 3000;
  test(`${CASES} mutated chains are refused, the good chain still passes after them`, () => {
    lib.anchors([pki.root.der]);
    const good = pki.server[1].certs;
    const lengths = good.map(lengthOffsets);
    assert.ok(lengths[0].length > 60, "the walker finds the leaf's headers");
    const rnd = seededPrng(0x5eed1109);
    const int = (n: number): number => rnd(4).readUInt32LE(0) % n;
    const reasons = new Map<number, number>();
    for (let k = 0; k < CASES; k++) {
      const which = int(4) == 0 ? 1 : 0; // mostly the leaf
      let c = Buffer.from(good[which]);
      const kind = int(6);
      if (kind == 0) c[int(c.length)] ^= 1 << int(8);
      else if (kind == 1) { const at = lengths[which][int(lengths[which].length)]; c[at] = [0x00, 0x01, 0x7f, 0x80, 0x81, 0x82, 0x83, 0xff, c[at] + 1, c[at] - 1][int(10)] & 0xff; }
      else if (kind == 5) c[int(c.length)] = rnd(1)[0];
      else if (kind == 2) c = c.subarray(0, int(c.length));
      else if (kind == 3) { const at = int(c.length + 1); c = Buffer.concat([c.subarray(0, at), rnd(1 + int(3)), c.subarray(at)]); }
      else { const at = int(c.length); c = Buffer.concat([c.subarray(0, at), c.subarray(at + 1 + int(2))]); }
      if (c.equals(good[which])) continue;
      const chain = which == 0 ? [c, good[1]] : [good[0], c];
      const out = lib.validate(chain, {}, true);
      assert.notEqual(out.verdict, 0, `mutation ${k} (kind ${kind}) was accepted: ${c.toString("hex")}`);
      assert.ok(out.index == 0 || out.index == 1, `mutation ${k}: fail index ${out.index}`);
      reasons.set(out.reason, (reasons.get(out.reason) ?? 0) + 1);
      if (k % 500 == 0) assert.equal(lib.validate(good).verdict, 0);
    }
    assert.equal(lib.validate(good).verdict, 0);
    // The corpus reaches both the DER reader and the signature check.
    assert.ok((reasons.get(reasonOf("REASON_CERT_MALFORMED")) ?? 0) > CASES / 10);
    assert.ok((reasons.get(reasonOf("REASON_CERT_BAD_SIGNATURE")) ?? 0) > 10);
  });
});
