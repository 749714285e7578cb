// Key material is wiped after use (RFC 7925 s. 9: fresh ephemeral keys, never reused; the
// design: wipe key material). A real TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 handshake with raw
// public keys and client authentication against gnutls-serv, with a seeded HAL random
// stream; then the module's whole linear memory is searched for every secret of that
// handshake. The test derives each secret without the module and confirms it first:
//   ephemeral private key  the seeded stream's bytes 32..63 (p256Keygen takes the TRNG bytes
//                          as the key when they are in [1, n-1]); its public key must be
//                          the point of our ClientKeyExchange on the wire
//   premaster secret       ECDH of that key with the ServerKeyExchange point (node:crypto)
//   master secret          the extended master secret (RFC 7627) over the transcript read
//                          from the wire; must equal what gnutls-serv logs (SSLKEYLOGFILE)
//   ECDSA nonce            k = s^-1 (z + r d) of our CertificateVerify; k*G must give r
// Each is searched as big-endian bytes, little-endian bytes (the core's u32 words) and
// 29-bit limbs (its field elements). Also: after configuration the long-term private key
// is in memory exactly once (the credentials), not left in the I/O buffer.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createECDH, createHash, createHmac } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as codes from "../host/codes";
import { UdpDtlsClient } from "../host/udp-client";
import { loadModule } from "../host/module";
import { seededBytes } from "../host/hal";
import { readPrivateKey, readPublicPoint } from "../host/keys";
import { freeUdpPort, generateKeyPair, GNUTLS_RPK_CCM8, ServerProcess } from "./support/servers";
import { parseRecords } from "./support/wire";

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const big = (b: Buffer) => BigInt("0x" + (b.length ? b.toString("hex") : "0"));
const bytes32 = (v: bigint) => Buffer.from(v.toString(16).padStart(64, "0"), "hex");

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  for (b %= m; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
  return r;
}

/** The forms a 32-byte secret takes in the core: bytes, reversed bytes, 9 limbs of 29 bits. */
function forms(secret: Buffer): Array<[string, Buffer]> {
  const limbs = Buffer.alloc(36);
  let v = big(secret);
  for (let i = 0; i < 9; i++, v >>= 29n) limbs.writeUInt32LE(Number(v & 0x1fffffffn), 4 * i);
  return [["big-endian", secret], ["little-endian", Buffer.from(secret).reverse()], ["29-bit limbs", limbs]];
}

/** Offsets of needle in the module's memory (or in a copy of it). */
function occurrences(memory: WebAssembly.Memory | Buffer, needle: Buffer): number[] {
  const m = Buffer.isBuffer(memory) ? memory : Buffer.from(memory.buffer);
  const at: number[] = [];
  for (let i = m.indexOf(needle); i >= 0; i = m.indexOf(needle, i + 1)) at.push(i);
  return at;
}

/** TLS 1.2 PRF with SHA-256 (RFC 5246 5). */
function prf(secret: Buffer, label: string, seed: Buffer, n: number): Buffer {
  const hmac = (d: Buffer) => createHmac("sha256", secret).update(d).digest();
  const ls = Buffer.concat([Buffer.from(label, "ascii"), seed]);
  let a: Buffer = ls, out: Buffer = Buffer.alloc(0);
  while (out.length < n) { a = hmac(a); out = Buffer.concat([out, hmac(Buffer.concat([a, ls]))]); }
  return out.subarray(0, n);
}

interface Message { type: number; seq: number; body: Buffer }

/** The epoch-0 handshake messages in datagrams, reassembled, one per message_seq. */
function handshakeMessages(datagrams: Buffer[]): Message[] {
  const bySeq = new Map<number, Message>();
  for (const d of datagrams) for (const r of parseRecords(d)) {
    if (r.type !== 22 || r.epoch !== 0) continue;
    for (let p = 0; p + 12 <= r.payload.length;) {
      const h = r.payload.subarray(p, p + 12);
      const type = h[0], length = h.readUIntBE(1, 3), seq = h.readUInt16BE(4);
      const off = h.readUIntBE(6, 3), fragLen = h.readUIntBE(9, 3);
      let m = bySeq.get(seq);
      if (!m) { m = { type, seq, body: Buffer.alloc(length) }; bySeq.set(seq, m); }
      r.payload.copy(m.body, off, p + 12, p + 12 + fragLen);
      p += 12 + fragLen;
    }
  }
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** A message with its DTLS header as the transcript hashes it (RFC 6347 4.2.6). */
function asHashed(m: Message): Buffer {
  const h = Buffer.alloc(12);
  h[0] = m.type;
  h.writeUIntBE(m.body.length, 1, 3);
  h.writeUInt16BE(m.seq, 4);
  h.writeUIntBE(m.body.length, 9, 3);
  return Buffer.concat([h, m.body]);
}

/** r, s of a DER ECDSA signature (strict enough for our own signatures). */
function derSignature(der: Buffer): [bigint, bigint] {
  assert.equal(der[0], 0x30);
  let p = 2;
  const int = () => { assert.equal(der[p], 0x02); const n = der[p + 1]; const v = big(der.subarray(p + 2, p + 2 + n)); p += 2 + n; return v; };
  const r = int(), s = int();
  return [r, s];
}

const serverKeys = generateKeyPair("wipe-server");
const clientKeys = generateKeyPair("wipe-client");
const servers: ServerProcess[] = [];
after(async () => { for (const s of servers) await s.stop(); });

/** gnutls-serv (raw public keys, client key required, echo) logging its secrets. */
async function startServer(keylog: string): Promise<ServerProcess> {
  const port = await freeUdpPort();
  const args = ["--udp", "--echo", "-p", String(port), "--rawpkkeyfile", serverKeys.key, "--rawpkfile", serverKeys.pub,
    "--priority", GNUTLS_RPK_CCM8, "--require-client-cert"];
  const s = new ServerProcess(spawn("gnutls-serv", args, { env: { ...process.env, SSLKEYLOGFILE: keylog } }), port);
  servers.push(s);
  await s.waitFor("listening");
  return s;
}

test("an ECDHE-ECDSA handshake leaves no ephemeral key, premaster, master secret or nonce in memory", async () => {
  const keylog = join(mkdtempSync(join(tmpdir(), "wipe-keylog-")), "keys.log");
  const s = await startServer(keylog);
  const seed = "wipe-test";
  const clientPriv = readPrivateKey(clientKeys.key);
  const sent: Buffer[] = [], received: Buffer[] = [];
  let atFlight5: Buffer | undefined; // the memory when our ClientKeyExchange goes out
  const client = new UdpDtlsClient("127.0.0.1", s.port, {
    rpk: { serverPin: readPublicPoint(serverKeys.pub), privateKey: clientPriv }, seed, rtoMs: 2000,
  }, {
    dropOutgoing: (d) => {
      sent.push(Buffer.from(d));
      const cke = parseRecords(d).some((r) => r.type === 22 && r.epoch === 0 && r.payload[0] === 16);
      if (cke && !atFlight5) atFlight5 = Buffer.from(client.engine.wasm.memory.buffer.slice(0));
      return false;
    },
    mapIncoming: (d) => { received.push(Buffer.from(d)); return d; },
  });
  const memory = client.engine.wasm.memory;
  let closed = false;
  try {
    await client.connect();
    client.write(Buffer.from("wipe"));
    assert.equal((await client.readOne(5000))?.toString(), "wipe");
    assert.equal(client.engine.info(codes.INFO_CLIENT_AUTH), 1, "the server asked for our key");
    assert.equal(client.engine.info(codes.INFO_EMS), 1);

    // --- the secrets, derived without the module, each confirmed ---
    const ours = handshakeMessages(sent), theirs = handshakeMessages(received);
    const hellos = ours.filter((m) => m.type === 1);
    const hello = hellos[hellos.length - 1];                 // the one answered (with the cookie)
    const stream = seededBytes(seed)(64);
    assert.ok(hello.body.subarray(2, 34).equals(stream.subarray(0, 32)),
      "the first 32 seeded bytes are the ClientHello random (so the next 32 are the ephemeral key)");
    const ephemeral = stream.subarray(32, 64);
    assert.ok(big(ephemeral) > 0n && big(ephemeral) < N, "seed gives a key in [1, n-1], taken as is");
    const cke = ours.find((m) => m.type === 16)!;
    assert.equal(cke.body[0], 65);
    const ecdh = createECDH("prime256v1");
    ecdh.setPrivateKey(ephemeral);
    assert.ok(ecdh.getPublicKey().equals(cke.body.subarray(1, 66)), "ClientKeyExchange carries the public key of the derived ephemeral key");

    const ske = theirs.find((m) => m.type === 12)!;
    assert.equal(ske.body[3], 65);
    const premaster = ecdh.computeSecret(ske.body.subarray(4, 69));

    // EMS session hash = the transcript through ClientKeyExchange: the answered ClientHello,
    // the server's flight (no HelloVerifyRequest), our Certificate and ClientKeyExchange.
    const transcript = [hello, ...theirs.filter((m) => m.type !== 3), ...ours.filter((m) => m.type === 11 || m.type === 16)];
    const sessionHash = createHash("sha256").update(Buffer.concat(transcript.map(asHashed))).digest();
    const master = prf(premaster, "extended master secret", sessionHash, 48);
    const logged = readFileSync(keylog, "utf8").split("\n")
      .find((l) => l.startsWith(`CLIENT_RANDOM ${hello.body.subarray(2, 34).toString("hex")} `));
    assert.ok(logged, "gnutls-serv logged the session's master secret");
    assert.equal(logged!.split(" ")[2], master.toString("hex"), "master secret derived from the wire = the server's");

    // CertificateVerify signs the same transcript hash: k = s^-1 (z + r d) mod n.
    const cv = ours.find((m) => m.type === 15)!;
    assert.equal(cv.body.readUInt16BE(0), 0x0403);
    const [r, sig] = derSignature(cv.body.subarray(4, 4 + cv.body.readUInt16BE(2)));
    const k = (modPow(sig, N - 2n, N) * ((big(sessionHash) + r * big(clientPriv)) % N)) % N;
    const kg = createECDH("prime256v1");
    kg.setPrivateKey(bytes32(k));
    assert.equal(big(kg.getPublicKey().subarray(1, 33)) % N, r, "k*G gives the signature's r: the nonce is right");

    // --- nothing of them is left in the module's memory, connected and after close ---
    // Scalars and field elements in all their forms; the master secret as bytes (any 32 of its 48).
    const secrets: Array<[string, Buffer]> = [
      ...[["ephemeral private key", ephemeral], ["premaster secret", premaster], ["ECDSA nonce", bytes32(k)]]
        .flatMap(([name, v]) => forms(v as Buffer).map(([form, b]): [string, Buffer] => [`${name} (${form})`, b])),
      ["master secret (first 32 bytes)", master.subarray(0, 32)], ["master secret (last 32 bytes)", master.subarray(16)]];
    const check = (when: string) => {
      for (const [name, needle] of secrets) {
        assert.deepEqual(occurrences(memory, needle), [], `${name} still in memory ${when}`);
      }
      // The long-term key stays, once (the credentials), and only as configured; finding
      // it also shows the search sees the module's data.
      assert.equal(occurrences(memory, clientPriv).length, 1, `client private key copies ${when}`);
      for (const [form, needle] of forms(clientPriv).slice(1)) {
        assert.deepEqual(occurrences(memory, needle), [], `client private key (${form}) left in scratch ${when}`);
      }
    };
    // The ephemeral key, premaster and nonce are done with before our flight leaves (only
    // the master secret is still needed there, for the server's Finished).
    assert.ok(atFlight5, "memory copied when flight 5 was sent");
    for (const [name, needle] of secrets.filter(([n]) => !n.startsWith("master"))) {
      assert.deepEqual(occurrences(atFlight5!, needle), [], `${name} still in memory when flight 5 was sent`);
    }
    check("while connected");
    closed = true;
    await client.close();
    check("after close");
  } finally {
    if (!closed) await client.close();
  }
});

test("configuration leaves the long-term private key only in the credentials, not in the I/O buffer", () => {
  const w = loadModule({ send: () => {}, seed: "wipe-config" });
  const priv = Buffer.from("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721", "hex");
  const pin = createHash("sha256").update("any server").digest();
  const io = w.dtls_buffer();
  new Uint8Array(w.memory.buffer).set(Buffer.concat([priv, pin]), io);
  assert.equal(occurrences(w.memory, priv).length, 1);
  assert.equal(w.dtls_config_rpk(32, 32), 0);
  const at = occurrences(w.memory, priv);
  assert.equal(at.length, 1, "exactly one copy of the private key after configuration");
  assert.ok(at[0] < io || at[0] >= io + w.dtls_buffer_size(), "the copy is not the I/O buffer's");
  for (const [form, needle] of forms(priv).slice(1)) assert.deepEqual(occurrences(w.memory, needle), [], `private key (${form}) in scratch`);
});
