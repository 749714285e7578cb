// One direction of an emulated link: loss, delay + jitter, reordering, duplication,
// corruption, an MTU and a bandwidth, in virtual time, every draw from seeded streams.
import { Clock } from "./clock";
import { Prng } from "./prng";
import { Direction, Trace } from "./trace";

export interface DirectionParams {
  /** Probability that a datagram is lost (0..1). */
  loss: number;
  /** One-way latency, ms. */
  delayMs: number;
  /** Added to delayMs: uniform in [0, jitterMs) per datagram (so datagrams may overtake). */
  jitterMs: number;
  /** Probability that a datagram is held reorderMs more, letting later ones overtake it. */
  reorder: number;
  reorderMs: number;
  /** Probability that a datagram arrives twice (the copy with its own delay). */
  duplicate: number;
  /** Probability that one bit of a datagram is flipped on the way. */
  corrupt: number;
  /** Largest UDP payload the link carries, bytes; larger datagrams are dropped. */
  mtu: number;
  /** bits per second, 0 = unlimited. Datagrams queue behind each other (FIFO). */
  bandwidthBps: number;
  /** Bytes the link adds to each datagram (headers), counted against the bandwidth. */
  overheadBytes: number;
}

export class LinkDirection {
  private sent = 0;
  private busyUntil = 0;
  private readonly rng: Record<"loss" | "delay" | "reorder" | "duplicate" | "corrupt", Prng>;

  constructor(readonly dir: Direction, readonly params: DirectionParams, private clock: Clock,
              seed: string, private trace: Trace, private deliver: (datagram: Uint8Array) => void) {
    const stream = (what: string) => new Prng(seed, `${dir} ${what}`);
    this.rng = { loss: stream("loss"), delay: stream("delay"), reorder: stream("reorder"),
      duplicate: stream("duplicate"), corrupt: stream("corrupt") };
  }

  /** Datagrams handed to the link so far. */
  get count(): number { return this.sent; }

  /** Sends a datagram at virtual time `at` (default now; later when the sender is busy). */
  send(datagram: Uint8Array, at = this.clock.now()): void {
    const p = this.params;
    const n = ++this.sent;
    const bytes = Uint8Array.from(datagram);
    this.trace.add(at, this.dir, "send", n, bytes);
    if (bytes.length > p.mtu) { this.trace.add(at, this.dir, "oversize", n, undefined, bytes.length); return; }
    // The same number of draws for every datagram, whatever the parameters.
    const lost = this.rng.loss.chance(p.loss);
    const delays = [this.rng.delay.float(), this.rng.delay.float()];
    const held = this.rng.reorder.chance(p.reorder);
    const twice = this.rng.duplicate.chance(p.duplicate);
    const flip = this.rng.corrupt.chance(p.corrupt);
    const bit = this.rng.corrupt.below(bytes.length * 8);
    const start = Math.max(at, this.busyUntil);
    const departs = start + (p.bandwidthBps > 0 ? ((bytes.length + p.overheadBytes) * 8 * 1000) / p.bandwidthBps : 0);
    this.busyUntil = departs;
    if (lost) { this.trace.add(at, this.dir, "lose", n, undefined, bytes.length); return; }
    if (flip) {
      bytes[bit >> 3] ^= 1 << (bit & 7);
      this.trace.add(at, this.dir, "corrupt", n, undefined, bytes.length);
    }
    const arrive = (u: number) => departs + p.delayMs + u * p.jitterMs + (held ? p.reorderMs : 0);
    this.clock.at(arrive(delays[0]), () => this.arrive(n, bytes));
    if (twice) {
      this.trace.add(at, this.dir, "duplicate", n, undefined, bytes.length);
      this.clock.at(arrive(delays[1]), () => this.arrive(n, bytes));
    }
  }

  private arrive(n: number, bytes: Uint8Array): void {
    this.trace.add(this.clock.now(), this.dir, "deliver", n, bytes);
    this.deliver(Uint8Array.from(bytes));
  }
}
