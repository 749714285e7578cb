// Interoperability with GnuTLS's gnutls-serv --udp, PSK + AES-128-CCM-8 only.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as codes from "../host/codes";
import { UdpDtlsClient } from "../host/udp-client";
import { startGnuTls, PSK_HEX, PSK_IDENTITY, ServerProcess } from "./support/servers";
import { runCli } from "./support/cli";
import { UdpRelay } from "./support/udp-relay";
import { clientHelloOf, serverName } from "./support/hellos";
import { parseRecords } from "./support/wire";

const psk = { identity: Buffer.from(PSK_IDENTITY), key: Buffer.from(PSK_HEX, "hex") };
const servers: ServerProcess[] = [];
const relays: UdpRelay[] = [];
after(async () => {
  for (const s of servers) await s.stop();
  for (const r of relays) r.close();
});

/** The host_name of every ClientHello the client sent through the relay. */
function namesOnTheWire(relay: UdpRelay): string[] {
  return relay.sentBy("client").map((d) => clientHelloOf(d)).filter((c) => c !== null)
    .map((c) => serverName(c.hello.extensions)?.toString("latin1") ?? "(none)");
}

// RFC 7925 s. 14 / RFC 6066 s. 3: the name is read on the wire (a relay parses the
// ClientHello's server_name) and by the server (gnutls-serv --sni-hostname-fatal ends the
// handshake on any other name; over UDP it says so in its log and sends nothing).
const SNI_REFUSED = /SNI host name not recognised/;
const SNI_SERVER = { hint: "gateway-7", extra: ["--sni-hostname", "sensor.example.com", "--sni-hostname-fatal"] };

test("handshake and echo with gnutls-serv, with SNI and an identity hint: the name on the wire is the one configured", async () => {
  const s = await startGnuTls(SNI_SERVER);
  servers.push(s);
  const relay = await UdpRelay.start(s.port);
  relays.push(relay);
  const r = await runCli([`127.0.0.1:${relay.port}`, "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX,
    "--sni", "sensor.example.com", "--rto", "1000", "--send", "echo me", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.cipher, "TLS_PSK_WITH_AES_128_CCM_8");
  assert.equal(r.json.mfl, 512);
  assert.equal(r.json.ems, true);
  assert.equal(r.json.received, "echo me");
  const names = namesOnTheWire(relay);
  assert.equal(names.length, 2, "ClientHello before and after the cookie exchange");
  assert.deepEqual(names, ["sensor.example.com", "sensor.example.com"]);
  assert.doesNotMatch(s.output, SNI_REFUSED);
});

test("another configured name is another name on the wire, and the server refuses it; no --sni, no server_name", async () => {
  const s = await startGnuTls(SNI_SERVER);
  servers.push(s);
  const relay = await UdpRelay.start(s.port);
  relays.push(relay);
  const quick = ["--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX, "--rto", "300", "--timeout", "1500", "--json"];
  const r = await runCli([`127.0.0.1:${relay.port}`, ...quick, "--sni", "other.example.org"]);
  assert.deepEqual([...new Set(namesOnTheWire(relay))], ["other.example.org"]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.json.state, "failed");
  await s.waitFor(SNI_REFUSED);
  // Without --sni there is no server_name at all (which this server lets through).
  const relay2 = await UdpRelay.start(s.port);
  relays.push(relay2);
  const none = await runCli([`127.0.0.1:${relay2.port}`, ...quick]);
  assert.deepEqual([...new Set(namesOnTheWire(relay2))], ["(none)"]);
  assert.equal(none.code, 0, none.stderr);
});

test("several records in one session, each echoed", async () => {
  const s = await startGnuTls();
  servers.push(s);
  const client = new UdpDtlsClient("127.0.0.1", s.port, { psk, mfl: 1024 });
  try {
    await client.connect();
    assert.equal(client.engine.info(codes.INFO_MFL), 1024);
    for (const text of ["one", "two", "x".repeat(900)]) {
      client.write(Buffer.from(text));
      // The echo server may answer a long record in several records.
      let echoed = "";
      while (echoed.length < text.length) {
        const part = await client.readOne(3000);
        assert.ok(part, `echo of ${text.length} bytes stopped after ${echoed.length}`);
        echoed += part.toString();
      }
      assert.equal(echoed, text);
    }
    assert.throws(() => client.write(Buffer.alloc(1100)), /over the record limit/);
  } finally {
    client.close();
  }
});

test("a wrong PSK is refused", async () => {
  const s = await startGnuTls({ psk: "00112233445566778899aabbccddeeff" });
  servers.push(s);
  const r = await runCli([`127.0.0.1:${s.port}`, "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX,
    "--rto", "150", "--send", "x", "--json"]);
  assert.equal(r.code, 1);
  assert.equal(r.json.state, "failed");
  assert.match(r.stderr, /handshake failed: /);
});

test("a small PMTU fragments flight 5 but never the ClientHello; the server reassembles", async () => {
  const s = await startGnuTls({ identity: "d".repeat(128) });
  servers.push(s);
  const sent: Buffer[] = [];
  const client = new UdpDtlsClient("127.0.0.1", s.port, {
    psk: { identity: Buffer.from("d".repeat(128)), key: psk.key }, pmtu: 140, rtoMs: 1000,
  }, { dropOutgoing: (d) => { sent.push(Buffer.from(d)); return false; } });
  try {
    await client.connect();
    const sizes = sent.map((d) => d.length);
    assert.ok(sizes.every((n) => n <= 140), `a datagram exceeded the PMTU: ${sizes}`);
    const hs = sent.flatMap((d) => parseRecords(d)).filter((r) => r.type === 22 && r.epoch === 0);
    const fragments = (t: number) => hs.filter((r) => r.payload[0] === t);
    for (const ch of fragments(1)) {
      assert.equal(ch.payload.readUIntBE(6, 3), 0, "ClientHello fragment offset");
      assert.equal(ch.payload.readUIntBE(9, 3), ch.payload.readUIntBE(1, 3), "ClientHello sent whole");
    }
    assert.ok(fragments(16).length >= 2, "the 130-byte ClientKeyExchange is fragmented at PMTU 140");
    client.write(Buffer.from("small"));
    assert.equal((await client.readOne(3000))?.toString(), "small");
  } finally {
    client.close();
  }
});

test("without --send the CLI relays stdin lines and prints the replies", async () => {
  const s = await startGnuTls();
  servers.push(s);
  const { spawn } = await import("node:child_process");
  const { CLI } = await import("./support/paths");
  const p = spawn(process.execPath, [CLI, `127.0.0.1:${s.port}`, "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX, "--wait", "1500"]);
  let out = "";
  p.stdout.on("data", (d) => {
    out += d;
    if (out.includes("connected:") && !p.stdin.writableEnded) { p.stdin.write("first line\nsecond line\n"); p.stdin.end(); }
  });
  const code = await new Promise((r) => p.on("exit", r));
  assert.equal(code, 0);
  assert.match(out, /first line\n/);
  assert.match(out, /second line\n/);
});
