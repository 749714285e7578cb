// The reference server (host/refserver, issue 11): a real DTLS 1.2 server, shown by openssl
// s_client, gnutls-cli and our own client; then the extensions no common server speaks
// (cached_info, client_certificate_url, trusted_ca_keys) with a small scripted client.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createECDH, createHash, createPrivateKey, createPublicKey, sign } from "node:crypto";
import { createServer, Server } from "node:http";
import { readFileSync } from "node:fs";
import { UdpDtlsClient } from "../host/udp-client";
import { ConfigError, EngineOptions } from "../host/engine";
import { readPrivateKey, readPublicPoint } from "../host/keys";
import { RefServerUdp } from "../host/refserver/udp";
import { RefServer, RefServerOptions, HandshakeInfo, AlertEvent, TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, TLS_PSK_WITH_AES_128_CCM_8 } from "../host/refserver/server";
import { ccmOpen, ccmSeal, CcmKey, prf } from "../host/refserver/crypto";
import { certSubject, certSpki, spkiKeyBits } from "../host/refserver/der";
import { parseArgs } from "../host/refserver/main";
import { generateKeyPair, PSK_HEX, PSK_IDENTITY } from "./support/servers";
import { MiniPki, MiniCert } from "./support/mini-pki";
import { parseRecords, record, handshake, ext } from "./support/wire";
import { handshakeFragments, parseServerHello } from "./support/hellos";

const PSK = { [PSK_IDENTITY]: Buffer.from(PSK_HEX, "hex") };
const pki = new MiniPki();
const root = pki.make("root", null, { ca: true });
const inter = pki.make("int", root, { ca: true });
const leaf = pki.make("server", inter, { dns: "localhost" });
const chainPem = pki.bundle("server", [leaf, inter]);
const root2 = pki.make("root2", null, { ca: true });
const leaf2 = pki.make("server2", root2, { dns: "localhost" });
const clientCa = pki.make("client-ca", null, { ca: true });
const clientLeaf = pki.make("0011223344556677", clientCa, { client: true });
const clientInt = pki.make("client-int", clientCa, { ca: true });
const clientLeaf2 = pki.make("8899aabbccddeeff", clientInt, { client: true });
const strangerCa = pki.make("stranger-ca", null, { ca: true });
const strangerLeaf = pki.make("stranger", strangerCa, { client: true });
const serverKeys = generateKeyPair("refserver");
const clientKeys = generateKeyPair("refclient");
const spkiDer = (pemFile: string) => createPublicKey(readFileSync(pemFile)).export({ type: "spki", format: "der" }) as Buffer;

const chain1 = { chain: [leaf.der, inter.der], key: readFileSync(leaf.key, "latin1"), root: root.der };
const chain2 = { chain: [leaf2.der], key: readFileSync(leaf2.key, "latin1"), root: root2.der };

const running: Array<{ close(): Promise<void> | void }> = [];
after(async () => { for (const r of running) await r.close(); });

async function serve(opts: RefServerOptions): Promise<RefServerUdp & { events: { handshakes: HandshakeInfo[]; data: string[]; alerts: AlertEvent[] } }> {
  const s = await RefServerUdp.start(opts);
  running.push(s);
  const events = { handshakes: [] as HandshakeInfo[], data: [] as string[], alerts: [] as AlertEvent[] };
  s.server.on("handshake", (i) => events.handshakes.push(i));
  s.server.on("data", (_p, d) => events.data.push(d.toString("latin1")));
  s.server.on("alert", (a) => events.alerts.push(a));
  return Object.assign(s, { events });
}

/** Resolves when cond() holds, polling; rejects after ms. */
async function until(cond: () => boolean, what: string, ms = 8000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > ms) throw new Error(`never: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A client program (openssl s_client, gnutls-cli) talking over stdin / stdout. */
function program(cmd: string, args: string[]) {
  const p = spawn(cmd, args);
  running.push({ close: () => { p.kill("SIGKILL"); } });
  const r = { out: "", exited: false, code: null as number | null };
  p.stdout.on("data", (d) => { r.out += d; });
  p.stderr.on("data", (d) => { r.out += d; });
  p.on("exit", (code) => { r.exited = true; r.code = code; });
  return { r, proc: p, type: (line: string) => p.stdin.write(line + "\n"), end: () => p.stdin.end() };
}

/** Data both ways: a line typed into the client reaches the server (and is echoed back);
 *  a line written by the server reaches the client. */
async function bothWays(s: Awaited<ReturnType<typeof serve>>, c: ReturnType<typeof program>, tag: string): Promise<void> {
  await until(() => s.events.handshakes.length === 1 || c.r.exited, `${tag}: handshake`);
  assert.equal(s.events.handshakes.length, 1, c.r.out);
  c.type(`up-${tag}`);
  await until(() => s.events.data.join("").includes(`up-${tag}`), `${tag}: data from the client`);
  await until(() => c.r.out.split(`up-${tag}`).length >= 2, `${tag}: the echo at the client`);
  s.server.write(s.events.handshakes[0].peer, Buffer.from(`down-${tag}\n`));
  await until(() => c.r.out.includes(`down-${tag}`), `${tag}: data from the server`);
  c.end();
  await until(() => c.r.exited, `${tag}: client exit`);
}

const OPENSSL = (port: number) => ["s_client", "-dtls1_2", "-connect", `127.0.0.1:${port}`];
const GNUTLS_PRIORITY = "NONE:+VERS-DTLS1.2:+AES-128-CCM-8:+AEAD:+COMP-NULL:+CTYPE-ALL:+PSK:+ECDHE-ECDSA:+SIGN-ECDSA-SHA256:+CURVE-SECP256R1";

test("openssl s_client -dtls1_2, PSK-AES128-CCM8: handshake with a cookie exchange, EMS, data both ways", async () => {
  const s = await serve({ psk: PSK, pskHint: Buffer.from("gateway-7") });
  const c = program("openssl", [...OPENSSL(s.port), "-psk", PSK_HEX, "-psk_identity", PSK_IDENTITY, "-cipher", "PSK-AES128-CCM8"]);
  await bothWays(s, c, "openssl-psk");
  const h = s.events.handshakes[0];
  assert.equal(h.suite, TLS_PSK_WITH_AES_128_CCM_8);
  assert.equal(h.pskIdentity, PSK_IDENTITY);
  assert.equal(h.cookieExchanged, true);
  assert.equal(s.server.stats.hvr, 1);
  assert.equal(h.ems, true);
  assert.match(c.r.out, /Cipher is PSK-AES128-CCM8/);
  assert.match(c.r.out, /PSK identity hint: gateway-7/);
  assert.match(c.r.out, /Extended master secret: yes/);
});

test("openssl s_client, ECDHE-ECDSA-AES128-CCM8 with a 2-certificate chain verified by -CAfile, client certificate required", async () => {
  const s = await serve({ chains: [chain1], clientAuth: "require", clientCa: [clientCa.der] });
  const c = program("openssl", [...OPENSSL(s.port), "-cipher", "ECDHE-ECDSA-AES128-CCM8", "-CAfile", root.pem,
    "-verify_hostname", "localhost", "-verify_return_error", "-cert", clientLeaf.pem, "-key", clientLeaf.key]);
  await bothWays(s, c, "openssl-cert");
  const h = s.events.handshakes[0];
  assert.equal(h.suite, TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8);
  assert.equal(h.serverCertType, "x509");
  assert.equal(h.clientCertType, "x509");
  assert.deepEqual(h.clientCertificates, [clientLeaf.der]);
  assert.match(c.r.out, /Verify return code: 0 \(ok\)/);
  assert.match(c.r.out, /depth=2 CN = root/);
});

test("a client certificate from another CA is refused with unknown_ca", async () => {
  const s = await serve({ chains: [chain1], clientAuth: "require", clientCa: [clientCa.der] });
  const c = program("openssl", [...OPENSSL(s.port), "-cipher", "ECDHE-ECDSA-AES128-CCM8", "-CAfile", root.pem,
    "-cert", strangerLeaf.pem, "-key", strangerLeaf.key]);
  await until(() => s.events.alerts.some((a) => a.sent), "the server's alert");
  assert.deepEqual(s.events.alerts.filter((a) => a.sent).map((a) => a.description), [48]);
  assert.equal(s.events.handshakes.length, 0);
  c.end();
  await until(() => c.r.exited, "client exit");
  assert.match(c.r.out, /alert unknown ca/i);
});

test("openssl s_client without a certificate when one is requested: the empty Certificate is accepted; flight 4 at MTU 200", async () => {
  const sent: Buffer[] = [];
  const s = await serve({ chains: [chain1], clientAuth: "request", clientCa: [clientCa.der], mtu: 200,
    hooks: { flight: (d) => { sent.push(...d); return d; } } });
  const c = program("openssl", [...OPENSSL(s.port), "-cipher", "ECDHE-ECDSA-AES128-CCM8", "-CAfile", root.pem, "-verify_return_error"]);
  await bothWays(s, c, "openssl-nocert");
  assert.deepEqual(s.events.handshakes[0].clientCertificates, []);
  assert.ok(sent.every((d) => d.length <= 200), `${sent.map((d) => d.length)}`);
  assert.match(c.r.out, /Acceptable client certificate CA names\n\/?CN ?= ?client-ca/);
});

test("gnutls-cli --udp, PSK: handshake and data both ways", async () => {
  const s = await serve({ psk: PSK });
  const c = program("gnutls-cli", ["--udp", "-p", String(s.port), "--pskusername", PSK_IDENTITY, "--pskkey", PSK_HEX,
    "--priority", GNUTLS_PRIORITY, "127.0.0.1"]);
  await bothWays(s, c, "gnutls-psk");
  assert.equal(s.events.handshakes[0].suite, TLS_PSK_WITH_AES_128_CCM_8);
  assert.match(c.r.out, /\(DTLS1\.2-X\.509\)-\(PSK\)-\(AES-128-CCM-8\)/);
});

test("gnutls-cli --udp, ECDHE-ECDSA with a certificate chain: trusted, the name checked, data both ways", async () => {
  const s = await serve({ chains: [chain1] });
  const c = program("gnutls-cli", ["--udp", "-p", String(s.port), "--x509cafile", root.pem, "--priority", GNUTLS_PRIORITY,
    "--verify-hostname", "localhost", "127.0.0.1"]);
  await bothWays(s, c, "gnutls-cert");
  assert.equal(s.events.handshakes[0].suite, TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8);
  assert.match(c.r.out, /The certificate is trusted/);
  assert.match(c.r.out, /extended master secret, safe renegotiation/);
});

test("gnutls-cli --udp with raw public keys both ways (RFC 7250): the client's key reaches the server", async () => {
  const s = await serve({ rawKey: readFileSync(serverKeys.key, "latin1"), clientAuth: "require", clientKeys: "any" });
  const c = program("gnutls-cli", ["--udp", "-p", String(s.port), "--insecure", "--rawpkkeyfile", clientKeys.key, "--rawpkfile", clientKeys.pub,
    "--priority", `${GNUTLS_PRIORITY}:-CTYPE-ALL:+CTYPE-CLI-RAWPK:+CTYPE-SRV-RAWPK`, "127.0.0.1"]);
  await bothWays(s, c, "gnutls-rpk");
  const h = s.events.handshakes[0];
  assert.equal(h.serverCertType, "rpk");
  assert.equal(h.clientCertType, "rpk");
  assert.deepEqual(h.clientCertificates, [spkiDer(clientKeys.pub)]);
  assert.match(c.r.out, /\(DTLS1\.2-Raw Public Key\)-\(ECDHE-SECP256R1\)-\(ECDSA-SHA256\)-\(AES-128-CCM-8\)/);
});

const ourPsk = { identity: Buffer.from(PSK_IDENTITY), key: Buffer.from(PSK_HEX, "hex") };

test("our client, PSK: cookie exchange, SNI, MFL 512 (the server's long write split in records of at most 512 bytes)", async () => {
  const sent: Buffer[] = [];
  const s = await serve({ psk: PSK, hooks: { flight: (d) => { sent.push(...d); return d; } } });
  const client = new UdpDtlsClient("127.0.0.1", s.port, { psk: ourPsk, sni: "sensor.example.com", mfl: 512, rtoMs: 1000 });
  try {
    await client.connect();
    const h = s.events.handshakes[0];
    assert.equal(h.cookieExchanged, true);
    assert.equal(h.sni, "sensor.example.com");
    assert.equal(h.mfl, 512);
    assert.equal(h.ems, true);
    const before = sent.length;
    s.server.write(h.peer, Buffer.alloc(1300, 0x61));
    let got = 0;
    while (got < 1300) { const part = await client.readOne(3000); assert.ok(part); got += part.length; }
    const records = sent.slice(before).flatMap((d) => parseRecords(d));
    assert.equal(records.length, 3);
    assert.ok(records.every((r) => r.payload.length - 16 <= 512), "plaintext within max_fragment_length");
    client.write(Buffer.from("ping"));
    assert.equal((await client.readOne(3000))?.toString(), "ping");
  } finally {
    client.close();
  }
});

test("our client, raw public keys both ways (RFC 7250), client key pinned; a small MTU fragments flight 4", async () => {
  const sent: Buffer[] = [];
  const s = await serve({ rawKey: readFileSync(serverKeys.key, "latin1"), clientAuth: "require", clientKeys: [spkiDer(clientKeys.pub)], mtu: 120,
    hooks: { flight: (d) => { sent.push(...d); return d; } } });
  const client = new UdpDtlsClient("127.0.0.1", s.port, { rpk: { privateKey: readPrivateKey(clientKeys.key), serverPin: readPublicPoint(serverKeys.pub) }, rtoMs: 1000 });
  try {
    await client.connect();
    const h = s.events.handshakes[0];
    assert.equal(h.suite, TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8);
    assert.equal(h.serverCertType, "rpk");
    assert.equal(h.clientCertType, "rpk");
    assert.deepEqual(h.clientCertificates, [spkiDer(clientKeys.pub)]);
    assert.ok(sent.every((d) => d.length <= 120), `a datagram over the MTU: ${sent.map((d) => d.length)}`);
    const certFragments = sent.flatMap((d) => parseRecords(d)).filter((r) => r.type === 22 && r.epoch === 0)
      .flatMap((r) => handshakeFragments(r.payload)).filter((f) => f.type === 12);
    assert.ok(certFragments.length >= 2, "the ServerKeyExchange went in fragments");
    client.write(Buffer.from("rpk mutual"));
    assert.equal((await client.readOne(3000))?.toString(), "rpk mutual");
  } finally {
    client.close();
  }
  // Another client key is refused.
  const other = generateKeyPair("refother");
  const c2 = new UdpDtlsClient("127.0.0.1", s.port, { rpk: { privateKey: readPrivateKey(other.key), serverPin: readPublicPoint(serverKeys.pub) }, rtoMs: 300, budgetMs: 3000 });
  try {
    await assert.rejects(c2.connect());
    assert.ok(s.events.alerts.some((a) => a.sent && a.description === 46), "certificate_unknown");
  } finally {
    c2.close();
  }
});

test("our client with X.509 (when this build of the client has it): the server's chain verified, then mutual authentication", async (t) => {
  const s = await serve({ chains: [chain1], clientAuth: "request", clientCa: [clientCa.der] });
  const x509 = (mutual: boolean) => ({ anchors: [root.der], peerName: "localhost",
    ...(mutual ? { chain: [clientLeaf.der], privateKey: readPrivateKey(clientLeaf.key) } : {}) });
  const options = (mutual: boolean): EngineOptions => { const o: Record<string, unknown> = { x509: x509(mutual), rtoMs: 1000 }; return o as EngineOptions; };
  let client: UdpDtlsClient;
  try {
    client = new UdpDtlsClient("127.0.0.1", s.port, options(false));
  } catch (e) {
    // Before the certificate handshake lands (branch cerths) the engine has no x509 option
    // (no credentials), or a module built without it says so.
    if (e instanceof ConfigError && /^no credentials: a PSK or raw public keys are needed$|built without X\.509/.test(e.message)) {
      t.skip(`the client has no X.509 here: ${e.message}`);
      return;
    }
    throw e;
  }
  try {
    await client.connect();
    client.write(Buffer.from("x509"));
    assert.equal((await client.readOne(3000))?.toString(), "x509");
  } finally {
    client.close();
  }
  assert.deepEqual(s.events.handshakes[0].clientCertificates, [], "requested, none sent");
  const mutual = new UdpDtlsClient("127.0.0.1", s.port, options(true));
  try {
    await mutual.connect();
  } finally {
    mutual.close();
  }
  assert.deepEqual(s.events.handshakes[1].clientCertificates, [clientLeaf.der]);
  assert.equal(s.events.handshakes[1].serverCertType, "x509");
});

test("hooks: the first flight 4 is dropped, the server's timer sends it again and the handshake completes", async () => {
  let drops = 0;
  const s = await serve({ psk: PSK, rtoMs: 100, hooks: { flight: (d, _p, info) => (info.what === "flight 4" && drops++ === 0 ? [] : d) } });
  const client = new UdpDtlsClient("127.0.0.1", s.port, { psk: ourPsk, rtoMs: 5000 });
  try {
    await client.connect();
    assert.equal(drops, 2);
    assert.equal(s.server.stats.retransmissions, 1);
    assert.equal(s.events.handshakes.length, 1);
  } finally {
    client.close();
  }
});

test("hooks: the client's first flight 5 is lost on the way in; the server's timer and the client's retransmission recover", async () => {
  let seen = 0, dropped = 0;
  const s = await serve({ psk: PSK, rtoMs: 200, hooks: { incoming: (d) => {
    const isFlight5 = d[0] === 22 && d.readUInt16BE(3) === 0 && d[13] === 16;
    if (isFlight5 && seen++ === 0) { dropped++; return null; }
    return d;
  } } });
  // The client's timer is the longer: the server's repeated flight 4 is what makes it send flight 5 again.
  const client = new UdpDtlsClient("127.0.0.1", s.port, { psk: ourPsk, rtoMs: 2000 });
  try {
    await client.connect();
    assert.equal(dropped, 1);
    assert.ok(seen >= 2, "flight 5 came again");
    assert.ok(s.server.stats.retransmissions >= 1, "flight 4 sent again on the server's timer");
    assert.equal(s.events.handshakes.length, 1);
  } finally {
    client.close();
  }
});

test("hooks: a ServerKeyExchange with a damaged signature is refused by our client with an alert", async () => {
  const s = await serve({ rawKey: readFileSync(serverKeys.key, "latin1"),
    hooks: { message: (type, body) => (type === 12 ? Buffer.concat([body.subarray(0, -1), Buffer.from([body[body.length - 1] ^ 1])]) : undefined) } });
  const client = new UdpDtlsClient("127.0.0.1", s.port, { rpk: { serverPin: readPublicPoint(serverKeys.pub) }, rtoMs: 300, budgetMs: 3000 });
  try {
    await assert.rejects(client.connect());
    await until(() => s.events.alerts.length > 0, "the client's alert");
    assert.deepEqual(s.events.alerts.map((a) => [a.sent, a.level, a.description]), [[false, 2, 51]], "decrypt_error (RFC 5246 s. 7.2.2)");
    assert.equal(s.events.handshakes.length, 0);
  } finally {
    client.close();
  }
});

test("the command line: options parsed into RefServerOptions", () => {
  const a = parseArgs(["--port", "5684", "--psk", PSK_HEX, "--psk-identity", "dev", "--cert", chainPem, "--key", leaf.key,
    "--root", root.pem, "--client-auth", "request", "--client-ca", clientCa.pem, "--mtu", "300", "--cached-info", "--no-hvr"]);
  assert.equal(a.port, 5684);
  assert.deepEqual(Object.keys(a.opts.psk as object), ["dev"]);
  assert.equal(a.opts.chains?.length, 1);
  assert.deepEqual(a.opts.chains?.[0].chain, [leaf.der, inter.der]);
  assert.deepEqual(a.opts.chains?.[0].root, root.der);
  assert.equal(a.opts.clientAuth, "request");
  assert.equal(a.opts.mtu, 300);
  assert.equal(a.opts.hvr, false);
  assert.equal(a.opts.cachedInfo, true);
  assert.throws(() => parseArgs(["--cert", chainPem]), /needs its --key|no credentials/);
});

// ---------------------------------------------------------------- a scripted client, in memory

const PEER = "192.0.2.7:40000";
const v8 = (b: Uint8Array) => Buffer.concat([Buffer.from([b.length]), b]);
const v16 = (b: Uint8Array) => Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
const v24 = (b: Uint8Array) => Buffer.concat([Buffer.from([b.length >> 16, (b.length >> 8) & 0xff, b.length & 0xff]), b]);
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest();
const sha1 = (b: Uint8Array) => createHash("sha1").update(b).digest();
const es = (epoch: number, seq: number) => { const b = Buffer.alloc(8); b.writeUInt16BE(epoch); b.writeUIntBE(seq, 2, 6); return b; };

/** Deterministic randomness: SHA-256 of seed and a counter. */
function seeded(seed: string) {
  let n = 0;
  return (len: number) => {
    const out: Buffer[] = [];
    for (let got = 0; got < len; got += 32) out.push(createHash("sha256").update(`${seed}/${n++}`).digest());
    return Buffer.concat(out).subarray(0, len);
  };
}

/** A client written from RFC 5246 / 6347 for the tests: one full handshake against a RefServer
 *  driven in memory (virtual clock, seeded randomness). */
class Scripted {
  out: Buffer[] = [];
  all: Buffer[] = [];
  transcript: Buffer[] = [];
  msgSeq = 0;
  recSeq = 0;
  server: RefServer;
  flight4 = new Map<number, Buffer>();
  serverHello!: ReturnType<typeof parseServerHello>;
  cw!: CcmKey;
  sw!: CcmKey;
  clock = 0;
  /** Records held back instead of delivered (finish's order option). */
  hold: Buffer[] | null = null;
  constructor(opts: RefServerOptions, seed = "refserver-test") {
    this.server = new RefServer(opts, { send: (d) => { this.out.push(Buffer.from(d)); this.all.push(Buffer.from(d)); }, now: () => this.clock, random: seeded(seed) });
  }
  deliver(rec: Buffer): void { if (this.hold) this.hold.push(rec); else this.server.receive(rec, PEER); }
  /** The handshake messages of the datagrams sent since the last call, reassembled. */
  take(): Array<{ type: number; seq: number; body: Buffer }> {
    const frags = this.out.flatMap((d) => parseRecords(d)).filter((r) => r.type === 22 && r.epoch === 0).flatMap((r) => handshakeFragments(r.payload));
    this.out = [];
    const msgs = new Map<number, { type: number; seq: number; body: Buffer }>();
    for (const f of frags) {
      const m = msgs.get(f.seq) ?? { type: f.type, seq: f.seq, body: Buffer.alloc(f.length) };
      f.body.copy(m.body, f.offset);
      msgs.set(f.seq, m);
    }
    return [...msgs.values()].sort((a, b) => a.seq - b.seq);
  }
  sendHs(type: number, body: Buffer, keep = true): void {
    const msg = handshake(type, this.msgSeq++, body);
    if (keep) this.transcript.push(msg);
    this.deliver(record(22, 0, this.recSeq++, msg));
  }
  /** ClientHello, HelloVerifyRequest, ClientHello with the cookie, flight 4. */
  ems = true;
  random = Buffer.alloc(32, 7);
  /** The client reboots: new random, new handshake state, same address. */
  restart(): void {
    this.random = Buffer.alloc(32, this.random[0] + 1);
    this.transcript = []; this.msgSeq = 0; this.recSeq = 0; this.flight4 = new Map(); this.out = [];
  }
  hello(suite: number, extra: Buffer[] = [], o: { ems?: boolean } = {}): void {
    this.ems = o.ems ?? true;
    const exts = Buffer.concat([ext(10, v16(Buffer.from([0, 23]))), ext(11, v8(Buffer.from([0]))), ext(13, v16(Buffer.from([4, 3]))),
      ...(this.ems ? [ext(23, Buffer.alloc(0))] : []), ext(0xff01, Buffer.from([0])), ...extra]);
    const ch = (cookie: Buffer) => Buffer.concat([Buffer.from([0xfe, 0xfd]), this.random, v8(Buffer.alloc(0)), v8(cookie),
      v16(Buffer.from([suite >> 8, suite & 0xff])), v8(Buffer.from([0])), v16(exts)]);
    this.sendHs(1, ch(Buffer.alloc(0)), false);
    const [hvr] = this.take();
    if (!hvr) return; // refused: the alert is in this.all
    assert.equal(hvr.type, 3, "HelloVerifyRequest");
    this.sendHs(1, ch(hvr.body.subarray(3, 3 + hvr.body[2])));
    for (const m of this.take()) { this.flight4.set(m.type, m.body); this.transcript.push(handshake(m.type, m.seq, m.body)); }
    if (this.flight4.has(2)) this.serverHello = parseServerHello(this.flight4.get(2)!);
  }
  /** The rest: Certificate or CertificateURL, ClientKeyExchange, CertificateVerify, CCS,
   *  Finished; resolves when the server's Finished verified, or with the alert it sent. */
  async finish(o: { psk?: [string, Buffer]; certs?: Buffer[]; urls?: Array<[string, Buffer]>; key?: string; order?: (r: Buffer[]) => Buffer[]; chainType?: number } = {}): Promise<number | null> {
    if (o.order) this.hold = [];
    if (this.flight4.has(13)) {
      if (o.urls) this.sendHs(21, Buffer.concat([Buffer.from([o.chainType ?? 0]), v16(Buffer.concat(o.urls.map(([u, h]) => Buffer.concat([v16(Buffer.from(u)), Buffer.from([1]), h]))))]));
      else this.sendHs(11, v24(Buffer.concat((o.certs ?? []).map(v24))));
    }
    let pms: Buffer;
    if (o.psk) {
      const [id, key] = o.psk;
      this.sendHs(16, v16(Buffer.from(id)));
      pms = Buffer.concat([v16(Buffer.alloc(key.length)), v16(key)]);
    } else {
      const ske = this.flight4.get(12)!;
      const ecdh = createECDH("prime256v1");
      ecdh.generateKeys();
      pms = ecdh.computeSecret(ske.subarray(4, 4 + ske[3]));
      this.sendHs(16, v8(ecdh.getPublicKey()));
    }
    const ms = this.ems ? prf(pms, "extended master secret", sha256(Buffer.concat(this.transcript)), 48)
      : prf(pms, "master secret", Buffer.concat([this.random, this.serverHello.random]), 48);
    if (o.key) this.sendHs(15, Buffer.concat([Buffer.from([4, 3]), v16(sign("sha256", Buffer.concat(this.transcript), createPrivateKey(o.key)))]));
    this.deliver(record(20, 0, this.recSeq++, Buffer.from([1])));
    const cr = this.random, sr = this.serverHello.random;
    const kb = prf(ms, "key expansion", Buffer.concat([sr, cr]), 40);
    this.cw = { key: kb.subarray(0, 16), salt: kb.subarray(32, 36) };
    this.sw = { key: kb.subarray(16, 32), salt: kb.subarray(36, 40) };
    const fin = handshake(20, this.msgSeq++, prf(ms, "client finished", sha256(Buffer.concat(this.transcript)), 12));
    this.transcript.push(fin);
    this.deliver(record(22, 1, 0, ccmSeal(this.cw, es(1, 0), 22, fin)));
    if (this.hold && o.order) { const held = this.hold; this.hold = null; for (const r of o.order(held)) this.server.receive(r, PEER); }
    await until(() => this.out.length > 0, "the server's answer to flight 5", 5000);
    const records = this.out.flatMap((d) => parseRecords(d));
    this.out = [];
    const alert = records.find((r) => r.type === 21);
    if (alert) return (alert.epoch === 0 ? alert.payload : ccmOpen(this.sw, es(alert.epoch, alert.seq), 21, alert.payload)!)[1];
    const f = records.find((r) => r.type === 22 && r.epoch === 1)!;
    const plain = ccmOpen(this.sw, es(1, f.seq), 22, f.payload)!;
    assert.ok(plain, "the server's Finished authenticates");
    assert.deepEqual(plain.subarray(12), prf(ms, "server finished", sha256(Buffer.concat(this.transcript)), 12), "server verify_data");
    // Application data, echoed.
    this.server.receive(record(23, 1, 1, ccmSeal(this.cw, es(1, 1), 23, Buffer.from("scripted"))), PEER);
    const echo = this.out.flatMap((d) => parseRecords(d)).find((r) => r.type === 23)!;
    assert.equal(ccmOpen(this.sw, es(1, echo.seq), 23, echo.payload)?.toString(), "scripted");
    this.out = [];
    return null;
  }
  info(): HandshakeInfo { return this.server.peerInfo(PEER)!; }
  /** The certificates of the Certificate message of flight 4. */
  certificates(): Buffer[] {
    const b = this.flight4.get(11)!;
    const out: Buffer[] = [];
    for (let p = 3; p < b.length; p += 3 + b.readUIntBE(p, 3)) out.push(b.subarray(p + 3, p + 3 + b.readUIntBE(p, 3)));
    return out;
  }
}

const extData = (sh: ReturnType<typeof parseServerHello>, type: number) => sh.extensions.find((e) => e.type === type)?.data ?? null;

test("PSK in virtual time with seeded randomness: the same seed gives the same server bytes twice, another seed others", async () => {
  const run = async (seed: string) => {
    const s = new Scripted({ psk: PSK }, seed);
    s.hello(TLS_PSK_WITH_AES_128_CCM_8);
    assert.equal(await s.finish({ psk: [PSK_IDENTITY, Buffer.from(PSK_HEX, "hex")] }), null);
    return Buffer.concat(s.all);
  };
  const a = await run("one"), b = await run("one"), c = await run("two");
  assert.ok(a.equals(b));
  assert.ok(!a.equals(c));
});

test("cached_info (RFC 7924): a cert CachedObject with SHA-256 of our certificate_list gets the hash instead of the chain", async () => {
  const opts: RefServerOptions = { chains: [chain1], cachedInfo: true };
  const full = new Scripted(opts);
  full.hello(TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8);
  assert.equal(await full.finish(), null);
  assert.deepEqual(full.certificates(), [leaf.der, inter.der]);
  const certBody = full.flight4.get(11)!;
  const hash = sha256(certBody);
  const cachedExt = (h: Buffer) => ext(25, v16(Buffer.concat([Buffer.from([1]), v8(h)])));

  const cached = new Scripted(opts);
  cached.hello(TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, [cachedExt(hash)]);
  assert.deepEqual(extData(cached.serverHello, 25), v16(Buffer.from([1])), "cached_info answered with the cert type");
  assert.deepEqual(cached.flight4.get(11), v8(hash), "the Certificate message carries the hash only");
  assert.equal(await cached.finish(), null, "the handshake completes with the short Certificate in the transcript");
  assert.equal(cached.info().cachedInfoUsed, true);
  const bytes = (s: Scripted) => s.all.slice(1).reduce((n, d) => n + d.length, 0);
  // The chain's bytes leave the wire; the 33-byte hash message and the 9-byte extension come in
  // (ECDSA signatures vary by a few bytes between runs).
  const saved = bytes(full) - bytes(cached);
  assert.ok(saved > certBody.length - 33 - 9 - 8 && saved < certBody.length, `${bytes(cached)} vs ${bytes(full)} bytes, chain ${certBody.length}`);

  // Another hash (a chain the client cached earlier): the whole chain, no extension.
  const stale = new Scripted(opts);
  stale.hello(TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, [cachedExt(sha256(Buffer.from("old chain")))]);
  assert.equal(extData(stale.serverHello, 25), null);
  assert.deepEqual(stale.certificates(), [leaf.der, inter.der]);
  // The hash over the certificates without the list's length: only when configured.
  const noLength = sha256(certBody.subarray(3));
  const strict = new Scripted(opts);
  strict.hello(TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, [cachedExt(noLength)]);
  assert.equal(extData(strict.serverHello, 25), null);
  const either = new Scripted({ ...opts, cachedInfoHash: "either" });
  either.hello(TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, [cachedExt(noLength)]);
  assert.deepEqual(either.flight4.get(11), v8(noLength));
  assert.equal(either.info().cachedInfoForm, "certificates");
  assert.equal(cached.info().cachedInfoForm, "certificate_list");
  // The server without the switch ignores the extension.
  const off = new Scripted({ chains: [chain1] });
  off.hello(TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, [cachedExt(hash)]);
  assert.equal(extData(off.serverHello, 25), null);
  assert.deepEqual(off.certificates(), [leaf.der, inter.der]);
});

test("trusted_ca_keys (RFC 6066 s. 6): the chain whose root the client names, by x509_name, key_sha1_hash, cert_sha1_hash, pre_agreed", async () => {
  const opts: RefServerOptions = { chains: [chain1, chain2], trustedCaKeys: true };
  const jwk = createPublicKey(readFileSync(root2.pem)).export({ format: "jwk" });
  const root2Point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url")]);
  assert.deepEqual(spkiKeyBits(certSpki(root2.der)), root2Point);
  const subject = certSubject(root2.der);
  assert.ok(subject.includes(Buffer.from("root2")));
  const cases: Array<[string, Buffer, Buffer[], boolean]> = [
    ["x509_name", Buffer.concat([Buffer.from([2]), v16(subject)]), [leaf2.der], true],
    ["key_sha1_hash", Buffer.concat([Buffer.from([1]), sha1(root2Point)]), [leaf2.der], true],
    ["cert_sha1_hash", Buffer.concat([Buffer.from([3]), sha1(root2.der)]), [leaf2.der], true],
    ["pre_agreed", Buffer.from([0]), [leaf.der, inter.der], true],
    ["no match", Buffer.concat([Buffer.from([3]), sha1(Buffer.from("x"))]), [leaf.der, inter.der], false],
    ["unknown first, then root2", Buffer.concat([Buffer.from([3]), sha1(Buffer.from("x")), Buffer.from([3]), sha1(root2.der)]), [leaf2.der], true],
  ];
  for (const [name, authorities, chain, matched] of cases) {
    const s = new Scripted(opts);
    s.hello(TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, [ext(3, v16(authorities))]);
    assert.deepEqual(s.certificates(), chain, name);
    assert.deepEqual(extData(s.serverHello, 3), matched ? Buffer.alloc(0) : null, name);
    assert.equal(await s.finish(), null, `${name}: signed with the chosen chain's key`);
  }
});

test("client_certificate_url (RFC 6066 s. 5): the URL fetched over http, its SHA-1 checked, the chain validated", async () => {
  // A PkiPath (RFC 6066 s. 5): SEQUENCE OF Certificate, the end-entity last.
  const pathBody = Buffer.concat([clientInt.der, clientLeaf2.der]);
  const pkiPath = Buffer.concat([Buffer.from([0x30, 0x82, pathBody.length >> 8, pathBody.length & 0xff]), pathBody]);
  const files: Record<string, Buffer> = { "/client.der": clientLeaf.der, "/stranger.der": strangerLeaf.der,
    "/leaf2.der": clientLeaf2.der, "/int.der": clientInt.der, "/path.der": pkiPath };
  const http: Server = createServer((req, res) => {
    const body = files[req.url ?? ""];
    if (!body) { res.statusCode = 404; res.end(); return; }
    res.end(body);
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", () => r()));
  running.push({ close: () => new Promise<void>((r) => http.close(() => r())) });
  const base = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  const opts: RefServerOptions = { chains: [chain1], clientAuth: "require", clientCa: [clientCa.der], certUrl: true };

  const s = new Scripted(opts);
  s.hello(TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, [ext(2, Buffer.alloc(0))]);
  assert.deepEqual(extData(s.serverHello, 2), Buffer.alloc(0), "client_certificate_url acknowledged");
  assert.ok(s.flight4.has(13), "CertificateRequest");
  assert.equal(await s.finish({ urls: [[`${base}/client.der`, sha1(clientLeaf.der)]], key: readFileSync(clientLeaf.key, "latin1") }), null);
  assert.equal(s.info().certUrlUsed, true);
  assert.deepEqual(s.info().clientCertificates, [clientLeaf.der]);

  // Two URLs (individual_certs, end-entity first), and one PkiPath.
  const two = new Scripted(opts);
  two.hello(TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, [ext(2, Buffer.alloc(0))]);
  assert.equal(await two.finish({ urls: [[`${base}/leaf2.der`, sha1(clientLeaf2.der)], [`${base}/int.der`, sha1(clientInt.der)]],
    key: readFileSync(clientLeaf2.key, "latin1") }), null);
  assert.deepEqual(two.info().clientCertificates, [clientLeaf2.der, clientInt.der]);
  const path = new Scripted(opts);
  path.hello(TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, [ext(2, Buffer.alloc(0))]);
  assert.equal(await path.finish({ urls: [[`${base}/path.der`, sha1(pkiPath)]], chainType: 1, key: readFileSync(clientLeaf2.key, "latin1") }), null);
  assert.deepEqual(path.info().clientCertificates, [clientLeaf2.der, clientInt.der]);

  const refusals: Array<[string, Array<[string, Buffer]>, string, number]> = [
    ["wrong hash", [[`${base}/client.der`, sha1(Buffer.from("other"))]], clientLeaf.key, 114],   // bad_certificate_hash_value
    ["not found", [[`${base}/missing.der`, sha1(clientLeaf.der)]], clientLeaf.key, 111],        // certificate_unobtainable
    ["unknown CA", [[`${base}/stranger.der`, sha1(strangerLeaf.der)]], strangerLeaf.key, 48],  // unknown_ca
  ];
  for (const [name, urls, key, alert] of refusals) {
    const r = new Scripted(opts);
    r.hello(TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, [ext(2, Buffer.alloc(0))]);
    assert.equal(await r.finish({ urls, key: readFileSync(key, "latin1") }), alert, name);
  }
  // Without the switch: no acknowledgement, a Certificate is expected.
  const off = new Scripted({ ...opts, certUrl: false });
  off.hello(TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, [ext(2, Buffer.alloc(0))]);
  assert.equal(extData(off.serverHello, 2), null);
  assert.equal(await off.finish({ certs: [clientLeaf.der], key: readFileSync(clientLeaf.key, "latin1") }), null);
});

test("flight 5 in reverse order (Finished before the CCS, the CCS before the ClientKeyExchange): buffered and completed", async () => {
  const s = new Scripted({ chains: [chain1], clientAuth: "require", clientCa: [clientCa.der] });
  s.hello(TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8);
  let held: Buffer[] = [];
  assert.equal(await s.finish({ certs: [clientLeaf.der], key: readFileSync(clientLeaf.key, "latin1"), order: (r) => { held = r; return [...r].reverse(); } }), null);
  assert.deepEqual(held.map((r) => r[0]), [22, 22, 22, 20, 22], "Certificate, ClientKeyExchange, CertificateVerify, CCS, Finished");
  assert.equal(s.server.isConnected(PEER), true);
});

test("a repeated flight 5 gets flight 6 again, in new records (RFC 6347 s. 4.2.4)", async () => {
  const s = new Scripted({ psk: PSK });
  s.hello(TLS_PSK_WITH_AES_128_CCM_8);
  assert.equal(await s.finish({ psk: [PSK_IDENTITY, Buffer.from(PSK_HEX, "hex")] }), null);
  const cke = s.transcript.find((m) => m[0] === 16)!;
  s.server.receive(record(22, 0, s.recSeq++, cke), PEER);
  const again = s.out.flatMap((d) => parseRecords(d));
  assert.deepEqual(again.map((r) => [r.type, r.epoch]), [[20, 0], [22, 1]]);
  assert.equal(again[1].seq, 2, "after the Finished (0) and the echo (1)");
  const fin = ccmOpen(s.sw, es(1, 2), 22, again[1].payload);
  assert.equal(fin?.[0], 20, "the same Finished message");
  assert.equal(s.server.stats.retransmissions, 1);
});

test("virtual time: flight 4 unanswered is sent at 1, 3, 7, 15, 31, 63 s (timer doubled), then the peer is dropped", () => {
  const s = new Scripted({ psk: PSK, rtoMs: 1000, maxRetransmissions: 6 });
  s.hello(TLS_PSK_WITH_AES_128_CCM_8);
  const fires: number[] = [];
  for (let at = s.server.nextTimerMs(); at !== null; at = s.server.nextTimerMs()) {
    s.clock = at;
    fires.push(at);
    s.server.onTimer();
    assert.ok(fires.length < 20);
  }
  assert.deepEqual(fires, [1000, 3000, 7000, 15000, 31000, 63000, 123000]);
  const serverHellos = s.out.flatMap((d) => parseRecords(d)).filter((r) => r.type === 22 && r.payload[0] === 2);
  assert.equal(serverHellos.length, 6, "six retransmissions");
  assert.equal(new Set(serverHellos.map((r) => r.seq)).size, 6, "each in a new record");
  assert.deepEqual(s.server.peers(), []);
});

test("max_fragment_length 512 (RFC 6066 s. 4): the certificate chain goes in handshake fragments of at most 512 bytes", async () => {
  const s = new Scripted({ chains: [chain1] });
  s.hello(TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, [ext(1, Buffer.from([1]))]);
  assert.deepEqual(extData(s.serverHello, 1), Buffer.from([1]));
  const records = s.all.flatMap((d) => parseRecords(d)).filter((r) => r.type === 22);
  assert.ok(records.every((r) => r.payload.length <= 512));
  const certParts = records.flatMap((r) => handshakeFragments(r.payload)).filter((f) => f.type === 11);
  assert.ok(certParts.length >= 2, `${certParts.length} fragment(s) of the Certificate`);
  assert.deepEqual(s.certificates(), [leaf.der, inter.der]);
  assert.equal(await s.finish(), null);
});

test("mutated datagrams (10000, seeded) never throw out of receive(); the server still completes a handshake after them", async () => {
  const s = new Scripted({ chains: [chain1], psk: PSK, clientAuth: "request", clientCa: [clientCa.der], cachedInfo: true, trustedCaKeys: true, certUrl: true });
  s.hello(TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, [ext(25, v16(Buffer.from([1, 1, 0]))), ext(3, v16(Buffer.from([0]))), ext(2, Buffer.alloc(0))]);
  const seeds = [...s.all, ...s.transcript.map((m) => record(22, 0, 1, m))];
  const rnd = seeded("fuzz");
  const fuzzer = new RefServer({ chains: [chain1], psk: PSK, clientAuth: "request", clientCa: [clientCa.der], cachedInfo: true, trustedCaKeys: true, certUrl: true, hvr: false },
    { send: () => {}, now: () => 0, random: seeded("server") });
  for (let i = 0; i < 10000; i++) {
    const r = rnd(8);
    const d = Buffer.from(seeds[r[0] % seeds.length]);
    for (let k = 0; k <= (r[1] & 3); k++) d[rnd(2).readUInt16BE() % d.length] = rnd(1)[0];
    const cut = r[2] & 1 ? d.subarray(0, d.length - (r[3] % d.length)) : d;
    assert.doesNotThrow(() => fuzzer.receive(cut, `10.0.0.${r[4]}:${r[5]}`), `case ${i}`);
  }
  assert.equal(await s.finish({ certs: [] }), null);
});

test("without extended_master_secret: the RFC 5246 master secret, unless requireEms refuses the client (handshake_failure)", async () => {
  const s = new Scripted({ psk: PSK });
  s.hello(TLS_PSK_WITH_AES_128_CCM_8, [], { ems: false });
  assert.equal(extData(s.serverHello, 23), null);
  assert.equal(await s.finish({ psk: [PSK_IDENTITY, Buffer.from(PSK_HEX, "hex")] }), null);
  assert.equal(s.server.peerInfo(PEER)?.ems, false);
  const strict = new Scripted({ psk: PSK, requireEms: true });
  strict.hello(TLS_PSK_WITH_AES_128_CCM_8, [], { ems: false });
  const records = strict.all.flatMap((d) => parseRecords(d));
  assert.deepEqual(records.map((r) => [r.type, ...r.payload]).at(-1), [21, 2, 40]);
  assert.deepEqual(strict.server.peers(), []);
});

test("a client that lost its state handshakes again from the same address: cookie exchange, then a new association (RFC 6347 s. 4.2.8)", async () => {
  const s = new Scripted({ psk: PSK });
  s.hello(TLS_PSK_WITH_AES_128_CCM_8);
  assert.equal(await s.finish({ psk: [PSK_IDENTITY, Buffer.from(PSK_HEX, "hex")] }), null);
  const first = s.server.peerInfo(PEER);
  s.restart();
  s.hello(TLS_PSK_WITH_AES_128_CCM_8);
  assert.equal(s.server.isConnected(PEER), false, "the old association is gone once the cookie came back");
  assert.equal(await s.finish({ psk: [PSK_IDENTITY, Buffer.from(PSK_HEX, "hex")] }), null);
  assert.notEqual(s.server.peerInfo(PEER), first);
  assert.deepEqual(s.server.peers(), [PEER]);
  assert.equal(s.server.stats.hvr, 2);
  assert.equal(s.server.stats.handshakes, 2);
});
