// Virtual time: a clock and a queue of events run in time order (ties in the order they
// were scheduled). Nothing waits: 63 s of retransmission timers run as fast as the code
// between them. Times are milliseconds, fractional allowed.
interface Pending { t: number; seq: number; fn: () => void }

/** What the link and the endpoints need of time: virtual (here) or real (realtime.ts). */
export interface Clock {
  now(): number;
  /** Runs fn at time t (never before now). */
  at(t: number, fn: () => void): void;
}

export class VirtualClock implements Clock {
  private time = 0;
  private seq = 0;
  private heap: Pending[] = [];

  now(): number { return this.time; }

  /** Runs fn at time t (never before now). */
  at(t: number, fn: () => void): void {
    this.push({ t: Math.max(t, this.time), seq: this.seq++, fn });
  }

  after(ms: number, fn: () => void): void { this.at(this.time + ms, fn); }

  get pending(): number { return this.heap.length; }

  /** Runs the earliest event; false when none is left. */
  step(): boolean {
    const e = this.pop();
    if (!e) return false;
    this.time = e.t;
    e.fn();
    return true;
  }

  /** Runs events until done() holds, none is left, or the next one is after limitMs. Throws
   *  when maxEvents run without getting there (a timer that keeps firing at the same time). */
  run(done: () => boolean, limitMs: number, maxEvents = 1_000_000): void {
    for (let n = 0; !done() && this.heap.length > 0 && this.heap[0].t <= limitMs; n++) {
      if (n >= maxEvents) throw new Error(`virtual time stuck at ${this.time} ms after ${n} events`);
      this.step();
    }
  }

  private less(a: Pending, b: Pending): boolean { return a.t < b.t || (a.t === b.t && a.seq < b.seq); }

  private push(e: Pending): void {
    const h = this.heap;
    h.push(e);
    for (let i = h.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Pending | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
