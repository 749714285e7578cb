// Epoch-1 behaviour against the scripted PSK server: records over the negotiated MFL,
// Finished overtaking ChangeCipherSpec, replays, forgeries, bad Finished, close_notify.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as codes from "../host/codes";
import { DtlsEngine } from "../host/engine";
import { MockPskServer } from "./support/mock-psk-server";
import { parseRecords } from "./support/wire";

const key = Buffer.from("a1b2c3d4e5f60718293a4b5c6d7e8f90", "hex");

function handshakeTo(opts: { reorder?: boolean; tamper?: boolean; hardwareAes?: boolean } = {}) {
  const sent: Uint8Array[] = [];
  const engine = new DtlsEngine({ psk: { identity: Buffer.from("node-9"), key }, seed: "session", clock: () => 0,
    hardwareAes: opts.hardwareAes }, (d) => sent.push(d));
  const server = new MockPskServer(key);
  engine.connect();
  engine.receive(server.answerClientHello(sent[0]));
  const { ccs, finished } = server.answerFinishedFlight(sent.slice(1), opts.tamper);
  if (opts.reorder) { engine.receive(finished); engine.receive(ccs); }
  else engine.receive(Buffer.concat([ccs, finished]));
  return { engine, server, sent };
}

/** The client's last alert, decrypted by the server. */
function clientAlert(server: MockPskServer, sent: Uint8Array[]): [number, number] | null {
  const r = parseRecords(sent[sent.length - 1]).find((x) => x.type === 21);
  if (!r) return null;
  const p = r.epoch === 0 ? r.payload : server.open(r);
  return p ? [p[0], p[1]] : null;
}

for (const hardwareAes of [true, false]) {
  test(`handshake and data against the scripted server (${hardwareAes ? "HAL" : "software"} AES)`, () => {
    const { engine, server, sent } = handshakeTo({ hardwareAes });
    assert.equal(engine.state, codes.STATE_CONNECTED);
    engine.receive(server.seal(23, Buffer.from("downlink")));
    assert.equal(engine.read()?.toString(), "downlink");
    assert.equal(engine.write(Buffer.from("uplink")), 6);
    const r = parseRecords(sent[sent.length - 1])[0];
    assert.equal(server.open(r)?.toString(), "uplink");
  });
}

test("a Finished that overtakes ChangeCipherSpec is kept and used", () => {
  const { engine } = handshakeTo({ reorder: true });
  assert.equal(engine.state, codes.STATE_CONNECTED);
});

test("a server Finished that does not verify gets decrypt_error", () => {
  const { engine, server, sent } = handshakeTo({ tamper: true });
  assert.equal(engine.state, codes.STATE_FAILED);
  assert.equal(engine.wasm.dtls_last_error(), codes.REASON_BAD_FINISHED);
  assert.deepEqual(clientAlert(server, sent), [codes.ALERT_FATAL, codes.ALERT_DECRYPT_ERROR]);
});

test("an authenticated record over the negotiated 512 bytes gets record_overflow", () => {
  const { engine, server, sent } = handshakeTo();
  engine.receive(server.seal(23, Buffer.alloc(512, 0x41)));
  assert.equal(engine.read()?.length, 512, "512 bytes are within the limit");
  engine.receive(server.seal(23, Buffer.alloc(513, 0x41)));
  assert.equal(engine.state, codes.STATE_FAILED);
  assert.equal(engine.read(), null, "the oversized record is not delivered");
  assert.equal(engine.wasm.dtls_last_error(), codes.REASON_RECORD_OVERFLOW);
  assert.deepEqual(clientAlert(server, sent), [codes.ALERT_FATAL, codes.ALERT_RECORD_OVERFLOW]);
});

test("replayed and forged records are dropped silently; the connection lives on", () => {
  const { engine, server } = handshakeTo();
  const rec = server.seal(23, Buffer.from("once"));
  engine.receive(rec);
  engine.receive(rec);
  assert.equal(engine.read()?.toString(), "once");
  assert.equal(engine.read(), null, "the replay was not delivered");
  const forged = server.seal(23, Buffer.from("forged"));
  forged[forged.length - 1] ^= 0x80;
  engine.receive(forged);
  assert.equal(engine.read(), null);
  // Old but unseen numbers inside the window are fine; too old ones are not.
  server.writeSeq1 = 200;
  engine.receive(server.seal(23, Buffer.from("new")));
  engine.receive(server.seal(23, Buffer.from("late"), 150));
  engine.receive(server.seal(23, Buffer.from("too old"), 100));
  assert.equal(engine.read()?.toString(), "new");
  assert.equal(engine.read()?.toString(), "late");
  assert.equal(engine.read(), null);
  assert.equal(engine.state, codes.STATE_CONNECTED);
  assert.ok(engine.info(codes.INFO_RECORDS_DROPPED) >= 3);
});

test("close_notify from the server is answered and closes the connection", () => {
  const { engine, server, sent } = handshakeTo();
  engine.receive(server.seal(21, Buffer.from([1, 0])));
  assert.equal(engine.state, codes.STATE_CLOSED);
  assert.deepEqual(clientAlert(server, sent), [codes.ALERT_WARNING, codes.ALERT_CLOSE_NOTIFY]);
  assert.ok(engine.write(Buffer.from("x")) < 0, "no writes after close");
});

test("a fatal alert from the server ends the connection and is reported by name", () => {
  const { engine, server } = handshakeTo();
  engine.receive(server.seal(21, Buffer.from([2, codes.ALERT_INTERNAL_ERROR])));
  assert.equal(engine.state, codes.STATE_FAILED);
  assert.equal(engine.failure().alert, "fatal internal_error received");
});

test("a warning alert (unrecognized_name) is noted and the connection goes on", () => {
  const { engine, server } = handshakeTo();
  engine.receive(server.seal(21, Buffer.from([1, codes.ALERT_UNRECOGNIZED_NAME])));
  assert.equal(engine.state, codes.STATE_CONNECTED);
  assert.equal(engine.failure().alert, "warning unrecognized_name received");
});
