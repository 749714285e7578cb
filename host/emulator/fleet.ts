// An emulated fleet (`dtls-client emulate --clients N`): N devices, each its own instance of
// the module and its own link (the profile's, with its own seeded draws), against ONE reference
// server (host/refserver's RefServer, which keeps state per peer), all in the same virtual time.
// Devices start at seeded times spread over spreadMs; each makes one handshake, sends the data
// and awaits its echo, then closes (close_notify: the server forgets it). The same seed gives
// the same fleet, byte for byte (fleet_sha256). What it shows that one connection cannot: the
// server's timers and state for many peers at once, on a lossy link, without a socket.
import { createHash } from "node:crypto";
import { EngineOptions } from "../engine";
import { percentile } from "../fleet";
import { RefServer } from "../refserver/server";
import { Clock, VirtualClock } from "./clock";
import { CpuModel } from "./cpu";
import { connection, EmulatedServerIo, EmulationResult } from "./emulate";
import { LinkProfile } from "./profiles";
import { Prng } from "./prng";
import { refServer } from "./servers";

export interface EmulatedFleetOptions {
  seed: string;
  link: LinkProfile;
  clients: number;
  /** Devices start at uniform seeded times in [0, spreadMs). */
  spreadMs: number;
  /** Every device's configuration (timers, wasmPath); credentials are the server's. */
  client: EngineOptions;
  server: { rtoMs: number; hvr?: boolean; rpk?: boolean };
  data?: Uint8Array;
  cpu?: CpuModel;
  /** How long a device awaits its echo before it closes anyway, virtual ms (default 10 s:
   *  DTLS does not retransmit application data, a lost record or echo stays lost). */
  replyWaitMs?: number;
  /** Virtual time at which the run stops, ms (default 600 s). */
  limitMs?: number;
}

export interface EmulatedFleetReport {
  clients: number;
  completed: number;
  failures: number;
  /** Still in the handshake when the run stopped (limitMs). */
  unfinished: number;
  failure_reasons: Record<string, number>;
  replies: number | null;
  /** Virtual ms from each device's start to connected (nearest-rank percentiles). */
  latency_ms: { p50: number | null; p95: number | null; p99: number | null; max: number | null };
  /** Virtual ms at which the last event ran. */
  end_ms: number;
  client_retransmissions: number;
  server_datagrams_resent: number;
  server: { handshakes: number; peers_left: number; datagrams_in: number; datagrams_out: number; retransmissions: number };
  /** Wall-clock ms the emulation took (not repeatable; everything else is). */
  wall_ms: number;
  /** SHA-256 of the devices' trace digests in order. */
  fleet_sha256: string;
}

/** The i-th device's address: 198.18.0.0/15, the benchmarking range (RFC 2544 appendix C). */
export const devicePeer = (i: number): string => `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}:5684`;

export function emulateFleet(o: EmulatedFleetOptions): EmulatedFleetReport {
  const wall0 = performance.now();
  const clock = new VirtualClock();
  const limitMs = o.limitMs ?? 600_000;
  // One server for all: its datagrams go to the link of the device they are addressed to.
  const ios = new Map<string, EmulatedServerIo>();
  const setup = refServer({ ...o.server, mtu: o.link.pmtu, maxPeers: o.clients }, o.seed);
  const serverRandom = new Prng(o.seed, "fleet server random");
  const server = setup.factory({ send: (d, peer) => ios.get(peer)?.send(d, peer), now: () => clock.now(),
    random: (n) => serverRandom.bytes(n) }) as RefServer;
  let armed = 0;
  const arm = () => {
    const t = server.nextTimerMs();
    const mine = ++armed;
    if (t !== null) clock.at(t, () => { if (mine === armed) { server.onTimer(); arm(); } });
  };
  const wait = o.replyWaitMs ?? 10_000;
  const starts = new Prng(o.seed, "fleet starts");
  type Device = { run: ReturnType<typeof connection>; at: number; started: boolean; wrote: boolean; closed: boolean; giveUp: number };
  let done = 0;
  // Each device: handshake, then (with data) write and await the echo (at most `wait`), then
  // close. Checked after each event of its own (its clock below), so it moves on at once.
  const progress = (d: Device) => {
    if (d.closed || !d.started || d.run.handshaking()) return;
    if (!d.wrote) {
      d.wrote = true;
      if (d.run.write()) { d.giveUp = clock.now() + wait; clock.at(d.giveUp, () => progress(d)); return; }
    }
    if (!o.data || d.run.replied() || clock.now() >= d.giveUp) { d.closed = true; done++; d.run.close(); }
  };
  const devices: Device[] = Array.from({ length: o.clients }, (_, i) => {
    const peer = devicePeer(i);
    const d = { at: starts.float() * o.spreadMs, started: false, wrote: false, closed: false, giveUp: Infinity } as Device;
    // The shared clock, each event of this device followed by its check.
    const own: Clock = { now: () => clock.now(), at: (t, fn) => clock.at(t, () => { fn(); progress(d); }) };
    d.run = connection({ seed: `${o.seed}/${i}`, link: o.link, client: { ...o.client, ...setup.credentials }, data: o.data, cpu: o.cpu,
      server: (io) => {
        ios.set(peer, io);
        return { receive: (b) => { server.receive(b, peer); arm(); }, nextTimerMs: () => null, onTimer: () => {} };
      } }, own);
    return d;
  });
  for (const d of devices) clock.at(d.at, () => { d.started = true; d.run.start(); progress(d); });
  clock.run(() => done === devices.length, limitMs, 50_000_000);
  clock.run(() => false, Math.min(limitMs, clock.now() + 60_000)); // the close_notifys reach the server
  const results: EmulationResult[] = devices.map((d) => d.run.finish().result);
  const latencies = results.flatMap((r, i) => (r.completed ? [r.handshake_ms! - devices[i].at] : [])).sort((a, b) => a - b);
  const reasons: Record<string, number> = {};
  let failures = 0, unfinished = 0;
  for (const r of results) {
    if (r.reason !== null) { failures++; reasons[r.reason] = (reasons[r.reason] ?? 0) + 1; } else if (!r.completed) unfinished++;
  }
  const round1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
  const sum = (f: (r: EmulationResult) => number) => results.reduce((k, r) => k + f(r), 0);
  return {
    clients: o.clients, completed: latencies.length, failures, unfinished, failure_reasons: reasons,
    replies: o.data ? results.filter((r) => r.reply === true).length : null,
    latency_ms: { p50: round1(percentile(latencies, 50)), p95: round1(percentile(latencies, 95)), p99: round1(percentile(latencies, 99)),
      max: round1(latencies.length ? latencies[latencies.length - 1] : null) },
    end_ms: round1(clock.now())!,
    client_retransmissions: sum((r) => r.client_retransmissions), server_datagrams_resent: sum((r) => r.server_datagrams_resent),
    server: { handshakes: server.stats.handshakes, peers_left: server.peers().length, datagrams_in: server.stats.datagramsIn,
      datagrams_out: server.stats.datagramsOut, retransmissions: server.stats.retransmissions },
    wall_ms: Math.round(performance.now() - wall0),
    fleet_sha256: createHash("sha256").update(results.map((r) => r.trace_sha256).join("\n")).digest("hex"),
  };
}
