#!/usr/bin/env node
// The board figures of every QEMU image (backend x module) and credential, measured on the
// emulated Cortex-M4 under `qemu -icount shift=0`: writes the rows as JSON and prints them as
// Markdown tables (one per backend x module, then parts x fit).
//   node boards/tools/board-figures.mjs [--out build/board-figures.json] VARIANT...
// VARIANT: <backend>-<module> with an image at build/boards/qemu/VARIANT/dtls-qemu.elf (make qemu).
// Each image runs one handshake + echo per credential against gnutls-serv --echo on 127.0.0.1
// (PSK, and ECDHE-ECDSA with mutual raw public keys when the module has it; a module that
// refuses raw keys at configuration has no rpk row), then the same resumed from a session the Node
// client saved with that server (credential "psk resumed", "rpk resumed"). Row fields:
//   flash_bytes             text + data of the image (all of it: DTLS part, board, libc)
//   heap_peak_bytes         peak bytes held in malloc'd blocks (boards/qemu/heap.c)
//   heap_region_bytes       heap region ever taken: blocks + allocator overhead (what the part must give)
//   stack_peak_bytes        painted C stack high-water mark (whole program: app + HAL + DTLS)
//   statics_bytes           .data + .bss of the DTLS part (runtime glue, interpreter or wasm2c module,
//                           linear memory when static, accelerator): not the demo's UART buffers
//   ram_total_bytes         heap_region_bytes + stack_peak_bytes + statics_bytes
//   init_instructions       dtls_port_init + configuration (wasm3: compiling every function; rpk:
//                           the public key from the private key)
//   handshake_instructions  dtls_port_connect to connected, HAL waits excluded
//   handshake_bytes_*, handshake_datagrams_*  UDP payload of the handshake (INFO_HANDSHAKE_*)
// Images whose module has X.509 (full: build/dtls.wasm, cert-hw) also run (issue 11, RFC 7925
// s. 4.4) with the tests' PKI (tests/support/certs.ts: a root, two intermediates, a server
// leaf): "x509" (the server's leaf + 2 intermediates validated up to the root; no client
// authentication), "x509 mutual" (and our chain: a client leaf + 1 intermediate, max_fragment_length
// off since gnutls-serv reads one record per datagram under 512) and "rpk server" (raw public
// keys with the same server key and no client authentication: x509 - rpk server is what the
// certificate path costs, mostly validating the 3-certificate chain).
import { execFileSync, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const QEMU = join(ROOT, "build", "boards", "qemu");
const BRIDGE = join(ROOT, "dist", "host", "slip-bridge.js");
const PSK_ID = "figures-device";
const PSK_HEX = "000102030405060708090a0b0c0d0e0f";
const GNUTLS_PSK = "NONE:+VERS-DTLS1.2:+PSK:+AES-128-CCM-8:+AEAD:+COMP-NULL:+SIGN-ALL:+CTYPE-ALL";
const GNUTLS_RPK = "NORMAL:-VERS-ALL:+VERS-DTLS1.2:-CIPHER-ALL:+AES-128-CCM-8:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:" +
  "-GROUP-ALL:+GROUP-SECP256R1:-SIGN-ALL:+SIGN-ECDSA-SHA256:-CTYPE-ALL:+CTYPE-CLI-RAWPK:+CTYPE-SRV-RAWPK";
// RAM a DTLS part may use on each part (the application's share is the margin left).
const PARTS = [
  { name: "nRF52832", ram: 64 * 1024 },
  { name: "nRF52840", ram: 256 * 1024 },
  { name: "ESP32 (~300 KiB free with Wi-Fi)", ram: 300 * 1024 },
];
// size-report.mjs parts that belong to the DTLS part (the rest: board, demo app, libc, stack).
const DTLS_PARTS = ["runtime glue", "wasm3 interpreter", "module (wasm2c)", "module (wasm bytes, for wasm3)",
  "linear memory (cap)", "accelerator (wasm2c)"];

const args = process.argv.slice(2);
let out = join(ROOT, "build", "board-figures.json");
const variants = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--out") out = args[++i];
  else variants.push(args[i]);
}
if (variants.length === 0) {
  process.stderr.write("usage: board-figures.mjs [--out FILE] VARIANT... (e.g. wasm3-full wasm2c-psk)\n");
  process.exit(2);
}

const freePort = () => new Promise((resolve, reject) => {
  const s = createSocket("udp4");
  s.once("error", reject);
  s.bind(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

const GNUTLS_X509 = "NORMAL:-VERS-ALL:+VERS-DTLS1.2:-CIPHER-ALL:+AES-128-CCM-8:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:" +
  "-GROUP-ALL:+GROUP-SECP256R1:-SIGN-ALL:+SIGN-ECDSA-SHA256";
let pkiCache;
/** The tests' PKI (dist/tests/support/certs.js, made with openssl once per process). */
function pki() {
  pkiCache ??= createRequire(import.meta.url)(join(ROOT, "dist", "tests", "support", "certs.js")).makePki();
  return pkiCache;
}
const X509_SERVER = () => pki().server[2]; // leaf + 2 intermediates, issued under the root
const X509_CLIENT = () => pki().client[1]; // leaf + 1 intermediate

/** gnutls-serv --echo on 127.0.0.1, stopped by the returned function. */
async function startServer(cred, dir) {
  const port = await freePort();
  let extra;
  if (cred.startsWith("x509")) {
    extra = ["--x509certfile", X509_SERVER().pem, "--x509keyfile", X509_SERVER().key, "--priority", GNUTLS_X509,
      ...(cred === "x509 mutual" ? ["--require-client-cert", "--x509cafile", pki().root.pem] : [])];
  } else if (cred === "rpk server") {
    extra = ["--rawpkkeyfile", X509_SERVER().key, "--rawpkfile", join(dir, "server.pub"), "--priority", GNUTLS_RPK];
  } else if (cred === "psk") {
    writeFileSync(join(dir, "psk.txt"), `${PSK_ID}:${PSK_HEX}\n`);
    extra = ["--pskpasswd", join(dir, "psk.txt"), "--priority", GNUTLS_PSK];
  } else {
    extra = ["--rawpkkeyfile", join(dir, "server.key"), "--rawpkfile", join(dir, "server.pub"), "--require-client-cert",
      "--priority", GNUTLS_RPK];
  }
  const p = spawn("gnutls-serv", ["--udp", "--echo", "-p", String(port), ...extra], { stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  p.stdout.on("data", (d) => { text += d; });
  p.stderr.on("data", (d) => { text += d; });
  for (let i = 0; i < 100 && !text.includes("listening"); i++) await new Promise((r) => setTimeout(r, 50));
  if (!text.includes("listening")) { p.kill("SIGKILL"); throw new Error(`gnutls-serv did not start:\n${text}`); }
  return { port, stop: () => p.kill("SIGKILL") };
}

function keyPair(dir, name) {
  const key = join(dir, `${name}.key`);
  execFileSync("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key], { stdio: "ignore" });
  execFileSync("openssl", ["pkey", "-in", key, "-pubout", "-out", join(dir, `${name}.pub`)], { stdio: "ignore" });
}

/** One handshake + echo; the bridge's board JSON with the summary's handshake counters, or null
 *  when the module refused the credential. resumed: the Node client first makes a full handshake
 *  with the same server and credentials and saves the session (--session-out); the board imports
 *  it (--session-in) and resumes it: the abbreviated handshake of RFC 5246 7.3. */
async function measure(elf, cred, resumed = false) {
  const dir = mkdtempSync(join(tmpdir(), "board-figures-"));
  try {
    let credArgs = ["--psk-identity", PSK_ID, "--psk", PSK_HEX];
    if (cred === "rpk") {
      keyPair(dir, "server");
      keyPair(dir, "client");
      credArgs = ["--rpk", "--server-key", join(dir, "server.pub"), "--key", join(dir, "client.key")];
    } else if (cred === "rpk server") {
      execFileSync("openssl", ["pkey", "-in", X509_SERVER().key, "-pubout", "-out", join(dir, "server.pub")], { stdio: "ignore" });
      credArgs = ["--rpk", "--server-key", join(dir, "server.pub")];
    } else if (cred.startsWith("x509")) {
      credArgs = ["--ca", pki().root.pem, "--servername", pki().serverName,
        ...(cred === "x509 mutual" ? ["--cert", X509_CLIENT().pem, "--key", X509_CLIENT().key, "--mfl", "off"] : [])];
    }
    const server = await startServer(cred, dir);
    const sessionArgs = [];
    if (resumed) {
      const file = join(dir, "session.bin");
      execFileSync(process.execPath, [join(ROOT, "dist", "host", "cli.js"), `127.0.0.1:${server.port}`, ...credArgs,
        "--session-out", file, "--json"], { stdio: "ignore", timeout: 30000 });
      sessionArgs.push("--session-in", file);
    }
    const boardFile = join(dir, "board.json");
    const text = `figures ${cred}`;
    const r = await new Promise((resolve) => {
      const p = spawn("timeout", ["150", process.execPath, BRIDGE, `127.0.0.1:${server.port}`, ...credArgs, ...sessionArgs,
        "--send", text, "--wait", "20000", "--json", "--icount", "--seed", "figures", "--qemu-timeout", "120", "--firmware", elf],
      { env: { ...process.env, SLIP_BRIDGE_BOARD_JSON: boardFile }, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "", stderr = "";
      p.stdout.on("data", (d) => { stdout += d; });
      p.stderr.on("data", (d) => { stderr += d; });
      p.on("exit", (code) => resolve({ code, stdout, stderr }));
    });
    server.stop();
    if (r.code === 2 && /without (raw public keys|X\.509)/.test(r.stderr)) return null;
    const summary = JSON.parse(r.stdout.trim().split("\n").pop() || "{}");
    const x509ok = !cred.startsWith("x509") || (summary.verify_result === "ok" && summary.server_chain?.length === 3 &&
      summary.client_auth === (cred === "x509 mutual"));
    if (r.code !== 0 || summary.received !== text || summary.resumed !== resumed || !x509ok) {
      throw new Error(`${elf} ${cred}${resumed ? " resumed" : ""}: exit ${r.code}\n${r.stdout}${r.stderr}`);
    }
    const board = JSON.parse(readFileSync(boardFile, "utf8"));
    for (const k of ["handshake_bytes_sent", "handshake_bytes_received", "handshake_datagrams_sent", "handshake_datagrams_received"]) {
      board[k] = summary[k];
    }
    return board;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function imageFigures(variant) {
  const elf = join(QEMU, variant, "dtls-qemu.elf");
  const map = elf.replace(/\.elf$/, ".map");
  if (!existsSync(elf)) throw new Error(`no ${elf} (make qemu)`);
  const [text, data] = execFileSync("arm-none-eabi-size", [elf], { encoding: "utf8" }).split("\n")[1].trim().split(/\s+/).map(Number);
  const report = JSON.parse(execFileSync(process.execPath, [join(ROOT, "boards", "tools", "size-report.mjs"), map, "--json"], { encoding: "utf8" }));
  const statics = DTLS_PARTS.reduce((n, p) => n + (report.parts[p]?.ram ?? 0), 0);
  const accelerator = /\/hal_accel\.o\b/.test(readFileSync(map, "utf8"));
  return { elf, flash: text + data, statics, accelerator };
}

const rows = [];
for (const variant of variants) {
  const [backend, ...rest] = variant.split("-");
  const module = rest.join("-");
  const img = imageFigures(variant);
  let x509 = true; // until the module refuses it
  for (const [cred, resumed] of [["psk", false], ["rpk", false], ["psk", true], ["rpk", true], ["x509", false],
    ["x509 mutual", false], ["rpk server", false]]) {
    if (!x509 && (cred.startsWith("x509") || cred === "rpk server")) continue;
    const b = await measure(img.elf, cred, resumed);
    if (!b && cred === "x509") x509 = false;
    if (!b) continue;
    const row = {
      backend, module, credential: resumed ? `${cred} resumed` : cred, p256_accelerator: img.accelerator,
      flash_bytes: img.flash,
      heap_peak_bytes: b.heap_peak_bytes, heap_region_bytes: b.heap_region_bytes,
      stack_peak_bytes: b.stack_peak_bytes, statics_bytes: img.statics,
      ram_total_bytes: b.heap_region_bytes + b.stack_peak_bytes + img.statics,
      heap_calls_after_init: b.heap_calls_after_init,
      init_instructions: b.init_instructions, handshake_instructions: b.handshake_instructions,
      handshake_bytes_sent: b.handshake_bytes_sent, handshake_bytes_received: b.handshake_bytes_received,
      handshake_datagrams_sent: b.handshake_datagrams_sent, handshake_datagrams_received: b.handshake_datagrams_received,
    };
    rows.push(row);
    process.stderr.write(`board-figures: ${variant} ${cred}: ${JSON.stringify(row)}\n`);
  }
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(rows, null, 2) + "\n");

const kb = (n) => (n / 1000).toFixed(1);
const mi = (n) => (n / 1e6).toFixed(2);
const lines = ["| backend | module | credential | P-256 accelerator | flash (KB) | heap peak / region (KB) | C stack peak (B) | statics (KB) | RAM total (KB) | init (M instr.) | handshake (M instr.) |",
  "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|"];
for (const r of rows) {
  lines.push(`| ${r.backend} | ${r.module} | ${r.credential} | ${r.p256_accelerator ? "yes" : "no"} | ${kb(r.flash_bytes)} | ` +
    `${kb(r.heap_peak_bytes)} / ${kb(r.heap_region_bytes)} | ${r.stack_peak_bytes} | ${kb(r.statics_bytes)} | ${kb(r.ram_total_bytes)} | ` +
    `${mi(r.init_instructions)} | ${mi(r.handshake_instructions)} |`);
}
lines.push("", "| backend | module | credential | handshake | bytes sent / received | datagrams sent / received | handshake (M instr.) |",
  "|---|---|---|---|---:|---:|---:|");
for (const r of rows) {
  const resumed = r.credential.endsWith(" resumed"), cred = r.credential.replace(/ resumed$/, "");
  lines.push(`| ${r.backend} | ${r.module} | ${cred} | ${resumed ? "abbreviated" : "full"} | ${r.handshake_bytes_sent} / ` +
    `${r.handshake_bytes_received} | ${r.handshake_datagrams_sent} / ${r.handshake_datagrams_received} | ${mi(r.handshake_instructions)} |`);
}
lines.push("", "| backend | module | X.509 handshake, leaf + 2 intermediates (M instr.) | raw-key handshake, same server key (M instr.) | " +
  "difference: the certificate path (M instr.) | X.509 mutual (M instr.) | heap peak / region (KB) | C stack peak (B) |",
"|---|---|---:|---:|---:|---:|---:|---:|");
for (const x of rows.filter((r) => r.credential === "x509")) {
  const same = (c) => rows.find((r) => r.backend === x.backend && r.module === x.module && r.credential === c);
  const rpk = same("rpk server"), mutual = same("x509 mutual");
  lines.push(`| ${x.backend} | ${x.module} | ${mi(x.handshake_instructions)} | ${rpk ? mi(rpk.handshake_instructions) : "–"} | ` +
    `${rpk ? mi(x.handshake_instructions - rpk.handshake_instructions) : "–"} | ${mutual ? mi(mutual.handshake_instructions) : "–"} | ` +
    `${kb(x.heap_peak_bytes)} / ${kb(x.heap_region_bytes)} | ${Math.max(x.stack_peak_bytes, mutual?.stack_peak_bytes ?? 0)} |`);
}
lines.push("", `| backend | module | P-256 accelerator | DTLS RAM (KB, worst credential) | ${PARTS.map((p) => p.name).join(" | ")} |`,
  `|---|---|---|---:|${PARTS.map(() => "---").join("|")}|`);
const worst = new Map();
for (const r of rows) {
  const k = `${r.backend}|${r.module}|${r.p256_accelerator}`;
  worst.set(k, Math.max(worst.get(k) ?? 0, r.ram_total_bytes));
}
for (const [k, ram] of worst) {
  const [backend, module, accel] = k.split("|");
  const cells = PARTS.map((p) => (ram <= p.ram ? `fits, ${kb(p.ram - ram)} KB left` : `no (${kb(ram - p.ram)} KB over)`));
  lines.push(`| ${backend} | ${module} | ${accel === "true" ? "yes" : "no"} | ${kb(ram)} | ${cells.join(" | ")} |`);
}
process.stdout.write(lines.join("\n") + "\n");
process.stderr.write(`board-figures: ${rows.length} rows in ${out}\n`);
