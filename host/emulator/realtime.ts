// The emulated link in real time, to a real DTLS server over UDP (the issue's "or a real
// server in real time"): the same link, client and trace as emulate(), on Node's timers.
// Real time is not repeatable: the seed fixes the link's draws, not when the server answers.
import { createSocket, Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import { Clock } from "./clock";
import { connection, EmulatedServer, Emulated, EmulationOptions, ServerFactory } from "./emulate";

/** Milliseconds since construction; events on setTimeout. stop() cancels what is pending. */
export class RealClock implements Clock {
  private t0 = performance.now();
  private timers = new Set<NodeJS.Timeout>();
  now(): number { return performance.now() - this.t0; }
  at(t: number, fn: () => void): void {
    const h = setTimeout(() => { this.timers.delete(h); fn(); }, Math.max(0, t - this.now()));
    this.timers.add(h);
  }
  stop(): void { for (const h of this.timers) clearTimeout(h); this.timers.clear(); }
}

/** A real server at host:port behind the emulator's server interface: the datagrams the link
 *  delivers go out on a UDP socket, what comes back enters the link's other direction. */
export async function udpServer(host: string, port: number): Promise<{ factory: ServerFactory; close(): void }> {
  const socket: Socket = createSocket(isIPv6(host) ? "udp6" : "udp4");
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, undefined, () => { socket.off("error", reject); resolve(); });
  });
  const factory: ServerFactory = (io) => {
    socket.on("message", (msg) => io.send(msg, `${host}:${port}`));
    const server: EmulatedServer = {
      receive: (d) => socket.send(d, port, host),
      nextTimerMs: () => null, // the real server keeps its own timers
      onTimer: () => {},
    };
    return server;
  };
  return { factory, close: () => socket.close() };
}

/** Runs until the condition holds or limitMs (real) has passed. */
function until(clock: RealClock, done: () => boolean, limitMs: number): Promise<void> {
  return new Promise((resolve) => {
    const tick = () => (done() || clock.now() >= limitMs ? resolve() : setTimeout(tick, 5));
    tick();
  });
}

/** emulate() in real time (o.server: e.g. udpServer(...).factory). */
export async function emulateRealtime(o: EmulationOptions): Promise<Emulated> {
  const clock = new RealClock();
  const limitMs = o.limitMs ?? 200_000;
  const run = connection(o, clock);
  try {
    run.start();
    await until(clock, () => !run.handshaking(), limitMs);
    if (run.write()) await until(clock, () => run.replied(), limitMs);
    run.close();
    // Until the close_notify is through the link (or lost).
    const up = o.link.up;
    await until(clock, () => false, clock.now() + up.delayMs + up.jitterMs + up.reorderMs + 50);
    return run.finish();
  } finally {
    clock.stop();
  }
}
