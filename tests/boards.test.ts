// Boards: the C HAL contract, the posix program (wasm2c + C HAL) and the QEMU Cortex-M4
// image (wasm2c, SLIP over the emulated UART, host/slip-bridge.ts), each completing a PSK
// handshake and an echo with openssl s_server, and an ECDHE-ECDSA raw-public-key (mutual)
// handshake and echo with gnutls-serv; the bridge's summary kept when the firmware exits with
// datagrams still queued on its UART; and the same seeded session, datagram for datagram,
// from Node, posix, wasm3 and QEMU. Builds what it runs with `make posix qemu` (+ the wasm3 venv).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { runProgram, CliResult } from "./support/cli";
import { execFileSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HAL_IMPORTS } from "../host/hal";
import { SlipDecoder, slipEncode } from "../host/slip-bridge";
import { ROOT, BUILD, CLI, POSIX, WASM3_PYTHON, WASM3_HARNESS } from "./support/paths";
import { MockUdpPskServer, Exchanged } from "./support/mock-udp-server";
import { parseRecords } from "./support/wire";
import { startOpenSsl, PSK_HEX, PSK_IDENTITY, ServerProcess, freeUdpPort, generateKeyPair, spkiSha256, startGnuTlsRpk, startGnuTls } from "./support/servers";
import { UdpRelay } from "./support/udp-relay";
import { ScriptedUdpPeer } from "./support/scripted-udp-peer";

const POSIX_PSK = join(BUILD, "boards", "dtls-posix-psk");
const FIRMWARE = join(BUILD, "boards", "qemu", "dtls-qemu.elf");
const BRIDGE = join(ROOT, "dist", "host", "slip-bridge.js");

const run = (cmd: string, args: string[], timeoutMs = 60000) => runProgram(cmd, args, timeoutMs);
/** The keys of dtls-client's --json summary (host/engine.ts summary(), received, reply). */
const CLI_KEYS = ["protocol", "cipher", "mfl", "ems", "sni", "sni_accepted", "resumed", "heartbeats", "cid", "false_start", "ticket",
  "handshake_ms", "flights_sent", "flights_received", "flights_retransmitted", "records_dropped", "app_records_lost", "datagrams_too_large",
  "handshake_bytes_sent", "handshake_bytes_received", "handshake_datagrams_sent", "handshake_datagrams_received", "max_datagram",
  "state", "received", "reply"];
const RPK_KEYS = [...CLI_KEYS.slice(0, -3), "server_key_sha256", "client_auth", ...CLI_KEYS.slice(-3)];
/** The bridge's "board: {...}" line (stderr). */
const boardOf = (r: CliResult) => JSON.parse(/^board: (\{.*\})$/m.exec(r.stderr)?.[1] ?? "{}");

const servers: ServerProcess[] = [];
after(async () => { for (const s of servers) await s.stop(); });

before(() => {
  // The binaries under test, built (or found up to date) by the project's own targets.
  execFileSync("make", ["--no-print-directory", "-s", "posix", "qemu", "build/venv-wasm3/.installed"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"], timeout: 240000 });
});

/** Runs a client against a fresh s_server; types the reply when the client's text arrives. */
async function echoRun(cmd: string, args: (port: number) => string[], text: string, timeoutMs = 60000) {
  const s = await startOpenSsl();
  servers.push(s);
  const pending = run(cmd, args(s.port), timeoutMs);
  await s.waitFor(text, timeoutMs);
  s.type(`echo: ${text}`);
  const r = await pending;
  await s.stop();
  return { r, server: s };
}

test("hal.h declares exactly the HAL imports of assembly/hal.ts, host/hal.ts and the built modules", () => {
  const header = readFileSync(join(ROOT, "boards", "hal", "hal.h"), "utf8");
  const cDecl = [...header.matchAll(/^\s*(?:int32_t|uint32_t|int64_t|void)\s+hal_(\w+)\s*\(([^)]*)\)\s*;/gm)];
  const cNames = cDecl.map((m) => m[1]);
  const asSrc = readFileSync(join(ROOT, "assembly", "hal.ts"), "utf8");
  const asDecl = [...asSrc.matchAll(/@external\("hal",\s*"(\w+)"\)\s*export declare function \w+\(([^)]*)\)/g)];
  const asNames = asDecl.map((m) => m[1]);
  assert.deepEqual(cNames, asNames, "hal.h and assembly/hal.ts list the same functions in the same order");
  assert.deepEqual([...HAL_IMPORTS], asNames, "host/hal.ts HAL_IMPORTS is the same list");
  // Same number of parameters (a C pointer+length pair is one wasm pointer plus one i32).
  const count = (params: string) => (params.trim() === "" || params.trim() === "void" ? 0 : params.split(",").length);
  for (let i = 0; i < cDecl.length; i++) {
    assert.equal(count(cDecl[i][2]), count(asDecl[i][2]), `hal_${cNames[i]}: parameter count`);
  }
  for (const file of ["dtls.wasm", "dtls-psk.wasm"]) {
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(new Uint8Array(readFileSync(join(BUILD, file)))));
    for (const imp of imports) {
      assert.equal(imp.module, "hal", `${file}: import from ${imp.module}`);
      assert.equal(imp.kind, "function", `${file}: ${imp.name} is a function`);
      assert.ok(cNames.includes(imp.name), `${file}: hal.${imp.name} is declared in hal.h`);
    }
  }
});

test("SLIP framing round-trips escapes, and the decoder drops bad frames", () => {
  const payload = Buffer.from([0x44, 0xc0, 0xdb, 0x00, 0xdc, 0xdd, 0xc0]);
  const d = new SlipDecoder();
  const frames = d.push(Buffer.concat([slipEncode(payload), Buffer.from([0xc0, 0xdb, 0x01, 0xc0]), slipEncode(Buffer.from("X"))]));
  assert.deepEqual(frames, [payload, Buffer.from("X")]);
});

test("posix (wasm2c + C HAL): PSK handshake and echo with openssl s_server, JSON like the CLI", async () => {
  const { r } = await echoRun(POSIX, (port) => [`127.0.0.1:${port}`, "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX,
    "--send", "ping from posix", "--wait", "10000", "--json"], "ping from posix");
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(r.json.state, "closed", "the state after our close_notify");
  assert.equal(r.json.protocol, "DTLSv1.2");
  assert.equal(r.json.cipher, "TLS_PSK_WITH_AES_128_CCM_8");
  assert.equal(r.json.mfl, 512);
  assert.equal(r.json.ems, true);
  assert.equal(r.json.received, "echo: ping from posix\n");
  assert.deepEqual(Object.keys(r.json), CLI_KEYS, "the same summary keys as dtls-client --json");
});

test("posix: the PSK-only module with the core's software AES, under its memory cap", async () => {
  const cap = Number(readFileSync(join(BUILD, "boards", "w2c", "psk", "memcap.txt"), "utf8"));
  assert.ok(cap > 0 && cap < 65536, `cap ${cap} is below one page`);
  const { r } = await echoRun(POSIX_PSK, (port) => [`127.0.0.1:${port}`, "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX,
    "--software-aes", "--send", "ping from posix-psk", "--wait", "10000", "--json"], "ping from posix-psk");
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(r.json.received, "echo: ping from posix-psk\n");
});

test("posix: a memory cap below the module's static data fails cleanly at init", async () => {
  const port = await freeUdpPort();
  const r = await run(POSIX, [`127.0.0.1:${port}`, "--psk-identity", "a", "--psk", "00", "--memory-cap", "4096"], 10000);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /module init failed: (out of bounds|the I\/O buffer)/);
});

test("posix: wrong PSK fails with the CLI's reason and exit code", async () => {
  const s = await startOpenSsl();
  servers.push(s);
  const r = await run(POSIX, [`127.0.0.1:${s.port}`, "--psk-identity", PSK_IDENTITY, "--psk", "00112233", "--rto", "300",
    "--timeout", "1500", "--json"], 30000);
  await s.stop();
  assert.equal(r.code, 1);
  assert.equal(r.json.state, "failed");
  assert.ok(typeof r.json.reason === "string" && r.json.reason.length > 0);
});

test("posix: ECDHE-ECDSA with raw public keys, mutual authentication, and echo with gnutls-serv", async () => {
  const serverKeys = generateKeyPair("server");
  const clientKeys = generateKeyPair("client");
  const s = await startGnuTlsRpk(serverKeys, { requireClientKey: true });
  servers.push(s);
  const hash = spkiSha256(serverKeys.pub);
  const r = await run(POSIX, [`127.0.0.1:${s.port}`, "--rpk", "--server-key", serverKeys.pub, "--key", clientKeys.key,
    "--send", "rpk from posix", "--wait", "10000", "--json"], 30000);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(r.json.state, "closed", "the state after our close_notify");
  assert.equal(r.json.cipher, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8");
  assert.equal(r.json.client_auth, true);
  assert.equal(r.json.server_key_sha256, hash);
  assert.equal(r.json.received, "rpk from posix");
  assert.deepEqual(Object.keys(r.json).slice(-5), ["server_key_sha256", "client_auth", "state", "received", "reply"], "the CLI's keys");
  // The pin as the SPKI's SHA-256; another key is refused as the CLI refuses it.
  const other = generateKeyPair("other");
  const byHash = await run(POSIX, [`127.0.0.1:${s.port}`, "--rpk", "--server-key", hash, "--key", clientKeys.key, "--json"], 30000);
  assert.equal(byHash.code, 0, byHash.stderr + byHash.stdout);
  assert.equal(byHash.json.client_auth, true);
  const wrong = await run(POSIX, [`127.0.0.1:${s.port}`, "--rpk", "--server-key", other.pub, "--json"], 30000);
  await s.stop();
  assert.equal(wrong.code, 1);
  assert.equal(wrong.json.reason, "bad_peer_key");
  assert.match(wrong.stderr, /does not match the pinned key/);
  // Bad key files and the PSK-only module are configuration errors (exit 2).
  assert.equal((await run(POSIX, ["127.0.0.1:9", "--rpk", "--server-key", hash, "--key", clientKeys.pub], 5000)).code, 2);
  const pskOnly = await run(POSIX_PSK, ["127.0.0.1:9", "--rpk", "--server-key", hash], 5000);
  assert.equal(pskOnly.code, 2);
  assert.match(pskOnly.stderr, /without raw public keys/);
});

test("posix: --stop-before connect configures the module and exits 0 without sending (the bench baseline)", async () => {
  const keys = generateKeyPair("baseline");
  const sock = createSocket("udp4");
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  let datagrams = 0;
  sock.on("message", () => { datagrams++; });
  const r = await run(POSIX, [`127.0.0.1:${sock.address().port}`, "--rpk", "--server-key", keys.pub, "--key", keys.key,
    "--stop-before", "connect"], 10000);
  await new Promise((res) => setTimeout(res, 100));
  sock.close();
  assert.equal(r.code, 0, r.stderr);
  assert.equal(datagrams, 0);
  const bad = await run(POSIX, ["127.0.0.1:9", "--psk-identity", "a", "--psk", "00", "--stop-before", "later"], 5000);
  assert.equal(bad.code, 2);
});

test("posix: usage errors exit 2", async () => {
  const r = await run(POSIX, ["127.0.0.1:9", "--psk-identity", "a", "--psk", "zz"], 5000);
  assert.equal(r.code, 2);
});

/** Every datagram, both ways, of a whole seeded session (handshake, one echo, close_notify)
 *  between a client and a fresh deterministic server (the mock PSK server over UDP). */
async function wholeSession(cmd: string, args: (port: number) => string[], timeoutMs = 60000): Promise<{ r: CliResult; log: Exchanged[] }> {
  const server = await MockUdpPskServer.start(Buffer.from(PSK_HEX, "hex"));
  try {
    const r = await run(cmd, args(server.port), timeoutMs);
    await new Promise((res) => setTimeout(res, 200)); // the last datagrams of an exiting client
    assert.deepEqual(server.errors, [], `${cmd}: the server met no problem`);
    return { r, log: server.log };
  } finally {
    server.close();
  }
}

const hex = (log: Exchanged[]) => log.map((e) => `${e.from} ${e.data.toString("hex")}`);

test("same seed, same session: every datagram of Node (V8), posix (wasm2c), wasm3 and QEMU (wasm2c on Cortex-M4) is identical", async () => {
  const common = ["--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX, "--seed", "boards-seed", "--rto", "5000",
    "--send", "the same bytes", "--wait", "10000", "--json"];
  const runs = {
    node: await wholeSession(process.execPath, (port) => [CLI, `127.0.0.1:${port}`, ...common]),
    posix: await wholeSession(POSIX, (port) => [`127.0.0.1:${port}`, ...common]),
    wasm3: await wholeSession(WASM3_PYTHON, (port) => [WASM3_HARNESS, `127.0.0.1:${port}`, ...common]),
    qemu: await wholeSession(process.execPath, (port) => [BRIDGE, `127.0.0.1:${port}`, ...common, "--firmware", FIRMWARE, "--qemu-timeout", "60"], 90000),
  };
  for (const [name, { r }] of Object.entries(runs)) {
    assert.equal(r.code, 0, `${name}: ${r.stderr}${r.stdout}`);
    assert.equal(r.json.received.replace(/\n$/, ""), "the same bytes", `${name} got the echo`);
  }
  // The session the Node client had: ClientHello, the server's hello flight, CKE+CCS+Finished,
  // the server's CCS+Finished, one application record each way, our close_notify.
  const node = runs.node.log;
  const shape = node.map((e) => `${e.from}:${parseRecords(e.data).map((x) => `${x.type}/${x.epoch}`).join(",")}`);
  assert.deepEqual(shape, ["client:22/0", "server:22/0,22/0", "client:22/0,20/0,22/1", "server:20/0,22/1",
    "client:23/1", "server:23/1", "client:21/1"]);
  for (const name of ["posix", "wasm3", "qemu"] as const) {
    assert.deepEqual(hex(runs[name].log), hex(node), `${name}: every datagram as Node's`);
  }
});

test("qemu (mps2-an386 Cortex-M4, wasm2c): PSK handshake and echo with openssl s_server through the SLIP bridge", async () => {
  assert.ok(existsSync(FIRMWARE), "make qemu built the image");
  const { r } = await echoRun(process.execPath, (port) => [BRIDGE, `127.0.0.1:${port}`, "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX,
    "--send", "ping from qemu", "--wait", "20000", "--json", "--firmware", FIRMWARE, "--qemu-timeout", "60"], "ping from qemu", 90000);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(r.json.state, "closed", "the state after the firmware's close_notify, as dtls-client's");
  assert.equal(r.json.cipher, "TLS_PSK_WITH_AES_128_CCM_8");
  assert.equal(r.json.mfl, 512);
  assert.equal(r.json.received, "echo: ping from qemu\n");
  assert.equal(r.json.reply, true);
  assert.deepEqual(Object.keys(r.json), CLI_KEYS, "the same summary keys as dtls-client --json");
  assert.match(r.stderr, /^connected: "TLS_PSK_WITH_AES_128_CCM_8", mfl 512$/m, "dtls-client's connected line (stderr under --json)");
  const board = boardOf(r);
  assert.equal(board.trapped, 0);
  assert.ok(board.memory_cap > 0 && board.memory_cap < 65536, `memory cap ${board.memory_cap}`);
  assert.ok(board.static_end <= board.memory_cap);
  assert.ok(board.stack_used > 0 && board.stack_used < 8192, `stack ${board.stack_used}`);
});

test("qemu (wasm2c): ECDHE-ECDSA with raw public keys, mutual authentication, and echo with gnutls-serv through the SLIP bridge", async () => {
  const serverKeys = generateKeyPair("server");
  const clientKeys = generateKeyPair("client");
  const s = await startGnuTlsRpk(serverKeys, { requireClientKey: true });
  servers.push(s);
  const hash = spkiSha256(serverKeys.pub);
  const bridge = (args: string[]) => run(process.execPath, [BRIDGE, `127.0.0.1:${s.port}`, "--rpk", ...args, "--json",
    "--firmware", FIRMWARE, "--qemu-timeout", "60"], 90000);
  const r = await bridge(["--server-key", serverKeys.pub, "--key", clientKeys.key, "--send", "rpk from qemu", "--wait", "10000", "--icount"]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(r.json.state, "closed");
  assert.equal(r.json.cipher, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8");
  assert.equal(r.json.client_auth, true, "the server asked for our key and accepted it");
  assert.equal(r.json.server_key_sha256, hash, "the key the firmware saw is the server's");
  assert.equal(r.json.received, "rpk from qemu", "gnutls-serv --echo");
  assert.deepEqual(Object.keys(r.json), RPK_KEYS, "dtls-client's keys with --rpk");
  const board = boardOf(r);
  assert.equal(board.trapped, 0);
  assert.ok(board.stack_used > 0 && board.stack_used < 8192, `stack ${board.stack_used}`);
  // P-256 in software on the Cortex-M4: well above a PSK handshake's ~1.1 M instructions.
  assert.ok(board.handshake_instructions > 5e6, `handshake instructions ${board.handshake_instructions}`);
  // The pin as the SPKI's SHA-256 works too; a pin of another key fails as dtls-client fails.
  const byHash = await bridge(["--server-key", hash, "--key", clientKeys.key]);
  assert.equal(byHash.code, 0, byHash.stderr + byHash.stdout);
  assert.equal(byHash.json.client_auth, true);
  const wrong = await bridge(["--server-key", generateKeyPair("other").pub, "--rto", "1000", "--timeout", "10000"]);
  await s.stop();
  assert.equal(wrong.code, 1, wrong.stderr);
  assert.equal(wrong.json.state, "failed");
  assert.equal(wrong.json.reason, "bad_peer_key");
  assert.equal(wrong.json.server_key_sha256, hash, "the key seen, to compare with the pin");
  assert.match(wrong.stderr.trimEnd().split("\n").pop() ?? "", /^slip-bridge: handshake failed: the server's public key does not match the pinned key/);
});

test("qemu: the bridge keeps the firmware's summary when it exits with hundreds of datagrams queued on its UART", async () => {
  // An echo server behind a relay that, right after the echo, sends 300 datagrams of 1000 bytes:
  // the firmware has its reply and exits without reading them (the UART carries ~15 kB/s).
  // QEMU's old TCP serial link reset on exit with that input unread and lost the summary.
  const s = await startGnuTls();
  servers.push(s);
  let flooded = 0;
  const relay = await UdpRelay.start(s.port, (d, from) => {
    if (from === "server" && d[0] === 23 && flooded === 0) {
      flooded = 300;
      setImmediate(() => { for (let i = 0; i < flooded; i++) relay.sendToClient(Buffer.alloc(1000, 0x17)); });
    }
    return d;
  });
  const r = await run(process.execPath, [BRIDGE, `127.0.0.1:${relay.port}`, "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX,
    "--send", "last frames", "--expect-reply", "--json", "--firmware", FIRMWARE, "--qemu-timeout", "60"], 90000);
  relay.close();
  await s.stop();
  assert.equal(flooded, 300, "the flood followed the echo");
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(r.json.state, "closed");
  assert.equal(r.json.reply, true);
  assert.equal(r.json.received, "last frames");
  assert.equal(r.json.error, undefined);
  const board = boardOf(r);
  assert.equal(board.trapped, 0);
  assert.ok(board.stack_used > 0 && board.memory_cap > 0, `the board's figures arrived: ${JSON.stringify(board)}`);
  assert.ok(relay.log.some((e) => e.from === "client" && e.original[0] === 21), "the firmware's close_notify went out");
});

test("qemu: the bridge's usage errors, refused configuration and missing reply give dtls-client's exit codes and words", async () => {
  const bridge = (args: string[], timeoutMs = 30000) => run(process.execPath, [BRIDGE, ...args, "--firmware", FIRMWARE, "--qemu-timeout", "30"], timeoutMs);
  const usage = await bridge(["127.0.0.1:9", "--psk-identity", "a", "--psk", "zz"]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /^slip-bridge: --psk must be hex digits .*\nusage: slip-bridge HOST:PORT /);
  const sni = await bridge(["127.0.0.1:9", "--psk-identity", "a", "--psk", "00", "--sni", "192.168.1.1", "--json"]);
  assert.equal(sni.code, 2, "the module refused the configuration: exit 2, as dtls-client");
  assert.equal(sni.stdout, "", "no summary for a configuration refused");
  assert.match(sni.stderr, /slip-bridge: invalid server name "192\.168\.1\.1"/);
  const help = await bridge(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: slip-bridge HOST:PORT .*\n(.*\n)*  --firmware ELF /);
  // A peer that completes the handshake and never answers the data.
  const quiet = await ScriptedUdpPeer.start(Buffer.from(PSK_HEX, "hex"), "silent");
  const none = await bridge([`127.0.0.1:${quiet.port}`, "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX, "--send", "anyone?",
    "--wait", "300", "--expect-reply", "--json"]);
  quiet.close();
  assert.equal(none.code, 3, none.stderr);
  assert.equal(none.json.reply, false);
  assert.equal(none.json.state, "closed");
  assert.match(none.stderr, /slip-bridge: no reply within 300 ms \(--expect-reply\)\n$/);
});

test("qemu (wasm2c) through the SLIP bridge: a session saved by dtls-client resumes on the board (--session-in); a damaged one is refused before anything is sent", async () => {
  const s = await startGnuTls();
  servers.push(s);
  const dir = mkdtempSync(join(tmpdir(), "board-session-"));
  const file = join(dir, "session.bin");
  const psk = ["--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX];
  const saved = await run(process.execPath, [CLI, `127.0.0.1:${s.port}`, ...psk, "--session-out", file, "--json"]);
  assert.equal(saved.code, 0, saved.stderr);
  const board = (f: string) => run(process.execPath, [BRIDGE, `127.0.0.1:${s.port}`, ...psk, "--session-in", f, "--send", "resumed board",
    "--wait", "10000", "--json", "--firmware", FIRMWARE, "--qemu-timeout", "60"], 90000);
  const r = await board(file);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.resumed, true, "the firmware imported the blob and the server resumed it");
  assert.equal(r.json.received, "resumed board");
  const bad = readFileSync(file);
  bad[20] ^= 1;
  const badFile = join(dir, "bad.bin");
  writeFileSync(badFile, bad);
  const refused = await board(badFile);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /the session in .* was refused: damaged/);
});
