// Interoperability with Eclipse Californium Scandium 3.x (Java), through our echo server
// tests/interop/scandium/EchoServer.java: DTLS 1.2, TLS_PSK_WITH_AES_128_CCM_8 and
// TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 with raw public keys (RFC 7250), client authentication
// NONE / WANTED / NEEDED. The server prints its own view of every handshake
// ("handshake completed cipher=... ems=... peer=..."), which the tests check too.
// Built by `make interop-servers` (mk/interop.mk).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as codes from "../host/codes";
import { UdpDtlsClient } from "../host/udp-client";
import { generateKeyPair, spkiSha256, PSK_HEX, PSK_IDENTITY, ServerProcess } from "./support/servers";
import { startScandium, ScandiumOptions } from "./support/servers-more";
import { runCli, QUICK_FAIL, ALERT_BOUND } from "./support/cli";
import { UdpRelay } from "./support/udp-relay";
import { clientHelloOf, handshakeFragments, HandshakeFragment, rewriteClientHello } from "./support/hellos";
import { handshake, parseRecords, record } from "./support/wire";

const serverKeys = generateKeyPair("server");
const clientKeys = generateKeyPair("client");
const otherKeys = generateKeyPair("other");
const PSK = { identity: PSK_IDENTITY, hex: PSK_HEX };
const PSK_ARGS = ["--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX];
const psk = { identity: Buffer.from(PSK_IDENTITY), key: Buffer.from(PSK_HEX, "hex") };
const RPK_ARGS = ["--rpk", "--server-key", serverKeys.pub];

const servers: ServerProcess[] = [];
const relays: UdpRelay[] = [];
after(async () => {
  for (const s of servers) await s.stop();
  for (const r of relays) r.close();
});
async function server(o: ScandiumOptions): Promise<ServerProcess> {
  const s = await startScandium(o);
  servers.push(s);
  return s;
}
async function relayTo(s: ServerProcess, rewrite?: Parameters<typeof UdpRelay.start>[1]): Promise<UdpRelay> {
  const r = await UdpRelay.start(s.port, rewrite);
  relays.push(r);
  return r;
}
/** Every plaintext handshake fragment one side sent, in order. */
function handshakesBy(relay: UdpRelay, from: "client" | "server"): HandshakeFragment[] {
  return relay.sentBy(from).flatMap((d) => parseRecords(d))
    .filter((r) => r.type === 22 && r.epoch === 0).flatMap((r) => handshakeFragments(r.payload));
}
const HT = { certificate: 11, certificateRequest: 13, certificateVerify: 15 };
/** RFC 7250 client_certificate_type (19): the types the client offers. */
function clientCertificateTypes(relay: UdpRelay): number[][] {
  return relay.sentBy("client").map((d) => clientHelloOf(d)).filter((c) => c !== null).map((c) => {
    const e = c.hello.extensions.find((x) => x.type === 19);
    return e ? [...e.data.subarray(1, 1 + e.data[0])] : [];
  });
}

test("PSK: cookie exchange, handshake and echo; Scandium sees the identity and the extended master secret", async () => {
  const s = await server({ psk: PSK });
  const r = await runCli([`127.0.0.1:${s.port}`, ...PSK_ARGS, "--send", "hello scandium", "--json"]);
  assert.equal(r.code, 0, r.stderr + s.output);
  assert.equal(r.json.cipher, "TLS_PSK_WITH_AES_128_CCM_8");
  assert.equal(r.json.ems, true);
  assert.equal(r.json.mfl, 512, "Scandium answers max_fragment_length");
  assert.equal(r.json.flights_received, 3, "HelloVerifyRequest, ServerHello..Done, CCS+Finished");
  assert.equal(r.json.received, "hello scandium");
  await s.waitFor("handshake completed cipher=TLS_PSK_WITH_AES_128_CCM_8 ems=true peer=psk:device-0001");
  await s.waitFor("echo 14 bytes");
});

test("PSK: records of the largest negotiated length (MFL 512 and 1024) go both ways whole", async () => {
  const s = await server({ psk: PSK });
  for (const mfl of [512, 1024]) {
    const client = new UdpDtlsClient("127.0.0.1", s.port, { psk, mfl, rtoMs: 1000 });
    try {
      await client.connect();
      assert.equal(client.engine.info(codes.INFO_MFL), mfl);
      const largest = client.engine.info(codes.INFO_MAX_WRITE);
      assert.ok(largest <= mfl && largest > mfl / 2, `max write ${largest} within MFL ${mfl}`);
      const data = Buffer.alloc(largest, mfl & 0xff);
      client.write(data);
      assert.deepEqual(await client.readOne(5000), data);
    } finally {
      await client.close();
    }
  }
  await s.waitFor(/echo (5\d\d) bytes[\s\S]*echo (1\d\d\d) bytes/);
});

test("Scandium without HelloVerifyRequest: PSK and raw public keys complete in two server flights", async () => {
  const s = await server({ psk: PSK, rpk: serverKeys, clientAuth: "NONE", helloVerify: false });
  for (const args of [PSK_ARGS, RPK_ARGS]) {
    const r = await runCli([`127.0.0.1:${s.port}`, ...args, "--send", "no cookie", "--json"]);
    assert.equal(r.code, 0, r.stderr + s.output);
    assert.equal(r.json.flights_received, 2, "ServerHello..Done, CCS+Finished");
    assert.equal(r.json.received, "no cookie");
  }
});

test("PSK: a wrong key never completes at Scandium; the client names a wrong PSK or identity as a likely cause", async () => {
  const s = await server({ psk: PSK });
  const r = await runCli([`127.0.0.1:${s.port}`, "--psk-identity", PSK_IDENTITY, "--psk", "00".repeat(16),
    ...QUICK_FAIL, "--send", "x", "--json"]);
  assert.equal(r.code, 1);
  assert.equal(r.json.state, "failed");
  // Scandium drops a Finished it cannot decrypt without an alert: the client only sees silence.
  assert.equal(r.json.reason, "finished_timeout");
  assert.match(r.stderr, /PSK or (the )?identity/, "the message names a wrong PSK or identity as a cause");
  assert.doesNotMatch(s.output, /handshake completed/);
});

test("raw public keys, server only (client authentication NONE): no CertificateRequest, the server's key hash reported", async () => {
  const s = await server({ rpk: serverKeys, clientAuth: "NONE" });
  const relay = await relayTo(s);
  const r = await runCli([`127.0.0.1:${relay.port}`, ...RPK_ARGS, "--key", clientKeys.key, "--send", "rpk", "--json"]);
  assert.equal(r.code, 0, r.stderr + s.output);
  assert.equal(r.json.cipher, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8");
  assert.equal(r.json.server_key_sha256, spkiSha256(serverKeys.pub));
  assert.equal(r.json.client_auth, false, "not asked, so the key is not used");
  assert.equal(r.json.received, "rpk");
  assert.equal(handshakesBy(relay, "server").filter((f) => f.type === HT.certificateRequest).length, 0);
  assert.equal(handshakesBy(relay, "client").filter((f) => f.type === HT.certificate).length, 0);
  await s.waitFor("handshake completed cipher=TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 ems=true peer=none");
});

// Issue 8: Scandium with client authentication WANTED aborted ("no common client certificate
// type") when a client without a key sent no client_certificate_type.
test("client authentication WANTED, no client key: raw public keys offered, an empty Certificate, the handshake completes", async () => {
  const s = await server({ rpk: serverKeys, clientAuth: "WANTED" });
  const relay = await relayTo(s);
  const r = await runCli([`127.0.0.1:${relay.port}`, ...RPK_ARGS, "--send", "anonymous", "--json"]);
  assert.equal(r.code, 0, r.stderr + s.output);
  assert.equal(r.json.client_auth, false);
  assert.equal(r.json.received, "anonymous");
  const offered = clientCertificateTypes(relay);
  assert.equal(offered.length, 2, "ClientHello before and after the cookie");
  for (const types of offered) assert.ok(types.includes(2), `client_certificate_type offers RawPublicKey (2): ${types}`);
  assert.equal(handshakesBy(relay, "server").filter((f) => f.type === HT.certificateRequest).length, 1);
  const certificates = handshakesBy(relay, "client").filter((f) => f.type === HT.certificate);
  assert.equal(certificates.length, 1);
  assert.deepEqual([...certificates[0].body], [0, 0, 0], "an empty certificate list");
  assert.equal(handshakesBy(relay, "client").filter((f) => f.type === HT.certificateVerify).length, 0);
  await s.waitFor("handshake completed cipher=TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 ems=true peer=none");
});

test("why: without client_certificate_type in the ClientHello (the relay strips it), Scandium WANTED aborts", async () => {
  const s = await server({ rpk: serverKeys, clientAuth: "WANTED" });
  const relay = await relayTo(s, (d, from) => (from === "client"
    ? rewriteClientHello(d, (ch) => ({ ...ch, extensions: ch.extensions.filter((e) => e.type !== 19) })) : d));
  const r = await runCli([`127.0.0.1:${relay.port}`, ...RPK_ARGS, ...ALERT_BOUND, "--json"]);
  assert.equal(r.code, 1);
  assert.equal(r.json.alert, "fatal handshake_failure received");
  await s.waitFor("handshake failed: Peers have no common client certificate type");
});

test("client authentication NEEDED with a trusted client key: mutual authentication, Scandium sees our key", async () => {
  const s = await server({ rpk: serverKeys, clientAuth: "NEEDED", trust: clientKeys.pub });
  const r = await runCli([`127.0.0.1:${s.port}`, ...RPK_ARGS, "--key", clientKeys.key, "--send", "mutual", "--json"]);
  assert.equal(r.code, 0, r.stderr + s.output);
  assert.equal(r.json.client_auth, true);
  assert.equal(r.json.received, "mutual");
  await s.waitFor(`handshake completed cipher=TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 ems=true peer=rpk:${spkiSha256(clientKeys.pub)}`);
});

test("client authentication NEEDED: an untrusted client key and no client key are both refused with bad_certificate", async () => {
  const s = await server({ rpk: serverKeys, clientAuth: "NEEDED", trust: otherKeys.pub });
  const untrusted = await runCli([`127.0.0.1:${s.port}`, ...RPK_ARGS, "--key", clientKeys.key, ...ALERT_BOUND, "--json"]);
  assert.equal(untrusted.code, 1);
  assert.equal(untrusted.json.reason, "peer_alert");
  assert.equal(untrusted.json.alert, "fatal bad_certificate received");
  await s.waitFor("handshake failed: Raw public key is not trusted");
  const none = await runCli([`127.0.0.1:${s.port}`, ...RPK_ARGS, ...ALERT_BOUND, "--json"]);
  assert.equal(none.code, 1);
  assert.equal(none.json.alert, "fatal bad_certificate received");
  await s.waitFor("handshake failed: Client Certificate required");
  assert.doesNotMatch(s.output, /handshake completed/);
});

test("a Scandium server whose key is not the pinned one is refused with handshake_failure", async () => {
  const s = await server({ rpk: otherKeys, clientAuth: "NONE" });
  const r = await runCli([`127.0.0.1:${s.port}`, ...RPK_ARGS, ...ALERT_BOUND, "--json"]);
  assert.equal(r.code, 1);
  assert.equal(r.json.reason, "bad_peer_key");
  assert.equal(r.json.alert, "fatal handshake_failure sent");
  await s.waitFor(/handshake failed: .*HANDSHAKE_FAILURE/);
});

// Issue 8: Scandium drops a fragmented ClientHello, so the client never fragments it.
const CLIENT_HELLO_PMTU = 160;
test(`a small PMTU (${CLIENT_HELLO_PMTU}): the ClientHello goes whole, every datagram fits, mutual authentication completes`, async () => {
  const s = await server({ rpk: serverKeys, clientAuth: "WANTED" });
  const relay = await relayTo(s);
  const r = await runCli([`127.0.0.1:${relay.port}`, ...RPK_ARGS, "--key", clientKeys.key,
    "--pmtu", String(CLIENT_HELLO_PMTU), "--send", "small pmtu", "--json"]);
  assert.equal(r.code, 0, r.stderr + s.output);
  assert.equal(r.json.client_auth, true);
  assert.equal(r.json.received, "small pmtu");
  const sent = relay.sentBy("client");
  for (const d of sent) assert.ok(d.length <= CLIENT_HELLO_PMTU, `a datagram of ${d.length} bytes`);
  const hellos = handshakesBy(relay, "client").filter((f) => f.type === 1);
  assert.equal(hellos.length, 2);
  for (const h of hellos) assert.ok(h.offset === 0 && h.body.length === h.length, "one whole ClientHello fragment");
  // The PMTU is small enough to split the client's second flight over several datagrams.
  const flight5 = sent.filter((d) => parseRecords(d).some((rec) => rec.type === 22 && rec.epoch === 0 &&
    [11, 15, 16].includes(rec.payload[0])));
  assert.ok(flight5.length >= 2, `Certificate, ClientKeyExchange and CertificateVerify in ${flight5.length} datagrams`);
});

test("a PMTU below the ClientHello: the client refuses before sending anything, never a fragmented ClientHello", async () => {
  const s = await server({ rpk: serverKeys, clientAuth: "WANTED" });
  const relay = await relayTo(s);
  const r = await runCli([`127.0.0.1:${relay.port}`, ...RPK_ARGS, "--pmtu", "100", ...ALERT_BOUND, "--json"]);
  assert.equal(r.code, 1);
  assert.equal(r.json.reason, "pmtu_too_small");
  assert.match(r.stderr, /raise --pmtu/);
  assert.equal(relay.sentBy("client").length, 0);
});

/** The datagram's ClientHello cut into two fragments, in two records. */
function fragmentClientHello(d: Buffer): Buffer {
  const [rec] = parseRecords(d);
  const [f] = handshakeFragments(rec.payload);
  if (rec.type !== 22 || !f || f.type !== 1) return d;
  const half = f.length >> 1;
  return Buffer.concat([
    record(22, 0, rec.seq, handshake(1, f.seq, f.body, 0, half, f.length)),
    record(22, 0, rec.seq + 1, handshake(1, f.seq, f.body, half, f.length - half, f.length)),
  ]);
}

test("why: Scandium does not answer a ClientHello cut into fragments (the relay cuts it)", async () => {
  const s = await server({ psk: PSK, rpk: serverKeys, clientAuth: "WANTED" });
  const relay = await relayTo(s, (d, from) => (from === "client" ? fragmentClientHello(d) : d));
  const r = await runCli([`127.0.0.1:${relay.port}`, ...PSK_ARGS, ...QUICK_FAIL, "--json"]);
  assert.equal(r.code, 1);
  assert.equal(r.json.reason, "timeout");
  assert.ok(relay.log.filter((e) => e.from === "client").length >= 2, "the ClientHello was retransmitted");
  assert.equal(relay.sentBy("server").length, 0, "not even a HelloVerifyRequest");
  // Control: the same server, the whole ClientHello.
  const whole = await runCli([`127.0.0.1:${s.port}`, ...PSK_ARGS, "--json"]);
  assert.equal(whole.code, 0, whole.stderr);
});

test("Scandium with a 200-byte MTU fragments its flight: the client reassembles it", async () => {
  const s = await server({ rpk: serverKeys, clientAuth: "NEEDED", mtu: 200 });
  const relay = await relayTo(s);
  const r = await runCli([`127.0.0.1:${relay.port}`, ...RPK_ARGS, "--key", clientKeys.key, "--send", "reassembled", "--json"]);
  assert.equal(r.code, 0, r.stderr + s.output);
  assert.equal(r.json.client_auth, true);
  assert.equal(r.json.received, "reassembled");
  const fragmented = handshakesBy(relay, "server").filter((f) => f.body.length < f.length);
  assert.ok(fragmented.length >= 2, "at least one server message came in fragments");
  for (const d of relay.sentBy("server")) assert.ok(d.length <= 200);
});

test("Scandium packing its whole flight into one record (several handshake messages per record): mutual authentication", async () => {
  const s = await server({ rpk: serverKeys, clientAuth: "NEEDED", multiHandshakeRecords: true });
  const relay = await relayTo(s);
  const r = await runCli([`127.0.0.1:${relay.port}`, ...RPK_ARGS, "--key", clientKeys.key, "--send", "packed", "--json"]);
  assert.equal(r.code, 0, r.stderr + s.output);
  assert.equal(r.json.client_auth, true);
  assert.equal(r.json.received, "packed");
  const packed = relay.sentBy("server").flatMap((d) => parseRecords(d))
    .filter((rec) => rec.type === 22 && rec.epoch === 0 && handshakeFragments(rec.payload).length >= 5);
  assert.equal(packed.length, 1, "ServerHello..ServerHelloDone in one record");
});

test("Scandium's final flight lost once: the client resends its Finished flight, Scandium resends, the handshake completes", async () => {
  const s = await server({ psk: PSK });
  let lost = 0;
  const relay = await relayTo(s, (d, from) =>
    (from === "server" && lost === 0 && parseRecords(d).some((rec) => rec.type === 20) && ++lost) ? null : d);
  const r = await runCli([`127.0.0.1:${relay.port}`, ...PSK_ARGS, "--rto", "500", "--send", "after a loss", "--json"]);
  assert.equal(r.code, 0, r.stderr + s.output);
  assert.equal(lost, 1);
  assert.equal(r.json.flights_retransmitted, 1);
  assert.equal(r.json.received, "after a loss");
});

test("extended master secret: Scandium requiring it completes; Scandium without it is refused under --require-ems", async () => {
  const required = await server({ psk: PSK, ems: "REQUIRED" });
  const r = await runCli([`127.0.0.1:${required.port}`, ...PSK_ARGS, "--require-ems", "--send", "ems", "--json"]);
  assert.equal(r.code, 0, r.stderr + required.output);
  assert.equal(r.json.ems, true);
  await required.waitFor("handshake completed cipher=TLS_PSK_WITH_AES_128_CCM_8 ems=true");
  const none = await server({ psk: PSK, ems: "NONE" });
  const refused = await runCli([`127.0.0.1:${none.port}`, ...PSK_ARGS, "--require-ems", ...ALERT_BOUND, "--json"]);
  assert.equal(refused.code, 1);
  assert.equal(refused.json.reason, "ems_refused");
  assert.equal(refused.json.alert, "fatal handshake_failure sent");
  const plain = await runCli([`127.0.0.1:${none.port}`, ...PSK_ARGS, "--send", "no ems", "--json"]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.json.ems, false);
  assert.equal(plain.json.received, "no ems");
});

// RFC 7925 s. 11 at 127 bytes (IEEE 802.15.4) with Scandium's 32-byte cookie (HMAC-SHA256).
test("PMTU 127: PSK completes (the cookie ClientHello is 115 bytes); an ECDHE ClientHello with a 32-byte cookie cannot fit (135 bytes at its shortest): pmtu_too_small, nothing more sent", async () => {
  const s = await server({ psk: PSK });
  const relay = await relayTo(s);
  const r = await runCli([`127.0.0.1:${relay.port}`, ...PSK_ARGS, "--pmtu", "127", "--send", "802.15.4", "--json"]);
  assert.equal(r.code, 0, r.stderr + s.output);
  assert.equal(r.json.received, "802.15.4");
  const sizes = relay.sentBy("client").map((d) => d.length);
  assert.ok(sizes.every((n) => n <= 127), `${sizes}`);
  assert.equal(r.json.max_datagram, Math.max(...sizes));
  assert.equal(sizes[1], 83 + 32, "the cookie ClientHello");

  const e = await server({ rpk: serverKeys, clientAuth: "NONE" });
  const relay2 = await relayTo(e);
  const f = await runCli([`127.0.0.1:${relay2.port}`, ...RPK_ARGS, "--pmtu", "127", ...ALERT_BOUND, "--json"]);
  assert.equal(f.code, 1, f.stderr);
  assert.equal(f.json.reason, "pmtu_too_small");
  assert.deepEqual(relay2.sentBy("client").map((d) => d.length), [114], "only the first ClientHello (with the SCSV) left");
  assert.equal(f.json.max_datagram, 114);
});
