// slip-bridge: boots the QEMU Cortex-M4 image (boards/qemu) and carries its datagrams
// between the emulated UART (SLIP frames, boards/runtime/slip.h) and a real UDP server.
//   node dist/host/slip-bridge.js HOST:PORT --psk-identity ID --psk HEX [CLI options]
//     [--firmware ELF] [--qemu-timeout S] [--icount] [--trace FILE]
// It takes the same options as dtls-client (host/cli.ts) and prints the same JSON summary
// (--json), computed from the numbers the firmware reports. The board has no TRNG: the
// bridge answers its random requests from the OS (or from --seed, like the CLI).
// Exit codes: 0 done, 1 the connection failed or the firmware crashed, 2 bad usage.
import { spawn, ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createSocket, Socket as UdpSocket } from "node:dgram";
import { createWriteStream, existsSync, WriteStream } from "node:fs";
import { createServer, isIPv6, Socket } from "node:net";
import * as path from "node:path";
import { parseArgs } from "./cli";
import * as codes from "./codes";
import { seededBytes } from "./hal";
import { CIPHER_NAMES, describeAlert, describeReason, reasonName, stateName } from "./names";

const SLIP_END = 0xc0, SLIP_ESC = 0xdb, SLIP_ESC_END = 0xdc, SLIP_ESC_ESC = 0xdd;

// boards/runtime/slip.h
export const LINK = {
  CFG_IDENTITY: 1, CFG_PSK: 2, CFG_SNI: 3, CFG_SEND: 4, CFG_OPTION: 5, CFG_WALL_TIME: 6, CFG_WAIT_MS: 7,
  SUM_STATE: 0x80, SUM_LAST_ERROR: 0x81, SUM_LAST_ALERT: 0x82, SUM_CONNECT_RC: 0x83,
  SUM_CORE_TICKS_LO: 0x84, SUM_CORE_TICKS_HI: 0x85, SUM_STACK_USED: 0x86, SUM_MEMORY_CAP: 0x87,
  SUM_TICK_HZ: 0x88, SUM_HANDSHAKE_TICKS_LO: 0x89, SUM_HANDSHAKE_TICKS_HI: 0x8a, SUM_TRAP: 0x8b,
} as const;

/** One SLIP frame (RFC 1055). */
export function slipEncode(payload: Uint8Array): Buffer {
  const out: number[] = [SLIP_END];
  for (const b of payload) {
    if (b === SLIP_END) out.push(SLIP_ESC, SLIP_ESC_END);
    else if (b === SLIP_ESC) out.push(SLIP_ESC, SLIP_ESC_ESC);
    else out.push(b);
  }
  out.push(SLIP_END);
  return Buffer.from(out);
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
  const h = Buffer.alloc(3);
  h[0] = tag;
  h.writeUInt16LE(value.length, 1);
  return Buffer.concat([h, Buffer.from(value)]);
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
    else rest.push(a);
  }
  if (!existsSync(firmware)) throw new UsageError(`no firmware image at ${firmware} (make qemu)`);
  return { cli: parseArgs(rest), firmware, qemu, qemuTimeoutS, icount, trace };
}

/** The configuration frame: credentials, options and the text to send, from the CLI's options. */
function configFrame(a: BridgeArgs): Buffer {
  const e = a.cli.engine;
  const parts: Buffer[] = [Buffer.from("C")];
  if (e.psk) {
    parts.push(tlv(LINK.CFG_IDENTITY, e.psk.identity), tlv(LINK.CFG_PSK, e.psk.key));
  }
  if (e.sni !== undefined) parts.push(tlv(LINK.CFG_SNI, Buffer.from(e.sni, "ascii")));
  const opt = (k: number, v: number | undefined) => { if (v !== undefined) parts.push(tlv(LINK.CFG_OPTION, i32pair(k, v))); };
  opt(codes.OPT_MFL, e.mfl);
  opt(codes.OPT_RTO_INITIAL_MS, e.rtoMs);
  opt(codes.OPT_RTO_MAX_MS, e.rtoMaxMs);
  opt(codes.OPT_HANDSHAKE_BUDGET_MS, e.budgetMs);
  opt(codes.OPT_PMTU, e.pmtu);
  opt(codes.OPT_REQUIRE_EMS, e.requireEms === undefined ? undefined : e.requireEms ? 1 : 0);
  if (a.cli.send !== undefined) parts.push(tlv(LINK.CFG_SEND, Buffer.from(a.cli.send, "utf8")));
  const wall = Buffer.alloc(8);
  wall.writeBigInt64LE(BigInt(Math.floor(Date.now() / 1000)));
  parts.push(tlv(LINK.CFG_WALL_TIME, wall));
  const wait = Buffer.alloc(4);
  wait.writeUInt32LE(a.cli.waitMs);
  parts.push(tlv(LINK.CFG_WAIT_MS, wait));
  return Buffer.concat(parts);
}

export interface BridgeResult {
  summary: Record<string, unknown>;
  board: Record<string, number>;
  exitCode: number | null;
  logs: string[];
}

/** The dtls-client summary (DtlsEngine.summary() plus "received") from the firmware's numbers. */
function summarize(sum: Map<number, number>, sni: string | undefined, received: Buffer[]): Record<string, unknown> {
  const info = (k: number) => sum.get(k) ?? 0;
  const suite = info(codes.INFO_CIPHER_SUITE);
  const mfl = info(codes.INFO_MFL);
  const state = sum.get(LINK.SUM_STATE) ?? -1;
  return {
    protocol: info(codes.INFO_VERSION) === codes.DTLS_1_2 ? "DTLSv1.2" : null,
    cipher: CIPHER_NAMES[suite] ?? (suite ? `0x${suite.toString(16)}` : null),
    mfl: mfl === 0 ? null : mfl,
    ems: info(codes.INFO_EMS) === 1,
    sni: sni ?? null,
    sni_accepted: info(codes.INFO_SNI_ACCEPTED) === 1,
    resumed: info(codes.INFO_RESUMED) === 1,
    handshake_ms: info(codes.INFO_HANDSHAKE_MS),
    flights_sent: info(codes.INFO_FLIGHTS_SENT),
    flights_received: info(codes.INFO_FLIGHTS_RECEIVED),
    flights_retransmitted: info(codes.INFO_FLIGHTS_RETRANSMITTED),
    records_dropped: info(codes.INFO_RECORDS_DROPPED),
    state: state < 0 ? "trapped" : stateName(state),
    received: Buffer.concat(received).toString("utf8"),
  };
}

export function runBridge(a: BridgeArgs, say: (line: string) => void = () => {}): Promise<BridgeResult> {
  const { host, port } = a.cli;
  const random = a.cli.engine.seed !== undefined ? seededBytes(a.cli.engine.seed) : (n: number) => randomBytes(n);
  const logs: string[] = [];
  const sum = new Map<number, number>();
  const received: Buffer[] = [];
  const trace: WriteStream | undefined = a.trace ? createWriteStream(a.trace) : undefined;
  let exitByte: number | null = null;

  return new Promise((resolve, reject) => {
    const udp: UdpSocket = createSocket(isIPv6(host) ? "udp6" : "udp4");
    let uart: Socket | undefined;
    let qemu: ChildProcess | undefined;
    let finished = false;
    const decoder = new SlipDecoder();
    const tcp = createServer((conn) => {
      if (uart) { conn.destroy(); return; }
      uart = conn;
      conn.on("data", (chunk) => { for (const f of decoder.push(chunk)) onFrame(f); });
      conn.on("error", () => {});
    });
    const sendFrame = (payload: Buffer) => { uart?.write(slipEncode(payload)); };
    const log = (line: string) => { logs.push(line); say(line); };
    const finish = (exitCode: number | null, err?: Error) => {
      if (finished) return;
      finished = true;
      clearTimeout(guard);
      try { udp.close(); } catch { /* closed */ }
      tcp.close();
      uart?.destroy();
      trace?.end();
      if (qemu && qemu.exitCode === null) qemu.kill("SIGKILL");
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
        if (a.icount && board.tick_hz) {
          // -icount shift=0: one instruction per virtual nanosecond.
          board.core_instructions = Math.round(board.core_ticks * 1e9 / board.tick_hz);
          board.handshake_instructions = Math.round(board.handshake_ticks * 1e9 / board.tick_hz);
        }
      }
      resolve({ summary: summarize(sum, a.cli.engine.sni, received), board, exitCode: exitCode ?? exitByte, logs });
    };
    const guard = setTimeout(() => finish(null, new Error(`no result from the firmware within ${a.qemuTimeoutS} s`)),
      a.qemuTimeoutS * 1000 + 5000);

    const onFrame = (f: Buffer) => {
      const type = String.fromCharCode(f[0]);
      const body = f.subarray(1);
      switch (type) {
        case "H":
          sendFrame(configFrame(a));
          break;
        case "D":
          trace?.write(`> ${body.toString("hex")}\n`);
          udp.send(body, port, host);
          break;
        case "R": {
          const n = body.readUInt16LE(0);
          sendFrame(Buffer.concat([Buffer.from("R"), random(n)]));
          break;
        }
        case "L":
          log(`[board ${body[0]}] ${body.subarray(1).toString("latin1")}`);
          break;
        case "A":
          received.push(Buffer.from(body));
          break;
        case "S":
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
      sendFrame(Buffer.concat([Buffer.from("D"), msg]));
    });
    udp.on("error", (e) => log(`[bridge] udp: ${e.message}`));
    udp.bind(0, () => {
      tcp.listen(0, "127.0.0.1", () => {
        const tcpPort = (tcp.address() as { port: number }).port;
        const qargs = ["-M", "mps2-an386", "-display", "none", "-monitor", "none",
          "-serial", `tcp:127.0.0.1:${tcpPort}`, "-semihosting-config", "enable=on,target=native",
          ...(a.icount ? ["-icount", "shift=0"] : []), "-kernel", a.firmware];
        qemu = spawn("timeout", [String(a.qemuTimeoutS), a.qemu, ...qargs], { stdio: ["ignore", "ignore", "pipe"] });
        qemu.stderr?.on("data", (d: Buffer) => log(`[qemu] ${d.toString().trimEnd()}`));
        qemu.on("error", (e) => finish(null, e));
        qemu.on("exit", (code) => setTimeout(() => finish(code), 50));
      });
    });
  });
}

export async function main(argv: string[]): Promise<number> {
  let args: BridgeArgs;
  try {
    args = splitArgs(argv);
  } catch (e) {
    process.stderr.write(`slip-bridge: ${(e as Error).message}\n`);
    return 2;
  }
  const json = args.cli.json;
  const say = (line: string) => { if (args.cli.verbose || !json) process.stderr.write(line + "\n"); };
  const r = await runBridge(args, say);
  const state = r.summary.state;
  let failure: Record<string, unknown> = {};
  if (state !== "connected" && state !== "closed") {
    const reason = r.board.last_error ?? 0;
    const alert = describeAlert(r.board.last_alert ?? -1);
    let message = r.board.trapped ? "the module trapped" : describeReason(reason);
    if (alert && (reason === codes.REASON_PEER_ALERT || alert.includes("sent"))) message += ` (${alert})`;
    failure = { error: message, reason: reasonName(reason), alert };
  }
  if (json) {
    process.stdout.write(JSON.stringify({ ...r.summary, ...failure }) + "\n");
  } else {
    process.stdout.write(`${state}: ${JSON.stringify(r.summary.cipher)}, reply ${JSON.stringify(r.summary.received)}\n`);
  }
  process.stderr.write(`board: ${JSON.stringify(r.board)}\n`);
  if (process.env.SLIP_BRIDGE_BOARD_JSON) {
    const { writeFileSync } = await import("node:fs");
    writeFileSync(process.env.SLIP_BRIDGE_BOARD_JSON, JSON.stringify(r.board) + "\n");
  }
  if (r.exitCode !== 0 || failure.error) return 1;
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    process.stderr.write(`slip-bridge: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
