// Interoperability with pion/dtls v3 (Go), through our echo server tests/interop/pion/main.go:
// DTLS 1.2, TLS_PSK_WITH_AES_128_CCM_8, the extended master secret required by default.
// PSK only: pion/dtls has no raw public keys (no RFC 7250 client_certificate_type or
// server_certificate_type extension), so our TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, which uses
// raw public keys only, cannot be tested against it. Built by `make interop-servers`.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as codes from "../host/codes";
import { UdpDtlsClient } from "../host/udp-client";
import { PSK_HEX, PSK_IDENTITY, ServerProcess } from "./support/servers";
import { startPion, PionOptions } from "./support/servers-more";
import { runCli, QUICK_FAIL, ALERT_BOUND } from "./support/cli";
import { parseRecords } from "./support/wire";

const psk = { identity: Buffer.from(PSK_IDENTITY), key: Buffer.from(PSK_HEX, "hex") };
const PSK_ARGS = ["--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX];

const servers: ServerProcess[] = [];
after(async () => { for (const s of servers) await s.stop(); });
async function server(o: PionOptions = {}): Promise<ServerProcess> {
  const s = await startPion(o);
  servers.push(s);
  return s;
}

test("PSK with the extended master secret required by pion: handshake, cookie exchange, echo; pion sees the identity", async () => {
  const s = await server({ hint: "pion-gateway" });
  const r = await runCli([`127.0.0.1:${s.port}`, ...PSK_ARGS, "--require-ems", "--send", "hello pion", "--json"]);
  assert.equal(r.code, 0, r.stderr + s.output);
  assert.equal(r.json.cipher, "TLS_PSK_WITH_AES_128_CCM_8");
  assert.equal(r.json.ems, true);
  assert.equal(r.json.mfl, null, "pion does not answer max_fragment_length");
  assert.equal(r.json.flights_received, 3, "HelloVerifyRequest, ServerHello..Done, CCS+Finished");
  assert.equal(r.json.received, "hello pion");
  await s.waitFor("handshake completed cipher=TLS_PSK_WITH_AES_128_CCM_8 peer=psk:device-0001");
  await s.waitFor("echo 10 bytes");
});

test("several records in one session, up to the largest the client may write, each echoed", async () => {
  const s = await server();
  const client = new UdpDtlsClient("127.0.0.1", s.port, { psk, rtoMs: 1000 });
  try {
    await client.connect();
    assert.equal(client.engine.info(codes.INFO_MFL), 0, "no MFL negotiated with pion");
    const largest = client.engine.info(codes.INFO_MAX_WRITE);
    assert.ok(largest >= 512, `max write ${largest}`);
    for (const text of ["one", "two", "z".repeat(largest)]) {
      client.write(Buffer.from(text));
      assert.equal((await client.readOne(5000))?.toString(), text);
    }
  } finally {
    await client.close();
  }
  await s.waitFor("connection ended: EOF"); // pion's word for our close_notify
});

test("pion's lost flight: the client retransmits and pion answers again", async () => {
  const s = await server();
  // Drop the first ServerHello..ServerHelloDone datagram (the one after HelloVerifyRequest).
  let dropped = 0;
  const client = new UdpDtlsClient("127.0.0.1", s.port, { psk, rtoMs: 300 }, {
    dropIncoming: (d) => {
      const hs = parseRecords(d).find((r) => r.type === 22 && r.epoch === 0);
      if (hs && hs.payload[0] === 2 && dropped === 0) { dropped++; return true; }
      return false;
    },
  });
  try {
    await client.connect();
    assert.equal(dropped, 1);
    assert.ok(client.engine.info(codes.INFO_FLIGHTS_RETRANSMITTED) >= 1);
    client.write(Buffer.from("after a loss"));
    assert.equal((await client.readOne(5000))?.toString(), "after a loss");
  } finally {
    await client.close();
  }
});

test("a wrong PSK never completes at pion; the client names a wrong PSK or identity as a likely cause", async () => {
  const s = await server();
  const r = await runCli([`127.0.0.1:${s.port}`, "--psk-identity", PSK_IDENTITY, "--psk", "00".repeat(16),
    ...QUICK_FAIL, "--send", "x", "--json"]);
  assert.equal(r.code, 1);
  assert.equal(r.json.reason, "finished_timeout");
  assert.match(r.stderr, /PSK or (the )?identity/, "the message names a wrong PSK or identity as a cause");
  assert.doesNotMatch(s.output, /handshake completed/);
});

test("pion without the extended master secret: refused under --require-ems (pion hears the alert), accepted otherwise", async () => {
  const s = await server({ ems: "disable" });
  const refused = await runCli([`127.0.0.1:${s.port}`, ...PSK_ARGS, "--require-ems", ...ALERT_BOUND, "--json"]);
  assert.equal(refused.code, 1);
  assert.equal(refused.json.reason, "ems_refused");
  assert.equal(refused.json.alert, "fatal handshake_failure sent");
  await s.waitFor(/handshake failed: .*Alert Fatal: HandshakeFailure/);
  const plain = await runCli([`127.0.0.1:${s.port}`, ...PSK_ARGS, "--send", "no ems", "--json"]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.json.ems, false);
  assert.equal(plain.json.received, "no ems");
});
