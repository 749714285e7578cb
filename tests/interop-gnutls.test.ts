// Interoperability with GnuTLS's gnutls-serv --udp, PSK + AES-128-CCM-8 only.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as codes from "../host/codes";
import { UdpDtlsClient } from "../host/udp-client";
import { startGnuTls, PSK_HEX, PSK_IDENTITY, ServerProcess } from "./support/servers";
import { runCli } from "./support/cli";
import { parseRecords } from "./support/wire";

const psk = { identity: Buffer.from(PSK_IDENTITY), key: Buffer.from(PSK_HEX, "hex") };
const servers: ServerProcess[] = [];
after(async () => { for (const s of servers) await s.stop(); });

test("handshake and echo with gnutls-serv, with SNI and an identity hint", async () => {
  const s = await startGnuTls({ hint: "gateway-7" });
  servers.push(s);
  const r = await runCli([`127.0.0.1:${s.port}`, "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX,
    "--sni", "sensor.example.com", "--send", "echo me", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.cipher, "TLS_PSK_WITH_AES_128_CCM_8");
  assert.equal(r.json.mfl, 512);
  assert.equal(r.json.ems, true);
  assert.equal(r.json.sni, "sensor.example.com");
  assert.equal(r.json.received, "echo me");
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
