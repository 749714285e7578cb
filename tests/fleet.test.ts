// dtls-client fleet (issue 12): N emulated devices, each its own module instance, against one
// server; the report's counts must be the server's. gnutls-serv serves one client at a time,
// hence --concurrent 1 (the devices take turns; each still its own instance and socket).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { runCli, runProgram } from "./support/cli";
import { CLI } from "./support/paths";
import { PSK_HEX, PSK_IDENTITY, ServerProcess, startGnuTls, bindLoopbackUdp } from "./support/servers";
import { isLoopback, percentile } from "../host/fleet";
import { RefServerUdp } from "../host/refserver/udp";

const servers: ServerProcess[] = [];
after(async () => { for (const s of servers) await s.stop(); });
const PSK = ["--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX];

test("a fleet of 8 PSK devices against gnutls-serv: 16 handshakes, 16 echoes, no failures, the server echoed each", async () => {
  const server = await startGnuTls({ echo: true });
  servers.push(server);
  const r = await runCli(["fleet", `127.0.0.1:${server.port}`, ...PSK, "--clients", "8", "--handshakes", "2", "--concurrent", "1",
    "--send", "ping", "--duration", "60", "--json"], 90000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, "", "no progress line when stderr is not a terminal");
  const j = r.json;
  assert.equal(j.clients, 8);
  assert.equal(j.handshakes, 16);
  assert.equal(j.failures, 0);
  assert.equal(j.unfinished, 0);
  assert.equal(j.replies, 16);
  assert.deepEqual(j.failure_reasons, {});
  const l = j.latency_ms;
  assert.ok(l.p50 > 0 && l.p50 <= l.p95 && l.p95 <= l.p99 && l.p99 <= l.max, JSON.stringify(l));
  assert.ok(j.handshakes_per_second > 0);
  assert.ok(j.client_cpu_ms_per_handshake > 0);
  assert.equal(j.memory.instances, 8);
  // The server's side of the count: one echo per handshake (its stderr; each echo needs an
  // established session). It answered before we counted the reply.
  assert.equal([...server.output.matchAll(/Processing 4 bytes command: ping/g)].length, 16);
});

test("a fleet counts failures by reason: a wrong PSK fails every handshake, exit 1", async () => {
  const server = await startGnuTls({ echo: true });
  servers.push(server);
  const r = await runCli(["fleet", `127.0.0.1:${server.port}`, "--psk-identity", PSK_IDENTITY, "--psk", "00".repeat(16),
    "--clients", "3", "--handshakes", "1", "--concurrent", "1", "--rto", "200", "--timeout", "1000", "--duration", "60", "--json"], 90000);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.json.handshakes, 0);
  assert.equal(r.json.failures, 3);
  assert.deepEqual(r.json.failure_reasons, { finished_timeout: 3 });
  assert.deepEqual(r.json.latency_ms, { p50: null, p95: null, p99: null, max: null });
});

test("a fleet is bounded: --duration ends it, unfinished handshakes are counted as such", async () => {
  const silent = await bindLoopbackUdp();   // never answers
  const port = silent.address().port;
  let got = 0;
  silent.on("message", (d: Buffer) => { if (d[0] === 22 && d[13] === 1) got++; });   // ClientHellos
  const r = await runCli(["fleet", `127.0.0.1:${port}`, ...PSK, "--clients", "4", "--duration", "1", "--json"], 20000);
  silent.close();
  assert.equal(r.code, 1);
  assert.equal(r.json.handshakes, 0);
  assert.equal(r.json.unfinished, 4);
  assert.equal(r.json.failures, 0);
  assert.ok(r.json.duration_ms >= 1000 && r.json.duration_ms < 10000, String(r.json.duration_ms));
  assert.equal(got, 4, "one ClientHello per device (the 9 s timer never fired)");
});

test("a fleet refuses servers off this machine, a missing --clients and options it cannot honour, before sending", async () => {
  const off = await runCli(["fleet", "192.0.2.1:5684", ...PSK, "--clients", "2"]);
  assert.equal(off.code, 2);
  assert.equal(off.stderr, "dtls-client: fleet runs against a server on this machine only (127.0.0.0/8 or ::1), not \"192.0.2.1\"\n");
  const none = await runCli(["fleet", "127.0.0.1:5684", ...PSK]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^dtls-client: fleet needs --clients N\n/);
  const many = await runCli(["fleet", "127.0.0.1:5684", ...PSK, "--clients", "2001"]);
  assert.equal(many.code, 2);
  assert.match(many.stderr, /^dtls-client: --clients must be a whole number from 1 to 2000 \(devices\), got "2001"\n/);
  const pcap = await runCli(["fleet", "127.0.0.1:5684", ...PSK, "--clients", "2", "--pcap", "x.pcap"]);
  assert.equal(pcap.code, 2);
  assert.match(pcap.stderr, /^dtls-client: --pcap is not available with fleet\n/);
});

test("loopback and percentiles", () => {
  for (const a of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"]) assert.ok(isLoopback(a), a);
  for (const a of ["10.0.0.1", "192.0.2.1", "::", "::ffff:10.0.0.1", "fe80::1", "128.0.0.1"]) assert.ok(!isLoopback(a), a);
  const v = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(v, 50), 50);
  assert.equal(percentile(v, 95), 95);
  assert.equal(percentile(v, 99), 99);
  assert.equal(percentile([7], 99), 7);
  assert.equal(percentile([], 50), null);
});

test("on a terminal a fleet shows a progress line, rewritten in place, and clears it before the report", async () => {
  const silent = await bindLoopbackUdp();
  const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} fleet 127.0.0.1:${silent.address().port} ` +
    `--psk-identity ${PSK_IDENTITY} --psk ${PSK_HEX} --clients 2 --duration 1`;
  // script(1) (util-linux, in every Debian) gives the program a pseudo-terminal.
  const r = await runProgram("script", ["-qec", cmd, "/dev/null"], 20000);
  silent.close();
  assert.match(r.stdout, /\rfleet: 0 handshakes, 0 failed, 0\/s, [01] s left\x1b\[K/);
  assert.match(r.stdout, /\r\x1b\[Kfleet: 2 devices against 127\.0\.0\.1:\d+ for 1\.\d s/);
});

test("a fleet of 8 PSK devices against the reference server, all at once: 16 handshakes, 16 echoes, the server's counts the same", async () => {
  // The reference server (host/refserver) serves many peers at once: no --concurrent.
  const udp = await RefServerUdp.start({ psk: { [PSK_IDENTITY]: Buffer.from(PSK_HEX, "hex") }, maxPeers: 64 });
  after(() => udp.close());
  let handshakes = 0, echoes = 0, closes = 0;
  const peers = new Set<string>();
  udp.server.on("handshake", (i) => { handshakes++; peers.add(i.peer); });
  udp.server.on("data", (_peer, d) => { if (d.toString() === "ping") echoes++; });
  udp.server.on("alert", (a) => { if (!a.sent && a.description === 0) closes++; });
  const r = await runCli(["fleet", `127.0.0.1:${udp.port}`, ...PSK, "--clients", "8", "--handshakes", "2",
    "--send", "ping", "--duration", "60", "--json"], 90000);
  assert.equal(r.code, 0, r.stderr);
  const j = r.json;
  assert.equal(j.clients, 8);
  assert.equal(j.handshakes, 16);
  assert.equal(j.failures, 0);
  assert.equal(j.unfinished, 0);
  assert.equal(j.replies, 16);
  assert.ok(j.latency_ms.p50 > 0 && j.latency_ms.p50 <= j.latency_ms.max);
  assert.equal(handshakes, 16, "the server completed as many handshakes as the fleet counts");
  assert.equal(echoes, 16, "and echoed each device's data");
  assert.equal(peers.size, 16, "each connection from its own socket (source port)");
  assert.equal(closes, 16, "every device closed with close_notify");
  assert.equal(udp.server.peers().length, 0, "so the server holds no state afterwards");
});

test("an emulated fleet (emulate --clients): 100 devices at once against one reference server in virtual time, the server's counts; a seed repeats", async () => {
  // No loss, all starting at 0: the server holds 100 peers at once (maxPeers follows --clients).
  const clean = await runCli(["emulate", "--clients", "100", "--spread", "0", "--seed", "f", "--json"], 60000);
  assert.equal(clean.code, 0, clean.stderr);
  const c = clean.json;
  assert.deepEqual([c.clients, c.completed, c.failures, c.unfinished, c.replies], [100, 100, 0, 0, 100]);
  assert.equal(c.client_retransmissions, 0, "no device waited for a timer: none was evicted");
  assert.deepEqual([c.server.handshakes, c.server.peers_left, c.server.retransmissions], [100, 0, 0]);
  assert.ok(c.latency_ms.p50 > 0 && c.latency_ms.max < 10, JSON.stringify(c.latency_ms));
  // 20 % loss on 6LoWPAN: every device accounted for, lost echoes are not failures.
  const args = ["emulate", "--clients", "40", "--profile", "6lowpan", "--loss", "0.2", "--rto", "1000", "--seed", "g", "--json"];
  const a = await runCli(args, 60000);
  const j = a.json;
  assert.equal(j.completed + j.failures + j.unfinished, 40);
  assert.equal(a.code, j.completed === 40 ? 0 : 1);
  assert.ok(j.client_retransmissions > 0 && j.server.retransmissions > 0);
  assert.ok(j.server.handshakes >= j.completed && j.replies <= j.completed);
  assert.ok(j.latency_ms.p95 >= 1000, "retransmissions show in the latencies");
  const b = await runCli(args, 60000);
  assert.equal(b.json.fleet_sha256, j.fleet_sha256, "the same seed, the same fleet byte for byte");
  const other = await runCli([...args.slice(0, -2), "h", "--json"], 60000);
  assert.notEqual(other.json.fleet_sha256, j.fleet_sha256);
  const refused = await runCli(["emulate", "--clients", "2", "--pcap", "x.pcap"]);
  assert.equal(refused.code, 2);
});
