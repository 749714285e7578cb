// Connection IDs (RFC 9146): negotiated with a real RFC 9146 server (pion/dtls v3 through
// tests/interop/pion/main.go -cid N, built by `make interop-servers`), the records on the wire
// seen through a UDP relay, a source-port change mid-connection (NAT rebinding) with data
// both ways and no new handshake; then the bad cases against the scripted server
// (tests/support/mock-psk-server.ts, whose RFC 9146 record layer is written from the RFC,
// independently of the core).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as codes from "../host/codes";
import { DtlsEngine, EngineOptions } from "../host/engine";
import { UdpDtlsClient } from "../host/udp-client";
import { PSK_HEX, PSK_IDENTITY, ServerProcess } from "./support/servers";
import { startPion, PionOptions } from "./support/servers-more";
import { UdpRelay } from "./support/udp-relay";
import { runCli } from "./support/cli";
import { MockPskServer } from "./support/mock-psk-server";
import { parseRecords, clientHelloExtension, cidRecord, ext } from "./support/wire";

const psk = { identity: Buffer.from(PSK_IDENTITY), key: Buffer.from(PSK_HEX, "hex") };
const PSK_ARGS = ["--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX];
const CT = { CCS: 20, ALERT: 21, HANDSHAKE: 22, APP: 23, CID: 25 };

const servers: ServerProcess[] = [];
after(async () => { for (const s of servers) await s.stop(); });
async function pion(o: PionOptions): Promise<ServerProcess> {
  const s = await startPion(o);
  servers.push(s);
  return s;
}

/** The connection_id extension of the ClientHellos in these datagrams (hex, "" for an empty
 *  CID; null without the extension), in order. */
function offeredCids(datagrams: Buffer[]): Array<string | null> {
  return datagrams.flatMap((d) => parseRecords(d))
    .filter((r) => r.type === CT.HANDSHAKE && r.epoch === 0 && r.payload[0] === 1)
    .map((r) => {
      const e = clientHelloExtension(r.payload, 54);
      return e === null ? null : e.subarray(1, 1 + e[0]).toString("hex");
    });
}

/** Handshake, one echo, close, through a relay that keeps every datagram. */
async function throughRelay(server: PionOptions, options: Partial<EngineOptions>) {
  const s = await pion(server);
  const relay = await UdpRelay.start(s.port);
  try {
    const client = new UdpDtlsClient("127.0.0.1", relay.port, { psk, rtoMs: 1000, ...options });
    let result;
    try {
      await client.connect();
      const cids = client.engine.connectionIds();
      const maxWrite = client.engine.info(codes.INFO_MAX_WRITE);
      client.write(Buffer.from("hello pion"));
      const echo = (await client.readOne(5000))?.toString();
      result = { cids, echo, dropped: client.engine.info(codes.INFO_RECORDS_DROPPED), maxWrite, relay };
    } finally {
      await client.close();
    }
    await s.waitFor("connection ended: EOF");   // our close_notify opened at pion
    return result;
  } finally {
    relay.close();
  }
}

/** Records of one side after the handshake, parsed with the CID length that side's tls12_cid records carry. */
function protectedRecords(relay: UdpRelay, from: "client" | "server", cidLen: number) {
  return relay.sentBy(from).flatMap((d) => parseRecords(d, cidLen)).filter((r) => r.epoch === 1);
}

test("pion, CIDs both ways: negotiated, the echo works, every record of epoch 1 (both Finished included) is tls12_cid with the CID of its direction", async () => {
  const r = await throughRelay({ cid: 8, pad: 5 }, { cid: 4 });
  assert.equal(r.echo, "hello pion");
  assert.equal(r.dropped, 0, "nothing dropped: pion's padding is taken off (RFC 9146 s. 4)");
  assert.ok(r.cids, "negotiated");
  assert.match(r.cids.sent, /^[0-9a-f]{16}$/, "pion's CID, 8 bytes");
  assert.match(r.cids.received, /^[0-9a-f]{8}$/, "ours, 4 bytes");
  const offered = offeredCids(r.relay.sentBy("client"));
  assert.deepEqual(offered, [r.cids.received, r.cids.received], "both ClientHellos (cookie exchange) offer our CID");
  const ours = protectedRecords(r.relay, "client", 8);
  assert.ok(ours.length >= 3, "Finished, the data, close_notify");
  for (const rec of ours) {
    assert.equal(rec.type, CT.CID, "our records of epoch 1 are tls12_cid");
    assert.equal(rec.cid?.toString("hex"), r.cids.sent, "with pion's CID");
  }
  const theirs = protectedRecords(r.relay, "server", 4);
  assert.ok(theirs.length >= 2, "pion's Finished and the echo");
  for (const rec of theirs) {
    assert.equal(rec.type, CT.CID);
    assert.equal(rec.cid?.toString("hex"), r.cids.received, "with our CID");
  }
  // The size we may write counts the CID (8) and the inner type (1) on top of the CCM-8
  // record (13 + 16) within the 1232-byte default PMTU; pion answers no max_fragment_length.
  assert.equal(r.maxWrite, 1232 - 13 - 16 - 8 - 1);
});

test("pion, our CID empty (--cid 0): pion's records are RFC 6347 ones, ours carry its CID", async () => {
  const r = await throughRelay({ cid: 6 }, { cid: 0 });
  assert.equal(r.echo, "hello pion");
  assert.equal(r.cids?.received, "");
  assert.match(r.cids?.sent ?? "", /^[0-9a-f]{12}$/);
  assert.deepEqual(offeredCids(r.relay.sentBy("client")), ["", ""], "an empty connection_id offered");
  assert.ok(protectedRecords(r.relay, "client", 6).every((rec) => rec.type === CT.CID && rec.cid?.toString("hex") === r.cids?.sent));
  const theirs = protectedRecords(r.relay, "server", 0);
  assert.ok(theirs.length >= 2 && theirs.every((rec) => rec.type !== CT.CID), "no tls12_cid from pion");
});

test("pion's CID empty: our records are RFC 6347 ones, pion's carry our CID", async () => {
  const r = await throughRelay({ cid: 0 }, { cid: 3 });
  assert.equal(r.echo, "hello pion");
  assert.equal(r.cids?.sent, "");
  const ours = protectedRecords(r.relay, "client", 0);
  assert.ok(ours.length >= 3 && ours.every((rec) => rec.type !== CT.CID), "no tls12_cid from us");
  assert.ok(protectedRecords(r.relay, "server", 3).every((rec) => rec.type === CT.CID && rec.cid?.toString("hex") === r.cids?.received));
  assert.equal(r.maxWrite, 1232 - 13 - 16, "no CID in our records: the usual size");
});

test("pion with CIDs, a client without --cid: no connection_id sent, none negotiated, RFC 6347 records both ways", async () => {
  const r = await throughRelay({ cid: 8 }, {});
  assert.equal(r.echo, "hello pion");
  assert.equal(r.cids, null);
  assert.deepEqual(offeredCids(r.relay.sentBy("client")), [null, null]);
  for (const from of ["client", "server"] as const) {
    const recs = r.relay.sentBy(from).flatMap((d) => parseRecords(d));
    assert.ok(recs.length > 0 && recs.every((rec) => rec.type !== CT.CID), `${from}: no tls12_cid`);
  }
});

test("NAT rebinding with CIDs (dtls-client --rebind-after): new source port, data both ways, no new handshake; pion echoes to the new port", async () => {
  const s = await pion({ cid: 8 });
  const plain = await runCli([`127.0.0.1:${s.port}`, ...PSK_ARGS, "--cid", "4", "--send", "ping", "--json"]);
  assert.equal(plain.code, 0, plain.stderr);
  const r = await runCli([`127.0.0.1:${s.port}`, ...PSK_ARGS, "--cid", "4", "--send", "ping", "--rebind-after", "300", "--expect-reply", "--json"]);
  assert.equal(r.code, 0, r.stderr + s.output);
  assert.equal(r.json.received, "pingping", "an echo before the move and one after");
  assert.equal(r.json.reply, true);
  assert.equal(r.json.state, "closed");
  const [before, moved] = r.json.source_ports;
  assert.ok(before > 0 && moved > 0 && before !== moved, `source ports ${r.json.source_ports}`);
  assert.match(r.stderr, new RegExp(`moved to a new UDP socket: source port ${before} -> ${moved}`));
  assert.equal(r.json.flights_sent, plain.json.flights_sent, "no flight more than a plain connection: no new handshake");
  assert.equal(r.json.flights_received, plain.json.flights_received);
  assert.equal(r.json.records_dropped, 0);
  await s.waitFor(`echo 4 bytes from 127.0.0.1:${moved}`);
  assert.match(s.output, new RegExp(`echo 4 bytes from 127.0.0.1:${before}\n`), "the first echo went to the old port");
  assert.equal(s.output.match(/handshake completed/g)?.length, 2, "one handshake per run, none for the move");
});

test("NAT rebinding through the API: several records both ways after the move", async () => {
  const s = await pion({ cid: 8 });
  const client = new UdpDtlsClient("127.0.0.1", s.port, { psk, cid: 2, rtoMs: 1000 });
  try {
    await client.connect();
    const sent = client.engine.info(codes.INFO_FLIGHTS_SENT);
    client.write(Buffer.from("before"));
    assert.equal((await client.readOne(5000))?.toString(), "before");
    const from = client.localPort;
    const to = await client.rebind();
    assert.notEqual(to, from);
    for (const text of ["after 1", "after 2", "after 3"]) {
      client.write(Buffer.from(text));
      assert.equal((await client.readOne(5000))?.toString(), text);
    }
    assert.equal(client.engine.info(codes.INFO_FLIGHTS_SENT), sent, "no new flight");
    assert.equal(client.state, codes.STATE_CONNECTED);
    await s.waitFor(`echo 7 bytes from 127.0.0.1:${to}`);
  } finally {
    await client.close();
  }
});

test("without a CID of pion's (none negotiated, or pion's empty), a moved client is a stranger: no echo after the move (RFC 7925 s. 10: resume instead)", async () => {
  for (const [server, args] of [[{ cid: 8 }, []], [{ cid: 0 }, ["--cid", "4"]]] as Array<[PionOptions, string[]]>) {
    const s = await pion(server);
    const r = await runCli([`127.0.0.1:${s.port}`, ...PSK_ARGS, ...args, "--send", "ping", "--rebind-after", "100",
      "--wait", "1500", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.received, "ping", `${args}: the echo before the move only`);
    assert.equal(r.json.reply, false);
    assert.equal(s.output.match(/echo 4 bytes/g)?.length, 1, s.output);
  }
});

// ---- the scripted server: bad cases and sizes ----

const SERVER_CID = Buffer.from("5e4e4c1d", "hex");

function scripted(options: Partial<EngineOptions> = {}, hello: ConstructorParameters<typeof MockPskServer>[1] = { cid: SERVER_CID }) {
  const sent: Buffer[] = [];
  const engine = new DtlsEngine({ psk, seed: "cid", clock: () => 0, cid: 4, ...options }, (d) => sent.push(Buffer.from(d)));
  const server = new MockPskServer(psk.key, hello);
  engine.connect();
  engine.receive(server.answerClientHello(sent[0]));
  return { engine, server, sent };
}

function connectedScripted(options: Partial<EngineOptions> = {}, hello = { cid: SERVER_CID }) {
  const c = scripted(options, hello);
  const { ccs, finished } = c.server.answerFinishedFlight(c.sent.slice(1));
  c.engine.receive(Buffer.concat([ccs, finished]));
  assert.equal(c.engine.state, codes.STATE_CONNECTED, "connected: the scripted server took our tls12_cid Finished");
  return c;
}

/** The last alert the client sent, opened by the scripted server. */
function clientAlert(c: { server: MockPskServer; sent: Buffer[] }): [number, number] | null {
  const r = parseRecords(c.sent[c.sent.length - 1], c.server.serverCidLength)[0];
  if (r.epoch === 0) return r.type === CT.ALERT ? [r.payload[0], r.payload[1]] : null;
  const o = c.server.openTyped(r);
  return o && o.type === CT.ALERT ? [o.plain[0], o.plain[1]] : null;
}

test("OPT_CID takes -1 to 8; the info keys say -1 until negotiated", () => {
  const e = new DtlsEngine({ psk }, () => {});
  for (const v of [-1, 0, 8]) assert.equal(e.wasm.dtls_config_set(codes.OPT_CID, v), 0, String(v));
  for (const v of [-2, 9, 255]) assert.equal(e.wasm.dtls_config_set(codes.OPT_CID, v), codes.ERR_BAD_ARGUMENT, String(v));
  assert.equal(e.info(codes.INFO_CID_SENT_LEN), -1);
  assert.equal(e.info(codes.INFO_CID_RECEIVED_LEN), -1);
  assert.equal(e.connectionIds(), null);
});

test("scripted: our CID is random (the HAL's TRNG), the same in every ClientHello of a handshake", () => {
  const cidOf = (seed: string) => {
    const sent: Buffer[] = [];
    const e = new DtlsEngine({ psk, seed, clock: () => 0, cid: 8 }, (d) => sent.push(Buffer.from(d)));
    e.connect();
    return offeredCids(sent)[0];
  };
  assert.match(cidOf("a") ?? "", /^[0-9a-f]{16}$/);
  assert.equal(cidOf("a"), cidOf("a"), "deterministic for one seed");
  assert.notEqual(cidOf("a"), cidOf("b"));
  const c = connectedScripted();
  assert.deepEqual(c.engine.connectionIds(), { sent: SERVER_CID.toString("hex"), received: c.server.clientCid?.toString("hex") });
});

test("scripted: the server's tls12_cid Finished overtaking its ChangeCipherSpec is kept and used", () => {
  const c = scripted();
  const { ccs, finished } = c.server.answerFinishedFlight(c.sent.slice(1));
  assert.equal(parseRecords(finished, 4)[0].type, CT.CID);
  c.engine.receive(finished);
  assert.equal(c.engine.state, codes.STATE_HANDSHAKING);
  c.engine.receive(ccs);
  assert.equal(c.engine.state, codes.STATE_CONNECTED);
  assert.equal(c.engine.info(codes.INFO_RECORDS_DROPPED), 0);
});

test("scripted: data both ways in tls12_cid records; padding taken off; records over the MFL counted with the inner plaintext", () => {
  const c = connectedScripted();
  c.server.padding = 20;
  c.engine.receive(c.server.seal(CT.APP, Buffer.from("padded")));
  assert.equal(c.engine.read()?.toString(), "padded");
  assert.equal(c.engine.write(Buffer.from("uplink")), 6);
  const r = parseRecords(c.sent[c.sent.length - 1], SERVER_CID.length)[0];
  assert.equal(r.type, CT.CID);
  assert.deepEqual(r.cid, SERVER_CID);
  assert.deepEqual(c.server.openTyped(r), { type: CT.APP, plain: Buffer.from("uplink") });
  // The scripted ServerHello answers max_fragment_length 512: content up to 512 is fine.
  c.engine.receive(c.server.seal(CT.APP, Buffer.alloc(512, 0x41)));
  assert.equal(c.engine.read()?.length, 512);
  c.engine.receive(c.server.seal(CT.APP, Buffer.alloc(513, 0x41)));
  assert.equal(c.engine.wasm.dtls_last_error(), codes.REASON_RECORD_OVERFLOW);
});

test("scripted: what we may write counts the CID and the inner type: 511 under MFL 512, PMTU - 35 under a small PMTU", () => {
  const big = connectedScripted();
  assert.equal(big.engine.info(codes.INFO_MAX_WRITE), 511, "the DTLSInnerPlaintext (content + type) within 512");
  assert.equal(big.engine.write(Buffer.alloc(512)), codes.ERR_TOO_LARGE);
  const small = connectedScripted({ pmtu: 140 });
  const max = small.engine.info(codes.INFO_MAX_WRITE);
  assert.equal(max, 140 - 13 - SERVER_CID.length - 8 - 1 - 8);
  assert.equal(small.engine.write(Buffer.alloc(max, 0x42)), max);
  assert.equal(small.sent[small.sent.length - 1].length, 140, "the record fills the PMTU exactly");
  assert.equal(small.engine.write(Buffer.alloc(max + 1)), codes.ERR_TOO_LARGE);
  assert.ok(small.sent.every((d) => d.length <= 140), "no datagram over the PMTU");
});

test("scripted: a tls12_cid record with another CID is dropped, even one that authenticates; the connection lives on", () => {
  const c = connectedScripted();
  const ours = c.server.clientCid!;
  const other = Buffer.from(ours);
  other[0] ^= 1;
  const before = c.engine.info(codes.INFO_RECORDS_DROPPED);
  c.engine.receive(c.server.sealInner(Buffer.from("stranger\x17"), other));   // valid tag over the other CID
  assert.equal(c.engine.read(), null);
  assert.equal(c.engine.info(codes.INFO_RECORDS_DROPPED), before + 1);
  assert.equal(c.engine.state, codes.STATE_CONNECTED);
  c.engine.receive(c.server.sealInner(Buffer.from("ours\x17"), ours));
  assert.equal(c.engine.read()?.toString(), "ours");
});

test("scripted: once our CID is negotiated, a protected record without it is dropped (RFC 9146 s. 3)", () => {
  const c = connectedScripted();
  const cid = c.server.clientCid;
  c.server.clientCid = null;                       // seal() makes an RFC 6347 record
  const plain = c.server.seal(CT.APP, Buffer.from("no cid"));
  c.server.clientCid = cid;
  const before = c.engine.info(codes.INFO_RECORDS_DROPPED);
  c.engine.receive(plain);
  assert.equal(c.engine.read(), null);
  assert.equal(c.engine.info(codes.INFO_RECORDS_DROPPED), before + 1);
  assert.equal(c.engine.state, codes.STATE_CONNECTED);
});

test("scripted: tls12_cid records when no CID of ours is negotiated are dropped (they cannot even be delimited)", () => {
  const c = connectedScripted({ cid: undefined });
  assert.equal(c.engine.connectionIds(), null);
  const before = c.engine.info(codes.INFO_RECORDS_DROPPED);
  c.engine.receive(cidRecord(1, 5, Buffer.alloc(0), Buffer.alloc(24)));
  assert.equal(c.engine.info(codes.INFO_RECORDS_DROPPED), before + 1);
  assert.equal(c.engine.state, codes.STATE_CONNECTED);
  const empty = connectedScripted({ cid: 0 });     // ours empty: the server must send RFC 6347 records
  assert.equal(empty.engine.connectionIds()?.received, "");
  const emptyBefore = empty.engine.info(codes.INFO_RECORDS_DROPPED);
  empty.engine.receive(cidRecord(1, 5, Buffer.alloc(0), Buffer.alloc(24)));
  assert.equal(empty.engine.info(codes.INFO_RECORDS_DROPPED), emptyBefore + 1);
  empty.engine.receive(empty.server.seal(CT.APP, Buffer.from("plain")));
  assert.equal(empty.engine.read()?.toString(), "plain");
});

test("scripted: a DTLSInnerPlaintext of zeros only gets unexpected_message (RFC 9146 s. 4, RFC 8446 5.4)", () => {
  const c = connectedScripted();
  c.engine.receive(c.server.sealInner(Buffer.alloc(6), c.server.clientCid!));
  assert.equal(c.engine.state, codes.STATE_FAILED);
  assert.equal(c.engine.wasm.dtls_last_error(), codes.REASON_UNEXPECTED_MESSAGE);
  assert.deepEqual(clientAlert(c), [codes.ALERT_FATAL, codes.ALERT_UNEXPECTED_MESSAGE], "the alert itself in a tls12_cid record");
});

test("scripted: a ServerHello with connection_id we did not offer gets unsupported_extension", () => {
  const sent: Buffer[] = [];
  const engine = new DtlsEngine({ psk, seed: "cid", clock: () => 0 }, (d) => sent.push(Buffer.from(d)));
  const server = new MockPskServer(psk.key, { cid: SERVER_CID });
  server.cidUnasked = true;
  engine.connect();
  assert.deepEqual(offeredCids(sent), [null]);
  engine.receive(server.answerClientHello(sent[0]));
  assert.equal(engine.state, codes.STATE_FAILED);
  assert.equal(engine.wasm.dtls_last_error(), codes.REASON_UNSUPPORTED_EXTENSION);
  assert.deepEqual(clientAlert({ server, sent }), [codes.ALERT_FATAL, codes.ALERT_UNSUPPORTED_EXTENSION]);
});

test("scripted: a malformed connection_id gets decode_error; one longer than 32 bytes illegal_parameter", () => {
  const defaults = Buffer.concat([ext(1, Buffer.from([1])), ext(23, Buffer.alloc(0)), ext(0xff01, Buffer.from([0]))]);
  // cid<0..2^8-1> running past the extension, a byte left over, no length at all.
  for (const bad of ["05aabb", "02aabbcc", ""]) {
    const c = scripted({}, { extensions: Buffer.concat([defaults, ext(54, Buffer.from(bad, "hex"))]) });
    assert.equal(c.engine.wasm.dtls_last_error(), codes.REASON_DECODE, `connection_id ${bad}`);
    assert.deepEqual(clientAlert(c), [codes.ALERT_FATAL, codes.ALERT_DECODE_ERROR]);
    assert.equal(c.engine.connectionIds(), null);
  }
  const twice = scripted({}, { extensions: Buffer.concat([defaults, ext(54, Buffer.from([0])), ext(54, Buffer.from([0]))]) });
  assert.equal(twice.engine.wasm.dtls_last_error(), codes.REASON_DECODE, "twice");
  const long = scripted({}, { cid: Buffer.alloc(33, 0xee) });
  assert.equal(long.engine.wasm.dtls_last_error(), codes.REASON_PEER_CID_TOO_LONG);
  assert.deepEqual(clientAlert(long), [codes.ALERT_FATAL, codes.ALERT_ILLEGAL_PARAMETER]);
  const longest = connectedScripted({}, { cid: Buffer.alloc(32, 0xee) });
  assert.equal(longest.engine.connectionIds()?.sent, "ee".repeat(32));
});
