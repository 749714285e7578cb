// Boards: the C HAL contract, the posix program (wasm2c + C HAL) and the QEMU Cortex-M4
// image (wasm2c, SLIP over the emulated UART, host/slip-bridge.ts), each completing a PSK
// handshake and an echo with openssl s_server. Builds what it runs with `make posix qemu`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { HAL_IMPORTS } from "../host/hal";
import { SlipDecoder, slipEncode } from "../host/slip-bridge";
import { ROOT, BUILD, CLI } from "./support/paths";
import { startOpenSsl, PSK_HEX, PSK_IDENTITY, ServerProcess, freeUdpPort, generateKeyPair, spkiSha256, startGnuTlsRpk } from "./support/servers";

const POSIX = join(BUILD, "boards", "dtls-posix");
const POSIX_PSK = join(BUILD, "boards", "dtls-posix-psk");
const FIRMWARE = join(BUILD, "boards", "qemu", "dtls-qemu.elf");
const BRIDGE = join(ROOT, "dist", "host", "slip-bridge.js");

interface Run { code: number | null; stdout: string; stderr: string; json?: any }

function run(cmd: string, args: string[], timeoutMs = 60000): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    p.stdout.on("data", (d) => { stdout += d; });
    p.stderr.on("data", (d) => { stderr += d; });
    const t = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
    p.on("exit", (code) => {
      clearTimeout(t);
      let json: any;
      try { json = JSON.parse(stdout.trim().split("\n").pop() ?? ""); } catch { /* not JSON */ }
      resolve({ code, stdout, stderr, json });
    });
  });
}

const servers: ServerProcess[] = [];
after(async () => { for (const s of servers) await s.stop(); });

before(() => {
  // The binaries under test, built (or found up to date) by the project's own targets.
  execFileSync("make", ["--no-print-directory", "-s", "posix", "qemu"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"], timeout: 240000 });
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
  assert.equal(r.json.state, "connected");
  assert.equal(r.json.protocol, "DTLSv1.2");
  assert.equal(r.json.cipher, "TLS_PSK_WITH_AES_128_CCM_8");
  assert.equal(r.json.mfl, 512);
  assert.equal(r.json.ems, true);
  assert.equal(r.json.received, "echo: ping from posix\n");
  const cliKeys = ["protocol", "cipher", "mfl", "ems", "sni", "sni_accepted", "resumed", "handshake_ms", "flights_sent",
    "flights_received", "flights_retransmitted", "records_dropped", "state", "received"];
  assert.deepEqual(Object.keys(r.json), cliKeys, "the same summary keys as dtls-client --json");
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
  assert.equal(r.json.state, "connected");
  assert.equal(r.json.cipher, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8");
  assert.equal(r.json.client_auth, true);
  assert.equal(r.json.server_key_sha256, hash);
  assert.equal(r.json.received, "rpk from posix");
  assert.deepEqual(Object.keys(r.json).slice(-4), ["server_key_sha256", "client_auth", "state", "received"], "the CLI's keys");
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

/** The first datagram (the ClientHello) a client sends to a silent UDP port. */
async function firstDatagram(cmd: string, args: (port: number) => string[]): Promise<Buffer> {
  const sock = createSocket("udp4");
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  const port = sock.address().port;
  const got = new Promise<Buffer>((resolve) => sock.once("message", (m) => resolve(m)));
  const p = run(cmd, args(port), 30000);
  const dgram = await Promise.race([got, p.then(() => Buffer.alloc(0))]);
  sock.close();
  await p;
  return dgram;
}

test("same seed, same ClientHello: Node (V8), posix (wasm2c) and QEMU (wasm2c on Cortex-M4)", async () => {
  const common = ["--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX, "--seed", "boards-seed", "--rto", "200", "--timeout", "400"];
  const node = await firstDatagram(process.execPath, (port) => [CLI, `127.0.0.1:${port}`, ...common]);
  const posix = await firstDatagram(POSIX, (port) => [`127.0.0.1:${port}`, ...common]);
  const qemu = await firstDatagram(process.execPath, (port) => [BRIDGE, `127.0.0.1:${port}`, ...common, "--firmware", FIRMWARE, "--qemu-timeout", "30"]);
  assert.ok(node.length > 50, "Node sent a ClientHello");
  assert.equal(posix.toString("hex"), node.toString("hex"));
  assert.equal(qemu.toString("hex"), node.toString("hex"));
});

test("qemu (mps2-an386 Cortex-M4, wasm2c): PSK handshake and echo with openssl s_server through the SLIP bridge", async () => {
  assert.ok(existsSync(FIRMWARE), "make qemu built the image");
  const { r } = await echoRun(process.execPath, (port) => [BRIDGE, `127.0.0.1:${port}`, "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX,
    "--send", "ping from qemu", "--wait", "20000", "--json", "--firmware", FIRMWARE, "--qemu-timeout", "60"], "ping from qemu", 90000);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(r.json.state, "connected");
  assert.equal(r.json.cipher, "TLS_PSK_WITH_AES_128_CCM_8");
  assert.equal(r.json.mfl, 512);
  assert.equal(r.json.received, "echo: ping from qemu\n");
  const board = JSON.parse(/board: (\{.*\})/.exec(r.stderr)?.[1] ?? "{}");
  assert.equal(board.trapped, 0);
  assert.ok(board.memory_cap > 0 && board.memory_cap < 65536, `memory cap ${board.memory_cap}`);
  assert.ok(board.static_end <= board.memory_cap);
  assert.ok(board.stack_used > 0 && board.stack_used < 8192, `stack ${board.stack_used}`);
});
