// Interoperability with OpenSSL's s_server (DTLS 1.2, PSK, AES-128-CCM-8, -listen so
// the HelloVerifyRequest cookie exchange runs every time).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as codes from "../host/codes";
import { UdpDtlsClient } from "../host/udp-client";
import { startOpenSsl, PSK_HEX, PSK_IDENTITY, ServerProcess } from "./support/servers";
import { runCli } from "./support/cli";
import { UdpRelay, Sender } from "./support/udp-relay";
import { rewriteClientHello, handshakeFragments, parseServerHello, ServerHello } from "./support/hellos";
import { parseRecords, record } from "./support/wire";
import { PskHandshakeObserver } from "./support/psk-observer";

const psk = { identity: Buffer.from(PSK_IDENTITY), key: Buffer.from(PSK_HEX, "hex") };
const servers: ServerProcess[] = [];
const relays: UdpRelay[] = [];
after(async () => {
  for (const s of servers) await s.stop();
  for (const r of relays) r.close();
});
/** Lets the relay take in the datagrams a client sent just before it exited. */
const settle = () => new Promise((r) => setTimeout(r, 200));
async function server(o: Parameters<typeof startOpenSsl>[0] = {}) {
  const s = await startOpenSsl(o);
  servers.push(s);
  return s;
}

test("handshake, cookie exchange and data both ways with openssl s_server", async () => {
  const s = await server();
  const client = new UdpDtlsClient("127.0.0.1", s.port, { psk, rtoMs: 1000 });
  try {
    await client.connect();
    const e = client.engine;
    assert.equal(e.info(codes.INFO_CIPHER_SUITE), codes.TLS_PSK_WITH_AES_128_CCM_8);
    assert.equal(e.info(codes.INFO_VERSION), codes.DTLS_1_2);
    assert.equal(e.info(codes.INFO_MFL), 512, "RFC 7925 s. 15: MFL 512 negotiated");
    assert.equal(e.info(codes.INFO_EMS), 1, "RFC 7925 s. 16: EMS negotiated");
    assert.equal(e.info(codes.INFO_RENEGOTIATION_INFO), 1);
    // HelloVerifyRequest, then ServerHello..Done, then CCS+Finished.
    assert.equal(e.info(codes.INFO_FLIGHTS_RECEIVED), 3);
    assert.equal(e.info(codes.INFO_FLIGHTS_RETRANSMITTED), 0);
    client.write(Buffer.from("ping from device\n"));
    await s.waitFor("ping from device");
    s.type("pong from server");
    const reply = await client.readOne(5000);
    assert.equal(reply?.toString(), "pong from server\n");
    await s.waitFor("CIPHER is PSK-AES128-CCM8");
  } finally {
    await client.close();
  }
  await s.waitFor("DONE"); // s_server's word for a close_notify received
});

test("the CLI prints flights and a JSON summary; --mfl off sends no MFL", async () => {
  const s = await server();
  const run = runCli([`127.0.0.1:${s.port}`, "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX,
    "--mfl", "off", "--send", "hi", "--wait", "300", "--json"]);
  const r = await run;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.protocol, "DTLSv1.2");
  assert.equal(r.json.cipher, "TLS_PSK_WITH_AES_128_CCM_8");
  assert.equal(r.json.mfl, null);
  assert.equal(r.json.ems, true);
  assert.equal(r.json.resumed, false);
  assert.equal(typeof r.json.handshake_ms, "number");
  assert.match(r.stderr, /-> flight 1 sent/);
  assert.match(r.stderr, /<- flight 3 received/);
  await s.waitFor("hi");
});

test("a lost server flight is recovered by retransmission", async () => {
  const s = await server();
  // Datagram 0 is the HelloVerifyRequest; drop datagram 1, the ServerHello flight.
  const client = new UdpDtlsClient("127.0.0.1", s.port, { psk, rtoMs: 200 }, {
    dropIncoming: (_d, i) => i === 1,
  });
  try {
    await client.connect();
    assert.ok(client.engine.info(codes.INFO_FLIGHTS_RETRANSMITTED) >= 1);
    client.write(Buffer.from("after loss\n"));
    await s.waitFor("after loss");
  } finally {
    client.close();
  }
});

test("a lost client flight is recovered when the server retransmits", async () => {
  const s = await server();
  // Drop our first ClientKeyExchange..Finished flight (datagram 2): s_server times
  // out and resends its flight, which makes us resend ours (RFC 6347 4.2.4).
  const client = new UdpDtlsClient("127.0.0.1", s.port, { psk, rtoMs: 5000 }, {
    dropOutgoing: (_d, i) => i === 2,
  });
  try {
    await client.connect();
    assert.ok(client.engine.info(codes.INFO_FLIGHTS_RETRANSMITTED) >= 1);
  } finally {
    client.close();
  }
});

test("a wrong PSK fails with a clear message", async () => {
  const s = await server({ psk: "00112233445566778899aabbccddeeff" });
  const r = await runCli([`127.0.0.1:${s.port}`, "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX,
    "--rto", "150", "--send", "x", "--json"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /handshake failed: no answer to our Finished .*a wrong PSK or identity.* or its last flight was lost/);
  assert.equal(r.json.state, "failed");
  assert.equal(r.json.reason, "finished_timeout");
});

// RFC 7925 s. 18: DTLS 1.2 only. s_server accepts DTLS 1.0 and 1.2 here; the relay makes it
// choose 1.0 by rewriting the ClientHello's client_version to DTLS 1.0 and offering a suite
// DTLS 1.0 can use (CCM-8 is TLS 1.2 only), so a real server sends a DTLS 1.0 ServerHello.
const DTLS_1_0_SERVER = { version: "-dtls" as const, cipher: "PSK-AES128-CCM8:PSK-AES128-CBC-SHA:@SECLEVEL=0" };
const PSK_WITH_AES_128_CBC_SHA = 0x008c;
const downgrade = (d: Buffer, from: Sender) => from === "server" ? d : rewriteClientHello(d, (ch) => ({
  ...ch, version: codes.DTLS_1_0, suites: [...ch.suites, PSK_WITH_AES_128_CBC_SHA],
}));

/** Index in the relay's log of the server datagram carrying the ServerHello, and its body. */
function serverHelloIn(relay: UdpRelay): { at: number; hello: ServerHello } | null {
  for (let i = 0; i < relay.log.length; i++) {
    const e = relay.log[i];
    if (e.from !== "server") continue;
    for (const r of parseRecords(e.original)) {
      if (r.type !== 22 || r.epoch !== 0) continue;
      const f = handshakeFragments(r.payload).find((x) => x.type === codes.HT_SERVER_HELLO);
      if (f) return { at: i, hello: parseServerHello(f.body) };
    }
  }
  return null;
}

test("a server that chooses DTLS 1.0 gets a fatal protocol_version alert, and nothing after it", async () => {
  const s = await server(DTLS_1_0_SERVER);
  const relay = await UdpRelay.start(s.port, downgrade);
  relays.push(relay);
  const r = await runCli([`127.0.0.1:${relay.port}`, "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX,
    "--rto", "1000", "--send", "x", "--json"]);
  await settle();
  // The real server answered with DTLS 1.0.
  const sh = serverHelloIn(relay);
  assert.ok(sh, "s_server sent a ServerHello");
  assert.equal(sh.hello.version, codes.DTLS_1_0, "the ServerHello says DTLS 1.0");
  // The client's every datagram after it: exactly one record, fatal protocol_version, epoch 0.
  const after = relay.log.slice(sh.at + 1).filter((e) => e.from === "client").map((e) => e.original);
  const records = after.flatMap((d) => parseRecords(d));
  assert.deepEqual(records.map((x) => ({ type: x.type, epoch: x.epoch, alert: [...x.payload] })),
    [{ type: codes.CT_ALERT, epoch: 0, alert: [codes.ALERT_FATAL, codes.ALERT_PROTOCOL_VERSION] }],
    "one fatal protocol_version alert and nothing else after the DTLS 1.0 ServerHello");
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.json.state, "failed");
  assert.equal(r.json.reason, "protocol_version");
  assert.equal(r.json.protocol, null);
  assert.match(r.stderr, /handshake failed: the server chose a protocol version other than DTLS 1.2/);
});

test("the same server and relay without the rewrite complete a DTLS 1.2 handshake (the relay is transparent)", async () => {
  const s = await server(DTLS_1_0_SERVER);
  const relay = await UdpRelay.start(s.port);
  relays.push(relay);
  const r = await runCli([`127.0.0.1:${relay.port}`, "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX,
    "--rto", "1000", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.protocol, "DTLSv1.2");
  assert.equal(serverHelloIn(relay)?.hello.version, codes.DTLS_1_2);
  assert.ok(!relay.sentBy("client").some((d) => parseRecords(d).some((x) => x.type === codes.CT_ALERT && x.payload[0] === codes.ALERT_FATAL)),
    "no fatal alert");
});

test("a HelloRequest is answered with no_renegotiation and never acted upon", async () => {
  const s = await server();
  const sent: Buffer[] = [];
  const client = new UdpDtlsClient("127.0.0.1", s.port, { psk, rtoMs: 1000 }, {
    dropOutgoing: (d) => { sent.push(Buffer.from(d)); return false; },
  });
  try {
    await client.connect();
    const before = sent.length;
    s.type("r"); // s_server: renegotiate, i.e. send a HelloRequest
    await s.waitFor(/no renegotiation/i); // OpenSSL received our no_renegotiation alert
    const after = sent.slice(before);
    assert.ok(after.length >= 1);
    // RFC 7925 s. 17: an alert record (type 21) in epoch 1, and no handshake record.
    assert.ok(after.every((d) => d[0] === 21 && d.readUInt16BE(3) === 1), "only alerts were sent");
    assert.ok(!sent.slice(3).some((d) => d[0] === 22), "no new ClientHello");
  } finally {
    await client.close();
  }
});

/** A relay that follows the PSK handshake and re-encrypts the server's Finished with one
 *  byte of verify_data changed (or unchanged: then the record must come out identical). */
async function finishedRelay(serverPort: number, tamper: boolean) {
  const observer = new PskHandshakeObserver(Buffer.from(PSK_HEX, "hex"));
  const rewritten: number[] = [];
  const relay = await UdpRelay.start(serverPort, (d, from, index) => {
    observer.see(from, d);
    if (from === "client" || !observer.keysKnown) return d;
    const out: Buffer[] = [];
    for (const r of parseRecords(d)) {
      if (r.type === codes.CT_HANDSHAKE && r.epoch === 1) {
        const plain = observer.open("server", r);
        assert.ok(plain, "the relay's keys open the server's Finished");
        assert.equal(plain[0], codes.HT_FINISHED);
        if (tamper) plain[12] ^= 0x01; // first byte of verify_data
        const sealed = observer.sealFromServer(r.type, plain, r.seq);
        if (!tamper) assert.deepEqual(sealed, record(r.type, r.epoch, r.seq, r.payload), "re-encryption is exact");
        out.push(sealed);
        rewritten.push(index);
      } else {
        out.push(record(r.type, r.epoch, r.seq, r.payload));
      }
    }
    return Buffer.concat(out);
  });
  relays.push(relay);
  return { relay, observer, rewritten };
}

test("a real server's Finished with one byte of verify_data changed: fatal decrypt_error (epoch 1), never connected", async () => {
  const s = await server();
  const { relay, observer, rewritten } = await finishedRelay(s.port, true);
  const r = await runCli([`127.0.0.1:${relay.port}`, "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX,
    "--rto", "1000", "--send", "must not be sent", "--json"]);
  await settle();
  assert.equal(rewritten.length, 1, "the relay changed one server datagram");
  const at = relay.log.findIndex((e) => e.from === "server" && e.delivered !== null && !e.delivered.equals(e.original));
  const after = relay.log.slice(at + 1).filter((e) => e.from === "client").flatMap((e) => parseRecords(e.original));
  assert.equal(after.length, 1, `one record after the bad Finished, got ${after.map((x) => x.type)}`);
  assert.equal(after[0].type, codes.CT_ALERT);
  assert.equal(after[0].epoch, 1, "the alert is protected under the new keys");
  assert.deepEqual([...(observer.open("client", after[0]) ?? [])], [codes.ALERT_FATAL, codes.ALERT_DECRYPT_ERROR]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.json.state, "failed");
  assert.equal(r.json.reason, "bad_finished");
  assert.doesNotMatch(r.stderr, /connected:/, "the CLI never reported the connection up");
  assert.doesNotMatch(s.output, /must not be sent/);
});

test("the same relay re-encrypting the Finished unchanged: the handshake completes", async () => {
  const s = await server();
  const { relay, rewritten } = await finishedRelay(s.port, false);
  const r = await runCli([`127.0.0.1:${relay.port}`, "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX,
    "--rto", "1000", "--send", "through the relay", "--wait", "300", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(rewritten.length, 1);
  await s.waitFor("through the relay");
});
