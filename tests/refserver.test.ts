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
