// RFC 7925 s. 4.4's extensions on the client side (issue 11), end to end: dtls-client
// (build/dtls.wasm) against the reference server (host/refserver) over UDP on 127.0.0.1:
// cached_info (RFC 7924) across runs through --session-out/--session-in, with the handshake
// bytes with and without it; client_certificate_url (RFC 6066 s. 5) fetched by the server
// from a local HTTP server; trusted_ca_keys (RFC 6066 s. 6) choosing between two chains.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, Server } from "node:http";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RefServerUdp } from "../host/refserver/udp";
import { RefServerOptions, HandshakeInfo, AlertEvent } from "../host/refserver/server";
import { UdpDtlsClient } from "../host/udp-client";
import { readPrivateKey } from "../host/keys";
import * as codes from "../host/codes";
import { MiniPki } from "./support/mini-pki";
import { runCli, runProgram, buildPrograms, CliResult } from "./support/cli";
import { WASM3_PYTHON, WASM3_HARNESS, POSIX } from "./support/paths";

const pki = new MiniPki();
// A chain of 3 certificates as sent (leaf and two intermediates), under root.
const root = pki.make("root", null, { ca: true });
const int1 = pki.make("int1", root, { ca: true });
const int2 = pki.make("int2", int1, { ca: true });
const leaf = pki.make("server", int2, { dns: "localhost" });
const leafB = pki.make("server-b", int2, { dns: "localhost" });   // the server's next certificate
const root2 = pki.make("root2", null, { ca: true });
const leaf2 = pki.make("server2", root2, { dns: "localhost" });
const clientCa = pki.make("client-ca", null, { ca: true });
const clientLeaf = pki.make("0011223344556677", clientCa, { client: true });
const otherLeaf = pki.make("0011223344556688", clientCa, { client: true });
const rootPem = root.pem, root2Pem = root2.pem;
const chain3 = { chain: [leaf.der, int2.der, int1.der], key: readFileSync(leaf.key, "latin1"), root: root.der };
const chain3b = { chain: [leafB.der, int2.der, int1.der], key: readFileSync(leafB.key, "latin1"), root: root.der };
const chain2 = { chain: [leaf2.der], key: readFileSync(leaf2.key, "latin1"), root: root2.der };

const running: Array<{ close(): Promise<void> | void }> = [];
after(async () => { for (const r of running) await r.close(); });

type Served = RefServerUdp & { handshakes: HandshakeInfo[]; alerts: AlertEvent[] };
async function serve(opts: RefServerOptions): Promise<Served> {
  const s = await RefServerUdp.start(opts);
  running.push(s);
  const handshakes: HandshakeInfo[] = [], alerts: AlertEvent[] = [];
  s.server.on("handshake", (i) => handshakes.push(i));
  s.server.on("alert", (a) => alerts.push(a));
  return Object.assign(s, { handshakes, alerts });
}

const X509 = ["--servername", "localhost", "--rto", "1000", "--timeout", "10000", "--json"];
const cli = (s: Served, args: string[]): Promise<CliResult> => runCli([`127.0.0.1:${s.port}`, ...X509, ...args]);
const blob = (name: string) => join(pki.dir, `${name}.session`);

test("cached_info (RFC 7924): the chain validated once is offered as its hash by the next run (--session-in); the server sends 33 bytes instead of 3 certificates", async () => {
  const s = await serve({ chains: [chain3], cachedInfo: true });
  const full = await cli(s, ["--ca", rootPem, "--cached-info", "--session-out", blob("a")]);
  assert.equal(full.code, 0, full.stderr);
  assert.equal(full.json.verify_result, "ok");
  assert.equal(full.json.cached_info_used, false, "nothing cached yet");
  assert.equal(full.json.server_chain.length, 3);
  assert.ok(existsSync(blob("a")), "the cache goes out in the session blob (the server keeps no sessions)");
  assert.equal(s.handshakes[0].cachedInfoUsed, false);

  const cached = await cli(s, ["--ca", rootPem, "--cached-info", "--session-in", blob("a"), "--session-out", blob("b")]);
  assert.equal(cached.code, 0, cached.stderr);
  assert.equal(cached.json.cached_info_used, true);
  assert.equal(cached.json.verify_result, "ok", "the cached chain counts as verified");
  assert.equal(cached.json.server_chain, null, "no chain crossed the wire");
  assert.equal(s.handshakes[1].cachedInfoUsed, true);
  assert.equal(s.handshakes[1].cachedInfoForm, "certificate_list", "the hash covers certificate_list with its length");
  // The figure: bytes on the wire without and with cached_info (docs/API.md).
  const chainBytes = 3 + chain3.chain.reduce((n, c) => n + 3 + c.length, 0);
  const saved = full.json.handshake_bytes_received - cached.json.handshake_bytes_received;
  const grew = cached.json.handshake_bytes_sent - full.json.handshake_bytes_sent;
  process.stdout.write(`# cached_info: received ${full.json.handshake_bytes_received} -> ${cached.json.handshake_bytes_received} B, ` +
    `sent ${full.json.handshake_bytes_sent} -> ${cached.json.handshake_bytes_sent} B (chain ${chainBytes} B)\n`);
  // The Certificate shrinks to 33 bytes, the ServerHello grows by 7 (cached_info, cert): about
  // the chain less 40, more if the whole chain took more fragments (25 bytes of headers each).
  assert.ok(saved >= chainBytes - 40 && saved <= chainBytes - 40 + 4 * 25, `received ${saved} bytes less, the chain is ${chainBytes}`);
  assert.equal(grew, 2 * 40, "both ClientHellos (cookie exchange) carry the 40-byte extension");

  // The cache is covered by the blob's check: one changed byte of it and the blob is refused.
  const damaged = readFileSync(blob("a"));
  damaged[damaged.length - 17] ^= 1;
  writeFileSync(blob("a-damaged"), damaged);
  const refused = await cli(s, ["--ca", rootPem, "--cached-info", "--session-in", blob("a-damaged")]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /was refused: damaged/);
  // A cache alone is refused by a configuration without trust anchors (PSK).
  const psk = await runCli([`127.0.0.1:${s.port}`, "--psk-identity", "a", "--psk", "00", "--session-in", blob("a"), "--json"]);
  assert.equal(psk.code, 2);
  assert.match(psk.stderr, /was refused/);
  // The blob written after a cached handshake still carries the cache.
  const again = await cli(s, ["--ca", rootPem, "--cached-info", "--session-in", blob("b")]);
  assert.equal(again.json.cached_info_used, true, again.stderr);
  // Without --cached-info the blob's cache is not offered.
  const off = await cli(s, ["--ca", rootPem, "--session-in", blob("b")]);
  assert.equal(off.code, 0, off.stderr);
  assert.equal(off.json.cached_info_used, null);
  assert.equal(s.handshakes[3].cachedInfoUsed, false);
});

test("cached_info: a server with a new certificate sends its whole chain (validated again, cached instead); a wrong hash is refused with bad_certificate_hash_value", async () => {
  const first = await serve({ chains: [chain3], cachedInfo: true });
  const r = await cli(first, ["--ca", rootPem, "--cached-info", "--session-out", blob("c")]);
  assert.equal(r.code, 0, r.stderr);
  const renewed = await serve({ chains: [chain3b], cachedInfo: true });
  const stale = await cli(renewed, ["--ca", rootPem, "--cached-info", "--session-in", blob("c"), "--session-out", blob("d")]);
  assert.equal(stale.code, 0, stale.stderr);
  assert.equal(stale.json.cached_info_used, false);
  assert.equal(stale.json.server_chain[0], "CN=server-b");
  const hit = await cli(renewed, ["--ca", rootPem, "--cached-info", "--session-in", blob("d")]);
  assert.equal(hit.json.cached_info_used, true, "the new chain replaced the old one in the cache");

  // The server answers cached_info, then its Certificate carries another hash.
  const liar = await serve({ chains: [chain3], cachedInfo: true, hooks: {
    message: (type, body) => (type === 11 && body.length === 33 ? Buffer.concat([body.subarray(0, 1), Buffer.alloc(32, 7)]) : body) } });
  const bad = await cli(liar, ["--ca", rootPem, "--cached-info", "--session-in", blob("c"), "--session-out", blob("e")]);
  assert.equal(bad.code, 1);
  assert.equal(bad.json.reason, "cached_info_mismatch");
  assert.equal(bad.json.alert, "fatal bad_certificate_hash_value sent");
  assert.equal(existsSync(blob("e")), false, "the cache is dropped with it: no blob");
});

test("cached_info: a cached chain past its earliest notAfter, without a trusted time (unless the policy accepts), or for another name is not offered: the whole chain comes and is refused", async () => {
  const s = await serve({ chains: [chain3], cachedInfo: true });
  const r = await cli(s, ["--ca", rootPem, "--cached-info", "--session-out", blob("f")]);
  assert.equal(r.code, 0, r.stderr);
  const later = String(Math.floor(Date.now() / 1000) + 40 * 86400);   // the certificates last 30 days
  const expired = await cli(s, ["--ca", rootPem, "--cached-info", "--session-in", blob("f"), "--time", later]);
  assert.equal(expired.code, 1);
  assert.equal(expired.json.reason, "cert_expired", "not accepted from the cache");
  // No trusted time (RFC 7925 s. 12): the cache is offered only under the policy that accepts a chain then.
  const unknown = await cli(s, ["--ca", rootPem, "--cached-info", "--session-in", blob("f"), "--time", "unknown"]);
  assert.equal(unknown.json.reason, "cert_time_unknown");
  const policy = await cli(s, ["--ca", rootPem, "--cached-info", "--session-in", blob("f"), "--time", "unknown", "--accept-unknown-time"]);
  assert.equal(policy.code, 0, policy.stderr);
  assert.equal(policy.json.cached_info_used, true);
  // Another reference name: the cache is bound to the name it was validated for.
  const renamed = await runCli([`127.0.0.1:${s.port}`, "--servername", "other.example", "--rto", "1000", "--timeout", "10000", "--json",
    "--ca", rootPem, "--cached-info", "--session-in", blob("f")]);
  assert.equal(renamed.code, 1);
  assert.equal(renamed.json.reason, "cert_name_mismatch");
});

/** A ServerHello body with its extensions rewritten by f (extension_data by type). */
function rewriteExtensions(body: Buffer, f: (exts: Array<[number, Buffer]>) => Array<[number, Buffer]>): Buffer {
  const start = 35 + body[34] + 3;
  const exts: Array<[number, Buffer]> = [];
  for (let p = start + 2; p < body.length;) {
    const n = body.readUInt16BE(p + 2);
    exts.push([body.readUInt16BE(p), body.subarray(p + 4, p + 4 + n)]);
    p += 4 + n;
  }
  const out = Buffer.concat(f(exts).map(([t, d]) => Buffer.concat([Buffer.from([t >> 8, t & 255, d.length >> 8, d.length & 255]), d])));
  return Buffer.concat([body.subarray(0, start), Buffer.from([out.length >> 8, out.length & 255]), out]);
}

test("ServerHello: an extension of these we did not offer is unsupported_extension; cached_info with another type illegal_parameter; trusted_ca_keys with data decode_error", async () => {
  const hello = (f: (exts: Array<[number, Buffer]>) => Array<[number, Buffer]>) =>
    ({ message: (type: number, body: Buffer) => (type === 2 ? rewriteExtensions(body, f) : body) });
  const cases: Array<[string, RefServerOptions, string[], string, string]> = [
    ["unoffered trusted_ca_keys", { chains: [chain3], hooks: hello((e) => [...e, [3, Buffer.alloc(0)]]) }, [], "unsupported_extension", "unsupported_extension"],
    ["unoffered cached_info", { chains: [chain3], hooks: hello((e) => [...e, [25, Buffer.from([0, 1, 1])]]) }, [], "unsupported_extension", "unsupported_extension"],
    ["cached_info cert_req", { chains: [chain3], cachedInfo: true, hooks: hello((e) => e.map(([t, d]) => [t, t === 25 ? Buffer.from([0, 1, 2]) : d])) },
      ["--cached-info", "--session-in", blob("g")], "illegal_parameter", "illegal_parameter"],
    ["trusted_ca_keys with data", { chains: [chain3], trustedCaKeys: true, hooks: hello((e) => e.map(([t, d]) => [t, t === 3 ? Buffer.from([0]) : d])) },
      ["--trusted-ca-keys"], "decode", "decode_error"],
  ];
  const s = await serve({ chains: [chain3], cachedInfo: true });
  assert.equal((await cli(s, ["--ca", rootPem, "--cached-info", "--session-out", blob("g")])).code, 0);
  for (const [what, opts, args, reason, alert] of cases) {
    const bad = await cli(await serve(opts), ["--ca", rootPem, ...args]);
    assert.equal(bad.code, 1, what);
    assert.equal(bad.json.reason, reason, what);
    assert.equal(bad.json.alert, `fatal ${alert} sent`, what);
  }
});

async function httpServe(files: Record<string, Buffer>): Promise<{ url: (p: string) => string; hits: string[] }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? "");
    const body = files[req.url ?? ""];
    if (!body) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { "content-type": "application/pkix-cert" });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  running.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  const port = (server.address() as { port: number }).port;
  return { url: (p) => `http://127.0.0.1:${port}${p}`, hits };
}

test("client_certificate_url (RFC 6066 s. 5): the server fetches our certificate from the URL and checks its SHA-1; another certificate there is refused", async () => {
  const http = await httpServe({ "/me.der": clientLeaf.der, "/other.der": otherLeaf.der });
  const s = await serve({ chains: [chain3], clientAuth: "require", clientCa: [clientCa.der], certUrl: true });
  const mine = ["--ca", rootPem, "--cert", clientLeaf.pem, "--key", clientLeaf.key];
  const r = await cli(s, [...mine, "--cert-url", http.url("/me.der")]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.cert_url_used, true);
  assert.equal(r.json.client_auth, true, "CertificateVerify signed as with a Certificate");
  assert.equal(s.handshakes[0].certUrlUsed, true);
  assert.deepEqual(s.handshakes[0].clientCertificates, [clientLeaf.der]);
  assert.deepEqual(http.hits, ["/me.der"]);

  // The URL serves another certificate: its SHA-1 is not ours.
  const bad = await cli(s, [...mine, "--cert-url", http.url("/other.der")]);
  assert.equal(bad.code, 1);
  assert.equal(bad.json.reason, "peer_alert");
  assert.equal(bad.json.alert, "fatal bad_certificate_hash_value received");

  // A server without the extension gets our Certificate.
  const plain = await serve({ chains: [chain3], clientAuth: "require", clientCa: [clientCa.der] });
  const p = await cli(plain, [...mine, "--cert-url", http.url("/me.der")]);
  assert.equal(p.code, 0, p.stderr);
  assert.equal(p.json.cert_url_used, false);
  assert.deepEqual(plain.handshakes[0].clientCertificates, [clientLeaf.der]);
  assert.equal(http.hits.length, 2, "not fetched");
});

test("trusted_ca_keys (RFC 6066 s. 6): of two chains the server sends the one under our anchor; without the extension its first, which we refuse", async () => {
  const s = await serve({ chains: [chain3, chain2], trustedCaKeys: true });
  const r = await cli(s, ["--ca", root2Pem, "--trusted-ca-keys"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.trusted_ca_keys_accepted, true);
  assert.deepEqual(r.json.server_chain, ["CN=server2"]);
  assert.equal(s.handshakes[0].chainIndex, 1);
  const without = await cli(s, ["--ca", root2Pem]);
  assert.equal(without.code, 1);
  assert.equal(without.json.reason, "cert_unknown_ca");
});

test("small PMTU: the extensions are left out, client_certificate_url first, then cached_info, trusted_ca_keys last; usage errors", async () => {
  // The server does not echo client_certificate_url (no certUrl): offering it is what is looked at.
  const s = await serve({ chains: [chain3, chain2], trustedCaKeys: true, cachedInfo: true, clientAuth: "request", clientCa: [clientCa.der] });
  const x509 = { anchors: [root.der, root2.der], peerName: "localhost", chain: [clientLeaf.der], privateKey: readPrivateKey(clientLeaf.key),
    cachedInfo: true, trustedCaKeys: true, certUrl: "http://127.0.0.1:1/me.der" };
  const first = new UdpDtlsClient("127.0.0.1", s.port, { x509, rtoMs: 1000 });
  let session: Buffer | null;
  try {
    await first.connect();
    session = first.engine.exportSession();
  } finally {
    first.close();
  }
  const offered = async (pmtu: number): Promise<number> => {
    const c = new UdpDtlsClient("127.0.0.1", s.port, { x509, session: session!, pmtu, rtoMs: 1000, budgetMs: 3000 });
    try { await c.connect(); } catch { /* the offer is what is looked at */ } finally { c.close(); }
    return c.engine.info(codes.INFO_CERT_EXT_OFFERED);
  };
  const { CERT_EXT_CACHED_INFO: CACHED, CERT_EXT_CERT_URL: URL, CERT_EXT_TRUSTED_CA_KEYS: TRUSTED } = codes;
  assert.equal(await offered(1232), CACHED | URL | TRUSTED);
  const seen: Array<[number, number]> = [];
  for (let pmtu = 240; pmtu >= 120; pmtu -= 6) seen.push([pmtu, await offered(pmtu)]);
  const steps = [CACHED | URL | TRUSTED, CACHED | TRUSTED, TRUSTED, 0];
  const ranks = seen.map(([, o]) => steps.indexOf(o));
  assert.ok(!ranks.includes(-1) && ranks.every((r, i) => i === 0 || r >= ranks[i - 1]), `in order: ${JSON.stringify(seen)}`);
  for (const r of [0, 1, 2, 3]) assert.ok(ranks.includes(r), `each step seen: ${JSON.stringify(seen)}`);

  const noCa = await runCli([`127.0.0.1:${s.port}`, "--psk-identity", "a", "--psk", "00", "--cached-info"]);
  assert.equal(noCa.code, 2);
  assert.match(noCa.stderr, /need --ca/);
  const noCert = await runCli([`127.0.0.1:${s.port}`, "--ca", rootPem, "--cert-url", "http://x/"]);
  assert.equal(noCert.code, 2);
  assert.match(noCert.stderr, /--cert-url needs --cert/);
});

test("dtls_wasm3.py (the module under wasm3): --cached-info across runs, --trusted-ca-keys and --cert-url, the same JSON as dtls-client", async () => {
  buildPrograms();
  const wasm3 = (s: Served, args: string[]) => runProgram(WASM3_PYTHON, [WASM3_HARNESS, `127.0.0.1:${s.port}`, ...X509, "--hal-p256", ...args], 60000);
  const s = await serve({ chains: [chain2, chain3], cachedInfo: true, trustedCaKeys: true });
  const first = await wasm3(s, ["--ca", rootPem, "--cached-info", "--trusted-ca-keys", "--session-out", blob("w")]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.json.trusted_ca_keys_accepted, true);
  assert.equal(first.json.cached_info_used, false);
  assert.equal(first.json.cert_url_used, null);
  assert.equal(s.handshakes[0].chainIndex, 1);
  const py = await wasm3(s, ["--ca", rootPem, "--cached-info", "--trusted-ca-keys", "--session-in", blob("w")]);
  const node = await cli(s, ["--ca", rootPem, "--cached-info", "--trusted-ca-keys", "--session-in", blob("w")]);
  assert.equal(py.code, 0, py.stderr);
  for (const key of ["cached_info_used", "trusted_ca_keys_accepted", "cert_url_used", "server_chain", "verify_result"]) {
    assert.deepEqual(py.json[key], node.json[key], key);
  }
  // The same bytes, but for the ECDSA signature's DER length (the server signs each time anew).
  assert.ok(Math.abs(py.json.handshake_bytes_received - node.json.handshake_bytes_received) <= 2);
  assert.equal(py.json.cached_info_used, true);
  // --cert-url: the server fetches our certificate.
  const http = await httpServe({ "/py.der": clientLeaf.der });
  const mutual = await serve({ chains: [chain3], clientAuth: "require", clientCa: [clientCa.der], certUrl: true });
  const url = await wasm3(mutual, ["--ca", rootPem, "--cert", clientLeaf.pem, "--key", clientLeaf.key, "--cert-url", http.url("/py.der")]);
  assert.equal(url.code, 0, url.stderr);
  assert.equal(url.json.cert_url_used, true);
  assert.equal(url.json.client_auth, true);
  assert.equal(mutual.handshakes[0].certUrlUsed, true);
});

test("dtls-posix (boards/posix, wasm2c): --cached-info across runs, --cert-url with the SHA-1 from libcrypto, the same JSON as dtls-client", async () => {
  buildPrograms();
  const posix = (s: Served, args: string[]) => runProgram(POSIX, [`127.0.0.1:${s.port}`, ...X509, ...args], 30000);
  const s = await serve({ chains: [chain3], cachedInfo: true });
  const first = await posix(s, ["--ca", rootPem, "--cached-info", "--session-out", blob("p")]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.json.cached_info_used, false, "nothing cached yet");
  assert.equal(first.json.cert_url_used, null);
  assert.equal(first.json.trusted_ca_keys_accepted, null);
  assert.equal(first.json.server_chain.length, 3);
  assert.equal(s.handshakes[0].cachedInfoUsed, false);
  const cached = await posix(s, ["--ca", rootPem, "--cached-info", "--session-in", blob("p")]);
  assert.equal(cached.code, 0, cached.stderr);
  assert.equal(cached.json.cached_info_used, true);
  assert.equal(cached.json.verify_result, "ok");
  assert.equal(cached.json.server_chain, null, "no chain crossed the wire");
  assert.equal(s.handshakes[1].cachedInfoUsed, true, "the server sent the hash-only Certificate");
  const chainBytes = 3 + chain3.chain.reduce((n, c) => n + 3 + c.length, 0);
  const saved = first.json.handshake_bytes_received - cached.json.handshake_bytes_received;
  assert.ok(saved >= chainBytes - 40, `received ${saved} bytes less, the chain is ${chainBytes}`);
  const node = await cli(s, ["--ca", rootPem, "--cached-info", "--session-in", blob("p")]);
  for (const key of ["cached_info_used", "trusted_ca_keys_accepted", "cert_url_used", "server_chain", "verify_result", "failed_certificate", "client_auth"]) {
    assert.deepEqual(cached.json[key], node.json[key], key);
  }
  assert.ok(Math.abs(cached.json.handshake_bytes_received - node.json.handshake_bytes_received) <= 2);

  // --cert-url: the server fetches our certificate and checks the SHA-1 dtls-posix computed.
  const http = await httpServe({ "/posix.der": clientLeaf.der });
  const mutual = await serve({ chains: [chain3], clientAuth: "require", clientCa: [clientCa.der], certUrl: true, trustedCaKeys: true });
  const url = await posix(mutual, ["--ca", rootPem, "--cert", clientLeaf.pem, "--key", clientLeaf.key, "--cert-url", http.url("/posix.der"), "--trusted-ca-keys"]);
  assert.equal(url.code, 0, url.stderr);
  assert.equal(url.json.cert_url_used, true);
  assert.equal(url.json.client_auth, true);
  assert.equal(url.json.trusted_ca_keys_accepted, true);
  assert.equal(url.json.cached_info_used, null);
  assert.equal(mutual.handshakes[0].certUrlUsed, true);
  assert.deepEqual(mutual.handshakes[0].clientCertificates, [clientLeaf.der]);
  assert.deepEqual(http.hits, ["/posix.der"]);
  // The usage errors, as dtls-client words them (exit 2).
  const noCa = await runProgram(POSIX, [`127.0.0.1:${s.port}`, "--psk-identity", "a", "--psk", "00", "--cached-info"]);
  assert.equal(noCa.code, 2);
  assert.match(noCa.stderr, /^dtls-posix: --cert, --servername, .* need --ca\n/);
  const noCert = await runProgram(POSIX, [`127.0.0.1:${s.port}`, "--ca", rootPem, "--cert-url", "http://x/"]);
  assert.equal(noCert.code, 2);
  assert.match(noCert.stderr, /^dtls-posix: --cert-url needs --cert/);
  const long = await runProgram(POSIX, [`127.0.0.1:${s.port}`, "--ca", rootPem, "--cert", clientLeaf.pem, "--key", clientLeaf.key, "--cert-url", "h".repeat(300)]);
  assert.equal(long.code, 2);
  assert.match(long.stderr, /^dtls-posix: invalid certificate URL \(printable ASCII, at most 255 bytes\): h{300}\n$/);
});
