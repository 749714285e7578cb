// A scripted server (supplementing the real ones) sends what no well-behaved server
// would: wrong versions, unoffered suites and extensions, malformed and fragmented
// messages, random garbage. The module must answer with the RFC's alert or drop the
// datagram, and never trap.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as codes from "../host/codes";
import { DtlsEngine } from "../host/engine";
import { record, handshake, serverHelloBody, ext, parseRecords } from "./support/wire";

const HT = { SERVER_HELLO: 2, HVR: 3, SKE: 12, SHD: 14, CKE: 16 };
const psk = { identity: Buffer.from("dev"), key: Buffer.from("00112233445566778899aabbccddeeff", "hex") };

function peer(options = {}) {
  const sent: Uint8Array[] = [];
  let now = 0;
  const engine = new DtlsEngine({ psk, seed: "scripted", clock: () => now, ...options }, (d) => sent.push(d));
  engine.connect();
  return { engine, sent, advance: (ms: number) => { now += ms; return engine.poll(); } };
}

/** The alert the client sent last, as [level, description], from its plaintext records. */
function lastAlert(sent: Uint8Array[]): [number, number] | null {
  for (let i = sent.length - 1; i >= 0; i--) {
    for (const r of parseRecords(sent[i]).reverse()) {
      if (r.type === 21 && r.epoch === 0) return [r.payload[0], r.payload[1]];
    }
  }
  return null;
}

function serverHello(seq: number, o = {}) { return record(22, 0, seq, handshake(HT.SERVER_HELLO, seq, serverHelloBody(o))); }

const refusals: Array<[string, Buffer, number, number]> = [
  ["ServerHello with DTLS 1.0", serverHello(0, { version: 0xfeff }), codes.ALERT_PROTOCOL_VERSION, codes.REASON_PROTOCOL_VERSION],
  ["ServerHello with TLS 1.2's number", serverHello(0, { version: 0x0303 }), codes.ALERT_PROTOCOL_VERSION, codes.REASON_PROTOCOL_VERSION],
  ["a cipher suite not offered", serverHello(0, { suite: 0xc0ae }), codes.ALERT_ILLEGAL_PARAMETER, codes.REASON_ILLEGAL_PARAMETER],
  ["compression other than null", serverHello(0, { compression: 1 }), codes.ALERT_ILLEGAL_PARAMETER, codes.REASON_ILLEGAL_PARAMETER],
  ["an extension not offered (encrypt_then_mac)", serverHello(0, { extensions: ext(22, Buffer.alloc(0)) }), codes.ALERT_UNSUPPORTED_EXTENSION, codes.REASON_UNSUPPORTED_EXTENSION],
  ["a different max_fragment_length", serverHello(0, { extensions: ext(1, Buffer.from([2])) }), codes.ALERT_ILLEGAL_PARAMETER, codes.REASON_ILLEGAL_PARAMETER],
  ["a duplicated extension", serverHello(0, { extensions: Buffer.concat([ext(23, Buffer.alloc(0)), ext(23, Buffer.alloc(0))]) }), codes.ALERT_DECODE_ERROR, codes.REASON_DECODE],
  ["a non-empty renegotiation_info", serverHello(0, { extensions: ext(0xff01, Buffer.from([1, 7])) }), codes.ALERT_HANDSHAKE_FAILURE, codes.REASON_RENEGOTIATION_INFO],
  ["a truncated ServerHello", record(22, 0, 0, handshake(HT.SERVER_HELLO, 0, serverHelloBody().subarray(0, 20))), codes.ALERT_DECODE_ERROR, codes.REASON_DECODE],
  ["an extension block longer than the message", record(22, 0, 0, handshake(HT.SERVER_HELLO, 0, Buffer.concat([serverHelloBody({ extensions: null }), Buffer.from([0, 9, 0])]))), codes.ALERT_DECODE_ERROR, codes.REASON_DECODE],
  ["ServerHelloDone first", record(22, 0, 0, handshake(HT.SHD, 0, Buffer.alloc(0))), codes.ALERT_UNEXPECTED_MESSAGE, codes.REASON_UNEXPECTED_MESSAGE],
  ["a handshake message over the client's bound", record(22, 0, 0, handshake(HT.SERVER_HELLO, 0, Buffer.alloc(100), 0, 100, 5000)), codes.ALERT_INTERNAL_ERROR, codes.REASON_MESSAGE_TOO_LARGE],
];

for (const [what, datagram, alert, reason] of refusals) {
  test(`refused with the RFC's alert: ${what}`, () => {
    const { engine, sent } = peer();
    assert.equal(engine.receive(datagram), codes.STATE_FAILED);
    assert.deepEqual(lastAlert(sent), [codes.ALERT_FATAL, alert]);
    assert.equal(engine.wasm.dtls_last_error(), reason);
  });
}

test("the EMS requirement refuses a server without it", () => {
  const { engine, sent } = peer({ requireEms: true });
  engine.receive(serverHello(0, { extensions: ext(1, Buffer.from([1])) }));
  assert.equal(engine.state, codes.STATE_FAILED);
  assert.deepEqual(lastAlert(sent), [codes.ALERT_FATAL, codes.ALERT_HANDSHAKE_FAILURE]);
});

test("out-of-order, duplicated and overlapping fragments are reassembled", () => {
  const { engine, sent } = peer();
  const sh = serverHelloBody();
  const frags = [[30, 10], [0, 20], [10, 25], [0, 20], [38, sh.length - 38]];
  const hint = Buffer.from([0, 3, 0x61, 0x62, 0x63]);
  const datagram = Buffer.concat([
    ...frags.map(([o, l], i) => record(22, 0, i, handshake(HT.SERVER_HELLO, 0, sh, o, l))),
    record(22, 0, 5, Buffer.concat([handshake(HT.SKE, 1, hint, 2, 3), handshake(HT.SKE, 1, hint, 0, 2)])),
    record(22, 0, 6, handshake(HT.SHD, 2, Buffer.alloc(0))),
  ]);
  const before = sent.length;
  assert.equal(engine.receive(datagram), codes.STATE_HANDSHAKING);
  const flight5 = sent.slice(before).flatMap((d) => parseRecords(d));
  assert.deepEqual(flight5.map((r) => [r.type, r.epoch]), [[22, 0], [20, 0], [22, 1]], "CKE, CCS, Finished");
  assert.equal(flight5[0].payload[0], HT.CKE);
  assert.equal(engine.info(codes.INFO_MFL), 512);
});

test("a fragment inconsistent with the message being reassembled is refused", () => {
  const { engine, sent } = peer();
  const sh = serverHelloBody();
  engine.receive(record(22, 0, 0, handshake(HT.SERVER_HELLO, 0, sh, 0, 10)));
  engine.receive(record(22, 0, 1, handshake(HT.SERVER_HELLO, 0, Buffer.alloc(80), 10, 10, 80)));
  assert.equal(engine.state, codes.STATE_FAILED);
  assert.deepEqual(lastAlert(sent), [codes.ALERT_FATAL, codes.ALERT_DECODE_ERROR]);
});

test("HelloVerifyRequest: the second ClientHello carries the cookie and the same random", () => {
  const { engine, sent } = peer();
  const cookie = Buffer.from("cookie-0123456789");
  engine.receive(record(22, 0, 0, handshake(HT.HVR, 0, Buffer.concat([Buffer.from([0xfe, 0xff, cookie.length]), cookie]))));
  assert.equal(sent.length, 2);
  const ch1 = parseRecords(sent[0])[0].payload.subarray(12);
  const ch2msg = parseRecords(sent[1])[0].payload;
  assert.equal(ch2msg.readUInt16BE(4), 1, "message_seq 1");
  const ch2 = ch2msg.subarray(12);
  assert.deepEqual(ch2.subarray(0, 34), ch1.subarray(0, 34), "version and random repeat");
  assert.equal(ch2.readUInt16BE(0), 0xfefd, "only DTLS 1.2 is offered");
  assert.deepEqual(ch2.subarray(36, 36 + cookie.length), cookie);
});

test("too many HelloVerifyRequests end the handshake", () => {
  const { engine } = peer();
  for (let i = 0; i < 5; i++) engine.receive(record(22, 0, i, handshake(HT.HVR, i, Buffer.from([0xfe, 0xff, 1, i]))));
  assert.equal(engine.state, codes.STATE_FAILED);
  assert.equal(engine.wasm.dtls_last_error(), codes.REASON_TOO_MANY_HVR);
});

test("retransmission timer: 9 s, doubled, then give up at 63 s (RFC 7925 s. 11)", () => {
  const { engine, sent, advance } = peer({ rtoMs: undefined });
  assert.equal(engine.poll(), 9000);
  assert.equal(advance(8999), 1);
  assert.equal(sent.length, 1);
  assert.equal(advance(1), 18000);
  assert.equal(sent.length, 2, "first retransmission at 9 s");
  assert.equal(advance(18000), 36000);
  assert.equal(sent.length, 3, "second at 27 s");
  assert.equal(advance(35999), 1);
  assert.equal(engine.state, codes.STATE_HANDSHAKING);
  assert.equal(advance(1), -1);
  assert.equal(engine.state, codes.STATE_FAILED, "given up at 63 s");
  assert.equal(engine.wasm.dtls_last_error(), codes.REASON_TIMEOUT);
  assert.equal(sent.length, 3);
});

test("the timer keeps working across a wrap of the 32-bit millisecond clock", () => {
  let now = 0xffffffff - 4000;
  const sent: Uint8Array[] = [];
  const engine = new DtlsEngine({ psk, clock: () => now, rtoMs: 3000 }, (d) => sent.push(d));
  engine.connect();
  now += 3000;
  engine.poll();
  assert.equal(sent.length, 2);
  now += 6000; // past 2^32
  engine.poll();
  assert.equal(sent.length, 3);
});

test("sleepy-node timers can be configured (RFC 7925 s. 11, last paragraph)", () => {
  const { engine, sent, advance } = peer({ rtoMs: 500, rtoMaxMs: 1000, budgetMs: 2500 });
  assert.equal(engine.poll(), 500);
  advance(500);
  assert.equal(advance(0), 1000);
  advance(1000);
  assert.equal(advance(0), 1000, "capped at the maximum");
  advance(1000);
  assert.equal(engine.state, codes.STATE_FAILED);
  assert.equal(sent.length, 3);
});

test("garbage never traps the module: 3000 random and mutated datagrams", () => {
  const valid = Buffer.concat([serverHello(0), record(22, 0, 1, handshake(HT.SHD, 1, Buffer.alloc(0)))]);
  let failures = 0;
  for (let i = 0; i < 3000; i++) {
    const { engine } = peer();
    let d: Buffer;
    if (i % 3 === 0) d = randomBytes(i % 200);
    else {
      d = Buffer.from(valid);
      for (let k = 0; k <= i % 5; k++) d[(i * 7919 + k * 104729) % d.length] ^= 1 + ((i + k) % 255);
      if (i % 3 === 2) d = d.subarray(0, (i * 31) % d.length);
    }
    const state = engine.receive(d);   // a trap would throw a WebAssembly.RuntimeError
    assert.ok([codes.STATE_HANDSHAKING, codes.STATE_FAILED].includes(state));
    if (state === codes.STATE_FAILED) {
      failures++;
      assert.ok(engine.wasm.dtls_last_alert() >= 0 || engine.wasm.dtls_last_error() !== 0);
    }
    engine.poll();
  }
  assert.ok(failures > 0 && failures < 3000, `some mutations must be refused with an alert, got ${failures}`);
});

test("records of the wrong version, a future epoch or a replayed number are dropped", () => {
  const { engine } = peer();
  engine.receive(record(22, 0, 0, handshake(HT.SERVER_HELLO, 0, serverHelloBody()), 0x0303));
  assert.equal(engine.state, codes.STATE_HANDSHAKING);
  engine.receive(record(22, 3, 0, handshake(HT.SERVER_HELLO, 0, serverHelloBody())));
  assert.equal(engine.state, codes.STATE_HANDSHAKING);
  assert.equal(engine.info(codes.INFO_RECORDS_DROPPED), 2);
  engine.receive(record(22, 0, 7, handshake(HT.SERVER_HELLO, 0, serverHelloBody()))); // record seq 7
  assert.equal(engine.info(codes.INFO_CIPHER_SUITE), codes.TLS_PSK_WITH_AES_128_CCM_8);
  engine.receive(record(22, 0, 7, handshake(HT.SHD, 1, Buffer.alloc(0)))); // replayed seq 7
  assert.equal(engine.info(codes.INFO_RECORDS_DROPPED), 3);
  assert.equal(engine.info(codes.INFO_FLIGHTS_SENT), 1, "the replayed ServerHelloDone was not acted on");
});

test("the TRNG failing stops connect with a clear reason and sends nothing", () => {
  const sent: Uint8Array[] = [];
  const engine = new DtlsEngine({ psk, failRandom: () => true }, (d) => sent.push(d));
  engine.connect();
  assert.equal(engine.state, codes.STATE_FAILED);
  assert.equal(engine.wasm.dtls_last_error(), codes.REASON_RANDOM);
  assert.equal(sent.length, 0);
});

/** The extension types of a ClientHello body, in order. */
function clientHelloExtensions(body: Buffer): number[] {
  let p = 2 + 32;
  p += 1 + body[p];                 // session_id
  p += 1 + body[p];                 // cookie
  p += 2 + body.readUInt16BE(p);    // cipher_suites
  p += 1 + body[p];                 // compression_methods
  const end = p + 2 + body.readUInt16BE(p);
  const types: number[] = [];
  for (p += 2; p < end; p += 4 + body.readUInt16BE(p + 2)) types.push(body.readUInt16BE(p));
  return types;
}

test("the ClientHello: DTLS 1.2 only, null compression, the profile's extensions and no others", () => {
  const sent: Uint8Array[] = [];
  const engine = new DtlsEngine({ psk, sni: "gw.example.net", seed: "ch" }, (d) => sent.push(d));
  engine.connect();
  const body = parseRecords(sent[0])[0].payload.subarray(12);
  assert.equal(body.readUInt16BE(0), 0xfefd);
  const types = clientHelloExtensions(body);
  assert.deepEqual(types, [0, 1, 23, 0xff01], "server_name, max_fragment_length, EMS, renegotiation_info");
  assert.ok(!types.includes(22) && !types.includes(4), "never encrypt_then_mac or truncated_hmac (s. 13)");
  const compressionAt = 2 + 32 + 1 + 1 + 2 + body.readUInt16BE(2 + 32 + 1 + 1);
  assert.deepEqual([...body.subarray(compressionAt, compressionAt + 2)], [1, 0], "null compression only (s. 8)");
});

test("all 32 bytes of ClientHello.random come from the TRNG (RFC 7925 s. 12)", async () => {
  const { seededBytes } = await import("../host/hal");
  const sent: Uint8Array[] = [];
  const engine = new DtlsEngine({ psk, seed: "trng-check" }, (d) => sent.push(d));
  engine.connect();
  const random = parseRecords(sent[0])[0].payload.subarray(12 + 2, 12 + 34);
  assert.deepEqual(random, seededBytes("trng-check")(32));
});

// ECDHE_ECDSA with raw public keys: what a ServerHello and the server's flight may not do.
const pin = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]);
function rpkPeer() {
  const sent: Uint8Array[] = [];
  const engine = new DtlsEngine({ rpk: { serverPin: pin }, seed: "rpk" }, (d) => sent.push(d));
  engine.connect();
  return { engine, sent };
}
const rawPkTypes = Buffer.concat([ext(20, Buffer.from([2])), ext(23, Buffer.alloc(0)), ext(0xff01, Buffer.from([0]))]);

test("ECDHE: a ServerHello without server_certificate_type (X.509) gets handshake_failure", () => {
  const { engine, sent } = rpkPeer();
  engine.receive(serverHello(0, { suite: 0xc0ae, extensions: Buffer.concat([ext(23, Buffer.alloc(0))]) }));
  assert.equal(engine.state, codes.STATE_FAILED);
  assert.deepEqual(lastAlert(sent), [codes.ALERT_FATAL, codes.ALERT_HANDSHAKE_FAILURE]);
});

test("ECDHE: a certificate type other than raw public key gets illegal_parameter", () => {
  const { engine, sent } = rpkPeer();
  engine.receive(serverHello(0, { suite: 0xc0ae, extensions: ext(20, Buffer.from([0])) }));
  assert.deepEqual(lastAlert(sent), [codes.ALERT_FATAL, codes.ALERT_ILLEGAL_PARAMETER]);
});

test("ECDHE: ServerKeyExchange before Certificate is an unexpected message", () => {
  const { engine, sent } = rpkPeer();
  engine.receive(Buffer.concat([serverHello(0, { suite: 0xc0ae, extensions: rawPkTypes }),
    record(22, 0, 1, handshake(HT.SKE, 1, Buffer.from([3, 0, 23, 65, ...pin, 4, 3, 0, 0])))]));
  assert.deepEqual(lastAlert(sent), [codes.ALERT_FATAL, codes.ALERT_UNEXPECTED_MESSAGE]);
});

test("ECDHE: a Certificate that is not a P-256 SubjectPublicKeyInfo, or not the pinned key, is refused without certificate alerts", () => {
  for (const spki of [Buffer.alloc(91, 1), Buffer.concat([Buffer.from("3059301306072a8648ce3d020106082a8648ce3d030107034200", "hex"), pin])]) {
    const { engine, sent } = rpkPeer();
    const cert = Buffer.concat([Buffer.from([0, 0, spki.length]), spki]);
    engine.receive(Buffer.concat([serverHello(0, { suite: 0xc0ae, extensions: rawPkTypes }), record(22, 0, 1, handshake(11, 1, cert))]));
    assert.equal(engine.state, codes.STATE_FAILED);
    // RFC 7925 s. 6: bad_certificate & co. are not used with raw public keys.
    assert.deepEqual(lastAlert(sent), [codes.ALERT_FATAL, codes.ALERT_HANDSHAKE_FAILURE]);
    assert.equal(engine.wasm.dtls_last_error(), codes.REASON_BAD_PEER_KEY);
  }
});

test("a server flight arriving in reverse order is queued and used at once (RFC 6347 4.2.2)", () => {
  const { engine, sent } = peer();
  const hint = Buffer.from([0, 0]);
  engine.receive(record(22, 0, 3, handshake(HT.SHD, 2, Buffer.alloc(0))));
  engine.receive(record(22, 0, 2, handshake(HT.SKE, 1, hint)));
  assert.equal(sent.length, 1, "nothing to answer yet");
  const sh = serverHelloBody();
  engine.receive(record(22, 0, 1, handshake(HT.SERVER_HELLO, 0, sh, 20, sh.length - 20)));
  engine.receive(record(22, 0, 0, handshake(HT.SERVER_HELLO, 0, sh, 0, 20)));
  assert.equal(sent.length, 2, "flight 5 went out without waiting for a retransmission");
  assert.deepEqual(parseRecords(sent[1]).map((r) => r.type), [22, 20, 22]);
  assert.equal(engine.info(codes.INFO_FLIGHTS_RETRANSMITTED), 0);
});

test("stashed fragments of a message already done are discarded, not replayed", () => {
  const { engine, sent } = peer();
  const sh = serverHelloBody();
  engine.receive(record(22, 0, 0, handshake(HT.SHD, 1, Buffer.alloc(0))));
  engine.receive(record(22, 0, 1, handshake(HT.SHD, 1, Buffer.alloc(0))));   // twice
  engine.receive(record(22, 0, 2, handshake(HT.SERVER_HELLO, 0, sh)));
  assert.equal(engine.state, codes.STATE_HANDSHAKING);
  assert.equal(sent.length, 2);
  assert.equal(parseRecords(sent[1]).length, 3);
});

test("configuration wipes the PSK and the private key from the shared I/O buffer", () => {
  const engine = new DtlsEngine({ psk, seed: "wipe" }, () => {});
  const w = engine.wasm;
  const buf = new Uint8Array(w.memory.buffer, w.dtls_buffer(), 128);
  buf.set(Buffer.concat([psk.identity, psk.key]));
  assert.equal(w.dtls_config_psk(psk.identity.length, psk.key.length), 0);
  assert.ok(buf.subarray(0, psk.identity.length + psk.key.length).every((b) => b === 0));
  const priv = Buffer.alloc(32, 0x11);
  buf.set(Buffer.concat([priv, pin]));
  assert.equal(w.dtls_config_rpk(32, 65), 0);
  assert.ok(buf.subarray(0, 32).every((b) => b === 0));
});
