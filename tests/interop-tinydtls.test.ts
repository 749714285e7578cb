// Interoperability with Eclipse tinydtls (C), as PyPI's DTLSSocket 0.2.3 wraps it (built from
// source by pip), through our echo server tests/interop/tinydtls/echo_server.py: DTLS 1.2,
// TLS_PSK_WITH_AES_128_CCM_8. PSK only: the wrapper hands tinydtls no ECDSA key callbacks, so
// TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 cannot be served through it. Built by `make interop-servers`.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as codes from "../host/codes";
import { UdpDtlsClient } from "../host/udp-client";
import { PSK_HEX, PSK_IDENTITY, ServerProcess } from "./support/servers";
import { startTinyDtls } from "./support/servers-more";
import { runCli, QUICK_FAIL, ALERT_BOUND } from "./support/cli";
import { UdpRelay } from "./support/udp-relay";
import { parseRecords } from "./support/wire";

const psk = { identity: Buffer.from(PSK_IDENTITY), key: Buffer.from(PSK_HEX, "hex") };
const PSK_ARGS = ["--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX];

const servers: ServerProcess[] = [];
const relays: UdpRelay[] = [];
after(async () => {
  for (const s of servers) await s.stop();
  for (const r of relays) r.close();
});
async function server(o: Parameters<typeof startTinyDtls>[0] = {}): Promise<ServerProcess> {
  const s = await startTinyDtls(o);
  servers.push(s);
  return s;
}

test("PSK: cookie exchange, handshake and echo; tinydtls looks up our identity", async () => {
  const s = await server();
  const r = await runCli([`127.0.0.1:${s.port}`, ...PSK_ARGS, "--send", "hello tinydtls", "--json"]);
  assert.equal(r.code, 0, r.stderr + s.output);
  assert.equal(r.json.cipher, "TLS_PSK_WITH_AES_128_CCM_8");
  assert.equal(r.json.ems, true, "tinydtls answers extended_master_secret");
  assert.equal(r.json.mfl, null, "tinydtls does not answer max_fragment_length");
  assert.equal(r.json.flights_received, 3, "HelloVerifyRequest, ServerHello..Done, CCS+Finished");
  assert.equal(r.json.received, "hello tinydtls");
  await s.waitFor("psk key asked for identity device-0001");
  await s.waitFor("handshake completed");
  await s.waitFor("echo 14 bytes");
  await s.waitFor("alert level=1 code=0"); // our close_notify, as tinydtls reports it
});

test("several records in one session, up to the largest the client may write, each echoed", async () => {
  const s = await server();
  const client = new UdpDtlsClient("127.0.0.1", s.port, { psk, rtoMs: 1000 });
  try {
    await client.connect();
    const largest = client.engine.info(codes.INFO_MAX_WRITE);
    assert.ok(largest >= 512, `max write ${largest}`);
    for (const text of ["one", "two", "t".repeat(largest)]) {
      client.write(Buffer.from(text));
      assert.equal((await client.readOne(5000))?.toString(), text);
    }
  } finally {
    await client.close();
  }
});

test("an identity tinydtls does not know: its fatal alert is reported by name", async () => {
  const s = await server({ identity: "another-device" });
  const r = await runCli([`127.0.0.1:${s.port}`, ...PSK_ARGS, ...ALERT_BOUND, "--json"]);
  assert.equal(r.code, 1);
  assert.equal(r.json.reason, "peer_alert");
  // tinydtls answers an unknown identity with internal_error (RFC 4279 s. 2 asks for unknown_psk_identity).
  assert.equal(r.json.alert, "fatal internal_error received");
  assert.doesNotMatch(s.output, /handshake completed/);
});

test("a wrong PSK never completes at tinydtls; the client names a wrong PSK or identity as a likely cause", async () => {
  const s = await server({ hex: "00".repeat(16) });
  const r = await runCli([`127.0.0.1:${s.port}`, ...PSK_ARGS, ...QUICK_FAIL, "--send", "x", "--json"]);
  assert.equal(r.code, 1);
  assert.equal(r.json.reason, "finished_timeout");
  assert.match(r.stderr, /PSK or (the )?identity/, "the message names a wrong PSK or identity as a cause");
  assert.doesNotMatch(s.output, /handshake completed/);
});

// tinydtls does not resend its last flight when the client resends its Finished flight
// (RFC 6347 4.2.4 asks it to), so a lost ChangeCipherSpec is never repaired. What the client
// can know: the server's Finished came (epoch 1, held back for want of the CCS) and nothing
// else; the handshake fails after the client's retransmissions.
test("tinydtls's ChangeCipherSpec lost: tinydtls never resends it; the client gives up and says the keys were right", async () => {
  const s = await server();
  let lost = 0;
  const relay = await UdpRelay.start(s.port, (d, from) =>
    (from === "server" && lost === 0 && parseRecords(d).some((rec) => rec.type === 20) && ++lost) ? null : d);
  relays.push(relay);
  const r = await runCli([`127.0.0.1:${relay.port}`, ...PSK_ARGS, ...QUICK_FAIL, "--json"]);
  assert.equal(lost, 1);
  assert.equal(r.code, 1);
  assert.equal(r.json.reason, "change_cipher_spec_lost", "the held Finished authenticated: not a wrong PSK");
  assert.match(r.stderr, /Finished arrived and authenticated .* ChangeCipherSpec never did/);
  assert.ok(r.json.flights_retransmitted >= 2, "the client resent its Finished flight");
  const fromServer = relay.log.filter((e) => e.from === "server");
  const afterLoss = fromServer.slice(fromServer.findIndex((e) => e.delivered === null) + 1);
  assert.equal(afterLoss.length, 1, "only the server's Finished, never a retransmission");
  assert.equal(parseRecords(afterLoss[0].original)[0].epoch, 1);
  await s.waitFor("handshake completed"); // tinydtls thinks the handshake is done
});
