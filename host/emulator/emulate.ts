// One emulated connection in virtual time: the client module (DtlsEngine over
// build/dtls.wasm) and a server exchange datagrams over a seeded link; the module's clock is
// the virtual clock, its random bytes seeded. Synchronous: nothing waits.
import * as codes from "../codes";
import { DtlsEngine, EngineOptions } from "../engine";
import { Clock, VirtualClock } from "./clock";
import { ChargingAccelerator, CpuModel, P256Op } from "./cpu";
import { LinkDirection } from "./link";
import { LinkProfile } from "./profiles";
import { Prng } from "./prng";
import { ResendDetector } from "./resent";
import { Trace } from "./trace";

/** The server's side, as host/refserver's RefServer offers it. */
export interface EmulatedServer {
  receive(datagram: Uint8Array, peer: string): void;
  nextTimerMs(): number | null;
  onTimer(): void;
}
export interface EmulatedServerIo {
  send(datagram: Uint8Array, peer: string): void;
  now(): number;
  random(n: number): Uint8Array;
}
export type ServerFactory = (io: EmulatedServerIo) => EmulatedServer;

/** The client's address as the server sees it. */
export const CLIENT_PEER = "192.0.2.1:5684";

export interface EmulationOptions {
  seed: string;
  link: LinkProfile;
  /** Credentials, timers, ...; pmtu defaults to the profile's; seed and clock are set here. */
  client: EngineOptions;
  server: ServerFactory;
  /** Written once connected; the run then waits for one application record back. */
  data?: Uint8Array;
  /** Charges the client's compute in virtual time (cpu.ts). */
  cpu?: CpuModel;
  /** Virtual time at which the run stops, ms (default: 200 s). */
  limitMs?: number;
}

export interface EmulationResult {
  seed: string;
  profile: string;
  completed: boolean;
  /** Virtual ms from dtls_connect to connected (the client's view), null if not connected. */
  handshake_ms: number | null;
  /** Whether the data's reply came back (null: no data sent). */
  reply: boolean | null;
  reply_ms: number | null;
  end_ms: number;
  state: string;
  reason: string | null;
  /** Flights the client retransmitted (INFO_FLIGHTS_RETRANSMITTED). */
  client_retransmissions: number;
  /** Datagrams of the server that repeated records it had sent (resent.ts). */
  server_datagrams_resent: number;
  datagrams: { client_sent: number; server_sent: number; lost: number; oversize: number; duplicated: number; corrupted: number };
  bytes: { client_sent: number; server_sent: number };
  /** Virtual ms charged for the client's compute (with cpu). */
  cpu_ms: number;
  trace_sha256: string;
}

export type Emulated = { result: EmulationResult; trace: Trace; engine: DtlsEngine };

/** One emulated connection in virtual time: runs to its end before returning. */
export function emulate(o: EmulationOptions): Emulated {
  const clock = new VirtualClock();
  const limitMs = o.limitMs ?? 200_000;
  const run = connection(o, clock);
  run.start();
  clock.run(() => !run.handshaking(), limitMs);
  if (run.write()) clock.run(() => run.replied(), limitMs);
  run.close();
  return run.finish();
}

/** The parts of a run, on any clock (virtual here; real time in realtime.ts). */
export function connection(o: EmulationOptions, clock: Clock): {
  start(): void; handshaking(): boolean; write(): boolean; replied(): boolean; close(): void; finish(): Emulated;
} {
  const trace = new Trace();
  // The client's compute: inside a call into the module its clock runs ahead of the virtual
  // clock by what the call has been charged so far; the client is busy until the call ends.
  let inCall = false;
  let charged = 0;
  let cpuMs = 0;
  let busyUntil = 0;
  const charge = (ms: number) => { if (o.cpu && inCall) { charged += ms; cpuMs += ms; } };
  const clientNow = () => clock.now() + (inCall ? charged : 0);

  let engine: DtlsEngine | undefined;
  let server: EmulatedServer | undefined;
  const resent = new ResendDetector();
  const up = new LinkDirection("c>s", o.link.up, clock, o.seed, trace, (d) => { server!.receive(d, CLIENT_PEER); scheduleServer(); });
  const down = new LinkDirection("s>c", o.link.down, clock, o.seed, trace, (d) => toClient(d));

  const accel = o.client.rpk && o.cpu ? ChargingAccelerator.load((op: P256Op) => charge(o.cpu!.msPerOp[op])) : o.client.p256;
  engine = new DtlsEngine({ ...o.client, pmtu: o.client.pmtu ?? o.link.pmtu, seed: `${o.seed}/client`, clock: clientNow, p256: accel },
    (d) => { charge(d.length * (o.cpu?.msPerByte ?? 0)); up.send(d, clientNow()); });
  engine.onFlight = (e) => trace.add(clientNow(), "", `client ${e}`);

  const serverRandom = new Prng(o.seed, "server random");
  server = o.server({
    send: (d) => { if (resent.check(d)) trace.add(clock.now(), "", "server resends"); down.send(d); },
    now: () => clock.now(),
    random: (n) => serverRandom.bytes(n),
  });

  let serverTimer = 0;
  function scheduleServer(): void {
    const t = server!.nextTimerMs();
    const mine = ++serverTimer;
    if (t !== null) clock.at(t, () => { if (mine === serverTimer) { server!.onTimer(); scheduleServer(); } });
  }

  // Calls into the module, then polls it (timers), and schedules its next poll.
  let clientTimer = 0;
  let connectedAt: number | null = null;
  let replyAt: number | null = null;
  const replies: Buffer[] = [];
  function clientCall(fn: () => void, received = 0): void {
    inCall = true;
    charged = 0;
    charge(received * (o.cpu?.msPerByte ?? 0));
    fn();
    const next = engine!.poll();
    const end = clientNow();
    inCall = false;
    busyUntil = end;
    if (connectedAt === null && engine!.state === codes.STATE_CONNECTED) { connectedAt = end; trace.add(end, "", "client connected"); }
    for (let d = engine!.read(); d !== null; d = engine!.read()) {
      replies.push(d);
      replyAt ??= end;
      trace.add(end, "", `client reads ${d.length} B`);
    }
    const mine = ++clientTimer;
    if (next >= 0) clock.at(end + next, () => { if (mine === clientTimer) whenIdle(() => clientCall(() => {})); });
  }
  // A client busy computing takes datagrams and timers when it is done, in their order.
  function whenIdle(fn: () => void): void {
    if (clock.now() < busyUntil) clock.at(busyUntil, () => whenIdle(fn)); else fn();
  }
  function toClient(d: Uint8Array): void { whenIdle(() => clientCall(() => engine!.receive(d), d.length)); }

  let wrote = false;
  const start = () => clientCall(() => engine!.connect());
  const handshaking = () => engine!.state === codes.STATE_HANDSHAKING;
  // With data and connected: writes it (when the client is free); false when there is nothing to wait for.
  const write = (): boolean => {
    if (!o.data || engine!.state !== codes.STATE_CONNECTED) return false;
    whenIdle(() => clientCall(() => { wrote = engine!.write(o.data!) >= 0; }));
    return true;
  };
  const replied = () => replies.length > 0 || engine!.state !== codes.STATE_CONNECTED;
  // After an exchange of data: close_notify (a real server then takes its next client), as the CLI does.
  const close = () => {
    if (o.data && engine!.state === codes.STATE_CONNECTED) whenIdle(() => clientCall(() => engine!.close()));
  };
  return { start, handshaking, write, replied, close, finish };

  function finish(): Emulated {
    const e = engine!;
    const failed = e.state === codes.STATE_FAILED;
    if (failed) trace.add(clientNow(), "", `client failed: ${e.failure().reason}`);
    const summary = e.summary();
    const result: EmulationResult = {
      seed: o.seed,
      profile: o.link.name,
      completed: connectedAt !== null,
      handshake_ms: connectedAt,
      reply: o.data ? wrote && replies.length > 0 : null,
      reply_ms: o.data ? replyAt : null,
      end_ms: Math.max(clock.now(), busyUntil),
      state: summary.state as string,
      reason: failed ? e.failure().reason : null,
      client_retransmissions: e.info(codes.INFO_FLIGHTS_RETRANSMITTED),
      server_datagrams_resent: resent.count,
      datagrams: { client_sent: up.count, server_sent: down.count,
        lost: trace.count("c>s", "lose") + trace.count("s>c", "lose"),
        oversize: trace.count("c>s", "oversize") + trace.count("s>c", "oversize"),
        duplicated: trace.count("c>s", "duplicate") + trace.count("s>c", "duplicate"),
        corrupted: trace.count("c>s", "corrupt") + trace.count("s>c", "corrupt") },
      bytes: { client_sent: trace.bytes("c>s", "send"), server_sent: trace.bytes("s>c", "send") },
      cpu_ms: cpuMs,
      trace_sha256: trace.digest(),
    };
    return { result, trace, engine: e };
  }
}
