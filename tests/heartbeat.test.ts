// Heartbeat (RFC 6520; RFC 7925 section 10): our requests answered by gnutls-serv --heartbeat
// (which answers pings and never sends one of its own: its UDP loop calls
// gnutls_heartbeat_pong on GNUTLS_E_HEARTBEAT_PING_RECEIVED), then a scripted PSK server
// (tests/support/mock-psk-server.ts) with a virtual clock for what no real server does:
// requests from the server, the Heartbleed request, mismatched responses, heartbeats during
// the handshake, bad ServerHello extensions, retransmission and the give-up.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as codes from "../host/codes";
import { UdpDtlsClient } from "../host/udp-client";
import { DtlsEngine, EngineOptions } from "../host/engine";
import { startGnuTls, ServerProcess, PSK_IDENTITY, PSK_HEX } from "./support/servers";
import { MockPskServer } from "./support/mock-psk-server";
import { record, handshake, serverHelloBody, ext, parseRecords } from "./support/wire";
import { runCli, runProgram, buildPrograms } from "./support/cli";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { ROOT, BUILD, CLI, POSIX, WASM3_PYTHON, WASM3_HARNESS } from "./support/paths";

const CT_HEARTBEAT = 24, EXT_HEARTBEAT = 15, REQUEST = 1, RESPONSE = 2;
const servers: ServerProcess[] = [];
after(async () => { for (const s of servers) await s.stop(); });

// ---- against gnutls-serv --udp --heartbeat --------------------------------------------

test("gnutls-serv --heartbeat: our requests are answered and counted; the data still flows", async () => {
  const s = await startGnuTls({ extra: ["--heartbeat"] });
  servers.push(s);
  const psk = { identity: Buffer.from(PSK_IDENTITY), key: Buffer.from(PSK_HEX, "hex") };
  const c = new UdpDtlsClient("127.0.0.1", s.port, { psk, heartbeat: 1, heartbeatIntervalMs: 100, rtoMs: 1000 });
  try {
    await c.connect();
    assert.equal(c.engine.info(codes.INFO_HEARTBEAT_PEER_MODE), 1, "gnutls-serv lets us send requests");
    // Bounded wait for three answered requests (each is sent 100 ms after the last).
    for (let i = 0; i < 300 && c.engine.info(codes.INFO_HEARTBEAT_RESPONSES) < 3; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(c.engine.info(codes.INFO_HEARTBEAT_RESPONSES) >= 3, `responses: ${c.engine.info(codes.INFO_HEARTBEAT_RESPONSES)}`);
    const sent = c.engine.info(codes.INFO_HEARTBEATS_SENT);
    assert.ok(sent - c.engine.info(codes.INFO_HEARTBEAT_RESPONSES) <= 1, "one request in flight at most");
    c.write(Buffer.from("still here"));
    assert.equal((await c.readOne(5000))?.toString(), "still here");
    assert.equal(c.engine.state, codes.STATE_CONNECTED);
    assert.equal(c.engine.info(codes.INFO_HEARTBEATS_ANSWERED), 0, "gnutls-serv never pings by itself");
  } finally {
    await c.close();
  }
});

test("dtls-client --heartbeat 1 --wait 3500 against gnutls-serv: stays connected, JSON heartbeats counted", async () => {
  const s = await startGnuTls({ extra: ["--heartbeat"] });
  servers.push(s);
  const r = await runCli([`127.0.0.1:${s.port}`, "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX,
    "--heartbeat", "1", "--wait", "3500", "--send", "hi", "--json"], 30000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.reply, true);
  assert.equal(r.json.received, "hi");
  assert.ok(r.json.heartbeats.sent >= 2, JSON.stringify(r.json.heartbeats));
  assert.equal(r.json.heartbeats.responses, r.json.heartbeats.sent, "each answered (loopback loses nothing)");
  assert.equal(r.json.heartbeats.answered, 0);
  const plain = await runCli([`127.0.0.1:${s.port}`, "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX, "--json"], 30000);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.json.heartbeats, null, "no extension offered: null");
});

test("dtls-client, dtls-posix and dtls_wasm3.py alike: --heartbeat 1 --wait 3500 (and without --send) against gnutls-serv", async () => {
  buildPrograms();
  const programs: Record<string, string[]> = {
    "dtls-client": [process.execPath, CLI],
    "dtls-posix": [POSIX],
    "dtls_wasm3.py": [WASM3_PYTHON, WASM3_HARNESS],
  };
  const runs = await Promise.all(Object.entries(programs).map(async ([name, [cmd, ...pre]]) => {
    const s = await startGnuTls({ extra: ["--heartbeat"] });
    servers.push(s);
    const r = await runProgram(cmd, [...pre, `127.0.0.1:${s.port}`, "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX,
      "--heartbeat", "1", "--wait", "3500", "--json"], 60000);
    return [name, r] as const;
  }));
  for (const [name, r] of runs) {
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    assert.equal(r.json.state, "closed", name);
    assert.ok(r.json.heartbeats.sent >= 2, `${name} stayed connected and sent: ${JSON.stringify(r.json.heartbeats)}`);
    assert.equal(r.json.heartbeats.responses, r.json.heartbeats.sent, name);
    assert.deepEqual(Object.keys(r.json), Object.keys(runs[0][1].json), `${name}: the same keys`);
  }
});

test("qemu (Cortex-M4 image, wasm2c) through the SLIP bridge: --heartbeat 1 --wait 3500 against gnutls-serv", async () => {
  execFileSync("make", ["--no-print-directory", "-s", "qemu"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"], timeout: 600000 });
  const s = await startGnuTls({ extra: ["--heartbeat"] });
  servers.push(s);
  const r = await runProgram(process.execPath, [join(ROOT, "dist", "host", "slip-bridge.js"), `127.0.0.1:${s.port}`,
    "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX, "--heartbeat", "1", "--wait", "3500", "--json",
    "--firmware", join(BUILD, "boards", "qemu", "dtls-qemu.elf"), "--qemu-timeout", "60"], 90000);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.json.heartbeats.sent >= 2, `the board stayed connected and sent: ${JSON.stringify(r.json.heartbeats)}`);
  assert.equal(r.json.heartbeats.responses, r.json.heartbeats.sent);
});

test("gnutls-serv without --heartbeat: the offer is ignored, nothing is sent, poll stays -1", async () => {
  const s = await startGnuTls();
  servers.push(s);
  const psk = { identity: Buffer.from(PSK_IDENTITY), key: Buffer.from(PSK_HEX, "hex") };
  const c = new UdpDtlsClient("127.0.0.1", s.port, { psk, heartbeat: 1, heartbeatIntervalMs: 50, rtoMs: 1000 });
  try {
    await c.connect();
    assert.equal(c.engine.info(codes.INFO_HEARTBEAT_PEER_MODE), 0);
    assert.equal(c.engine.poll(), -1, "no heartbeat timer");
    assert.equal(c.engine.summary().heartbeats, null);
  } finally {
    await c.close();
  }
});

// ---- scripted server, virtual clock -------------------------------------------------

const key = Buffer.from("a1b2c3d4e5f60718293a4b5c6d7e8f90", "hex");
const DEFAULT_EXTS = [ext(1, Buffer.from([1])), ext(23, Buffer.alloc(0)), ext(0xff01, Buffer.from([0]))];
const withHeartbeat = (mode: number | Buffer) =>
  ({ extensions: Buffer.concat([...DEFAULT_EXTS, ext(EXT_HEARTBEAT, Buffer.isBuffer(mode) ? mode : Buffer.from([mode]))]) });

function client(options: Partial<EngineOptions> = {}) {
  const sent: Buffer[] = [];
  let now = 0;
  const engine = new DtlsEngine({ psk: { identity: Buffer.from("hb-1"), key }, seed: "heartbeat", clock: () => now, ...options },
    (d) => sent.push(Buffer.from(d)));
  return { engine, sent, advance: (ms: number) => { now += ms; return engine.poll(); } };
}

/** A connection to the scripted server; helloOptions: its ServerHello. */
function connected(helloOptions = {}, options: Partial<EngineOptions> = { heartbeat: 1 }) {
  const c = client(options);
  const server = new MockPskServer(key, helloOptions);
  c.engine.connect();
  c.engine.receive(server.answerClientHello(c.sent[0]));
  const { ccs, finished } = server.answerFinishedFlight(c.sent.slice(1));
  c.engine.receive(Buffer.concat([ccs, finished]));
  assert.equal(c.engine.state, codes.STATE_CONNECTED);
  return { ...c, server };
}

/** A HeartbeatMessage: type, payload_length (default: the payload's), payload, padding. */
function hbMessage(type: number, payload: Buffer, padding = 16, payloadLength = payload.length): Buffer {
  const h = Buffer.alloc(3);
  h[0] = type;
  h.writeUInt16BE(payloadLength, 1);
  return Buffer.concat([h, payload, Buffer.alloc(padding, 0x5a)]);
}

/** The heartbeat records the client sent from index `from` on, decrypted. */
function heartbeatsSent(c: { sent: Buffer[]; server: MockPskServer }, from = 0): Buffer[] {
  return c.sent.slice(from).flatMap((d) => parseRecords(d)).filter((r) => r.type === CT_HEARTBEAT).map((r) => {
    assert.equal(r.epoch, 1, "heartbeats only in epoch 1");
    const p = c.server.open(r);
    assert.ok(p, "the heartbeat record authenticates");
    return p;
  });
}

/** The ClientHello's heartbeat extension data, or null. */
function clientHelloHeartbeat(d: Buffer): Buffer | null {
  const body = parseRecords(d)[0].payload.subarray(12);
  let p = 2 + 32;
  p += 1 + body[p];                    // session_id
  p += 1 + body[p];                    // cookie
  p += 2 + body.readUInt16BE(p);       // cipher suites
  p += 1 + body[p];                    // compression
  const end = p + 2 + body.readUInt16BE(p);
  for (p += 2; p < end; p += 4 + body.readUInt16BE(p + 2)) {
    if (body.readUInt16BE(p) === EXT_HEARTBEAT) return body.subarray(p + 4, p + 4 + body.readUInt16BE(p + 2));
  }
  return null;
}

test("the ClientHello offers the mode of OPT_HEARTBEAT (RFC 6520 s. 2), and nothing by default", () => {
  for (const [heartbeat, expected] of [[undefined, null], [0, null], [1, "01"], [2, "02"]] as const) {
    const c = client({ heartbeat });
    c.engine.connect();
    assert.equal(clientHelloHeartbeat(c.sent[0])?.toString("hex") ?? null, expected, `OPT_HEARTBEAT ${heartbeat}`);
  }
  const e = client().engine;
  assert.equal(e.wasm.dtls_config_set(codes.OPT_HEARTBEAT, 3), codes.ERR_BAD_ARGUMENT);
  assert.equal(e.wasm.dtls_config_set(codes.OPT_HEARTBEAT, -1), codes.ERR_BAD_ARGUMENT);
  assert.equal(e.wasm.dtls_config_set(codes.OPT_HEARTBEAT_INTERVAL_MS, -1), codes.ERR_BAD_ARGUMENT);
  assert.equal(e.wasm.dtls_config_set(codes.OPT_HEARTBEAT_INTERVAL_MS, codes.OPT_HEARTBEAT_LIMIT_MS + 1), codes.ERR_BAD_ARGUMENT);
  assert.equal(e.wasm.dtls_config_set(codes.OPT_HEARTBEAT_INTERVAL_MS, codes.OPT_HEARTBEAT_LIMIT_MS), 0);
});

test("a server request is answered with the same payload and at least 16 bytes of fresh random padding", () => {
  const c = connected(withHeartbeat(2));
  assert.equal(c.engine.info(codes.INFO_HEARTBEAT_PEER_MODE), 2);
  const payload = Buffer.from("are you there? 0123456789");
  const before = c.sent.length;
  c.engine.receive(c.server.seal(CT_HEARTBEAT, hbMessage(REQUEST, payload)));
  const [answer, ...more] = heartbeatsSent(c, before);
  assert.deepEqual(more, [], "one response");
  assert.equal(answer[0], RESPONSE);
  assert.equal(answer.readUInt16BE(1), payload.length);
  assert.deepEqual(answer.subarray(3, 3 + payload.length), payload, "an exact copy of the payload");
  const padding = answer.subarray(3 + payload.length);
  assert.ok(padding.length >= 16, `padding ${padding.length}`);
  assert.notDeepEqual(padding, Buffer.alloc(padding.length, 0x5a), "our own padding, not the request's");
  assert.notDeepEqual(padding, Buffer.alloc(padding.length), "random, not zeros");
  assert.equal(c.engine.info(codes.INFO_HEARTBEATS_ANSWERED), 1);
  // A second request: new padding (fresh random bytes each time).
  c.engine.receive(c.server.seal(CT_HEARTBEAT, hbMessage(REQUEST, payload)));
  const [second] = heartbeatsSent(c, before + 1);
  assert.notDeepEqual(second.subarray(3 + payload.length), padding, "fresh padding");
  assert.equal(c.engine.info(codes.INFO_HEARTBEATS_ANSWERED), 2);
  assert.deepEqual(c.engine.summary().heartbeats, { sent: 0, responses: 0, answered: 2 });
  assert.equal(c.engine.poll(), -1, "the server's mode forbids our requests: no timer");
});

test("Heartbleed: a payload_length beyond the record (with 16 bytes of padding) is dropped, nothing past the record is read", () => {
  const c = connected(withHeartbeat(1));
  const dropped = () => c.engine.info(codes.INFO_RECORDS_DROPPED);
  const before = c.sent.length;
  // Application data right behind the heartbeat record in the same datagram: its bytes
  // follow the request's in the receive buffer and must never be echoed.
  const secret = Buffer.from("SECRET-".repeat(20));
  const cases: Array<[string, Buffer]> = [
    ["payload_length 16000 in a 24-byte message", hbMessage(REQUEST, Buffer.from("hello"), 16, 16000)],
    ["payload_length 100 in a 24-byte message (the next record's bytes follow)", hbMessage(REQUEST, Buffer.from("hello"), 16, 100)],
    ["payload_length reaching into the padding (15 bytes left)", hbMessage(REQUEST, Buffer.from("hello"), 16, 6)],
    ["no padding at all", hbMessage(REQUEST, Buffer.from("hello"), 0)],
    ["15 bytes of padding", hbMessage(REQUEST, Buffer.from("hello"), 15)],
    ["a 2-byte message", Buffer.from([REQUEST, 0])],
    ["an empty record", Buffer.alloc(0)],
  ];
  for (const [what, msg] of cases) {
    const d = dropped();
    c.engine.receive(Buffer.concat([c.server.seal(CT_HEARTBEAT, msg), c.server.seal(23, secret)]));
    assert.equal(dropped(), d + 1, `${what}: dropped and counted`);
  }
  assert.equal(c.sent.length, before, "nothing was sent");
  assert.equal(c.engine.info(codes.INFO_HEARTBEATS_ANSWERED), 0);
  assert.equal(c.engine.state, codes.STATE_CONNECTED, "discarded silently (RFC 6520 s. 4)");
  // The boundary: exactly 16 bytes of padding, and an empty payload, are answered.
  c.engine.receive(c.server.seal(CT_HEARTBEAT, hbMessage(REQUEST, Buffer.from("hello"), 16)));
  c.engine.receive(c.server.seal(CT_HEARTBEAT, hbMessage(REQUEST, Buffer.alloc(0), 16)));
  const answers = heartbeatsSent(c, before);
  assert.equal(answers.length, 2);
  assert.equal(answers[0].subarray(0, 8).toString("hex"), "020005" + Buffer.from("hello").toString("hex"));
  assert.equal(answers[1].subarray(0, 3).toString("hex"), "020000");
  for (const a of answers) assert.ok(!a.includes(Buffer.from("SECRET")), "no byte of the next record echoed");
  assert.equal(c.engine.info(codes.INFO_HEARTBEATS_ANSWERED), 2);
});

test("a request whose response would not fit the PMTU is dropped; one that fits is answered", () => {
  const c = connected(withHeartbeat(1), { heartbeat: 1, pmtu: 200 });
  const room = c.engine.info(codes.INFO_MAX_WRITE);
  assert.equal(room, 200 - 29);
  const before = c.sent.length;
  c.engine.receive(c.server.seal(CT_HEARTBEAT, hbMessage(REQUEST, Buffer.alloc(room - 3 - 16 + 1, 1))));
  assert.equal(c.sent.length, before, "one byte too large: not answered");
  c.engine.receive(c.server.seal(CT_HEARTBEAT, hbMessage(REQUEST, Buffer.alloc(room - 3 - 16, 1))));
  assert.equal(c.sent.length, before + 1);
  assert.ok(c.sent[before].length <= 200, `datagram ${c.sent[before].length} within the PMTU`);
  assert.equal(c.engine.info(codes.INFO_HEARTBEATS_ANSWERED), 1);
});

test("peer_not_allowed_to_send (OPT_HEARTBEAT 2): the server's requests are dropped", () => {
  const c = connected(withHeartbeat(1), { heartbeat: 2 });
  const before = c.sent.length;
  const d = c.engine.info(codes.INFO_RECORDS_DROPPED);
  c.engine.receive(c.server.seal(CT_HEARTBEAT, hbMessage(REQUEST, Buffer.from("ping"))));
  assert.equal(c.sent.length, before, "no response");
  assert.equal(c.engine.info(codes.INFO_RECORDS_DROPPED), d + 1);
  assert.equal(c.engine.info(codes.INFO_HEARTBEATS_ANSWERED), 0);
  assert.equal(c.engine.state, codes.STATE_CONNECTED);
});

test("without the extension in the ServerHello, heartbeat records are dropped", () => {
  const c = connected({}, { heartbeat: 1, heartbeatIntervalMs: 1000 });
  const before = c.sent.length;
  c.engine.receive(c.server.seal(CT_HEARTBEAT, hbMessage(REQUEST, Buffer.from("ping"))));
  assert.equal(c.sent.length, before);
  assert.equal(c.advance(5000), -1, "no requests of ours either");
  assert.equal(c.sent.length, before);
});

test("our requests: every interval, a counter and random bytes; a mismatched response is dropped, the right one counted", () => {
  const c = connected(withHeartbeat(1), { heartbeat: 1, heartbeatIntervalMs: 1000 });
  assert.equal(c.engine.poll(), 1000, "poll gives the time to the first request");
  const before = c.sent.length;
  assert.equal(c.advance(999), 1);
  assert.equal(c.sent.length, before, "not yet");
  const rto = c.advance(1);
  assert.equal(rto, 9000, "the request's retransmission timer (RFC 7925 s. 11 initial RTO)");
  const [req] = heartbeatsSent(c, before);
  assert.equal(req[0], REQUEST);
  assert.equal(req.readUInt16BE(1), 16, "16 bytes of payload");
  assert.equal(req.length, 3 + 16 + 16, "16 bytes of padding");
  assert.equal(req.readUInt32BE(3), 1, "the payload starts with a counter");
  const payload = req.subarray(3, 19);
  assert.equal(c.engine.info(codes.INFO_HEARTBEATS_SENT), 1);
  const dropped = c.engine.info(codes.INFO_RECORDS_DROPPED);
  const wrong = Buffer.from(payload);
  wrong[15] ^= 1;
  c.engine.receive(c.server.seal(CT_HEARTBEAT, hbMessage(RESPONSE, wrong)));
  c.engine.receive(c.server.seal(CT_HEARTBEAT, hbMessage(RESPONSE, payload.subarray(0, 15))));
  c.engine.receive(c.server.seal(CT_HEARTBEAT, hbMessage(REQUEST + 5, payload)));
  assert.equal(c.engine.info(codes.INFO_HEARTBEAT_RESPONSES), 0, "mismatched responses are not counted");
  assert.equal(c.engine.info(codes.INFO_RECORDS_DROPPED), dropped + 3);
  c.engine.receive(c.server.seal(CT_HEARTBEAT, hbMessage(RESPONSE, payload, 40)));
  assert.equal(c.engine.info(codes.INFO_HEARTBEAT_RESPONSES), 1);
  c.engine.receive(c.server.seal(CT_HEARTBEAT, hbMessage(RESPONSE, payload)));
  assert.equal(c.engine.info(codes.INFO_HEARTBEAT_RESPONSES), 1, "a second copy answers nothing outstanding");
  assert.equal(c.engine.poll(), 1000, "the next one an interval after the last");
  c.advance(1000);
  const [req2] = heartbeatsSent(c, before + 1);
  assert.equal(req2.readUInt32BE(3), 2, "the counter moved");
  assert.notDeepEqual(req2.subarray(7, 19), payload.subarray(4), "new random bytes");
  assert.equal(c.engine.info(codes.INFO_HEARTBEATS_SENT), 2);
  assert.deepEqual(c.engine.summary().heartbeats, { sent: 2, responses: 1, answered: 0 });
});

test("an unanswered request is retransmitted with the flight timer (same payload, new padding), then the connection ends", () => {
  const c = connected(withHeartbeat(1), { heartbeat: 1, heartbeatIntervalMs: 500 });
  const before = c.sent.length;
  c.advance(500);
  const [first] = heartbeatsSent(c, before);
  // RFC 7925 s. 11 timer: 9 s, 18 s, 36 s (capped by the 63 s budget), as for flights.
  assert.equal(c.advance(9000), 18000);
  assert.equal(c.engine.info(codes.INFO_HEARTBEATS_SENT), 1, "retransmissions are not new requests");
  const [again] = heartbeatsSent(c, before + 1);
  assert.deepEqual(again.subarray(0, 19), first.subarray(0, 19), "the same payload");
  assert.notDeepEqual(again.subarray(19), first.subarray(19), "fresh padding");
  assert.equal(c.advance(18000), 36000);
  assert.equal(heartbeatsSent(c, before).length, 3, "one request in flight: the interval sends no new one");
  assert.equal(c.advance(35999), 1);
  assert.equal(c.engine.state, codes.STATE_CONNECTED);
  assert.equal(c.advance(1), -1);
  assert.equal(c.engine.state, codes.STATE_FAILED);
  assert.equal(c.engine.wasm.dtls_last_error(), codes.REASON_HEARTBEAT_TIMEOUT);
  assert.equal(c.engine.failure().reason, "heartbeat_timeout");
});

test("a response after a retransmission stops the timer; the connection lives on", () => {
  const c = connected(withHeartbeat(1), { heartbeat: 1, heartbeatIntervalMs: 60000, rtoMs: 100 });
  const before = c.sent.length;
  c.advance(60000);
  c.advance(100);
  const reqs = heartbeatsSent(c, before);
  assert.equal(reqs.length, 2);
  c.engine.receive(c.server.seal(CT_HEARTBEAT, hbMessage(RESPONSE, reqs[0].subarray(3, 19))));
  assert.equal(c.engine.info(codes.INFO_HEARTBEAT_RESPONSES), 1);
  assert.equal(c.engine.poll(), 60000 - 100, "back to the interval");
  c.advance(59899);
  assert.equal(c.engine.state, codes.STATE_CONNECTED);
  assert.equal(heartbeatsSent(c, before).length, 2, "no retransmission after the answer");
});

test("heartbeat records during the handshake are dropped (RFC 6520 s. 3)", () => {
  const c = client({ heartbeat: 1 });
  const server = new MockPskServer(key, withHeartbeat(1));
  c.engine.connect();
  const request = hbMessage(REQUEST, Buffer.from("early"));
  c.engine.receive(record(CT_HEARTBEAT, 0, 5, request));     // before the ServerHello
  c.engine.receive(server.answerClientHello(c.sent[0]));
  const flight5 = c.sent.slice(1);
  const afterFlight5 = c.sent.length;
  c.engine.receive(record(CT_HEARTBEAT, 0, 20, request));    // epoch 0 after it
  const { ccs, finished } = server.answerFinishedFlight(flight5);
  c.engine.receive(ccs);
  c.engine.receive(server.seal(CT_HEARTBEAT, request));     // epoch 1 before the Finished
  assert.equal(c.engine.state, codes.STATE_HANDSHAKING);
  assert.equal(c.sent.length, afterFlight5, "none answered");
  assert.equal(c.engine.info(codes.INFO_RECORDS_DROPPED), 3);
  c.engine.receive(finished);
  assert.equal(c.engine.state, codes.STATE_CONNECTED);
  c.engine.receive(record(CT_HEARTBEAT, 0, 30, request));    // epoch 0 once connected
  assert.equal(c.sent.length, afterFlight5, "an unauthenticated request is never answered");
  assert.equal(c.engine.info(codes.INFO_HEARTBEATS_ANSWERED), 0);
});

/** The alert the client sent in answer to the first flight, and the reason. */
function refusedServerHello(helloOptions: object, options: Partial<EngineOptions>): [number, number, number] {
  const c = client(options);
  const server = new MockPskServer(key, helloOptions);
  c.engine.connect();
  c.engine.receive(server.answerClientHello(c.sent[0]));
  assert.equal(c.engine.state, codes.STATE_FAILED);
  const [alert] = parseRecords(c.sent[c.sent.length - 1]).filter((r) => r.type === 21);
  return [alert.payload[0], alert.payload[1], c.engine.wasm.dtls_last_error()];
}

test("the extension in a ServerHello we did not offer it to: unsupported_extension", () => {
  assert.deepEqual(refusedServerHello(withHeartbeat(1), {}),
    [codes.ALERT_FATAL, codes.ALERT_UNSUPPORTED_EXTENSION, codes.REASON_UNSUPPORTED_EXTENSION]);
});

test("a HeartbeatMode other than 1 or 2: illegal_parameter (RFC 6520 s. 2); a malformed extension: decode_error", () => {
  for (const mode of [0, 3, 255]) {
    assert.deepEqual(refusedServerHello(withHeartbeat(mode), { heartbeat: 1 }),
      [codes.ALERT_FATAL, codes.ALERT_ILLEGAL_PARAMETER, codes.REASON_ILLEGAL_PARAMETER], `mode ${mode}`);
  }
  for (const data of [Buffer.alloc(0), Buffer.from([1, 1])]) {
    assert.deepEqual(refusedServerHello(withHeartbeat(data), { heartbeat: 2 }),
      [codes.ALERT_FATAL, codes.ALERT_DECODE_ERROR, codes.REASON_DECODE], `extension data ${data.toString("hex")}`);
  }
  const twice = { extensions: Buffer.concat([...DEFAULT_EXTS, ext(EXT_HEARTBEAT, Buffer.from([1])), ext(EXT_HEARTBEAT, Buffer.from([1]))]) };
  assert.deepEqual(refusedServerHello(twice, { heartbeat: 1 }), [codes.ALERT_FATAL, codes.ALERT_DECODE_ERROR, codes.REASON_DECODE], "twice");
});

test("a build with NO_HEARTBEAT=1 refuses OPT_HEARTBEAT (ERR_UNSUPPORTED), offers nothing and drops heartbeat records", () => {
  const wasmPath = join(BUILD, "test-no-heartbeat.wasm");
  execFileSync(join(ROOT, "node_modules", ".bin", "asc"), ["assembly/index.ts", "--config", "asconfig.json", "--target", "full-hw",
    "--use", "NO_HEARTBEAT=1", "-o", wasmPath], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"], timeout: 300000 });
  const c = connected({}, { wasmPath, hardwareAes: true, heartbeat: 0 });
  assert.equal(c.engine.wasm.dtls_config_set(codes.OPT_HEARTBEAT, 1), codes.ERR_BAD_STATE, "not while connected");
  const fresh = client({ wasmPath, hardwareAes: true });
  assert.equal(fresh.engine.wasm.dtls_config_set(codes.OPT_HEARTBEAT, 1), codes.ERR_UNSUPPORTED);
  assert.equal(fresh.engine.wasm.dtls_config_set(codes.OPT_HEARTBEAT, 0), 0);
  assert.equal(fresh.engine.wasm.dtls_config_set(codes.OPT_HEARTBEAT_INTERVAL_MS, 1000), codes.ERR_UNSUPPORTED);
  fresh.engine.connect();
  assert.equal(clientHelloHeartbeat(fresh.sent[0]), null);
  const before = c.sent.length;
  c.engine.receive(c.server.seal(CT_HEARTBEAT, hbMessage(REQUEST, Buffer.from("ping"))));
  assert.equal(c.sent.length, before);
  assert.equal(c.engine.info(codes.INFO_RECORDS_DROPPED), 1);
  assert.equal(c.engine.poll(), -1);
});

test("a heartbeat timeout keeps the session for resumption (no alert: the path went away, RFC 5246 7.2.2 does not apply)", () => {
  const sid = Buffer.alloc(32, 7);
  const c = connected({ ...withHeartbeat(1), sessionId: sid }, { heartbeat: 1, heartbeatIntervalMs: 500, resume: true, rtoMs: 100 });
  c.advance(500);
  for (let i = 0; i < 10 && c.engine.state === codes.STATE_CONNECTED; i++) c.advance(1000);
  assert.equal(c.engine.wasm.dtls_last_error(), codes.REASON_HEARTBEAT_TIMEOUT);
  const before = c.sent.length;
  c.engine.connect();
  const ch = parseRecords(c.sent[before])[0].payload.subarray(12);
  assert.deepEqual(ch.subarray(35, 35 + ch[34]), sid, "the ClientHello offers the session again");
});
