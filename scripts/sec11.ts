// RFC 7925 section 11 in numbers: emulated PSK handshakes (host/emulator, virtual time,
// host/refserver as the server) on each link profile, for loss rates 0 to 50 %, with the
// initial retransmission timer at 9 s (RFC 7925 s. 11) against 1 s (RFC 6347); and the
// client's compute on slow parts (spurious retransmissions). Writes build/sec11.json and the
// tables of docs/LINK_EMULATION.md; scripts/sec11_plot.py draws docs/img/sec11-*.png.
// node dist/scripts/sec11.js [--runs N] [--jobs J] [--server-rto MS] [--cpu-runs N] | --doc-only
import { fork } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { emulate } from "../host/emulator/emulate";
import { cpuModel } from "../host/emulator/cpu";
import { PROFILES, PROFILE_NAMES, withLoss } from "../host/emulator/profiles";
import { refServer } from "../host/emulator/servers";

const ROOT = join(__dirname, "..", "..");
export const LOSSES = [0, 0.1, 0.2, 0.3, 0.4, 0.5];
export const TIMERS = [9000, 1000];
/** RFC 7925 s. 11: the worst-case wait is 63 s for both timers (the module's default per-flight
 *  budget is 7 x the initial timer, which would give up after 7 s with 1 s). */
export const FLIGHT_BUDGET_MS = 63000;
const LIMIT_MS = 600_000;
const CPUS = ["nrf52840:wasm3", "nrf52840:wasm2c", "esp32:wasm3", "esp32:wasm2c"];

interface Point { kind: "loss" | "cpu"; profile: string; loss: number; rto: number; serverRto: number; cpu: string | null; rpk: boolean; runs: number }
interface Stats extends Point {
  completed: number; median_s: number | null; p95_s: number | null;
  client_retx: number; server_resends: number; bytes_client: number; bytes_server: number; cpu_ms: number;
}

function pct(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/** Runs one point: `runs` handshakes with seeds profile/loss/i (the same seeds for both timers). */
export function runPoint(p: Point): Stats {
  const times: number[] = [];
  let retx = 0, resends = 0, bc = 0, bs = 0, cpuMs = 0;
  const model = p.cpu ? cpuModel(...(p.cpu.split(":") as [string, string])) : undefined;
  const profile = withLoss(PROFILES[p.profile], p.loss);
  for (let i = 0; i < p.runs; i++) {
    const seed = `${p.profile}/${p.loss}/${i}`;
    const server = refServer({ rpk: p.rpk, rtoMs: p.serverRto, mtu: profile.pmtu }, seed);
    const { result } = emulate({ seed, link: profile, client: { ...server.credentials, rtoMs: p.rto, budgetMs: FLIGHT_BUDGET_MS },
      server: server.factory, cpu: model, limitMs: LIMIT_MS });
    if (result.completed) times.push(result.handshake_ms! / 1000);
    retx += result.client_retransmissions;
    resends += result.server_datagrams_resent;
    bc += result.bytes.client_sent;
    bs += result.bytes.server_sent;
    cpuMs += result.cpu_ms;
  }
  times.sort((a, b) => a - b);
  const n = p.runs;
  return { ...p, completed: times.length / n, median_s: pct(times, 0.5), p95_s: pct(times, 0.95),
    client_retx: retx / n, server_resends: resends / n, bytes_client: bc / n, bytes_server: bs / n, cpu_ms: cpuMs / n };
}

function points(runs: number, cpuRuns: number, serverRto: number | null): Point[] {
  const out: Point[] = [];
  for (const profile of PROFILE_NAMES) for (const loss of LOSSES) for (const rto of TIMERS) {
    out.push({ kind: "loss", profile, loss, rto, serverRto: serverRto ?? rto, cpu: null, rpk: false, runs });
  }
  for (const cpu of CPUS) for (const rto of TIMERS) {
    out.push({ kind: "cpu", profile: "lan", loss: 0, rto, serverRto: serverRto ?? rto, cpu, rpk: true, runs: cpuRuns });
  }
  return out;
}

const arg = (name: string, dflt: string | null): string | null => {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
};

async function main(): Promise<void> {
  if (process.argv.includes("--worker")) {
    process.on("message", (p: Point) => process.send!(runPoint(p)));
    return;
  }
  const serverRto = arg("--server-rto", null);
  // build/NAME.json and the NAME section of docs/LINK_EMULATION.md: sec11 with the server's
  // timer the same as the client's, sec11-server-MS with it fixed.
  const name = serverRto === null ? "sec11" : `sec11-server-${Number(serverRto)}`;
  if (process.argv.includes("--doc-only")) { // the tables again from the last run's build/NAME.json
    writeDoc(name, JSON.parse(readFileSync(join(ROOT, "build", `${name}.json`), "utf8")));
    return;
  }
  const runs = Number(arg("--runs", "1000"));
  const cpuRuns = Number(arg("--cpu-runs", "100"));
  const jobs = Math.max(1, Number(arg("--jobs", "1")));
  const todo = points(runs, cpuRuns, serverRto === null ? null : Number(serverRto));
  const started = Date.now();
  const results: Stats[] = [];
  await Promise.all(Array.from({ length: jobs }, () => new Promise<void>((resolve, reject) => {
    const child = fork(__filename, ["--worker"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const next = () => {
      const p = todo.shift();
      if (p) child.send(p); else { child.kill(); resolve(); }
    };
    child.on("message", (s: Stats) => {
      results.push(s);
      process.stderr.write(`${s.kind} ${s.profile} loss ${s.loss} rto ${s.rto} ${s.cpu ?? ""}: ${(s.completed * 100).toFixed(1)} % done\n`);
      next();
    });
    child.on("error", reject);
    next();
  })));
  const seconds = (Date.now() - started) / 1000;
  const order = points(runs, cpuRuns, null).map((p) => `${p.kind} ${p.profile} ${p.loss} ${p.rto} ${p.cpu}`);
  results.sort((a, b) => order.indexOf(`${a.kind} ${a.profile} ${a.loss} ${a.rto} ${a.cpu}`) - order.indexOf(`${b.kind} ${b.profile} ${b.loss} ${b.rto} ${b.cpu}`));
  const out = { runs, cpu_runs: cpuRuns, server_rto: serverRto === null ? "same as the client's" : Number(serverRto), jobs, seconds,
    flight_budget_ms: FLIGHT_BUDGET_MS, date: new Date().toISOString().slice(0, 10), results };
  mkdirSync(join(ROOT, "build"), { recursive: true });
  writeFileSync(join(ROOT, "build", `${name}.json`), JSON.stringify(out, null, 1) + "\n");
  writeDoc(name, out);
  process.stderr.write(`${results.length} points, ${runs} handshakes each (${cpuRuns} for the compute points), ${seconds.toFixed(0)} s with ${jobs} job(s)\n`);
}

const f2 = (x: number | null) => (x === null ? "-" : x.toFixed(2));
const ft = (x: number | null) => (x === null ? "-" : x.toFixed(x < 1 ? 3 : 2)); // seconds: ms on a LAN

function writeDoc(name: string, o: { runs: number; cpu_runs: number; server_rto: number | string; jobs: number; seconds: number; date: string; results: Stats[] }): void {
  const lines: string[] = [];
  const serverTimer = typeof o.server_rto === "number" ? `${o.server_rto / 1000} s` : "the same as the client's";
  const heading = typeof o.server_rto === "number" ? `server timer ${serverTimer}, ` : "";
  lines.push(`<!-- ${name}:begin (written by \`make sec11\`, scripts/sec11.ts; edit the script, not this section) -->`);
  lines.push(`Measured on ${o.date}: ${o.runs} seeded PSK handshakes per row (seeds \`profile/loss/i\`, the same for both timers), ` +
    `the server's initial timer ${serverTimer}, ` +
    `client per-flight budget ${FLIGHT_BUDGET_MS / 1000} s, the loss rate in both directions; ${o.seconds.toFixed(0)} s of computing with ${o.jobs} job(s). ` +
    `Times are from \`dtls_connect\` to connected, over the handshakes that completed; retransmissions and bytes are means per handshake, ` +
    `failed handshakes included (bytes: UDP payload sent, retransmissions included).`);
  for (const profile of PROFILE_NAMES) {
    lines.push("", `### ${heading}${profile}: ${PROFILES[profile].description}`, "",
      "| loss | timer | completed | median (s) | p95 (s) | client flights resent | server datagrams resent | bytes client -> server | bytes server -> client |",
      "|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const s of o.results.filter((r) => r.kind === "loss" && r.profile === profile)) {
      lines.push(`| ${(s.loss * 100).toFixed(0)} % | ${s.rto / 1000} s | ${(s.completed * 100).toFixed(1)} % | ${ft(s.median_s)} | ${ft(s.p95_s)} | ` +
        `${f2(s.client_retx)} | ${f2(s.server_resends)} | ${s.bytes_client.toFixed(0)} | ${s.bytes_server.toFixed(0)} |`);
    }
  }
  lines.push("", `### ${heading}processing time: slow parts`, "",
    `ECDHE-ECDSA with mutual raw public keys on the clean LAN, no loss, ${o.cpu_runs} handshakes per row, the client's compute ` +
    `charged in virtual time (host/emulator/cpu.ts, from docs/BENCHMARKS.md); the server's timer ${serverTimer}:`, "",
    "| part : backend | timer | compute per handshake (s) | median (s) | client flights resent | server datagrams resent |",
    "|---|---:|---:|---:|---:|---:|");
  for (const s of o.results.filter((r) => r.kind === "cpu")) {
    lines.push(`| ${s.cpu} | ${s.rto / 1000} s | ${(s.cpu_ms / 1000).toFixed(2)} | ${ft(s.median_s)} | ${f2(s.client_retx)} | ${f2(s.server_resends)} |`);
  }
  const end = `<!-- ${name}:end -->`;
  lines.push(end);
  const path = join(ROOT, "docs", "LINK_EMULATION.md");
  const doc = readFileSync(path, "utf8");
  const a = doc.indexOf(`<!-- ${name}:begin`), b = doc.indexOf(end);
  if (a < 0 || b < 0) throw new Error(`docs/LINK_EMULATION.md has no ${name} markers`);
  writeFileSync(path, doc.slice(0, a) + lines.join("\n") + doc.slice(b + end.length));
}

if (require.main === module) main().catch((e) => { process.stderr.write(`${e.stack ?? e}\n`); process.exit(1); });
