// wasm3 on the emulated Cortex-M4: the QEMU mps2-an386 images built by `make qemu` with the
// wasm3 0.5.0 interpreter (pinned PyPI pywasm3 source) and the module in flash, for
// build/dtls.wasm (full) and build/dtls-psk.wasm (psk). PSK and ECDHE-ECDSA (mutual raw
// public keys) handshakes + echo with real servers on 127.0.0.1; RAM fixed at boot (every
// function compiled by dtls_port_init, no allocation after it, the heap a linker region of
// the part's RAM); and a heap just below the interpreter's requirement: init fails with
// wasm3's reason and no datagram leaves, while exactly the requirement completes a handshake.
// The same seeded session byte for byte as the wasm2c images; the nRF52832 link of each.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { runProgram, CliResult } from "./support/cli";
import { makePki, Chain } from "./support/certs";
import { subjectOf } from "../host/certs";
import { LINK } from "../host/slip-bridge";
import { ROOT, BUILD } from "./support/paths";
import { MockUdpPskServer, Exchanged } from "./support/mock-udp-server";
import {
  bindLoopbackUdp, freeUdpPort, generateKeyPair, PSK_HEX, PSK_IDENTITY, ServerProcess, spkiSha256, startGnuTls, startGnuTlsRpk, startOpenSsl,
} from "./support/servers";

const QEMU = join(BUILD, "boards", "qemu");
const BRIDGE = join(ROOT, "dist", "host", "slip-bridge.js");
const image = (variant: string, file = "dtls-qemu.elf") => join(QEMU, variant, file);
const PSK = ["--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX];
/** The part the images are linked for (boards/qemu/nrf52840.ld, nrf52832.ld): RAM at 0x20000000. */
const RAM_BASE = 0x20000000;
const NRF52840_RAM = 256 * 1024;
const NRF52832_RAM = 64 * 1024;

const servers: ServerProcess[] = [];
after(async () => { for (const s of servers) await s.stop(); });

before(() => {
  execFileSync("make", ["--no-print-directory", "-s", "qemu"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"], timeout: 600000 });
});

/** The bridge booting one image (under -icount: instruction counts in the board figures). */
function bridge(firmware: string, port: number, args: string[]): Promise<CliResult> {
  return runProgram(process.execPath, [BRIDGE, `127.0.0.1:${port}`, ...args, "--json", "--icount",
    "--firmware", firmware, "--qemu-timeout", "90"], 120000);
}
/** The bridge's "board: {...}" line (stderr). */
const boardOf = (r: CliResult) => JSON.parse(/^board: (\{.*\})$/m.exec(r.stderr)?.[1] ?? "{}");

/** A linker symbol's address in an image. */
function symbol(elf: string, name: string): number {
  const line = execFileSync("arm-none-eabi-nm", [elf], { encoding: "utf8" }).split("\n").find((l) => l.endsWith(` ${name}`));
  assert.ok(line, `${elf} defines ${name}`);
  return parseInt(line.split(" ")[0], 16);
}

/** What every completed wasm3 run shows: the interpreter's RAM taken at init, inside the part. */
function assertRamFixedAtBoot(r: CliResult, elf: string, what: string) {
  const b = boardOf(r);
  assert.equal(b.trapped, 0, `${what}: no trap`);
  assert.ok(b.heap_peak_bytes > 32768, `${what}: wasm3's compiled code, memory and stack are on the heap (${b.heap_peak_bytes})`);
  assert.equal(b.heap_calls_after_init, 0, `${what}: no allocation after dtls_port_init (every function compiled there)`);
  assert.equal(b.heap_region_bytes, b.heap_init_region_bytes, `${what}: the heap taken at init is all the run took`);
  assert.ok(b.heap_region_bytes >= b.heap_peak_bytes && b.heap_region_bytes <= b.heap_size_bytes, `${what}: heap region`);
  // The heap is the linker's region: the part's RAM minus statics and the stack above it.
  assert.equal(symbol(elf, "_heap_end") - symbol(elf, "_heap_start"), b.heap_size_bytes, `${what}: heap size = the linker's region`);
  assert.equal(symbol(elf, "_stack_top"), RAM_BASE + NRF52840_RAM, `${what}: RAM ends where the nRF52840's does`);
  assert.equal(symbol(elf, "_heap_end"), symbol(elf, "_stack_bottom"), `${what}: the heap runs up to the stack`);
  assert.ok(b.stack_peak_bytes > 512 && b.stack_peak_bytes < 8192, `${what}: C stack peak ${b.stack_peak_bytes}`);
  assert.ok(b.init_instructions > 0 && b.handshake_instructions > 0, `${what}: instruction counts`);
  return b;
}

/** Boots an image against a UDP socket of ours that never answers; returns what reached it. */
async function bootSilently(firmware: string, args: string[]) {
  const sock = await bindLoopbackUdp();
  const got: Buffer[] = [];
  sock.on("message", (m) => got.push(m));
  const dir = mkdtempSync(join(tmpdir(), "wasm3-heap-"));
  try {
    const r = await bridge(firmware, sock.address().port, [...args, "--rto", "400", "--timeout", "3000", "--trace", join(dir, "trace")]);
    await new Promise((res) => setTimeout(res, 200)); // a datagram still in flight
    return { r, datagrams: got.length, trace: existsSync(join(dir, "trace")) ? readFileSync(join(dir, "trace"), "utf8") : "" };
  } finally {
    sock.close();
  }
}

for (const [module, serverName] of [["full", "openssl s_server"], ["psk", "gnutls-serv --echo"],
  ["full-hw", "gnutls-serv --echo"], ["psk-hw", "gnutls-serv --echo"]] as const) {
  test(`qemu wasm3-${module} (Cortex-M4, wasm3 0.5.0): PSK handshake and echo with ${serverName}, RAM fixed at boot`, async () => {
    const elf = image(`wasm3-${module}`);
    const text = `wasm3 ${module} says hi`;
    let r: CliResult;
    if (module === "full") {
      const s = await startOpenSsl();
      servers.push(s);
      const pending = bridge(elf, s.port, [...PSK, "--send", text, "--wait", "20000"]);
      await s.waitFor(text, 60000);
      s.type(`echo: ${text}`);
      r = await pending;
    } else {
      const s = await startGnuTls();
      servers.push(s);
      r = await bridge(elf, s.port, [...PSK, "--send", text, "--wait", "20000"]);
    }
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(r.json.state, "closed");
    assert.equal(r.json.cipher, "TLS_PSK_WITH_AES_128_CCM_8");
    assert.equal(r.json.received.replace(/\n$/, ""), module === "full" ? `echo: ${text}` : text);
    assertRamFixedAtBoot(r, elf, `wasm3-${module} PSK`);
  });
}

for (const module of ["full", "full-hw"] as const) {
test(`qemu wasm3-${module}: ECDHE-ECDSA with raw public keys, mutual authentication, and echo with gnutls-serv; RAM fixed at boot`, async () => {
  const serverKeys = generateKeyPair("server");
  const clientKeys = generateKeyPair("client");
  const s = await startGnuTlsRpk(serverKeys, { requireClientKey: true });
  servers.push(s);
  const elf = image(`wasm3-${module}`);
  const r = await bridge(elf, s.port, ["--rpk", "--server-key", serverKeys.pub, "--key", clientKeys.key,
    "--send", "rpk from wasm3", "--wait", "20000"]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(r.json.state, "closed");
  assert.equal(r.json.cipher, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8");
  assert.equal(r.json.client_auth, true, "the server asked for our key and accepted it");
  assert.equal(r.json.server_key_sha256, spkiSha256(serverKeys.pub));
  assert.equal(r.json.received, "rpk from wasm3");
  const b = assertRamFixedAtBoot(r, elf, `wasm3-${module} RPK`);
  if (module === "full") {
    // P-256 interpreted: far above a PSK handshake (~7 M instructions under wasm3).
    assert.ok(b.handshake_instructions > 30e6, `handshake instructions ${b.handshake_instructions}`);
  } else {
    // P-256 by the accelerator (native code): the interpreter never runs it.
    assert.ok(b.handshake_instructions < 30e6, `handshake instructions ${b.handshake_instructions}`);
  }
});
}

test("qemu wasm3-psk: raw public keys are refused at configuration (the module has no ECDHE), nothing sent", async () => {
  const keys = generateKeyPair("server");
  const { r, datagrams } = await bootSilently(image("wasm3-psk"), ["--rpk", "--server-key", keys.pub]);
  assert.equal(r.code, 2, r.stderr + r.stdout);
  assert.match(r.stderr, /without raw public keys/);
  assert.equal(datagrams, 0);
});

for (const module of ["psk", "full"] as const) {
  test(`qemu wasm3-${module}: a heap 8 bytes below what init takes fails dtls_port_init with wasm3's reason and sends nothing; exactly that heap completes a handshake`, async () => {
    // The requirement, as the full-RAM image measures it (everything is taken at init).
    const s = await startGnuTls();
    servers.push(s);
    const full = await bridge(image(`wasm3-${module}`), s.port, [...PSK, "--send", "measure", "--wait", "20000"]);
    assert.equal(full.code, 0, full.stderr + full.stdout);
    const need: number = assertRamFixedAtBoot(full, image(`wasm3-${module}`), `wasm3-${module}`).heap_region_bytes;
    const link = (heap: number) => {
      execFileSync("make", ["--no-print-directory", "-s", "qemu-heap", "BACKEND=wasm3", `MODULE=${module}`, `HEAP_SIZE=${heap}`],
        { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"], timeout: 120000 });
      return image(`wasm3-${module}`, `dtls-qemu-heap-${heap}.elf`);
    };

    const below = await bootSilently(link(need - 8), PSK);
    assert.equal(below.r.code, 1, below.r.stderr + below.r.stdout);
    assert.match(below.r.stderr, /module init failed: wasm3 init: [a-z ()-]+: memory allocation failed/, "the reason, from wasm3");
    assert.equal(below.datagrams, 0, "no handshake started: nothing reached the server's address");
    assert.doesNotMatch(below.trace, /^>/m, "the firmware handed no datagram to the bridge");
    const b = boardOf(below.r);
    assert.equal(b.heap_size_bytes, need - 8);
    assert.equal(b.handshake_instructions, 0, "no handshake ran");

    const exact = await bridge(link(need), s.port, [...PSK, "--send", "exactly enough", "--wait", "20000"]);
    assert.equal(exact.code, 0, exact.stderr + exact.stdout);
    assert.equal(exact.json.received, "exactly enough");
    assert.equal(boardOf(exact).heap_region_bytes, need);
  });
}

test("same seed, same session on the Cortex-M4: wasm3 and wasm2c images of each module, with or without the accelerator, exchange identical datagrams", async () => {
  const common = [...PSK, "--seed", "wasm3-seed", "--rto", "5000", "--send", "the same bytes", "--wait", "10000"];
  const session = async (variant: string) => {
    const server = await MockUdpPskServer.start(Buffer.from(PSK_HEX, "hex"));
    try {
      const r = await bridge(image(variant), server.port, common);
      await new Promise((res) => setTimeout(res, 200)); // the last datagrams of an exiting client
      assert.equal(r.code, 0, `${variant}: ${r.stderr}${r.stdout}`);
      assert.deepEqual(server.errors, [], `${variant}: the server met no problem`);
      return server.log.map((e: Exchanged) => `${e.from} ${e.data.toString("hex")}`);
    } finally {
      server.close();
    }
  };
  for (const module of ["full", "psk"]) {
    const w2c = await session(`wasm2c-${module}`);
    assert.ok(w2c.length >= 7, `${module}: a whole session (${w2c.length} datagrams)`);
    assert.deepEqual(await session(`wasm3-${module}`), w2c, `${module}: wasm3 sends and receives what wasm2c does`);
    // The same module without software AES, the board's accelerator doing it: the same bytes.
    assert.deepEqual(await session(`wasm3-${module}-hw`), w2c, `${module}-hw: wasm3 with the accelerator, as ${module}`);
    assert.deepEqual(await session(`wasm2c-${module}-hw`), w2c, `${module}-hw: wasm2c with the accelerator, as ${module}`);
  }
});

test("qemu nRF52832 (64 KiB RAM): wasm2c-psk completes a PSK handshake; wasm3-psk links but says at boot that its heap is too small", async () => {
  const s = await startGnuTls();
  servers.push(s);
  const w2c = await bridge(image("wasm2c-psk", "dtls-nrf52832.elf"), s.port, [...PSK, "--send", "small part", "--wait", "20000"]);
  assert.equal(w2c.code, 0, w2c.stderr + w2c.stdout);
  assert.equal(w2c.json.received, "small part");
  const w3elf = image("wasm3-psk", "dtls-nrf52832.elf");
  assert.equal(symbol(w3elf, "_stack_top"), RAM_BASE + NRF52832_RAM);
  const w3 = await bootSilently(w3elf, PSK);
  assert.equal(w3.r.code, 1, w3.r.stderr + w3.r.stdout);
  assert.match(w3.r.stderr, /module init failed: wasm3 init: .*memory allocation failed/);
  assert.equal(w3.datagrams, 0);
  assert.ok(boardOf(w3.r).heap_size_bytes < NRF52832_RAM);
});

// ---- X.509 (issue 11, RFC 7925 s. 4.4) on the Cortex-M4: the certificates cross the SLIP
// bridge (LINK_CFG_CA / _CERT / _PEER_NAME, several configuration frames) ----
const GNUTLS_X509 = "NORMAL:-VERS-ALL:+VERS-DTLS1.2:-CIPHER-ALL:+AES-128-CCM-8:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:" +
  "-GROUP-ALL:+GROUP-SECP256R1:-SIGN-ALL:+SIGN-ECDSA-SHA256";
async function gnutlsX509(c: Chain, clientCa?: string): Promise<ServerProcess> {
  const port = await freeUdpPort();
  const s = new ServerProcess(spawn("gnutls-serv", ["--udp", "--echo", "-p", String(port), "--x509certfile", c.pem,
    "--x509keyfile", c.key, "--priority", GNUTLS_X509, ...(clientCa ? ["--require-client-cert", "--x509cafile", clientCa] : [])]), port);
  servers.push(s);
  await s.waitFor("listening");
  return s;
}

test("qemu wasm3-cert-hw and wasm2c-full: X.509 with gnutls-serv (leaf + 2 intermediates to the root), mutual (our leaf + 1 intermediate) and server-only; inside the nRF52840", async () => {
  const pki = makePki();
  const chain = pki.server[2], ours = pki.client[1];
  const CA = ["--ca", pki.root.pem, "--servername", pki.serverName];
  const elf = image("wasm3-cert-hw");
  // gnutls-serv reads one record per datagram under max_fragment_length 512: mutual with it off.
  const mutual = await bridge(elf, (await gnutlsX509(chain, pki.root.pem)).port, [...CA, "--cert", ours.pem, "--key", ours.key,
    "--mfl", "off", "--send", "x509 from wasm3", "--wait", "20000"]);
  assert.equal(mutual.code, 0, mutual.stderr + mutual.stdout);
  assert.equal(mutual.json.verify_result, "ok");
  assert.deepEqual(mutual.json.server_chain, chain.certs.map(subjectOf), "the 3 certificates the board validated");
  assert.equal(mutual.json.client_auth, true, "gnutls-serv asked for our chain and verified it");
  assert.equal(mutual.json.received, "x509 from wasm3");
  const b = assertRamFixedAtBoot(mutual, elf, "wasm3-cert-hw X.509 mutual");
  assert.ok(b.heap_region_bytes + b.stack_peak_bytes < NRF52840_RAM, "the interpreter's RAM inside the nRF52840");
  const server = await bridge(image("wasm2c-full"), (await gnutlsX509(chain)).port, [...CA, "--send", "x509 from wasm2c", "--wait", "20000"]);
  assert.equal(server.code, 0, server.stderr + server.stdout);
  assert.equal(server.json.verify_result, "ok");
  assert.equal(server.json.client_auth, false);
  assert.equal(server.json.received, "x509 from wasm2c");
});

test("qemu wasm2c-full: a refused chain (wrong name) gets bad_certificate and the message names the certificate, as dtls-client; wasm3-full-hw (no X.509) refuses --ca at configuration, nothing sent", async () => {
  const pki = makePki();
  const bad = pki.refusals.wrongName;
  const r = await bridge(image("wasm2c-full"), (await gnutlsX509(bad)).port, ["--ca", bad.anchorPem, "--servername", bad.refName || pki.serverName, "--rto", "1000"]);
  assert.equal(r.code, 1, r.stderr + r.stdout);
  assert.equal(r.json.reason, "cert_name_mismatch");
  assert.equal(r.json.verify_result, "cert_name_mismatch");
  assert.equal(r.json.failed_certificate, 0);
  assert.equal(r.json.alert, "fatal bad_certificate sent");
  assert.ok(r.json.error.startsWith(`the server's certificate 0 of ${bad.certs.length} (${subjectOf(bad.certs[0])}): `), r.json.error);
  const { r: absent, datagrams } = await bootSilently(image("wasm3-full-hw"), ["--ca", pki.root.pem]);
  assert.equal(absent.code, 2, absent.stderr + absent.stdout);
  assert.match(absent.stderr, /built without X\.509 certificates/);
  assert.equal(datagrams, 0);
});

test("the bridge's link numbers are boards/runtime/slip.h's (LINK_CFG_*, LINK_STEP_*, LINK_SUM_*)", () => {
  const header = readFileSync(join(ROOT, "boards", "runtime", "slip.h"), "utf8");
  const defined = new Map([...header.matchAll(/^#define LINK_((?:CFG|STEP|SUM)_[A-Z0-9_]+) +(0x[0-9A-Fa-f]+|\d+)/gm)].map((m) => [m[1], Number(m[2])]));
  assert.ok(defined.has("CFG_CA") && defined.has("CFG_MORE") && defined.has("STEP_X509"), "the X.509 records are in slip.h");
  for (const [name, value] of Object.entries(LINK)) assert.equal(value, defined.get(name), `LINK.${name}`);
  for (const name of defined.keys()) assert.ok(name in LINK, `host/slip-bridge.ts knows LINK_${name}`);
});
