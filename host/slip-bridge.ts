// slip-bridge: boots the QEMU Cortex-M4 image (boards/qemu) and carries its datagrams
// between the emulated UART0 (SLIP frames, boards/runtime/slip.h) and a real UDP server.
//   node dist/host/slip-bridge.js HOST:PORT (--psk-identity ID --psk HEX | --rpk --server-key KEY
//     [--key FILE]) [dtls-client options] [--firmware ELF] [--qemu-timeout S] [--icount] [--trace FILE]
// It takes dtls-client's options (host/cli.ts) and gives its JSON summary (--json), messages
// and exit codes (host/messages.json), from the numbers the firmware reports: 0 done, 1 the
// connection failed (or the firmware crashed), 2 bad usage or configuration, 3 --expect-reply
// and no reply within --wait. The board has no TRNG: the bridge answers its random requests
// from the OS (or from --seed, like the CLI).
// UART0 is QEMU's stdin/stdout. A pipe keeps what the firmware wrote before it exited; a TCP
// chardev closed with unread input resets, and the summary queued behind it was lost.
import { spawn, ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createSocket, Socket as UdpSocket } from "node:dgram";
import { createWriteStream, existsSync, WriteStream } from "node:fs";
import { isIPv6 } from "node:net";
import * as path from "node:path";
import { format } from "node:util";
import { parseArgs } from "./cli";
import * as codes from "./codes";
import { ConfigError, sessionRefusal } from "./engine";
import { seededBytes } from "./hal";
import { ChainObserver } from "./certs";
import { EXIT, MSG, SUMMARY_COUNTERS, USAGE } from "./messages";
import { CIPHER_NAMES, describeAlert, describeReason, reasonName, stateName } from "./names";

const PROGRAM = "slip-bridge";
/** The level of QEMU's stderr lines (the board's are hal.h's, 0 to 3). */
const QEMU_LOG = -1;

const SLIP_END = 0xc0, SLIP_ESC = 0xdb, SLIP_ESC_END = 0xdc, SLIP_ESC_ESC = 0xdd;

// boards/runtime/slip.h
export const LINK = {
  CFG_IDENTITY: 1, CFG_PSK: 2, CFG_SNI: 3, CFG_SEND: 4, CFG_OPTION: 5, CFG_WALL_TIME: 6, CFG_WAIT_MS: 7,
  CFG_PRIVATE_KEY: 8, CFG_SERVER_PIN: 9, CFG_SESSION: 10, CFG_CA: 11, CFG_CERT: 12, CFG_PEER_NAME: 13, CFG_MORE: 14,
  SUM_STATE: 0x80, SUM_LAST_ERROR: 0x81, SUM_LAST_ALERT: 0x82, SUM_CONNECT_RC: 0x83,
  SUM_CORE_TICKS_LO: 0x84, SUM_CORE_TICKS_HI: 0x85, SUM_STACK_USED: 0x86, SUM_MEMORY_CAP: 0x87,
  SUM_TICK_HZ: 0x88, SUM_HANDSHAKE_TICKS_LO: 0x89, SUM_HANDSHAKE_TICKS_HI: 0x8a, SUM_TRAP: 0x8b,
  SUM_CONFIG_STEP: 0x90, SUM_CONFIG_RC: 0x91, SUM_CONFIG_OPTION: 0x92, SUM_SEND_TOO_LARGE: 0x93,
  STEP_INIT: 1, STEP_PSK: 2, STEP_RPK: 3, STEP_SNI: 4, STEP_OPTION: 5, STEP_SESSION: 6, STEP_X509: 7,
  SUM_HEAP_PEAK: 0xa0, SUM_HEAP_REGION_PEAK: 0xa1, SUM_HEAP_SIZE: 0xa2, SUM_HEAP_INIT_PEAK: 0xa3,
  SUM_HEAP_INIT_REGION: 0xa4, SUM_HEAP_CALLS_AFTER: 0xa5, SUM_INIT_TICKS_LO: 0xa6, SUM_INIT_TICKS_HI: 0xa7,
} as const;

/** One SLIP frame (RFC 1055), written straight into one buffer (the caller may wipe it). */
export function slipEncode(payload: Uint8Array): Buffer {
  const out = Buffer.alloc(2 * payload.length + 2);
  let n = 0;
  out[n++] = SLIP_END;
  for (const b of payload) {
    if (b === SLIP_END) { out[n++] = SLIP_ESC; out[n++] = SLIP_ESC_END; }
    else if (b === SLIP_ESC) { out[n++] = SLIP_ESC; out[n++] = SLIP_ESC_ESC; }
    else out[n++] = b;
  }
  out[n++] = SLIP_END;
  return out.subarray(0, n);
}

/** Incremental SLIP decoder: feed bytes, get whole frames. */
export class SlipDecoder {
  private buf: number[] = [];
  private escaped = false;
  private bad = false;
  constructor(private readonly max = 4096) {}
  push(chunk: Uint8Array): Buffer[] {
    const frames: Buffer[] = [];
    for (const b of chunk) {
      if (b === SLIP_END) {
        if (this.buf.length > 0 && !this.bad && !this.escaped) frames.push(Buffer.from(this.buf));
        this.buf = []; this.escaped = false; this.bad = false;
      } else if (this.escaped) {
        this.escaped = false;
        if (b === SLIP_ESC_END) this.buf.push(SLIP_END);
        else if (b === SLIP_ESC_ESC) this.buf.push(SLIP_ESC);
        else this.bad = true;
      } else if (b === SLIP_ESC) {
        this.escaped = true;
      } else if (this.buf.length < this.max) {
        this.buf.push(b);
      } else {
        this.bad = true;
      }
    }
    return frames;
  }
}

function tlv(tag: number, value: Uint8Array): Buffer {
  const out = Buffer.alloc(3 + value.length);
  out[0] = tag;
  out.writeUInt16LE(value.length, 1);
  out.set(value, 3);
  return out;
}

function i32pair(a: number, b: number): Buffer {
  const v = Buffer.alloc(8);
  v.writeInt32LE(a, 0);
  v.writeInt32LE(b, 4);
  return v;
}

interface BridgeArgs {
  cli: ReturnType<typeof parseArgs>;
  firmware: string;
  qemu: string;
  qemuTimeoutS: number;
  icount: boolean;
  trace?: string;
}

class UsageError extends Error {}
class HelpRequested extends Error {}

/** Node-only options of dtls-client: the module and its HAL are built into the firmware. */
const NOT_HERE = ["--wasm", "--hal-p256"];

/** dtls-client's usage text for this program: its options but NOT_HERE, and the bridge's own. */
export const BRIDGE_USAGE = USAGE.replace(/^usage: \S+/, `usage: ${PROGRAM}`)
  .split("\n").filter((line) => !NOT_HERE.some((o) => line.startsWith(`  ${o} `))).join("\n")
  .replace(/^exit codes:/m, [
    "  --firmware ELF      the QEMU image (default build/boards/qemu/dtls-qemu.elf)",
    "  --qemu-timeout S    stop QEMU after S seconds (default 120)",
    "  --icount            count instructions (qemu -icount shift=0): the board figures' handshake_instructions",
    "  --trace FILE        write every datagram, in hex, to FILE",
    "exit codes:"].join("\n"));

function splitArgs(argv: string[]): BridgeArgs {
  const rest: string[] = [];
  let firmware = path.join(__dirname, "..", "..", "build", "boards", "qemu", "dtls-qemu.elf");
  let qemu = "qemu-system-arm";
  let qemuTimeoutS = 120;
  let icount = false;
  let trace: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--firmware") firmware = value();
    else if (a === "--qemu") qemu = value();
    else if (a === "--qemu-timeout") qemuTimeoutS = Number(value());
    else if (a === "--icount") icount = true;
    else if (a === "--trace") trace = value();
    else if (NOT_HERE.includes(a)) throw new UsageError(`${a} is not an option of ${PROGRAM}: the module and its HAL are built into the firmware (--firmware)`);
    else rest.push(a);
  }
  let cli: ReturnType<typeof parseArgs>;
  try {
    cli = parseArgs(rest);
  } catch (e) {
    // cli.ts's own usage errors, told apart from its help request by their class's name.
    if (e instanceof ConfigError) throw e;
    if ((e as Error).constructor.name === "HelpRequested") throw new HelpRequested();
    throw new UsageError((e as Error).message);
  }
  if (!(qemuTimeoutS > 0)) throw new UsageError(`--qemu-timeout must be a number of seconds above 0, got "${qemuTimeoutS}"`);
  if (!existsSync(firmware)) throw new UsageError(`no firmware image at ${firmware} (make qemu)`);
  return { cli, firmware, qemu, qemuTimeoutS, icount, trace };
}

/** The options dtls-client passes to dtls_config_set, with their command-line names. */
function numericOptions(a: BridgeArgs): Array<[string, number, number]> {
  const e = a.cli.engine;
  const all: Array<[string, number, number | undefined]> = [
    ["--mfl", codes.OPT_MFL, e.mfl], ["--rto", codes.OPT_RTO_INITIAL_MS, e.rtoMs],
    ["--timeout", codes.OPT_HANDSHAKE_BUDGET_MS, e.budgetMs], ["--pmtu", codes.OPT_PMTU, e.pmtu],
    ["--require-ems", codes.OPT_REQUIRE_EMS, e.requireEms === undefined ? undefined : e.requireEms ? 1 : 0],
    ["--heartbeat-mode", codes.OPT_HEARTBEAT, e.heartbeat], ["--heartbeat", codes.OPT_HEARTBEAT_INTERVAL_MS, e.heartbeatIntervalMs],
    ["--cid", codes.OPT_CID, e.cid],
    ["--false-start", codes.OPT_FALSE_START, e.falseStart === undefined ? undefined : e.falseStart ? 1 : 0],
    ["--accept-unknown-time", codes.OPT_CERT_UNKNOWN_TIME, e.x509?.acceptUnknownTime ? 1 : undefined],
  ];
  return all.filter((o): o is [string, number, number] => o[2] !== undefined);
}

/** The firmware's frame buffer (boards/qemu/link.h LINK_FRAME_MAX) less room for a MORE record. */
const CONFIG_FRAME_MAX = 1600 - 8;

/** The configuration frames: credentials, options and the text to send, from the CLI's options;
 *  X.509 certificates, which do not fit one frame, continue in more frames (LINK.CFG_MORE).
 *  The key-carrying parts are wiped here; the caller wipes the frames once they are written. */
function configFrames(a: BridgeArgs): Buffer[] {
  const x = a.cli.engine.x509;
  const frames = [configFrame(a)];
  if (!x) return frames;
  const records = [...x.anchors.map((d) => tlv(LINK.CFG_CA, d)), ...(x.chain ?? []).map((d) => tlv(LINK.CFG_CERT, d)),
    ...(x.peerName !== undefined ? [tlv(LINK.CFG_PEER_NAME, Buffer.from(x.peerName, "ascii"))] : [])];
  let parts: Buffer[] = [Buffer.from("C")];
  for (const r of records) {
    if (parts.reduce((n, p) => n + p.length, 0) + r.length > CONFIG_FRAME_MAX && parts.length > 1) {
      frames.push(Buffer.concat(parts));
      parts = [Buffer.from("C")];
    }
    parts.push(r);
  }
  frames.push(Buffer.concat(parts));
  // Every frame but the last says another follows.
  return frames.map((f, i) => (i < frames.length - 1 ? Buffer.concat([f, tlv(LINK.CFG_MORE, Buffer.alloc(0))]) : f));
}

function configFrame(a: BridgeArgs): Buffer {
  const e = a.cli.engine;
  const parts: Buffer[] = [Buffer.from("C")];
  if (e.psk) {
    parts.push(tlv(LINK.CFG_IDENTITY, e.psk.identity), tlv(LINK.CFG_PSK, e.psk.key));
  }
  if (e.x509?.privateKey) parts.push(tlv(LINK.CFG_PRIVATE_KEY, e.x509.privateKey)); // the leaf's key (no pin: X.509)
  if (e.rpk) {
    // Raw public keys (RFC 7250): the pin turns them on; our key only for client authentication.
    if (e.rpk.privateKey) parts.push(tlv(LINK.CFG_PRIVATE_KEY, e.rpk.privateKey));
    parts.push(tlv(LINK.CFG_SERVER_PIN, e.rpk.serverPin));
  }
  if (e.sni !== undefined) parts.push(tlv(LINK.CFG_SNI, Buffer.from(e.sni, "ascii")));
  if (e.session !== undefined) parts.push(tlv(LINK.CFG_SESSION, e.session));
  for (const [, key, value] of numericOptions(a)) parts.push(tlv(LINK.CFG_OPTION, i32pair(key, value)));
  if (a.cli.send !== undefined) parts.push(tlv(LINK.CFG_SEND, Buffer.from(a.cli.send, "utf8")));
  // The board's trusted clock: the host's, or --time SECONDS; none with --time unknown.
  if (e.wallTime !== null) {
    const wall = Buffer.alloc(8);
    wall.writeBigInt64LE(BigInt(Math.floor(e.wallTime ?? Date.now() / 1000)));
    parts.push(tlv(LINK.CFG_WALL_TIME, wall));
  }
  const wait = Buffer.alloc(4);
  wait.writeUInt32LE(a.cli.waitMs);
  parts.push(tlv(LINK.CFG_WAIT_MS, wait));
  const frame = Buffer.concat(parts);
  for (const p of parts) p.fill(0);
  e.psk?.key.fill(0);
  e.rpk?.privateKey?.fill(0);
  e.x509?.privateKey?.fill(0);
  return frame;
}

export interface BridgeResult {
  /** The firmware's summary records (LINK.SUM_* and dtls_info keys); empty if it sent none. */
  sum: Map<number, number>;
  summary: Record<string, unknown>;
  board: Record<string, number>;
  exitCode: number | null;
  logs: string[];
  /** The firmware's last log line before its summary (a trap's message). */
  lastLog: string;
  /** X.509: the certificate the chain failed at, in host/engine.ts's words, or null. */
  failedCertificate?: string | null;
}

/** dtls-client's --json summary (DtlsEngine.summary(), received, reply) from the firmware's
 *  numbers: what the handshake negotiated only once it completed, the counters of
 *  host/messages.json, the server key and client authentication with raw public keys. */
function summarize(a: BridgeArgs, sum: Map<number, number>, peerKey: Buffer | null, received: Buffer[],
  cids: { sent: string; received: string } | null = null, chain: ChainObserver | null = null): Record<string, unknown> {
  const info = (k: number) => sum.get(k) ?? 0;
  const state = sum.get(LINK.SUM_STATE) ?? -1;
  const handshakeMs = sum.get(codes.INFO_HANDSHAKE_MS) ?? -1;
  const done = state >= 0 && handshakeMs >= 0;
  const negotiated = <T>(value: T): T | null => (done ? value : null);
  const suite = info(codes.INFO_CIPHER_SUITE);
  const mfl = info(codes.INFO_MFL);
  const text = Buffer.concat(received);
  return {
    protocol: negotiated(info(codes.INFO_VERSION) === codes.DTLS_1_2 ? "DTLSv1.2" : null),
    cipher: negotiated(CIPHER_NAMES[suite] ?? (suite ? `0x${suite.toString(16)}` : null)),
    mfl: negotiated(mfl === 0 ? null : mfl),
    ems: negotiated(info(codes.INFO_EMS) === 1),
    sni: a.cli.engine.sni ?? null,
    sni_accepted: negotiated(info(codes.INFO_SNI_ACCEPTED) === 1),
    resumed: negotiated(info(codes.INFO_RESUMED) === 1),
    heartbeats: done && info(codes.INFO_HEARTBEAT_PEER_MODE) !== 0
      ? { sent: info(codes.INFO_HEARTBEATS_SENT), responses: info(codes.INFO_HEARTBEAT_RESPONSES), answered: info(codes.INFO_HEARTBEATS_ANSWERED) }
      : null,
    cid: negotiated(cids),
    false_start: a.cli.engine.falseStart ? info(codes.INFO_FALSE_START) === 1 : null,
    ticket: negotiated(info(codes.INFO_TICKET) === 1),
    handshake_ms: negotiated(handshakeMs),
    ...Object.fromEntries(SUMMARY_COUNTERS.map(([key, k]) => [key, info(k)])),
    ...(a.cli.engine.rpk ? { server_key_sha256: peerKey ? peerKey.toString("hex") : null, client_auth: negotiated(info(codes.INFO_CLIENT_AUTH) === 1) } : {}),
    ...(a.cli.engine.x509 && chain ? { server_chain: chain.subjects(), verify_result: certResult(sum) < 0 ? null : certResult(sum) === 0 ? "ok" : reasonName(certResult(sum)),
      failed_certificate: certResult(sum) > 0 && (sum.get(codes.INFO_CERT_FAIL_INDEX) ?? -1) >= 0 ? sum.get(codes.INFO_CERT_FAIL_INDEX) : null,
      client_auth: negotiated(info(codes.INFO_CLIENT_AUTH) === 1) } : {}),
    state: state < 0 ? "trapped" : stateName(state),
    received: text.toString("utf8"),
    reply: a.cli.send === undefined || sum.get(LINK.SUM_SEND_TOO_LARGE) === 1 ? null : text.length > 0,
  };
}

/** boards/runtime/dtls_port.h: the module has no such export (no X.509 in it). */
const DTLS_PORT_EABSENT = -1005;

/** INFO_CERT_RESULT as the firmware reported it (-1: not checked, or not reported). */
const certResult = (sum: Map<number, number>) => sum.get(codes.INFO_CERT_RESULT) ?? -1;

/** The certificate the chain failed at, as host/engine.ts certificateFailed words it. */
function certificateFailed(sum: Map<number, number>, chain: ChainObserver): string | null {
  const i = sum.get(codes.INFO_CERT_FAIL_INDEX) ?? -1;
  if (certResult(sum) <= 0 || i < 0) return null;
  const subjects = chain.subjects() ?? [];
  const of = chain.complete() ? ` of ${subjects.length}` : "";
  return `${i}${of}${subjects[i] !== undefined ? ` (${subjects[i]})` : ""}`;
}

export function runBridge(a: BridgeArgs, say: (line: string, level?: number) => void = () => {}): Promise<BridgeResult> {
  const { host, port } = a.cli;
  const random = a.cli.engine.seed !== undefined ? seededBytes(a.cli.engine.seed) : (n: number) => randomBytes(n);
  const logs: string[] = [];
  const sum = new Map<number, number>();
  const received: Buffer[] = [];
  const trace: WriteStream | undefined = a.trace ? createWriteStream(a.trace) : undefined;
  let exitByte: number | null = null;
  let peerKey: Buffer | null = null;
  let cids: { sent: string; received: string } | null = null;
  let lastLog = "";
  let reported = false; // the summary arrived: no more datagrams for the firmware
  const chain = a.cli.engine.x509 ? new ChainObserver() : null; // X.509: the server's chain as it crossed the wire

  return new Promise((resolve, reject) => {
    const udp: UdpSocket = createSocket(isIPv6(host) ? "udp6" : "udp4");
    let qemu: ChildProcess | undefined;
    let finished = false;
    const decoder = new SlipDecoder();
    const sendFrame = (payload: Buffer, wipe = false) => {
      const out = slipEncode(payload);
      if (wipe) payload.fill(0);
      qemu?.stdin?.write(out, () => { if (wipe) out.fill(0); });
    };
    const log = (line: string, level?: number) => { logs.push(line); say(line, level); };
    const finish = (exitCode: number | null, err?: Error) => {
      if (finished) return;
      finished = true;
      clearTimeout(guard);
      try { udp.close(); } catch { /* closed */ }
      trace?.end();
      if (qemu && qemu.exitCode === null && qemu.signalCode === null) qemu.kill("SIGTERM"); // timeout(1) passes it on to QEMU
      if (err) { reject(err); return; }
      const board: Record<string, number> = {};
      const lohi = (lo: number, hi: number) => ((sum.get(hi) ?? 0) >>> 0) * 2 ** 32 + ((sum.get(lo) ?? 0) >>> 0);
      if (sum.size) {
        board.core_ticks = lohi(LINK.SUM_CORE_TICKS_LO, LINK.SUM_CORE_TICKS_HI);
        board.handshake_ticks = lohi(LINK.SUM_HANDSHAKE_TICKS_LO, LINK.SUM_HANDSHAKE_TICKS_HI);
        board.tick_hz = sum.get(LINK.SUM_TICK_HZ) ?? 0;
        board.stack_used = sum.get(LINK.SUM_STACK_USED) ?? 0;
        board.memory_cap = sum.get(LINK.SUM_MEMORY_CAP) ?? 0;
        board.connect_rc = sum.get(LINK.SUM_CONNECT_RC) ?? 0;
        board.last_error = sum.get(LINK.SUM_LAST_ERROR) ?? 0;
        board.last_alert = sum.get(LINK.SUM_LAST_ALERT) ?? -1;
        board.trapped = sum.get(LINK.SUM_TRAP) ?? 0;
        board.static_end = sum.get(codes.INFO_STATIC_END) ?? 0;
        board.heap_top = sum.get(codes.INFO_HEAP_TOP) ?? 0;
        // The board's RAM (boards/qemu/heap.c, the painted stack): malloc'd bytes held at the
        // peak, heap region ever taken (what the part must give the heap), the region's size;
        // the same peaks once instantiated and configured, and allocations after that.
        board.heap_peak_bytes = sum.get(LINK.SUM_HEAP_PEAK) ?? 0;
        board.heap_region_bytes = sum.get(LINK.SUM_HEAP_REGION_PEAK) ?? 0;
        board.heap_size_bytes = sum.get(LINK.SUM_HEAP_SIZE) ?? 0;
        board.heap_init_peak_bytes = sum.get(LINK.SUM_HEAP_INIT_PEAK) ?? 0;
        board.heap_init_region_bytes = sum.get(LINK.SUM_HEAP_INIT_REGION) ?? 0;
        board.heap_calls_after_init = sum.get(LINK.SUM_HEAP_CALLS_AFTER) ?? 0;
        board.stack_peak_bytes = board.stack_used;
        board.init_ticks = lohi(LINK.SUM_INIT_TICKS_LO, LINK.SUM_INIT_TICKS_HI);
        if (a.icount && board.tick_hz) {
          // -icount shift=0: one instruction per virtual nanosecond. init: instantiation (wasm3
          // compiles every function there) and configuration; handshake: from dtls_port_connect
          // to connected, init excluded.
          const instructions = (ticks: number) => Math.round(ticks * 1e9 / board.tick_hz);
          board.core_instructions = instructions(board.core_ticks);
          board.init_instructions = instructions(board.init_ticks);
          board.handshake_instructions = instructions(Math.max(0, board.handshake_ticks - board.init_ticks));
        }
      }
      resolve({ sum, summary: summarize(a, sum, peerKey, received, cids, chain), board, exitCode: exitCode ?? exitByte, logs, lastLog,
        failedCertificate: chain ? certificateFailed(sum, chain) : null });
    };
    const guard = setTimeout(() => finish(null, new Error(`no result from the firmware within ${a.qemuTimeoutS} s`)),
      a.qemuTimeoutS * 1000 + 5000);

    const onFrame = (f: Buffer) => {
      const type = String.fromCharCode(f[0]);
      const body = f.subarray(1);
      switch (type) {
        case "H":
          for (const frame of configFrames(a)) sendFrame(frame, true);
          break;
        case "D":
          trace?.write(`> ${body.toString("hex")}\n`);
          udp.send(body, port, host);
          break;
        case "R": {
          const n = body.readUInt16LE(0);
          sendFrame(Buffer.concat([Buffer.from("R"), random(n)]), true);
          break;
        }
        case "L":
          lastLog = body.subarray(1).toString("latin1");
          log(`[board ${body[0]}] ${lastLog}`, body[0]);
          break;
        case "A":
          received.push(Buffer.from(body));
          break;
        case "K":
          peerKey = Buffer.from(body);
          break;
        case "I": {
          // RFC 9146: the CIDs (sent, received), each a length byte (0xff: not negotiated) and its bytes.
          const sent = body[0] === 0xff ? null : body.subarray(1, 1 + body[0]);
          const at = 1 + (sent?.length ?? 0);
          const got = body[at] === 0xff || at >= body.length ? null : body.subarray(at + 1, at + 1 + body[at]);
          cids = sent && got ? { sent: sent.toString("hex"), received: got.toString("hex") } : null;
          break;
        }
        case "S":
          reported = true;
          for (let i = 0; i + 5 <= body.length; i += 5) sum.set(body[i], body.readInt32LE(i + 1));
          break;
        case "X":
          exitByte = body[0];
          break;
        default:
          log(`[bridge] unknown frame type 0x${f[0].toString(16)}`);
      }
    };

    udp.on("message", (msg) => {
      trace?.write(`< ${msg.toString("hex")}\n`);
      if (!reported) { chain?.feed(msg); sendFrame(Buffer.concat([Buffer.from("D"), msg])); }
    });
    udp.on("error", (e) => log(`[bridge] udp: ${e.message}`));
    udp.bind(0, () => {
      const qargs = ["-M", "mps2-an386", "-display", "none", "-monitor", "none", "-serial", "stdio",
        "-semihosting-config", "enable=on,target=native", ...(a.icount ? ["-icount", "shift=0"] : []), "-kernel", a.firmware];
      qemu = spawn("timeout", [String(a.qemuTimeoutS), a.qemu, ...qargs], { stdio: ["pipe", "pipe", "pipe"] });
      qemu.stdout?.on("data", (chunk: Buffer) => { for (const f of decoder.push(chunk)) onFrame(f); });
      qemu.stdin?.on("error", () => { /* QEMU exited with input still queued: nothing more to say to it */ });
      qemu.stderr?.on("data", (d: Buffer) => log(`[qemu] ${d.toString().trimEnd()}`, QEMU_LOG));
      qemu.on("error", (e) => finish(null, e));
      // "close": QEMU has exited and its stdout is read to the end (every frame it wrote).
      qemu.on("close", (code) => finish(code));
    });
  });
}

/** The words and exit code of dtls-client for what the firmware reported. */
function verdict(a: BridgeArgs, r: BridgeResult): { code: number; message?: string; failure?: Record<string, unknown> } {
  const s = r.sum;
  if (!s.has(LINK.SUM_STATE)) {
    const why = r.exitCode === 124 ? `no summary within --qemu-timeout ${a.qemuTimeoutS} s` : `the firmware stopped without a summary (exit code ${r.exitCode})`;
    return { code: EXIT.failed, message: why + (r.lastLog ? `: ${r.lastLog}` : "") };
  }
  const step = s.get(LINK.SUM_CONFIG_STEP) ?? 0;
  const rc = s.get(LINK.SUM_CONFIG_RC) ?? 0;
  // As dtls-posix: the glue's reason (the firmware logs dtls_port_error_message() before 'S').
  if (step === LINK.STEP_INIT) return { code: EXIT.failed, message: `module init failed: ${r.lastLog || `error ${rc}`}` };
  if (step === LINK.STEP_PSK) return { code: EXIT.usage, message: MSG.psk_refused };
  if (step === LINK.STEP_RPK) return { code: EXIT.usage, message: rc === codes.ERR_UNSUPPORTED ? MSG.rpk_unsupported : MSG.rpk_refused };
  if (step === LINK.STEP_SNI) return { code: EXIT.usage, message: format(MSG.sni_invalid, a.cli.engine.sni ?? "") };
  if (step === LINK.STEP_OPTION) {
    const o = numericOptions(a).find(([, key]) => key === s.get(LINK.SUM_CONFIG_OPTION));
    return { code: EXIT.usage, message: format(MSG.option_refused, o?.[0] ?? "an option", String(o?.[2] ?? "")) };
  }
  if (step === LINK.STEP_X509) {
    return { code: EXIT.usage, message: rc === DTLS_PORT_EABSENT ? MSG.x509_unsupported : `the module refused the X.509 configuration (record ${s.get(LINK.SUM_CONFIG_OPTION)}, error ${rc})` };
  }
  if (step === LINK.STEP_SESSION) {
    return { code: EXIT.usage, message: format(MSG.session_refused, a.cli.sessionIn ?? "", sessionRefusal(rc)) };
  }
  const state = s.get(LINK.SUM_STATE) ?? -1;
  const connected = state >= 0 && (s.get(codes.INFO_HANDSHAKE_MS) ?? -1) >= 0;
  if (state < 0 || state === codes.STATE_FAILED || !connected) {
    const reason = state < 0 ? codes.REASON_INTERNAL : s.get(LINK.SUM_LAST_ERROR) ?? 0;
    const alert = state < 0 ? null : describeAlert(s.get(LINK.SUM_LAST_ALERT) ?? -1);
    let error = state < 0 ? `the module trapped: ${r.lastLog}` : describeReason(reason);
    if (state >= 0 && r.failedCertificate) error = `the server's certificate ${r.failedCertificate}: ${error}`;
    if (alert && (reason === codes.REASON_PEER_ALERT || alert.includes("sent"))) error += ` (${alert})`;
    return { code: EXIT.failed, message: format(connected ? MSG.connection_failed : MSG.handshake_failed, error),
      failure: { error, reason: reasonName(reason), alert } };
  }
  if (s.get(LINK.SUM_SEND_TOO_LARGE) === 1) {
    return { code: EXIT.usage, message: format(MSG.send_too_large, Buffer.byteLength(a.cli.send ?? "", "utf8"), s.get(codes.INFO_MAX_WRITE) ?? 0) };
  }
  if (a.cli.expectReply && !r.summary.reply) return { code: EXIT.no_reply, message: format(MSG.no_reply, a.cli.waitMs) };
  return { code: EXIT.done };
}

export async function main(argv: string[]): Promise<number> {
  let args: BridgeArgs;
  try {
    args = splitArgs(argv);
  } catch (e) {
    if (e instanceof HelpRequested) { process.stdout.write(BRIDGE_USAGE); return EXIT.done; }
    process.stderr.write(`${PROGRAM}: ${(e as Error).message}\n${e instanceof ConfigError ? "" : BRIDGE_USAGE}`);
    return EXIT.usage;
  }
  const json = args.cli.json;
  // Board logs as dtls-client's core logs, with --verbose; QEMU's own complaints always.
  const say = (line: string, level?: number) => { if (args.cli.verbose || level === QEMU_LOG) process.stderr.write(line + "\n"); };
  const r = await runBridge(args, say);
  const v = verdict(args, r);
  const configured = r.sum.has(LINK.SUM_STATE) && !(r.sum.get(LINK.SUM_CONFIG_STEP) ?? 0);
  if (configured) {
    const out = json ? process.stderr : process.stdout;
    if (r.summary.handshake_ms !== null) out.write(format(MSG.connected, r.summary.cipher, r.summary.mfl ?? "none") + "\n");
    if (json) process.stdout.write(JSON.stringify({ ...r.summary, ...v.failure }) + "\n");
    else process.stdout.write(String(r.summary.received));
  }
  process.stderr.write(`board: ${JSON.stringify(r.board)}\n`);
  if (v.message) process.stderr.write(`${PROGRAM}: ${v.message}\n`); // last, as dtls-client's
  if (process.env.SLIP_BRIDGE_BOARD_JSON) {
    const { writeFileSync } = await import("node:fs");
    writeFileSync(process.env.SLIP_BRIDGE_BOARD_JSON, JSON.stringify(r.board) + "\n");
  }
  return v.code;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    process.stderr.write(`${PROGRAM}: ${(e as Error).message}\n`);
    process.exit(EXIT.failed);
  });
}
