// Interoperability with OpenSSL's s_server (DTLS 1.2, PSK, AES-128-CCM-8, -listen so
// the HelloVerifyRequest cookie exchange runs every time).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as codes from "../host/codes";
import { UdpDtlsClient } from "../host/udp-client";
import { startOpenSsl, PSK_HEX, PSK_IDENTITY, ServerProcess } from "./support/servers";
import { runCli } from "./support/cli";

const psk = { identity: Buffer.from(PSK_IDENTITY), key: Buffer.from(PSK_HEX, "hex") };
const servers: ServerProcess[] = [];
after(async () => { for (const s of servers) await s.stop(); });
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
  assert.match(r.stderr, /handshake failed: .*PSK or the identity is probably wrong/);
  assert.equal(r.json.state, "failed");
  assert.equal(r.json.reason, "finished_timeout");
});

test("a DTLS 1.0-only server is refused", async () => {
  const s = await server({ version: "-dtls1", cipher: "PSK:@SECLEVEL=0" });
  const r = await runCli([`127.0.0.1:${s.port}`, "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX,
    "--rto", "300", "--send", "x", "--json"]);
  assert.equal(r.code, 1);
  assert.notEqual(r.json.protocol, "DTLSv1.0");
  assert.equal(r.json.state, "failed");
  assert.match(r.stderr, /handshake failed/);
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
