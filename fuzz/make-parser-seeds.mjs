// Writes the seed corpora of the der and point targets (fuzz/src/fuzz_der.c, fuzz_point.c):
// real signatures by the server's test key over FUZZ_SIGNED_MESSAGE, and the edge
// encodings the readers must refuse or accept; real keys as points and as
// SubjectPublicKeyInfo, and points that are not on the curve or not uncompressed.
//   node fuzz/make-parser-seeds.mjs fuzz/corpus
import { createECDH, createPrivateKey, sign } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outDir = process.argv[2] ?? join(here, "corpus");
const cfg = {};
for (const m of readFileSync(join(here, "src", "fuzz_config.h"), "utf8").replace(/\\\n/g, " ")
  .matchAll(/^#define (\w+)[ \t]+(?:"([^"]*)"|(\S+))/gm)) cfg[m[1]] = m[2] ?? m[3];

const hex = (h) => Buffer.from(h.replace(/\s/g, ""), "hex");
const SPKI_PREFIX = hex("3059301306072a8648ce3d020106082a8648ce3d030107034200");
const P = hex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
const N = hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
const G = hex("046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296" +
  "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");

function privateKey(dHex) {
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(hex(dHex));
  const pub = ecdh.getPublicKey();
  const b64 = (b) => b.toString("base64url");
  return { pub, key: createPrivateKey({ format: "jwk", key: { kty: "EC", crv: "P-256", d: b64(hex(dHex)),
    x: b64(pub.subarray(1, 33)), y: b64(pub.subarray(33)) } }) };
}
const server = privateKey(cfg.FUZZ_SERVER_PRIVATE_HEX);
const client = privateKey(cfg.FUZZ_CLIENT_PRIVATE_HEX);
if (!server.pub.equals(hex(cfg.FUZZ_SERVER_POINT_HEX))) throw new Error("fuzz_config.h: the server point is not its key's");

// ---- der: Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } ----
const int = (v) => {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  let b = v.subarray(i);
  if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return Buffer.concat([Buffer.from([2, b.length]), b]);
};
const seq = (...parts) => { const body = Buffer.concat(parts); return Buffer.concat([Buffer.from([0x30, body.length]), body]); };
const der = {};
for (let i = 0; i < 4; i++) der[`valid-${i}`] = sign("sha256", Buffer.from(cfg.FUZZ_SIGNED_MESSAGE), { key: server.key, dsaEncoding: "der" });
const one = Buffer.from([1]);
der["r-zero"] = seq(int(Buffer.from([0])), int(one));
der["r-n"] = seq(int(N), int(one));
der["s-n-minus-1"] = seq(int(one), int(Buffer.from(N.map((b, i) => (i === 31 ? b - 1 : b)))));
der["r-max"] = seq(int(Buffer.alloc(32, 0xff)), int(Buffer.alloc(32, 0xff)));
der["non-minimal"] = seq(Buffer.from([2, 2, 0, 1]), int(one));
der["negative"] = seq(Buffer.from([2, 1, 0x80]), int(one));
der["long-form-length"] = hex("308106020101020101");
der["trailing-byte"] = Buffer.concat([seq(int(one), int(one)), Buffer.from([0])]);
der["33-byte-integer"] = seq(Buffer.concat([Buffer.from([2, 33, 1]), Buffer.alloc(32, 1)]), int(one));

// ---- point: mode byte (even: a point, odd: a SubjectPublicKeyInfo), then the bytes ----
const point = {};
const raw = (b) => Buffer.concat([Buffer.from([0]), b]);
const spki = (b) => Buffer.concat([Buffer.from([1]), SPKI_PREFIX, b]);
point["server"] = raw(server.pub);
point["client"] = raw(client.pub);
point["generator"] = raw(G);
point["server-spki"] = spki(server.pub);
point["client-spki"] = spki(client.pub);
point["not-on-curve"] = raw(Buffer.concat([server.pub.subarray(0, 64), Buffer.from([server.pub[64] ^ 1])]));
point["x-is-p"] = raw(Buffer.concat([Buffer.from([4]), P, server.pub.subarray(33)]));
point["compressed"] = raw(Buffer.concat([Buffer.from([2 + (server.pub[64] & 1)]), server.pub.subarray(1, 33)]));
point["infinity"] = raw(Buffer.from([0]));
{
  // A P-256 SPKI with the compressed point: another valid encoding the core does not take.
  const c = Buffer.concat([Buffer.from([2 + (server.pub[64] & 1)]), server.pub.subarray(1, 33)]);
  const alg = hex("301306072a8648ce3d020106082a8648ce3d030107");
  const bits = Buffer.concat([Buffer.from([3, c.length + 1, 0]), c]);
  const body = Buffer.concat([alg, bits]);
  point["spki-compressed"] = Buffer.concat([Buffer.from([1, 0x30, body.length]), body]);
}

// mode bit 1: the point is k*G for the first 32 bytes (the harness computes it)
point["scalar-one"] = Buffer.concat([Buffer.from([2]), Buffer.alloc(31), Buffer.from([1])]);
point["scalar-n-minus-1-spki"] = Buffer.concat([Buffer.from([3]), Buffer.from(N.map((b, i) => (i === 31 ? b - 1 : b)))]);
point["scalar-random"] = Buffer.concat([Buffer.from([2]), hex(cfg.FUZZ_SERVER_PRIVATE_HEX).map((b) => b ^ 0x5a)]);

for (const [name, set] of [["der", der], ["point", point]]) {
  mkdirSync(join(outDir, name), { recursive: true });
  for (const [seed, bytes] of Object.entries(set)) writeFileSync(join(outDir, name, `${seed}.bin`), bytes);
  console.log(`${name}: ${Object.keys(set).length} seeds`);
}
