// dtls-client emulate --pcap / --keylog / --trace (issue 12: "writes the datagrams (real or
// emulated) as a pcap file"): an emulated handshake over a lossy link, in virtual time against
// the reference server; tshark dissects the capture, with the key log shows the application
// data both ways, and its timestamps are the emulator's virtual times (the --trace-out record).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createPublicKey, generateKeyPairSync, KeyObject } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./support/cli";
import { VIRTUAL_PORTS } from "../host/emulator/capture";
import * as codes from "../host/codes";
import { RefServerUdp } from "../host/refserver/udp";

const dir = mkdtempSync(join(tmpdir(), "emulator-capture-"));

function tshark(pcap: string, fields: string[], keylog?: string): string[][] {
  const out = execFileSync("tshark", ["-r", pcap, ...(keylog ? ["-o", `tls.keylog_file:${keylog}`] : []),
    // Port 5684 is CoAPS: tshark hands decrypted data to its CoAP dissector; ours is text.
    "--disable-protocol", "coap", "-T", "fields", "-E", "separator=/t", ...fields.flatMap((f) => ["-e", f])],
  { encoding: "utf8", timeout: 60000, stdio: ["ignore", "pipe", "ignore"] });
  return out.split("\n").filter((l) => l !== "").map((l) => l.split("\t"));
}

test("emulate --pcap --keylog --trace: tshark decodes the emulated handshake, decrypts the data, at the virtual times", async () => {
  const pcap = join(dir, "emulated.pcap");
  const keylog = join(dir, "emulated.keys");
  const jsonl = join(dir, "emulated.jsonl");
  const text = "emulated and decrypted";
  // Seed 3 on a 20 % lossy LAN with 1 s timers: losses on both sides, the handshake completes.
  const r = await runCli(["emulate", "--loss", "0.2", "--seed", "3", "--rto", "1000", "--send", text, "--pcap", pcap, "--keylog", keylog,
    "--trace", "--trace-out", jsonl, "--json", "--quiet"], 60000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.reply, true);
  assert.ok(r.json.datagrams.lost > 0, "the seed loses datagrams");
  assert.equal(statSync(pcap).mode & 0o777, 0o600);

  // The client's view from the trace: its sends (lost or not) and what was delivered to it.
  const events = readFileSync(jsonl, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const view = events.filter((e) => (e.dir === "c>s" && e.what === "send") || (e.dir === "s>c" && e.what === "deliver"));
  assert.ok(events.some((e) => e.dir === "s>c" && e.what === "lose"), "a server datagram was lost: not in the capture");

  const frames = tshark(pcap, ["frame.time_epoch", "udp.srcport", "udp.dstport", "udp.length", "dtls.handshake.type"]);
  assert.equal(frames.length, view.length, "one packet per datagram of the client's view");
  frames.forEach((f, i) => {
    assert.equal(Math.round(Number(f[0]) * 1e6), Math.round(view[i].t * 1000), `packet ${i}: the virtual time`);
    const sent = view[i].dir === "c>s";
    assert.deepEqual([f[1], f[2]], sent ? [String(VIRTUAL_PORTS.client), String(VIRTUAL_PORTS.server)]
      : [String(VIRTUAL_PORTS.server), String(VIRTUAL_PORTS.client)]);
    assert.equal(Number(f[3]), 8 + view[i].len);
  });
  const types = frames.flatMap((f) => f[4].split(",")).filter((t) => t !== "");
  assert.deepEqual(types.slice(0, 2), ["1", "3"], "ClientHello, HelloVerifyRequest");
  assert.ok(types.includes("2") && types.includes("14") && types.includes("16"), "ServerHello, ServerHelloDone, ClientKeyExchange");

  // The key log: one line; with it tshark shows the application data, exactly, both ways.
  const lines = readFileSync(keylog, "utf8").split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/);
  const fields = ["udp.srcport", "dtls.record.content_type", "data.data"];
  assert.ok(tshark(pcap, fields).every((f) => f[2] === ""), "nothing decrypted without the key log");
  const data = tshark(pcap, fields, keylog).filter((f) => f[1].split(",").includes(String(codes.CT_APPLICATION_DATA)) && f[2] !== "");
  const hex = Buffer.from(text, "utf8").toString("hex");
  assert.deepEqual(data.map((f) => [f[0], f[2]]), [[String(VIRTUAL_PORTS.client), hex], [String(VIRTUAL_PORTS.server), hex]]);

  // --trace: a line per record and handshake message of the same view, after its virtual time.
  const trace = r.stderr.split("\n").filter((l) => /^ +\d+\.\d{3} s  (->|<-) /.test(l));
  assert.match(trace[0], /^ +0\.000 s  -> handshake epoch 0 seq 0 length \d+$/);
  assert.match(trace[1], /^ +0\.000 s  ->   client_hello message_seq 0 fragment 0\+\d+ of \d+$/);
  const records = trace.filter((l) => !/ {3}\w+ message_seq/.test(l));
  const tsharkRecords = tshark(pcap, ["dtls.record.content_type"]).reduce((k, f) => k + f[0].split(",").length, 0);
  assert.equal(records.length, tsharkRecords, "as many record lines as tshark finds records");
  assert.ok(records.some((l) => / -> application_data epoch 1 seq \d+ length \d+ encrypted$/.test(l)));
});

test("emulate --pcap: the same seed writes the same capture twice; an unwritable file is refused before the run", async () => {
  const a = join(dir, "a.pcap"), b = join(dir, "b.pcap");
  for (const f of [a, b]) {
    const r = await runCli(["emulate", "--profile", "6lowpan", "--loss", "0.3", "--seed", "4", "--pcap", f, "--json", "--quiet"], 60000);
    assert.equal(r.code, 0, r.stderr);
  }
  assert.ok(readFileSync(a).equals(readFileSync(b)), "byte for byte");
  const bad = await runCli(["emulate", "--pcap", join(dir, "no-such-dir", "x.pcap")]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^dtls-client emulate: cannot write .*no-such-dir\/x\.pcap\n/);
});

test("emulate --OPTION-up / --OPTION-down: each direction of the link on its own", async () => {
  // 500 ms one way, server to client only: the PSK handshake's three round trips (HVR,
  // flight 4, flight 6) take 1.5 s more than on the clean LAN.
  const r = await runCli(["emulate", "--delay-down", "500", "--mtu-up", "1000", "--json", "--quiet"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.link.down.delayMs, 500);
  assert.equal(r.json.link.up.delayMs, 0.1, "the profile's, untouched");
  assert.deepEqual([r.json.link.up.mtu, r.json.link.down.mtu], [1000, 1472]);
  assert.ok(r.json.handshake_ms > 1500 && r.json.handshake_ms < 1502, String(r.json.handshake_ms));
  const bad = await runCli(["emulate", "--corrupt-up", "2"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^dtls-client emulate: --corrupt-up needs a number from 0 to 1, not 2\n/);
});

test("emulate --server (a real server in real time) --pcap --keylog: the reference server on UDP, its real port, decrypted by tshark", async () => {
  const key = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  const udp = await RefServerUdp.start({ psk: { "device-0001": Buffer.from(key, "hex") } });
  after(() => udp.close());
  const pcap = join(dir, "real.pcap"), keylog = join(dir, "real.keys");
  const r = await runCli(["emulate", "--server", `127.0.0.1:${udp.port}`, "--psk-identity", "device-0001", "--psk", key,
    "--send", "real time", "--limit", "20", "--pcap", pcap, "--keylog", keylog, "--json", "--quiet"], 60000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.time, "real");
  const data = tshark(pcap, ["udp.srcport", "udp.dstport", "data.data"], keylog).filter((f) => f[2] !== "");
  const hex = Buffer.from("real time").toString("hex");
  assert.deepEqual(data, [[String(VIRTUAL_PORTS.client), String(udp.port), hex], [String(udp.port), String(VIRTUAL_PORTS.client), hex]]);
  assert.equal(udp.server.stats.handshakes, 1);
});

test("emulate --server --rpk --server-key --key: ECDHE-ECDSA with mutual raw keys against the reference server in real time, decrypted", async () => {
  const pem = (k: KeyObject) => k.export({ format: "pem", type: "pkcs8" }) as string;
  const server = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  const device = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  const serverPem = join(dir, "server.pem"), devicePem = join(dir, "device.pem");
  writeFileSync(serverPem, pem(server));
  writeFileSync(devicePem, pem(device));
  const udp = await RefServerUdp.start({ rawKey: server, rpk: true, clientAuth: "require",
    clientKeys: [createPublicKey(device).export({ format: "der", type: "spki" })] });
  after(() => udp.close());
  let clientCertType: unknown;
  udp.server.on("handshake", (i) => { clientCertType = i.clientCertType; });
  const pcap = join(dir, "rpk.pcap"), keylog = join(dir, "rpk.keys");
  const r = await runCli(["emulate", "--server", `127.0.0.1:${udp.port}`, "--rpk", "--server-key", serverPem, "--key", devicePem,
    "--send", "raw keys", "--limit", "20", "--pcap", pcap, "--keylog", keylog, "--json", "--quiet"], 60000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.credential, "rpk");
  assert.equal(clientCertType, "rpk", "the server authenticated our raw key");
  const data = tshark(pcap, ["udp.srcport", "data.data"], keylog).filter((f) => f[1] !== "").map((f) => f[1]);
  assert.deepEqual(data, [Buffer.from("raw keys").toString("hex"), Buffer.from("raw keys").toString("hex")]);
  // A wrong pin: the handshake fails (the server's key is not the pinned one).
  const wrong = await runCli(["emulate", "--server", `127.0.0.1:${udp.port}`, "--rpk", "--server-key", devicePem, "--key", devicePem,
    "--limit", "20", "--json", "--quiet"], 60000);
  assert.equal(wrong.code, 1);
  assert.equal(wrong.json.completed, false);
  const missing = await runCli(["emulate", "--server", `127.0.0.1:${udp.port}`, "--rpk"]);
  assert.equal(missing.code, 2);
});
