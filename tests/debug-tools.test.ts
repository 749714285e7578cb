// The debugging tools users expect (issue 12): dtls-client --keylog FILE (NSS key log),
// --pcap FILE (the datagrams as a capture) and --trace (each record and handshake message,
// one line). The proof is the users' own tool: tshark (Debian's, scripts/apt-packages.txt)
// dissects our capture and, given our key log, decrypts the application data, byte for byte
// what was sent and what came back; gnutls-serv's own key log (SSLKEYLOGFILE) holds the same
// lines. The core side: OPT_KEYLOG / INFO_KEYLOG (docs/API.md).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildPrograms, runCli, runProgram } from "./support/cli";
import { CLI, POSIX, WASM3_HARNESS, WASM3_PYTHON } from "./support/paths";
import { freeUdpPort, GNUTLS_PSK_CCM8, PSK_HEX, PSK_IDENTITY, ServerProcess } from "./support/servers";
import { UdpDtlsClient } from "../host/udp-client";
import { Tracer } from "../host/trace";
import { keylogLine } from "../host/keylog";
import { udpPacket } from "../host/pcap";
import * as codes from "../host/codes";

const dir = mkdtempSync(join(tmpdir(), "debug-tools-"));
const servers: ServerProcess[] = [];
after(async () => { for (const s of servers) await s.stop(); });
const PSK = ["--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX];

/** gnutls-serv (PSK, echo) writing its own key log. */
async function gnutls(keylog: string): Promise<ServerProcess> {
  const port = await freeUdpPort();
  const f = join(dir, `psk-${port}.txt`);
  execFileSync("sh", ["-c", `printf '%s:%s\\n' ${PSK_IDENTITY} ${PSK_HEX} > ${f}`]);
  const s = new ServerProcess(spawn("gnutls-serv", ["--udp", "--echo", "-p", String(port), "--pskpasswd", f,
    "--priority", GNUTLS_PSK_CCM8], { env: { ...process.env, SSLKEYLOGFILE: keylog } }), port);
  servers.push(s);
  await s.waitFor("listening");
  return s;
}

/** Resolves once every line is in the server's key log (gnutls-serv writes it as the session
 *  goes, maybe after our program is done); rejects after 5 s. */
async function serverLogged(file: string, lines: string[]): Promise<void> {
  for (const start = Date.now(); ;) {
    let have = new Set<string>();
    try { have = new Set(readFileSync(file, "utf8").split("\n")); } catch { /* not yet written */ }
    const missing = lines.filter((l) => !have.has(l));
    if (missing.length === 0) return;
    if (Date.now() - start > 5000) assert.fail(`gnutls-serv never logged ${missing.join("; ")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** tshark's fields of each DTLS frame, one array per frame (a field's several values joined by ","). */
function tshark(pcap: string, fields: string[], keylog?: string): string[][] {
  const out = execFileSync("tshark", ["-r", pcap, ...(keylog ? ["-o", `tls.keylog_file:${keylog}`] : []), "-Y", "dtls",
    "-T", "fields", "-E", "separator=/t", ...fields.flatMap((f) => ["-e", f])], { encoding: "utf8", timeout: 60000, stdio: ["ignore", "pipe", "ignore"] });
  return out.split("\n").filter((l) => l !== "").map((l) => l.split("\t"));
}

test("--keylog and --pcap: tshark dissects the handshake and, with the key log, shows the application data we sent and received", async () => {
  const serverLog = join(dir, "server-keys.log");
  const server = await gnutls(serverLog);
  const keylog = join(dir, "client-keys.log");
  const pcap = join(dir, "capture.pcap");
  const text = "keylog and pcap: decrypted by tshark";
  // A full handshake, then a resumed one (RFC 7925 s. 7): one key log line each.
  const r = await runCli([`127.0.0.1:${server.port}`, ...PSK, "--send", text, "--expect-reply", "--resume", "1",
    "--keylog", keylog, "--pcap", pcap, "--json"], 30000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.received, text);
  assert.equal(r.json.reconnects[0].resumed, true);

  const lines = readFileSync(keylog, "utf8").split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 2, "one line per handshake, the resumed one included");
  for (const l of lines) assert.match(l, /^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/);
  assert.notEqual(lines[0].split(" ")[1], lines[1].split(" ")[1], "each handshake its own client random");
  assert.equal(lines[0].split(" ")[2], lines[1].split(" ")[2], "the resumed session's master secret");
  // The secrets gnutls-serv derived (its log of a resumed handshake is not to be relied on:
  // tshark's decryption of the second connection below proves that line).
  await serverLogged(serverLog, [lines[0]]);
  assert.equal(statSync(keylog).mode & 0o777, 0o600, "the key log is its owner's only");

  // Without the key log tshark sees records, handshake messages in the clear, no application data.
  const fields = ["udp.srcport", "udp.dstport", "dtls.record.content_type", "dtls.handshake.type", "data.data"];
  const plain = tshark(pcap, fields);
  const types = plain.map((f) => f[3]).filter((t) => t !== "");
  assert.deepEqual(types.slice(0, 5), ["1", "3", "1", "2", "14"], "ClientHello, HelloVerifyRequest, ClientHello, ServerHello, ServerHelloDone");
  assert.ok(plain.every((f) => f[4] === ""), "nothing decrypted without the key log");
  const clientPort = plain[0][0];
  assert.equal(plain[0][1], String(server.port), "the real ports");

  // With it: the application data, exactly the bytes that went each way, in both connections.
  const decrypted = tshark(pcap, fields, keylog).filter((f) => f[2] === String(codes.CT_APPLICATION_DATA));
  const hex = Buffer.from(text, "utf8").toString("hex");
  const sent = decrypted.filter((f) => f[1] === String(server.port)).map((f) => f[4]);
  const received = decrypted.filter((f) => f[0] === String(server.port)).map((f) => f[4]);
  assert.deepEqual(sent, [hex, hex], "what we sent, once per connection");
  assert.deepEqual(received, [hex, hex], "what the server echoed");
  assert.ok(decrypted.some((f) => f[0] === clientPort), "the first connection's port");
  // The Finished messages (epoch 1) too: handshake type 20 shows only with the keys.
  const finished = tshark(pcap, ["dtls.handshake.type"], keylog).filter((f) => f[0].split(",").includes("20"));
  assert.ok(finished.length >= 4, "both Finished of both handshakes decrypted");
});

/** [direction, content type, epoch, seq, length] of each record line of a trace. */
function traceRecords(stderr: string): string[][] {
  return stderr.split("\n").map((l) => /^(->|<-) (\w+) epoch (\d+) seq (\d+) length (\d+)/.exec(l)).filter((m) => m !== null)
    .map((m) => m!.slice(1));
}

test("--trace: a line per record and per handshake message, the same records tshark finds in the capture", async () => {
  const server = await gnutls(join(dir, "trace-server-keys.log"));
  const pcap = join(dir, "trace.pcap");
  const r = await runCli([`127.0.0.1:${server.port}`, ...PSK, "--send", "trace", "--expect-reply", "--trace", "--pcap", pcap, "--json"], 30000);
  assert.equal(r.code, 0, r.stderr);
  const trace = r.stderr.split("\n").filter((l) => /^(->|<-) /.test(l) && !/ flight \d+ /.test(l));
  // Our first flight, exactly: the ClientHello in one record (RFC 6347 4.2.2 header, message_seq 0).
  assert.equal(trace[0], "-> handshake epoch 0 seq 0 length 70");
  assert.equal(trace[1], "->   client_hello message_seq 0 fragment 0+58 of 58");
  assert.equal(trace[2], "<- handshake epoch 0 seq 0 length 31");
  assert.equal(trace[3], "<-   hello_verify_request message_seq 0 fragment 0+19 of 19");
  assert.match(trace[5], /^->   client_hello message_seq 1 fragment 0\+(\d+) of \1$/);
  const messages = trace.filter((l) => / message_seq /.test(l)).map((l) => l.replace(/ fragment .*/, ""));
  assert.deepEqual(messages, ["->   client_hello message_seq 0", "<-   hello_verify_request message_seq 0", "->   client_hello message_seq 1",
    "<-   server_hello message_seq 1", "<-   server_hello_done message_seq 2", "->   client_key_exchange message_seq 2"]);
  assert.ok(trace.includes("-> change_cipher_spec epoch 0 seq 3 length 1"));
  assert.ok(trace.includes("-> handshake epoch 1 seq 0 length 40 encrypted"), "our Finished: 12 + 12 bytes + CCM-8's 16");
  assert.ok(trace.includes("<- handshake epoch 1 seq 0 length 40 encrypted"), "the server's Finished");
  assert.ok(trace.includes(`-> application_data epoch 1 seq 1 length ${5 + 16} encrypted`), "--send's record");
  // Every record as tshark reads the capture: direction, type, epoch, sequence number, length.
  const frames = tshark(pcap, ["udp.dstport", "dtls.record.content_type", "dtls.record.epoch", "dtls.record.sequence_number", "dtls.record.length"]);
  const fromPcap = frames.flatMap(([dst, ...cols]) => {
    const split = cols.map((c) => c.split(","));
    return split[0].map((_, i) => [dst === String(server.port) ? "->" : "<-", ...split.map((c) => c[i])]);
  });
  const names: Record<string, string> = { 20: "change_cipher_spec", 21: "alert", 22: "handshake", 23: "application_data" };
  assert.deepEqual(traceRecords(r.stderr), fromPcap.map(([d, t, ...rest]) => [d, names[t], ...rest]));
});

test("the tracer names what it cannot read and never throws on hostile bytes", () => {
  const t = new Tracer();
  const hello = Buffer.from("16fefd000000000000000000460100003a000000000000003afefd", "hex");
  assert.deepEqual(t.lines("sent", hello.subarray(0, 5)), ["-> truncated record header (5 bytes)"]);
  assert.deepEqual(t.lines("sent", hello), ["-> handshake epoch 0 seq 0 length 70: truncated (14 bytes)"]);
  assert.deepEqual(t.lines("received", Buffer.from("19fefd00010000000000050000", "hex")),
    ["<- tls12_cid epoch 1 seq 5: connection ID length unknown, rest of the datagram not delimited"]);
  let seed = 1;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
  for (let i = 0; i < 2000; i++) {
    const d = Buffer.alloc(rand() % 64, 0).map(() => rand());
    if (d.length > 0) d[0] = 20 + (rand() % 6);           // mostly record types it decodes further
    assert.doesNotThrow(() => t.lines(i % 2 ? "sent" : "received", d));
  }
});

test("INFO_KEYLOG: nothing without OPT_KEYLOG, nothing mid-handshake (the handshake unharmed), once after it", async () => {
  const server = await gnutls(join(dir, "info-keys.log"));
  const psk = { identity: Buffer.from(PSK_IDENTITY), key: Buffer.from(PSK_HEX, "hex") };
  // Without the option: 0 throughout, and asking does not disturb the handshake.
  const plain = new UdpDtlsClient("127.0.0.1", server.port, { psk });
  let asked = 0;
  plain.onFlight = () => { asked += plain.engine.info(codes.INFO_KEYLOG); };
  after(() => plain.close());
  await plain.connect();
  assert.equal(asked, 0);
  assert.equal(plain.engine.info(codes.INFO_KEYLOG), 0);
  await plain.close();
  // With it: the callback gets the secrets once; the module then has nothing more to give.
  const got: Array<[Buffer, Buffer]> = [];
  // (The engine wipes its buffers once the callback returns: a keeper copies.)
  const c = new UdpDtlsClient("127.0.0.1", server.port, { psk, keylog: (r, m) => got.push([Buffer.from(r), Buffer.from(m)]) });
  let midway = 0;
  c.onFlight = () => { if (c.engine.state === codes.STATE_HANDSHAKING) midway += c.engine.info(codes.INFO_KEYLOG); };
  after(() => c.close());
  await c.connect();
  assert.equal(midway, 0, "never while the handshake still needs the master secret");
  assert.equal(got.length, 1);
  assert.equal(got[0][0].length, 32);
  assert.equal(got[0][1].length, 48);
  assert.equal(c.engine.info(codes.INFO_KEYLOG), 0, "taken once: the module wiped it");
  await serverLogged(join(dir, "info-keys.log"), [keylogLine(got[0][0], got[0][1]).trim()]);
  await c.close();
});

test("pcap packets: IPv4 header checksum and UDP lengths as tshark expects", () => {
  const p = udpPacket(Buffer.from("abc"), 40000, 5684);
  assert.equal(p.length, 20 + 8 + 3);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += p.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  assert.equal(sum, 0xffff, "the header sums to all ones with its checksum");
  assert.equal(p.readUInt16BE(20), 40000);
  assert.equal(p.readUInt16BE(22), 5684);
  assert.equal(p.readUInt16BE(24), 11);
});

test("--keylog in all three programs (dtls-client, dtls-posix, dtls_wasm3.py): the line gnutls-serv logged; an unwritable file refused before anything is sent", async () => {
  buildPrograms();
  const serverLog = join(dir, "three-server-keys.log");
  const server = await gnutls(serverLog);
  const programs: Array<[string, string[]]> = [["dtls-client", [process.execPath, CLI]],
    ["dtls-posix", [POSIX]], ["dtls_wasm3.py", [WASM3_PYTHON, WASM3_HARNESS]]];
  for (const [name, [cmd, ...pre]] of programs) {
    const file = join(dir, `${name}.keys`);
    const r = await runProgram(cmd, [...pre, `127.0.0.1:${server.port}`, ...PSK, "--send", name, "--expect-reply", "--keylog", file, "--json"], 60000);
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    const lines = readFileSync(file, "utf8").split("\n").filter((l) => l !== "");
    assert.equal(lines.length, 1, name);
    assert.match(lines[0], /^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/, name);
    assert.equal(statSync(file).mode & 0o777, 0o600, name);
    await serverLogged(serverLog, lines);
    const bad = await runProgram(cmd, [...pre, `127.0.0.1:${server.port}`, ...PSK, "--keylog", join(dir, "no-such-dir", "k")], 20000);
    assert.equal(bad.code, 2, `${name}: ${bad.stderr}`);
    assert.equal(bad.stderr, `${name}: cannot write the key log file ${join(dir, "no-such-dir", "k")}\n`);
  }
});
