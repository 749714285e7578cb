// Records the seed corpus of the client fuzzer: real handshakes (HelloVerifyRequest, PSK,
// ECDHE-ECDSA with raw public keys, mutual authentication, small MTUs, a lost flight)
// between build/dtls.wasm and openssl s_server / gnutls-serv on 127.0.0.1, written as
// fuzz inputs (fuzz/src/client_input.h): the flags byte, then every server datagram and
// every call the recorder made, in order.
//
// The module runs here under the same HAL as in the fuzz harness (fuzz/src/hal_fuzz.c):
// the splitmix64 random stream from FUZZ_RANDOM_SEED, a clock that only recorded ADVANCE
// operations move, no AES engine, no trusted time. So the harness replaying a seed sends
// the same bytes and reaches CONNECTED with the same keys (make fuzz-replay checks it).
//
//   node fuzz/record-seeds.mjs build/dtls.wasm fuzz/corpus [scenario-name...]
import { spawn } from "node:child_process";
import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
import { createSocket } from "node:dgram";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const [wasmPath = "build/dtls.wasm", outDir = join(here, "corpus"), ...only] = process.argv.slice(2);

// ---- the shared configuration (fuzz/src/fuzz_config.h, client_input.h) ----
function defines(file) {
  const text = readFileSync(join(here, "src", file), "utf8").replace(/\\\n/g, " ");
  const out = {};
  for (const m of text.matchAll(/^#define (\w+)[ \t]+(?:"([^"]*)"|(\S+))/gm)) out[m[1]] = m[2] ?? m[3];
  return out;
}
const cfg = defines("fuzz_config.h");
const inp = defines("client_input.h");
const flag = (name) => Number(inp[name]);
const OP = { DATAGRAM: 0, ADVANCE: 1, WRITE: 2, CLOSE: 3, CONNECT: 4 };
const SEED = BigInt(cfg.FUZZ_RANDOM_SEED.replace(/ULL$/, ""));
const CLOCK_START = parseInt(cfg.FUZZ_CLOCK_START, 10);
const RTO_MS = parseInt(cfg.FUZZ_RTO_MS, 10);
const codes = Object.fromEntries([...readFileSync(join(here, "..", "boards", "hal", "dtls_codes.h"), "utf8")
  .matchAll(/^#define DTLS_(\w+) \((-?\d+)\)/gm)].map((m) => [m[1], Number(m[2])]));

const SPKI_PREFIX = Buffer.from("3059301306072a8648ce3d020106082a8648ce3d030107034200", "hex");
const serverPoint = Buffer.from(cfg.FUZZ_SERVER_POINT_HEX, "hex");
const spkiHash = createHash("sha256").update(Buffer.concat([SPKI_PREFIX, serverPoint])).digest("hex");
if (spkiHash !== cfg.FUZZ_SERVER_SPKI_SHA256_HEX) {
  throw new Error(`fuzz_config.h: FUZZ_SERVER_SPKI_SHA256_HEX should be ${spkiHash}`);
}

// ---- scenarios ----
const F = {
  RPK: flag("FLAG_RPK"), CLIENT_KEY: flag("FLAG_CLIENT_KEY"), PIN_HASH: flag("FLAG_PIN_HASH"),
  SMALL_PMTU: flag("FLAG_SMALL_PMTU"), NO_MFL: flag("FLAG_NO_MFL"), REQUIRE_EMS: flag("FLAG_REQUIRE_EMS"),
  NO_SNI: flag("FLAG_NO_SNI"), SESSION_FEATURES: flag("FLAG_SESSION_FEATURES"),
};
const HEARTBEAT_MS = parseInt(cfg.FUZZ_HEARTBEAT_INTERVAL_MS, 10);
const SCENARIOS = [
  { name: "openssl-psk", corpus: "client-psk", server: "openssl", flags: 0 },
  { name: "openssl-psk-no-mfl-no-sni-ems", corpus: "client-psk", server: "openssl", flags: F.NO_MFL | F.NO_SNI | F.REQUIRE_EMS },
  { name: "gnutls-psk", corpus: "client-psk", server: "gnutls-psk", flags: 0 },
  { name: "gnutls-psk-small-mtu", corpus: "client-psk", server: "gnutls-psk", flags: F.SMALL_PMTU, mtu: 80 },
  // A server without RFC 7627: the master secret from the randoms.
  { name: "gnutls-psk-no-ems", corpus: "client-psk", server: "gnutls-psk", flags: 0, priority: ":%NO_SESSION_HASH" },
  // The server's CCS and Finished are lost once: the client's timer resends its flight,
  // the server answers again.
  { name: "gnutls-psk-lost-final-flight", corpus: "client-psk", server: "gnutls-psk", flags: 0, loseFinal: true },
  { name: "gnutls-rpk", corpus: "client-rpk", server: "gnutls-rpk", flags: F.RPK },
  { name: "gnutls-rpk-mutual-pin-hash", corpus: "client-rpk", server: "gnutls-rpk", requireClientKey: true,
    flags: F.RPK | F.CLIENT_KEY | F.PIN_HASH },
  { name: "gnutls-rpk-mutual-small-mtu", corpus: "client-rpk", server: "gnutls-rpk", requireClientKey: true,
    flags: F.RPK | F.CLIENT_KEY | F.SMALL_PMTU, mtu: 80 },
  { name: "gnutls-rpk-lost-final-flight", corpus: "client-rpk", server: "gnutls-rpk", flags: F.RPK, loseFinal: true },
  // Issue 10: a session ticket (RFC 5077, gnutls-serv issues them by default), heartbeat
  // (RFC 6520: after the echo our timer sends a HeartbeatRequest, --heartbeat answers it)
  // and our empty CID (gnutls has no RFC 9146: the extension goes unanswered). The session
  // is also exported: the seeds of the session target (fuzz/corpus/session).
  { name: "gnutls-psk-session-features", corpus: "client-psk", server: "gnutls-psk", flags: F.SESSION_FEATURES,
    extra: ["--heartbeat"], heartbeat: true, blob: "gnutls-psk-ticket" },
  // A session by ID alone (the server takes no tickets).
  { name: "gnutls-psk-session-features-no-ticket", corpus: "client-psk", server: "gnutls-psk",
    flags: F.SESSION_FEATURES | F.SMALL_PMTU, extra: ["--noticket"], blob: "gnutls-psk-id" },
  // RFC 9146 with pion/dtls (tests/interop/pion, -cid 0): both CIDs empty, so the
  // connection_id extension is negotiated and every record stays RFC 6347 (OP_SEAL fits).
  { name: "pion-psk-cid-empty", corpus: "client-psk", server: "pion", cid: 0, flags: F.SESSION_FEATURES },
  { name: "gnutls-rpk-session-features", corpus: "client-rpk", server: "gnutls-rpk", flags: F.RPK | F.SESSION_FEATURES,
    extra: ["--heartbeat"], heartbeat: true },
];

// ---- the HAL of fuzz/src/hal_fuzz.c ----
const MASK = (1n << 64n) - 1n;
function splitmix(seed) {
  let state = seed;
  let pool = [];
  return (n) => {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      if (pool.length === 0) {
        state = (state + 0x9e3779b97f4a7c15n) & MASK;
        let z = state;
        z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
        z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
        z ^= z >> 31n;
        for (let k = 0n; k < 8n; k++) pool.push(Number((z >> (8n * k)) & 0xffn));
      }
      out[i] = pool.shift();
    }
    return out;
  };
}

function instantiate(send) {
  let exports;
  const mem = () => new Uint8Array(exports.memory.buffer);
  const random = splitmix(SEED);
  const clock = { now: CLOCK_START };
  const hal = {
    aes128_encrypt: () => -1,
    random: (buf, len) => { mem().set(random(len), buf); return 0; },
    clock_ms: () => clock.now | 0,
    wall_time_s: () => -1n,
    send: (buf, len) => { send(Buffer.from(mem().slice(buf, buf + len))); return 0; },
    log: () => {},
    // No P-256 engine on this "board" (boards/runtime/hal_p256_none.c): the module's own.
    p256_public: () => -1, p256_ecdh: () => -1, p256_sign: () => -1, p256_verify: () => -1, p256_validate: () => -1,
  };
  const module = new WebAssembly.Module(readFileSync(wasmPath));
  exports = new WebAssembly.Instance(module, { hal }).exports;
  return { w: exports, clock, io: () => mem().subarray(exports.dtls_buffer(), exports.dtls_buffer() + exports.dtls_buffer_size()) };
}

// client_run.c configure(), call for call.
function configure({ w, io }, flags) {
  const must = (r, what) => { if (r !== 0) throw new Error(`${what} refused (${r})`); };
  w.dtls_config_reset();
  if (flags & F.RPK) {
    const key = flags & F.CLIENT_KEY ? Buffer.from(cfg.FUZZ_CLIENT_PRIVATE_HEX, "hex") : Buffer.alloc(0);
    const pin = flags & F.PIN_HASH ? Buffer.from(spkiHash, "hex") : serverPoint;
    io().set(key, 0);
    io().set(pin, key.length);
    must(w.dtls_config_rpk(key.length, pin.length), "rpk");
  } else {
    const id = Buffer.from(cfg.FUZZ_PSK_IDENTITY), psk = Buffer.from(cfg.FUZZ_PSK_HEX, "hex");
    io().set(id, 0);
    io().set(psk, id.length);
    must(w.dtls_config_psk(id.length, psk.length), "psk");
  }
  if (!(flags & F.NO_SNI)) {
    io().set(Buffer.from(cfg.FUZZ_SNI), 0);
    must(w.dtls_config_sni(cfg.FUZZ_SNI.length), "sni");
  }
  must(w.dtls_config_set(codes.OPT_RTO_INITIAL_MS, RTO_MS), "rto");
  if (flags & F.SMALL_PMTU) must(w.dtls_config_set(codes.OPT_PMTU, parseInt(cfg.FUZZ_SMALL_PMTU, 10)), "pmtu");
  if (flags & F.NO_MFL) must(w.dtls_config_set(codes.OPT_MFL, 0), "mfl");
  if (flags & F.REQUIRE_EMS) must(w.dtls_config_set(codes.OPT_REQUIRE_EMS, 1), "ems");
  if (flags & F.SESSION_FEATURES) {
    must(w.dtls_config_set(codes.OPT_TICKETS, 1), "tickets");
    must(w.dtls_config_set(codes.OPT_HEARTBEAT, 1), "heartbeat");
    must(w.dtls_config_set(codes.OPT_HEARTBEAT_INTERVAL_MS, HEARTBEAT_MS), "heartbeat interval");
    must(w.dtls_config_set(codes.OPT_CID, 0), "cid");
  }
}

// ---- servers on 127.0.0.1 ----
async function freePort() {
  const s = createSocket("udp4");
  await new Promise((r) => s.bind(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

function pemKeys(dir) {
  const point = serverPoint;
  const jwk = {
    kty: "EC", crv: "P-256", d: Buffer.from(cfg.FUZZ_SERVER_PRIVATE_HEX, "hex").toString("base64url"),
    x: point.subarray(1, 33).toString("base64url"), y: point.subarray(33).toString("base64url"),
  };
  const key = createPrivateKey({ key: jwk, format: "jwk" });
  writeFileSync(join(dir, "server.key"), key.export({ type: "pkcs8", format: "pem" }));
  writeFileSync(join(dir, "server.pub"), createPublicKey(key).export({ type: "spki", format: "pem" }));
}

const GNUTLS_PSK = "NONE:+VERS-DTLS1.2:+PSK:+AES-128-CCM-8:+AEAD:+COMP-NULL:+SIGN-ALL:+CTYPE-ALL";
const GNUTLS_RPK = "NORMAL:-VERS-ALL:+VERS-DTLS1.2:-CIPHER-ALL:+AES-128-CCM-8:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:" +
  "-GROUP-ALL:+GROUP-SECP256R1:-SIGN-ALL:+SIGN-ECDSA-SHA256:-CTYPE-ALL:+CTYPE-CLI-RAWPK:+CTYPE-SRV-RAWPK";

async function startServer(sc, dir) {
  const port = await freePort();
  let cmd, args, ready;
  if (sc.server === "openssl") {
    cmd = "openssl";
    args = ["s_server", "-dtls1_2", "-listen", "-accept", `127.0.0.1:${port}`, "-nocert", "-psk", cfg.FUZZ_PSK_HEX,
      "-psk_identity", cfg.FUZZ_PSK_IDENTITY, "-cipher", "PSK-AES128-CCM8", ...(sc.mtu ? ["-mtu", String(sc.mtu)] : [])];
    ready = "ACCEPT";
  } else if (sc.server === "gnutls-psk") {
    writeFileSync(join(dir, "psk.txt"), `${cfg.FUZZ_PSK_IDENTITY}:${cfg.FUZZ_PSK_HEX}\n`);
    cmd = "gnutls-serv";
    args = ["--udp", "--echo", "-p", String(port), "--pskpasswd", join(dir, "psk.txt"), "--priority", GNUTLS_PSK + (sc.priority ?? ""),
      ...(sc.mtu ? ["--mtu", String(sc.mtu)] : []), ...(sc.extra ?? [])];
    ready = "listening";
  } else if (sc.server === "pion") {
    cmd = join(here, "..", "build", "interop", "pion-echo-server");
    args = ["-port", String(port), "-psk", `${cfg.FUZZ_PSK_IDENTITY}:${cfg.FUZZ_PSK_HEX}`, "-cid", String(sc.cid)];
    ready = "ready on";
  } else {
    pemKeys(dir);
    cmd = "gnutls-serv";
    args = ["--udp", "--echo", "-p", String(port), "--rawpkkeyfile", join(dir, "server.key"), "--rawpkfile",
      join(dir, "server.pub"), "--priority", GNUTLS_RPK, ...(sc.requireClientKey ? ["--require-client-cert"] : []),
      ...(sc.mtu ? ["--mtu", String(sc.mtu)] : []), ...(sc.extra ?? [])];
    ready = "listening";
  }
  const proc = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  proc.stdout.on("data", (d) => { output += d; });
  proc.stderr.on("data", (d) => { output += d; });
  for (let i = 0; i < 100 && !output.includes(ready); i++) await new Promise((r) => setTimeout(r, 50));
  if (!output.includes(ready)) { proc.kill("SIGKILL"); throw new Error(`${cmd} did not start:\n${output}`); }
  return { port, proc, output: () => output };
}

// ---- one recording ----
async function record(sc) {
  const dir = mkdtempSync(join(tmpdir(), "fuzz-seeds-"));
  const server = await startServer(sc, dir);
  const sock = createSocket("udp4");
  const inbox = [];
  let wake = () => {};
  sock.on("message", (d) => { inbox.push(d); wake(); });
  sock.on("error", () => {}); // ICMP port unreachable once the server is gone
  await new Promise((r) => sock.bind(0, "127.0.0.1", r));
  await new Promise((r) => sock.connect(server.port, "127.0.0.1", r));
  const next = (ms) => new Promise((resolve) => {
    if (inbox.length) return resolve(inbox.shift());
    const t = setTimeout(() => { wake = () => {}; resolve(null); }, ms);
    wake = () => { clearTimeout(t); wake = () => {}; resolve(inbox.shift()); };
  });
  const ops = [];
  const op = (code, arg, data = Buffer.alloc(0)) => {
    const h = Buffer.from([code, arg >> 8, arg & 0xff]);
    ops.push(Buffer.concat([h, data]));
  };
  const client = instantiate((d) => sock.send(d));
  const { w } = client;
  let appData = null, wrote = false, timeouts = 0, heartbeats = 0, blob = null;
  try {
    configure(client, sc.flags);
    if (w.dtls_connect() !== 0) throw new Error("connect failed");
    while (!appData) {
      const d = await next(1500);
      if (d === null) {
        // Nothing came: let the client's timer run (recorded, so a replay does the same).
        if (++timeouts > 6) throw new Error(`no answer (state ${w.dtls_state()}, reason ${w.dtls_last_error()})`);
        client.clock.now += RTO_MS * 2 ** (timeouts - 1);
        op(OP.ADVANCE, RTO_MS * 2 ** (timeouts - 1));
        w.dtls_poll();
        continue;
      }
      // lost on the way (never fed): the server's final flight, until the client's timer ran
      if (sc.loseFinal && timeouts === 0 && (d[0] === 20 || (d[0] === 22 && d.readUInt16BE(3) === 1))) continue;
      op(OP.DATAGRAM, d.length, d);
      client.io().set(d, 0);
      w.dtls_on_datagram(d.length);
      for (let n; (n = w.dtls_read()) >= 0;) appData = Buffer.from(client.io().subarray(0, n));
      const state = w.dtls_state();
      if (state === codes.STATE_FAILED || state === codes.STATE_CLOSED) {
        throw new Error(`handshake failed: reason ${w.dtls_last_error()}, alert ${w.dtls_last_alert()}`);
      }
      if (state === codes.STATE_CONNECTED && !wrote) {
        // client_run.c writes arg bytes of 'a' + i % 26
        const n = 16;
        client.io().set(Buffer.from(Array.from({ length: n }, (_, i) => 97 + (i % 26))), 0);
        if (w.dtls_write(n) !== n) throw new Error("write failed");
        op(OP.WRITE, n);
        wrote = true;
        if (sc.server === "openssl") server.proc.stdin.write("pong from openssl\n");
      }
    }
    if (sc.heartbeat) {
      // our timer's HeartbeatRequest (RFC 6520 s. 3) and the server's HeartbeatResponse
      client.clock.now += HEARTBEAT_MS;
      op(OP.ADVANCE, HEARTBEAT_MS);
      w.dtls_poll();
      const d = await next(1500);
      if (d === null) throw new Error("no HeartbeatResponse");
      op(OP.DATAGRAM, d.length, d);
      client.io().set(d, 0);
      w.dtls_on_datagram(d.length);
      while (w.dtls_read() >= 0);
      if (w.dtls_state() !== codes.STATE_CONNECTED) throw new Error(`heartbeat: state ${w.dtls_state()}`);
      heartbeats = w.dtls_info(codes.INFO_HEARTBEAT_RESPONSES);
      if (heartbeats < 1) throw new Error("heartbeat: no HeartbeatResponse counted");
    }
    if (sc.cid !== undefined) {
      const sent = w.dtls_info(codes.INFO_CID_SENT_LEN), received = w.dtls_info(codes.INFO_CID_RECEIVED_LEN);
      if (sent !== sc.cid || received !== 0) throw new Error(`CID not negotiated as expected: sent ${sent}, received ${received}`);
    }
    if (sc.blob) {
      const n = w.dtls_session_export();
      if (n <= 0) throw new Error(`session_export: ${n}`);
      blob = Buffer.from(client.io().subarray(0, n));
      console.log(`${sc.name}: session ticket ${w.dtls_info(codes.INFO_TICKET_LEN)} bytes, ` +
        `CID sent/received ${w.dtls_info(codes.INFO_CID_SENT_LEN)}/${w.dtls_info(codes.INFO_CID_RECEIVED_LEN)}`);
    }
  } finally {
    sock.close();
    server.proc.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
  const input = Buffer.concat([Buffer.from([sc.flags]), ...ops]);
  const dirOut = join(outDir, sc.corpus);
  mkdirSync(dirOut, { recursive: true });
  writeFileSync(join(dirOut, `${sc.name}.bin`), input);
  if (blob) {
    // the session target's seeds: the blob, and truncated and damaged copies of it
    const dirSession = join(outDir, "session");
    mkdirSync(dirSession, { recursive: true });
    const damaged = Buffer.from(blob);
    damaged[damaged.length - 1] ^= 1;
    const cuts = { "": blob, "-truncated-1": blob.subarray(0, blob.length - 1), "-header": blob.subarray(0, 7),
      "-bad-check": damaged, ...(blob.length > 141 ? { "-fixed-part": blob.subarray(0, 141) } : {}) };
    for (const [suffix, b] of Object.entries(cuts)) writeFileSync(join(dirSession, `${sc.blob}${suffix}.bin`), b);
    console.log(`session/${sc.blob}.bin: ${blob.length} bytes (and truncated, damaged copies)`);
  }
  const datagrams = ops.filter((o) => o[0] === OP.DATAGRAM).length;
  console.log(`${sc.corpus}/${sc.name}.bin: ${input.length} bytes, ${datagrams} server datagrams, ` +
    `${ops.length - datagrams} other ops, application data "${appData.toString("latin1")}"` +
    (heartbeats ? ", a heartbeat exchanged" : ""));
}

for (const sc of SCENARIOS) {
  if (only.length && !only.includes(sc.name)) continue;
  let lastError;
  // A real network on 127.0.0.1 rarely loses anything; one retry covers a slow start.
  for (let attempt = 0; attempt < 2; attempt++) {
    try { await record(sc); lastError = undefined; break; } catch (e) { lastError = e; }
  }
  if (lastError) { console.error(`${sc.name}: ${lastError.message}`); process.exitCode = 1; }
}
