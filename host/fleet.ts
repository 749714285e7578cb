// dtls-client fleet: N emulated devices, each its own instance of the module, make
// handshakes against one server on this machine, as many as they can (or --handshakes each)
// for --duration; the report gives handshakes per second, latency percentiles and failures:
// how a team sizes its server before deployment. Loopback servers only (a fleet is a load
// generator: it must not be pointed at someone else's server), bounded in devices and time.
import { isIP } from "node:net";
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { DtlsEngine, DtlsError, EngineOptions } from "./engine";
import { UdpDtlsClient } from "./udp-client";

export interface FleetOptions {
  /** A loopback address (isLoopback) and port. */
  host: string;
  port: number;
  /** Every device's configuration; with a seed, device i draws from seed + "/" + i. */
  engine: EngineOptions;
  clients: number;
  /** The run ends at the latest this long after the devices start (unfinished handshakes are
   *  abandoned and counted as such, not as failures). */
  durationMs: number;
  /** Handshakes per device; 0: as many as fit the duration. */
  handshakes: number;
  /** At most this many devices in a handshake at once (default: all of them). gnutls-serv and
   *  openssl s_server serve one client at a time: 1 there. */
  concurrent?: number;
  /** Sent by each device after each handshake; the reply is awaited up to waitMs. */
  send?: string;
  waitMs?: number;
  /** Called about every 250 ms with the running figures (a progress line on a terminal). */
  progress?: (report: FleetReport, remainingMs: number) => void;
}

export interface FleetReport {
  clients: number;
  duration_ms: number;
  handshakes: number;
  failures: number;
  unfinished: number;
  handshakes_per_second: number;
  /** This process's CPU time (user + system) per completed handshake: what one Node process
   *  can drive, whatever the server (1000 / it = handshakes per second per core). */
  client_cpu_ms_per_handshake: number | null;
  /** From dtls_connect to connected, per completed handshake (nearest-rank percentiles). */
  latency_ms: { p50: number | null; p95: number | null; p99: number | null; max: number | null };
  failure_reasons: Record<string, number>;
  /** With send: replies received. */
  replies: number | null;
  /** process.memoryUsage() before and after the devices' module instances were made. */
  memory: { instances: number; rss_per_device: number | null; heap_per_device: number | null; external_per_device: number | null };
}

/** 127.0.0.0/8, ::1 and IPv4-mapped 127.x: the only servers a fleet may load. */
export function isLoopback(address: string): boolean {
  if (isIP(address) === 4) return address.startsWith("127.");
  const a = address.toLowerCase();
  return a === "::1" || a === "0:0:0:0:0:0:0:1" || /^::ffff:127\.[0-9.]+$/.test(a);
}

/** Nearest-rank percentile of ascending values, or null when there are none. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

const round1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);

/** A full garbage collection, so memory figures hold what is alive (node --expose-gc's gc,
 *  reached without the flag on the command line). */
function collect(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

export async function runFleet(o: FleetOptions): Promise<FleetReport> {
  // Memory per device: what instances 2..N add (the first also pays for compiling the module).
  const engines: DtlsEngine[] = [];
  const make = (i: number) => {
    const seed = o.engine.seed === undefined ? undefined : `${o.engine.seed}/${i}`;
    engines.push(new DtlsEngine({ ...o.engine, seed }, () => {}));
  };
  make(0);
  collect();
  const before = process.memoryUsage();
  for (let i = 1; i < o.clients; i++) make(i);
  collect();
  const after = process.memoryUsage();
  const perDevice = (key: "rss" | "heapUsed" | "external") =>
    o.clients > 1 ? Math.round((after[key] - before[key]) / (o.clients - 1)) : null;

  const latencies: number[] = [];
  const reasons: Record<string, number> = {};
  let failures = 0, unfinished = 0, replies = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  let stop!: () => void;
  const stopped = new Promise<"stop">((resolve) => { stop = () => resolve("stop"); });
  let over = false;
  const deadline = setTimeout(() => { over = true; stop(); }, o.durationMs);

  const cpuMs = () => { const c = process.cpuUsage(cpu0); return (c.user + c.system) / 1000; };
  // --concurrent: a device waits for a slot before each handshake and frees it after.
  let slots = o.concurrent ?? o.clients;
  const queue: Array<() => void> = [];
  const acquire = () => (slots > 0 ? (slots--, Promise.resolve()) : new Promise<void>((r) => queue.push(r)));
  const release = () => { const next = queue.shift(); if (next) next(); else slots++; };
  const report = (): FleetReport => {
    const sorted = [...latencies].sort((a, b) => a - b);
    const ms = performance.now() - start;
    return {
      clients: o.clients, duration_ms: Math.round(ms), handshakes: latencies.length, failures, unfinished,
      handshakes_per_second: round1(ms > 0 ? latencies.length / (ms / 1000) : 0)!,
      client_cpu_ms_per_handshake: latencies.length ? Math.round(cpuMs() / latencies.length * 100) / 100 : null,
      latency_ms: { p50: round1(percentile(sorted, 50)), p95: round1(percentile(sorted, 95)),
        p99: round1(percentile(sorted, 99)), max: round1(sorted.length ? sorted[sorted.length - 1] : null) },
      failure_reasons: { ...reasons }, replies: o.send === undefined ? null : replies,
      memory: { instances: o.clients, rss_per_device: perDevice("rss"), heap_per_device: perDevice("heapUsed"),
        external_per_device: perDevice("external") },
    };
  };
  const ticker = o.progress ? setInterval(() => o.progress!(report(), Math.max(0, o.durationMs - (performance.now() - start))), 250) : undefined;

  const device = async (engine: DtlsEngine) => {
    for (let n = 0; !over && (o.handshakes === 0 || n < o.handshakes); n++) {
      if (await Promise.race([acquire(), stopped]) === "stop") break;
      const client = new UdpDtlsClient(o.host, o.port, engine);
      const t0 = performance.now();
      const outcome = await Promise.race([client.connect().then(() => "ok" as const, (e: unknown) => e), stopped]);
      if (outcome === "ok") {
        latencies.push(performance.now() - t0);
        if (o.send !== undefined) {
          try {
            client.write(Buffer.from(o.send, "utf8"));
            const reply = await Promise.race([client.readOne(o.waitMs ?? 5000), stopped]);
            if (reply !== "stop" && reply !== null) replies++;
          } catch { /* the connection failed after the handshake: no reply */ }
        }
      } else if (outcome === "stop") {
        unfinished++;
      } else {
        failures++;
        const reason = outcome instanceof DtlsError ? outcome.reason : (outcome as NodeJS.ErrnoException).code ?? "error";
        reasons[reason] = (reasons[reason] ?? 0) + 1;
      }
      await client.close();
      release();
    }
  };
  await Promise.all(engines.map(device));
  clearTimeout(deadline);
  if (ticker) clearInterval(ticker);
  stop();
  return report();
}

const kib = (n: number | null) => (n === null ? "-" : (n / 1024).toFixed(0));

/** The report in lines a person reads. */
export function fleetText(r: FleetReport, target: string): string {
  const l = r.latency_ms;
  const reasons = Object.entries(r.failure_reasons).map(([k, v]) => `${k} ${v}`).join(", ");
  return [
    `fleet: ${r.clients} devices against ${target} for ${(r.duration_ms / 1000).toFixed(1)} s`,
    `handshakes: ${r.handshakes} completed (${r.handshakes_per_second}/s), ${r.failures} failed, ${r.unfinished} unfinished`,
    `client CPU per handshake: ${r.client_cpu_ms_per_handshake ?? "-"} ms`,
    `latency ms: p50 ${l.p50 ?? "-"}, p95 ${l.p95 ?? "-"}, p99 ${l.p99 ?? "-"}, max ${l.max ?? "-"}`,
    ...(reasons ? [`failures: ${reasons}`] : []),
    ...(r.replies !== null ? [`replies: ${r.replies}`] : []),
    `memory per device: ${kib(r.memory.rss_per_device)} KiB RSS (${kib(r.memory.heap_per_device)} KiB JS heap, ${kib(r.memory.external_per_device)} KiB external)`,
  ].join("\n") + "\n";
}

/** The progress line (a terminal only): rewritten in place. */
export function fleetProgress(r: FleetReport, remainingMs: number): string {
  return `\rfleet: ${r.handshakes} handshakes, ${r.failures} failed, ${r.handshakes_per_second}/s, ${(remainingMs / 1000).toFixed(0)} s left\x1b[K`;
}
