// A hostile server, scripted: the bugs issue 8 found, one regression test each.
// - the first fatal alert ends the connection at once (RFC 5246 7.2.2);
// - copies of the server's flight cannot make the client flood (RFC 6347 4.2.4);
// - every record the negotiated length allows is delivered, and losses are counted;
// - a record whose explicit nonce is not its epoch and sequence number is refused;
// - the ClientHello is never fragmented; client_certificate_type is always offered.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as codes from "../host/codes";
import { DtlsEngine, ConfigError, EngineOptions } from "../host/engine";
import { MockPskServer, prf } from "./support/mock-psk-server";
import { record, handshake, serverHelloBody, ext, parseRecords } from "./support/wire";

const HT = { CLIENT_HELLO: 1, SERVER_HELLO: 2, HVR: 3, CERTIFICATE: 11, SKE: 12, SHD: 14, CKE: 16, FINISHED: 20 };
const key = Buffer.from("a1b2c3d4e5f60718293a4b5c6d7e8f90", "hex");
const psk = { identity: Buffer.from("hostile-1"), key };

function client(options: Partial<EngineOptions> = {}) {
  const sent: Buffer[] = [];
  let now = 0;
  const engine = new DtlsEngine({ psk, seed: "hostile", clock: () => now, ...options }, (d) => sent.push(Buffer.from(d)));
  return { engine, sent, advance: (ms: number) => { now += ms; return engine.poll(); } };
}

/** Runs the handshake against the scripted server up to (not including) its last flight. */
function toFlight5(helloOptions = {}, options: Partial<EngineOptions> = {}) {
  const c = client(options);
  const server = new MockPskServer(key, helloOptions);
  c.engine.connect();
  c.engine.receive(server.answerClientHello(c.sent[0]));
  const flight5 = c.sent.slice(1);
  return { ...c, server, flight5 };
}

function connected(helloOptions = {}, options: Partial<EngineOptions> = {}) {
  const c = toFlight5(helloOptions, options);
  const { ccs, finished } = c.server.answerFinishedFlight(c.flight5);
  c.engine.receive(Buffer.concat([ccs, finished]));
  assert.equal(c.engine.state, codes.STATE_CONNECTED);
  return c;
}

/** The alerts in what the client sent, decrypting epoch 1 with the server's keys. */
function alertsSent(sent: Buffer[], server?: MockPskServer): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const r of sent.flatMap((d) => parseRecords(d))) {
    if (r.type !== 21) continue;
    const p = r.epoch === 0 ? r.payload : server!.open(r);
    assert.ok(p, "the client's alert record authenticates");
    out.push([p[0], p[1]]);
  }
  return out;
}

function handshakeTypesSent(sent: Buffer[]): number[] {
  return sent.flatMap((d) => parseRecords(d)).filter((r) => r.type === 22 && r.epoch === 0).map((r) => r.payload[0]);
}

/** What the server's Finished must say, from the scripted server's transcript. */
function serverVerifyData(server: MockPskServer): Buffer {
  const hash = createHash("sha256").update(Buffer.concat(server.transcript)).digest();
  return prf(server.master, "server finished", hash, 12);
}

// ---- 1. The first fatal alert ends the connection --------------------------------

for (const secondSeq of [2, 3]) {
  test(`[bad Finished][good Finished, message_seq ${secondSeq}] in one record: one decrypt_error, never connected`, () => {
    const { engine, sent, server, flight5 } = toFlight5();
    const { ccs } = server.answerFinishedFlight(flight5);
    const good = serverVerifyData(server);
    const bad = Buffer.from(good);
    bad[0] ^= 1;
    const before = sent.length;
    engine.receive(ccs);
    engine.receive(server.seal(22, Buffer.concat([handshake(HT.FINISHED, 2, bad), handshake(HT.FINISHED, secondSeq, good)])));
    assert.equal(engine.state, codes.STATE_FAILED);
    assert.equal(engine.wasm.dtls_last_error(), codes.REASON_BAD_FINISHED);
    assert.deepEqual(alertsSent(sent.slice(before), server), [[codes.ALERT_FATAL, codes.ALERT_DECRYPT_ERROR]]);
    assert.ok(engine.write(Buffer.from("data")) < 0, "no application data after a fatal alert");
    engine.receive(server.seal(22, handshake(HT.FINISHED, 3, good)));
    assert.equal(engine.state, codes.STATE_FAILED, "nothing revives a failed connection");
    assert.equal(sent.length, before + 1, "the alert is the only datagram sent");
  });
}

const badThenMore: Array<[string, () => Buffer[], number, number]> = [
  ["a malformed ServerKeyExchange then ServerHelloDone, one record",
    () => [record(22, 0, 1, Buffer.concat([handshake(HT.SERVER_HELLO, 0, serverHelloBody()),
      handshake(HT.SKE, 1, Buffer.from([0, 9, 1])), handshake(HT.SHD, 2, Buffer.alloc(0))]))],
    codes.ALERT_DECODE_ERROR, codes.REASON_DECODE],
  ["ServerHello with an unoffered extension, then ServerHelloDone, one record",
    () => [record(22, 0, 1, Buffer.concat([handshake(HT.SERVER_HELLO, 0, serverHelloBody({ extensions: ext(22, Buffer.alloc(0)) })),
      handshake(HT.SHD, 1, Buffer.alloc(0))]))],
    codes.ALERT_UNSUPPORTED_EXTENSION, codes.REASON_UNSUPPORTED_EXTENSION],
  ["ServerHello with DTLS 1.0 while ServerHelloDone waits in the stash",
    () => [record(22, 0, 1, handshake(HT.SHD, 1, Buffer.alloc(0))),
      record(22, 0, 2, handshake(HT.SERVER_HELLO, 0, serverHelloBody({ version: 0xfeff })))],
    codes.ALERT_PROTOCOL_VERSION, codes.REASON_PROTOCOL_VERSION],
  ["ServerHello choosing an unoffered suite, then a second ServerHello",
    () => [Buffer.concat([record(22, 0, 1, handshake(HT.SERVER_HELLO, 0, serverHelloBody({ suite: 0x002f }))),
      record(22, 0, 2, handshake(HT.SERVER_HELLO, 0, serverHelloBody()))])],
    codes.ALERT_ILLEGAL_PARAMETER, codes.REASON_ILLEGAL_PARAMETER],
];

for (const [what, datagrams, alert, reason] of badThenMore) {
  test(`epoch 0, ${what}: one fatal alert, the first reason, no flight 5`, () => {
    const { engine, sent } = client();
    engine.connect();
    const before = sent.length;
    for (const d of datagrams()) engine.receive(d);
    assert.equal(engine.state, codes.STATE_FAILED);
    assert.equal(engine.wasm.dtls_last_error(), reason);
    assert.deepEqual(alertsSent(sent.slice(before)), [[codes.ALERT_FATAL, alert]]);
    assert.deepEqual(handshakeTypesSent(sent.slice(before)), [], "no ClientKeyExchange, no Finished");
  });
}

// ---- 2. No retransmission storm ----------------------------------------------------

function clientHellosIn(sent: Buffer[]): number { return handshakeTypesSent(sent).filter((t) => t === HT.CLIENT_HELLO).length; }

test("copies of a HelloVerifyRequest buy at most one ClientHello per timer period, four in all", () => {
  const { engine, sent, advance } = client({ rtoMs: 1000 });
  engine.connect();
  // Each copy in a record with a fresh sequence number, so the replay window lets it by.
  let recordSeq = 0;
  const hvr = () => record(22, 0, recordSeq++, handshake(HT.HVR, 0, Buffer.from([0xfe, 0xff, 4, 1, 2, 3, 4])));
  engine.receive(hvr());
  assert.equal(clientHellosIn(sent), 2, "the first HelloVerifyRequest gets the ClientHello with the cookie");
  for (let i = 0; i < 1000; i++) engine.receive(hvr());
  assert.equal(clientHellosIn(sent), 3, "1000 copies in one timer period: one resend");
  advance(1000);   // the timer resends once
  for (let i = 0; i < 1000; i++) engine.receive(hvr());
  assert.equal(clientHellosIn(sent), 4, "copies past the HelloVerifyRequest limit buy nothing");
  assert.equal(engine.state, codes.STATE_HANDSHAKING, "copies do not kill the handshake");
  assert.equal(engine.info(codes.INFO_FLIGHTS_RETRANSMITTED), 2);
});

test("copies of ServerHelloDone buy at most one flight 5 per timer period: no amplification", () => {
  const { engine, sent, advance, flight5 } = toFlight5({}, { rtoMs: 1000 });
  const flight5Bytes = flight5.reduce((n, d) => n + d.length, 0);
  const shd = (seq: number) => record(22, 0, 100 + seq, handshake(HT.SHD, 1, Buffer.alloc(0)));
  const before = sent.length;
  let received = 0;
  for (let i = 0; i < 1000; i++) { const d = shd(i); received += d.length; engine.receive(d); }
  const resent = sent.slice(before).reduce((n, d) => n + d.length, 0);
  assert.equal(resent, flight5Bytes, "one resend of flight 5 for 1000 copies");
  assert.ok(resent < received, `sent ${resent} bytes for ${received} received`);
  advance(1000);
  const afterTimer = sent.length;
  assert.equal(afterTimer - before, 2 * flight5.length, "the timer resent flight 5");
  for (let i = 1000; i < 2000; i++) engine.receive(shd(i));
  assert.equal(sent.length - afterTimer, flight5.length, "again at most one resend in the new period");
});

// ---- 3. No silent loss of application data -----------------------------------------

const noMfl = { extensions: Buffer.concat([ext(23, Buffer.alloc(0)), ext(0xff01, Buffer.from([0]))]) };

test("with MFL 1024 negotiated, records of 1023 and 1024 bytes are delivered whole", () => {
  const { engine, server } = connected({ extensions: Buffer.concat([ext(1, Buffer.from([2])), ext(23, Buffer.alloc(0))]) }, { mfl: 1024 });
  assert.equal(engine.info(codes.INFO_MFL), 1024);
  for (const n of [1023, 1024]) {
    engine.receive(server.seal(23, Buffer.alloc(n, 0x5a)));
    assert.equal(engine.read()?.length, n);
  }
  engine.receive(server.seal(23, Buffer.alloc(1025)));
  assert.equal(engine.wasm.dtls_last_error(), codes.REASON_RECORD_OVERFLOW);
});

test("without MFL, every record that fits a datagram is delivered; a larger datagram is counted", () => {
  const { engine, server } = connected(noMfl, { mfl: 0 });
  for (const n of [1400, 1536 - 29]) {
    engine.receive(server.seal(23, Buffer.alloc(n, 0x33)));
    assert.equal(engine.read()?.length, n, `${n}-byte record`);
  }
  assert.equal(engine.info(codes.INFO_DATAGRAMS_TOO_LARGE), 0);
  engine.receive(server.seal(23, Buffer.alloc(1600)));
  assert.equal(engine.info(codes.INFO_DATAGRAMS_TOO_LARGE), 1, "the loss is visible");
  assert.equal(engine.state, codes.STATE_CONNECTED);
});

test("records that arrive while dtls_read is behind are counted as lost, the rest delivered in order", () => {
  const { engine, server } = connected(noMfl, { mfl: 0 });
  engine.receive(server.seal(23, Buffer.alloc(1000, 1)));
  engine.receive(server.seal(23, Buffer.alloc(1000, 2)));
  assert.equal(engine.info(codes.INFO_APP_RECORDS_LOST), 1);
  assert.deepEqual(engine.read(), Buffer.alloc(1000, 1));
  assert.equal(engine.read(), null);
  engine.receive(server.seal(23, Buffer.alloc(1000, 3)));
  assert.deepEqual(engine.read(), Buffer.alloc(1000, 3), "room again once read");
  assert.equal(engine.state, codes.STATE_CONNECTED);
});

test("max_fragment_length larger than the receive buffers is a configuration error", () => {
  for (const mfl of [2048, 4096]) {
    assert.throws(() => client({ mfl }), ConfigError, `MFL ${mfl}`);
  }
  assert.doesNotThrow(() => client({ mfl: 1024 }));
});

// ---- 4. The explicit nonce is the record's epoch and sequence number ----------------

test("a record whose explicit nonce differs from its sequence number is dropped", () => {
  const { engine, server } = connected();
  const dropped = engine.info(codes.INFO_RECORDS_DROPPED);
  engine.receive(server.seal(23, Buffer.from("mismatch"), 5, 6));
  assert.equal(engine.read(), null, "not delivered");
  assert.equal(engine.info(codes.INFO_RECORDS_DROPPED), dropped + 1);
  engine.receive(server.seal(23, Buffer.from("match"), 5));
  assert.equal(engine.read()?.toString(), "match", "the number was not burnt by the forgery");
  assert.equal(engine.state, codes.STATE_CONNECTED);
});

// ---- Interop gaps: the ClientHello ------------------------------------------------

test("a ClientHello that does not fit the PMTU is never fragmented: the connection fails and says why", () => {
  for (const pmtu of [64, 90]) {
    const { engine, sent } = client({ pmtu, sni: "a-rather-long-server-name.example.com" });
    engine.connect();
    assert.equal(engine.state, codes.STATE_FAILED, `PMTU ${pmtu}`);
    assert.equal(engine.wasm.dtls_last_error(), codes.REASON_PMTU_TOO_SMALL);
    assert.equal(sent.length, 0, "nothing sent");
  }
  const { engine, sent } = client({ pmtu: 120 });
  engine.connect();
  assert.equal(engine.state, codes.STATE_HANDSHAKING);
  const [ch] = parseRecords(sent[0]);
  assert.equal(ch.payload.readUIntBE(9, 3), ch.payload.readUIntBE(1, 3), "whole");
});

/** The extension types of the first ClientHello the client sent. */
function clientHelloExtensions(sent: Buffer[]): number[] {
  const body = parseRecords(sent[0])[0].payload.subarray(12);
  let p = 2 + 32;
  p += 1 + body[p];                 // session_id
  p += 1 + body[p];                 // cookie
  p += 2 + body.readUInt16BE(p);    // cipher suites
  p += 1 + body[p];                 // compression methods
  const end = p + 2 + body.readUInt16BE(p);
  const types: number[] = [];
  for (p += 2; p < end; p += 4 + body.readUInt16BE(p + 2)) types.push(body.readUInt16BE(p));
  return types;
}

test("with raw public keys, client_certificate_type is offered even without a client key", () => {
  const pin = createHash("sha256").update("any server key").digest();
  const { engine, sent } = client({ psk: undefined, rpk: { serverPin: pin } });
  engine.connect();
  const types = clientHelloExtensions(sent);
  assert.ok(types.includes(19), `client_certificate_type missing: ${types}`);
  assert.ok(types.includes(20), "server_certificate_type");
});

// ---- Say what is known when the server's ChangeCipherSpec never comes ---------------

test("a lost ChangeCipherSpec is told apart from a wrong PSK by the held Finished", () => {
  for (const [forged, reason] of [[false, codes.REASON_CHANGE_CIPHER_SPEC_LOST], [true, codes.REASON_FINISHED_TIMEOUT]] as const) {
    const { engine, server, flight5, advance } = toFlight5({}, { rtoMs: 100 });
    const { finished } = server.answerFinishedFlight(flight5);
    if (forged) finished[finished.length - 1] ^= 1;   // what a server with another key would send
    engine.receive(finished);                         // its ChangeCipherSpec is lost
    for (let t = 0; t < 20 && engine.state === codes.STATE_HANDSHAKING; t++) advance(1000);
    assert.equal(engine.state, codes.STATE_FAILED);
    assert.equal(engine.wasm.dtls_last_error(), reason, forged ? "a held record that does not authenticate" : "an authentic Finished");
  }
});
