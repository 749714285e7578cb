// Session resumption with session IDs (RFC 5246 7.3, RFC 7925 section 7) against gnutls-serv
// and openssl s_server: the same module instance reconnects offering the session of its last
// full handshake (OPT_RESUME, dtls-client --resume N); the abbreviated handshake; a server that
// declines; what forgets the session; the RFC 7627 5.3 check; our last flight sent again.
// openssl s_server -listen answers one client address only: after DTLSv1_listen it connects
// its UDP socket to the first client (and listens no more), so a reconnection from a new
// source port never reaches it. Its tests go through a relay whose one socket all
// connections share, as a device behind a NAT keeping its mapping would. OpenSSL 3.0 has no
// raw public keys (RFC 7250), so against s_server only PSK.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import * as codes from "../host/codes";
import { UdpDtlsClient } from "../host/udp-client";
import { DtlsEngine, EngineOptions } from "../host/engine";
import { readPrivateKey, readPublicPoint } from "../host/keys";
import { generateKeyPair, spkiSha256, startGnuTls, startGnuTlsRpk, startOpenSsl, ServerProcess, PSK_IDENTITY, PSK_HEX } from "./support/servers";
import { UdpRelay } from "./support/udp-relay";
import { parseRecords, record, handshake, serverHelloBody, ext } from "./support/wire";
import { runCli } from "./support/cli";

const servers: ServerProcess[] = [];
const relays: UdpRelay[] = [];
after(async () => {
  for (const r of relays) r.close();
  for (const s of servers) await s.stop();
});
const PSK = { identity: Buffer.from(PSK_IDENTITY), key: Buffer.from(PSK_HEX, "hex") };

/** One connection of engine (or a new one from options): handshake, one echo, close. */
async function session(port: number, engine: EngineOptions | DtlsEngine, text = "ping", echoed = true) {
  const sent: Buffer[] = [];
  const c = new UdpDtlsClient("127.0.0.1", port, engine, { dropOutgoing: (d) => { sent.push(Buffer.from(d)); return false; } });
  try {
    await c.connect();
    c.write(Buffer.from(text));
    const echo = echoed ? (await c.readOne(5000))?.toString() : undefined;
    return { engine: c.engine, sent, echo, resumed: c.engine.info(codes.INFO_RESUMED) === 1,
      summary: c.engine.summary() };
  } finally {
    await c.close();
  }
}

/** The session_id of the ClientHello in a datagram (record 13 + handshake 12 + version 2 + random 32). */
function clientHelloSessionId(d: Buffer): Buffer {
  const r = parseRecords(d)[0];
  assert.equal(r.type, 22);
  assert.equal(r.payload[0], 1, "a ClientHello");
  const n = r.payload[12 + 34];
  return r.payload.subarray(12 + 35, 12 + 35 + n);
}

/** Handshake message types we sent in epoch 0 over a connection. */
const handshakeTypes = (sent: Buffer[]) =>
  sent.flatMap((d) => parseRecords(d)).filter((r) => r.type === 22 && r.epoch === 0).map((r) => r.payload[0]);

test("PSK, gnutls-serv: the reconnections resume (same session ID, no ClientKeyExchange) and carry data", async () => {
  const s = await startGnuTls();
  servers.push(s);
  const first = await session(s.port, { psk: PSK, resume: true, rtoMs: 1000 });
  assert.equal(first.resumed, false);
  assert.equal(first.echo, "ping");
  assert.equal(clientHelloSessionId(first.sent[0]).length, 0, "nothing to offer yet");
  assert.ok(handshakeTypes(first.sent).includes(16), "a full handshake has a ClientKeyExchange");
  let offered: string | undefined;
  for (let i = 0; i < 2; i++) {
    const again = await session(s.port, first.engine, `again ${i}`);
    assert.equal(again.resumed, true, `reconnection ${i} resumed`);
    assert.equal(again.echo, `again ${i}`);
    assert.equal(again.summary.ems, true, "extended master secret, as in the session");
    const id = clientHelloSessionId(again.sent[0]).toString("hex");
    assert.equal(id.length, 64, "a 32-byte session ID offered");
    offered ??= id;
    assert.equal(id, offered, "the same session each time");
    assert.deepEqual(handshakeTypes(again.sent), [1, 1], "ClientHello twice (cookie), then no ClientKeyExchange");
    const last = again.sent.find((d) => parseRecords(d).some((r) => r.type === 20));
    assert.deepEqual(parseRecords(last!).map((r) => `${r.type}/${r.epoch}`), ["20/0", "22/1"], "our last flight: CCS, Finished");
  }
});

test("raw public keys, mutual, gnutls-serv: resumed without Certificate or CertificateVerify; the session's server key and client authentication are reported", async () => {
  const serverKeys = generateKeyPair("resume-server");
  const clientKeys = generateKeyPair("resume-client");
  const s = await startGnuTlsRpk(serverKeys, { requireClientKey: true });
  servers.push(s);
  const opts = { rpk: { serverPin: readPublicPoint(serverKeys.pub), privateKey: readPrivateKey(clientKeys.key) }, resume: true, rtoMs: 1000 };
  const first = await session(s.port, opts);
  assert.equal(first.resumed, false);
  assert.ok(handshakeTypes(first.sent).includes(15), "the full handshake has our CertificateVerify");
  const again = await session(s.port, first.engine, "resumed rpk");
  assert.equal(again.resumed, true);
  assert.equal(again.echo, "resumed rpk");
  assert.deepEqual(handshakeTypes(again.sent), [1, 1], "no Certificate, ClientKeyExchange or CertificateVerify");
  assert.equal(again.summary.server_key_sha256, spkiSha256(serverKeys.pub));
  assert.equal(again.summary.client_auth, true);
});

test("a server that does not resume (gnutls-serv --nodb) gets a full handshake, without error", async () => {
  const s = await startGnuTls({ extra: ["--nodb"] });
  servers.push(s);
  const first = await session(s.port, { psk: PSK, resume: true, rtoMs: 1000 });
  const again = await session(s.port, first.engine, "full again");
  assert.equal(again.resumed, false);
  assert.equal(again.echo, "full again");
  assert.equal(again.summary.state, "connected", "no failure: the handshake completed");
  assert.ok(handshakeTypes(again.sent).includes(16), "a full handshake");
});

test("without OPT_RESUME no session is offered", async () => {
  const s = await startGnuTls();
  servers.push(s);
  const first = await session(s.port, { psk: PSK, rtoMs: 1000 });
  const again = await session(s.port, first.engine);
  assert.equal(again.resumed, false);
  assert.equal(clientHelloSessionId(again.sent[0]).length, 0);
});

test("a failed connection forgets the session (RFC 5246 7.2.2): the next one is a full handshake", async () => {
  const s = await startGnuTls();
  servers.push(s);
  const first = await session(s.port, { psk: PSK, resume: true, rtoMs: 200, budgetMs: 600 });
  const silent = createSocket("udp4");
  await new Promise<void>((r) => silent.bind(0, "127.0.0.1", () => r()));
  try {
    await assert.rejects(session(silent.address().port, first.engine), (e: any) => e.reason === "timeout");
  } finally {
    silent.close();
  }
  const again = await session(s.port, first.engine);
  assert.equal(again.resumed, false);
  assert.equal(clientHelloSessionId(again.sent[0]).length, 0, "nothing left to offer");
});

test("RFC 7627 5.3: a resumed ServerHello without extended_master_secret for an EMS session is refused, and the session forgotten", async () => {
  const s = await startGnuTls();
  servers.push(s);
  const first = await session(s.port, { psk: PSK, resume: true, rtoMs: 1000 });
  const engine = first.engine;
  const sent: Uint8Array[] = [];
  engine.rebind((d) => sent.push(d));
  engine.connect();
  const id = clientHelloSessionId(Buffer.from(sent[0]));
  assert.equal(id.length, 32);
  // The same session ID, no extended_master_secret (only renegotiation_info and MFL).
  const body = serverHelloBody({ sessionId: id, extensions: Buffer.concat([ext(1, Buffer.from([1])), ext(0xff01, Buffer.from([0]))]) });
  engine.receive(record(22, 0, 0, handshake(2, 0, body)));
  assert.equal(engine.state, codes.STATE_FAILED);
  assert.equal(engine.failure().reason, "handshake_failure");
  const alert = parseRecords(Buffer.from(sent[sent.length - 1])).find((r) => r.type === 21);
  assert.deepEqual([...alert!.payload], [2, 40], "fatal handshake_failure");
  const again = await session(s.port, engine);
  assert.equal(again.resumed, false, "the session is gone");
});

test("the server's Finished again after we connected (our last flight lost) gets our CCS and Finished again", async () => {
  const s = await startGnuTls();
  servers.push(s);
  const first = await session(s.port, { psk: PSK, resume: true, rtoMs: 1000 });
  let dropped = 0;
  const c = new UdpDtlsClient("127.0.0.1", s.port, first.engine, {
    dropOutgoing: (d) => {
      const lost = dropped === 0 && parseRecords(d).some((r) => r.type === 20);
      if (lost) dropped++;
      return lost;
    },
  });
  try {
    await c.connect();
    assert.equal(c.engine.info(codes.INFO_RESUMED), 1);
    // The server resends ServerHello, CCS, Finished when its timer fires; we answer.
    for (let i = 0; i < 100 && c.engine.info(codes.INFO_FLIGHTS_RETRANSMITTED) === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(dropped, 1);
    assert.equal(c.engine.info(codes.INFO_FLIGHTS_RETRANSMITTED), 1, "our CCS + Finished sent again");
    c.write(Buffer.from("after the loss"));
    assert.equal((await c.readOne(5000))?.toString(), "after the loss");
  } finally {
    await c.close();
  }
});

test("dtls-client --resume 2: two resumed reconnections, each reported", async () => {
  const s = await startGnuTls();
  servers.push(s);
  const r = await runCli([`127.0.0.1:${s.port}`, "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX, "--send", "hi",
    "--resume", "2", "--json"], 30000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.resumed, false);
  assert.equal(r.json.reconnects.length, 2);
  for (const c of r.json.reconnects) {
    assert.equal(c.resumed, true);
    assert.equal(c.received, "hi");
    assert.equal(c.state, "closed");
  }
  assert.match(r.stderr, /connection 1: resumed\nconnection 2: resumed/);
});

test("PSK, openssl s_server -dtls1_2 (through a relay): the reconnections resume by session ID and carry data", async () => {
  const s = await startOpenSsl();
  servers.push(s);
  const relay = await UdpRelay.start(s.port);
  relays.push(relay);
  const first = await session(relay.port, { psk: PSK, resume: true, rtoMs: 1000 }, "first", false);
  assert.equal(first.resumed, false);
  assert.ok(handshakeTypes(first.sent).includes(16), "a full handshake");
  await s.waitFor("first");
  let offered: string | undefined;
  for (let i = 0; i < 2; i++) {
    const again = await session(relay.port, first.engine, `again ${i}`, false);
    assert.equal(again.resumed, true, `reconnection ${i} resumed`);
    const id = clientHelloSessionId(again.sent[0]).toString("hex");
    assert.equal(id.length, 64);
    offered ??= id;
    assert.equal(id, offered, "the same session each time");
    assert.ok(!handshakeTypes(again.sent).includes(16), "no ClientKeyExchange");
    await s.waitFor(`again ${i}`);   // s_server printed what the resumed connection carried
  }
  assert.equal((s.output.match(/Reused session-id/g) ?? []).length, 2, "s_server reports both as reused");
});

test("openssl s_server -listen: a reconnection from a new source port, without the relay, is never answered", async () => {
  const s = await startOpenSsl();
  servers.push(s);
  const first = await session(s.port, { psk: PSK, resume: true, rtoMs: 200, budgetMs: 600 }, "first", false);
  assert.equal(first.summary.state, "connected");
  await assert.rejects(session(s.port, first.engine, "again", false), (e: any) => e.reason === "timeout");
});

test("dtls-client --resume 2 against openssl s_server (through a relay): two resumed reconnections", async () => {
  const s = await startOpenSsl();
  servers.push(s);
  const relay = await UdpRelay.start(s.port);
  relays.push(relay);
  const r = await runCli([`127.0.0.1:${relay.port}`, "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX, "--send", "hi",
    "--wait", "0", "--resume", "2", "--json"], 30000);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.json.reconnects.map((c: any) => c.resumed), [true, true]);
  await s.waitFor(/Reused session-id[^]*Reused session-id/);   // s_server's word for both
});
