// TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 with raw public keys (RFC 7250, RFC 7925 s. 4.3)
// against gnutls-serv, keys made by openssl genpkey for each run.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as codes from "../host/codes";
import { UdpDtlsClient } from "../host/udp-client";
import { DtlsEngine, ConfigError } from "../host/engine";
import { readPrivateKey, readPublicPoint } from "../host/keys";
import { generateKeyPair, spkiSha256, startGnuTlsRpk, ServerProcess } from "./support/servers";
import { parseRecords, record } from "./support/wire";
import { runCli } from "./support/cli";
import { BUILD } from "./support/paths";
import { join } from "node:path";

const serverKeys = generateKeyPair("server");
const otherKeys = generateKeyPair("other");
const clientKeys = generateKeyPair("client");
const servers: ServerProcess[] = [];
after(async () => { for (const s of servers) await s.stop(); });
async function server(requireClientKey = false) {
  const s = await startGnuTlsRpk(serverKeys, { requireClientKey });
  servers.push(s);
  return s;
}

test("server-authenticated handshake and echo; the server key's hash is reported", async () => {
  const s = await server();
  const r = await runCli([`127.0.0.1:${s.port}`, "--rpk", "--server-key", serverKeys.pub, "--send", "rpk hello", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.cipher, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8");
  assert.equal(r.json.server_key_sha256, spkiSha256(serverKeys.pub));
  assert.equal(r.json.client_auth, false);
  assert.equal(r.json.ems, true);
  assert.equal(r.json.received, "rpk hello");
});

test("without a client key, a CertificateRequest is answered with an empty Certificate and the handshake completes", async () => {
  const s = await server();
  const sent: Buffer[] = [];
  const client = new UdpDtlsClient("127.0.0.1", s.port, { rpk: { serverPin: readPublicPoint(serverKeys.pub) }, rtoMs: 1000 },
    { dropOutgoing: (d) => { sent.push(Buffer.from(d)); return false; } });
  try {
    await client.connect();
    const hs = sent.flatMap((d) => parseRecords(d)).filter((r) => r.type === 22 && r.epoch === 0).map((r) => r.payload);
    const certificates = hs.filter((m) => m[0] === 11);
    assert.equal(certificates.length, 1, "gnutls-serv asks for a certificate by default: we answer");
    assert.deepEqual([...certificates[0].subarray(12)], [0, 0, 0], "an empty certificate list (RFC 5246 7.4.6)");
    assert.equal(hs.filter((m) => m[0] === 15).length, 0, "no CertificateVerify without a key");
    assert.equal(client.engine.info(codes.INFO_CLIENT_AUTH), 0);
    client.write(Buffer.from("anonymous client"));
    assert.equal((await client.readOne(3000))?.toString(), "anonymous client");
  } finally {
    client.close();
  }
});

test("mutual authentication when the server requires a client key; pin given as a hash", async () => {
  const s = await server(true);
  const r = await runCli([`127.0.0.1:${s.port}`, "--rpk", "--server-key", spkiSha256(serverKeys.pub),
    "--key", clientKeys.key, "--send", "mutual", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.client_auth, true);
  assert.equal(r.json.received, "mutual");
});

test("a server whose key is not the pinned one is refused with handshake_failure", async () => {
  const s = await server();
  const r = await runCli([`127.0.0.1:${s.port}`, "--rpk", "--server-key", otherKeys.pub, "--send", "x", "--json"]);
  assert.equal(r.code, 1);
  assert.equal(r.json.reason, "bad_peer_key");
  assert.equal(r.json.alert, "fatal handshake_failure sent");
  assert.match(r.stderr, /does not match the pinned key/);
});

/** Applies f to each plaintext handshake message (type, body) in a datagram. */
function rewriteHandshake(d: Buffer, f: (type: number, msg: Buffer) => void): Buffer {
  return Buffer.concat(parseRecords(d).map((r) => {
    if (r.type === 22 && r.epoch === 0) {
      const p = Buffer.from(r.payload);
      for (let off = 0; off + 12 <= p.length;) {
        const len = p.readUIntBE(off + 9, 3);
        f(p[off], p.subarray(off, off + 12 + len));
        off += 12 + len;
      }
      return record(r.type, r.epoch, r.seq, p);
    }
    return record(r.type, r.epoch, r.seq, r.payload);
  }));
}

test("a ServerKeyExchange signed by another key than the one presented is refused", async () => {
  const s = await server();
  // Present the pinned "other" key in Certificate while the server signs with its own.
  const other = readPublicPoint(otherKeys.pub);
  const client = new UdpDtlsClient("127.0.0.1", s.port, { rpk: { serverPin: other }, rtoMs: 1000 }, {
    mapIncoming: (d) => rewriteHandshake(d, (type, msg) => { if (type === 11) other.copy(msg, msg.length - 65); }),
  });
  try {
    await assert.rejects(client.connect(), (e: any) => e.reason === "bad_signature" && e.alert === "fatal decrypt_error sent");
  } finally {
    await client.close();
  }
});

test("a tampered ServerKeyExchange signature is refused", async () => {
  const s = await server();
  const client = new UdpDtlsClient("127.0.0.1", s.port, { rpk: { serverPin: readPublicPoint(serverKeys.pub) }, rtoMs: 1000 }, {
    mapIncoming: (d) => rewriteHandshake(d, (type, msg) => { if (type === 12) msg[msg.length - 3] ^= 0x01; }),
  });
  try {
    await assert.rejects(client.connect(), (e: any) => e.reason === "bad_signature");
  } finally {
    await client.close();
  }
});

test("two handshakes never use the same ephemeral key (RFC 7925 s. 9)", async () => {
  const s = await server();
  const seen: string[] = [];
  for (let i = 0; i < 2; i++) {
    const client = new UdpDtlsClient("127.0.0.1", s.port, { rpk: { serverPin: readPublicPoint(serverKeys.pub) }, rtoMs: 1000 }, {
      dropOutgoing: (d) => {
        for (const r of parseRecords(d)) if (r.type === 22 && r.epoch === 0 && r.payload[0] === 16) seen.push(r.payload.subarray(13, 13 + 65).toString("hex"));
        return false;
      },
    });
    try { await client.connect(); } finally { await client.close(); }
  }
  assert.equal(seen.length, 2);
  assert.notEqual(seen[0], seen[1]);
  assert.equal(seen[0].slice(0, 2), "04");
});

test("PSK and raw public keys together: both suites offered, the server picks ECDHE", async () => {
  const s = await server();
  const sent: Buffer[] = [];
  const client = new UdpDtlsClient("127.0.0.1", s.port, {
    psk: { identity: Buffer.from("dev"), key: Buffer.alloc(16, 1) },
    rpk: { serverPin: readPublicPoint(serverKeys.pub), privateKey: readPrivateKey(clientKeys.key) }, rtoMs: 1000,
  }, { dropOutgoing: (d) => { sent.push(Buffer.from(d)); return false; } });
  try {
    await client.connect();
    assert.equal(client.engine.info(codes.INFO_CIPHER_SUITE), codes.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8);
    // gnutls-serv asks for a client key even when it does not require one.
    assert.equal(client.engine.info(codes.INFO_CLIENT_AUTH), 1);
    // The ClientHello offered ECDHE first, then PSK.
    const ch = parseRecords(sent[0])[0].payload.subarray(12);
    const suitesAt = 2 + 32 + 1 + 1 + ch[34 + 1];
    assert.equal(ch.readUInt16BE(suitesAt), 4);
    assert.deepEqual([ch.readUInt16BE(suitesAt + 2), ch.readUInt16BE(suitesAt + 4)],
      [codes.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, codes.TLS_PSK_WITH_AES_128_CCM_8]);
  } finally {
    await client.close();
  }
});

test("the PSK-only module refuses raw public keys with a clear error", () => {
  assert.throws(() => new DtlsEngine({ rpk: { serverPin: Buffer.alloc(32) }, wasmPath: join(BUILD, "dtls-psk.wasm") }, () => {}),
    (e: any) => e instanceof ConfigError && /built without raw public keys/.test(e.message));
});

test("an invalid client key or pin is a configuration error (exit 2)", async () => {
  const r = await runCli(["127.0.0.1:1", "--rpk", "--server-key", "/nonexistent.pem"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot read/);
  const r2 = await runCli(["127.0.0.1:1", "--rpk"]);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /--rpk needs --server-key/);
  assert.throws(() => new DtlsEngine({ rpk: { serverPin: Buffer.alloc(65, 0xff) , privateKey: Buffer.alloc(32, 0xff) } }, () => {}), ConfigError);
});
