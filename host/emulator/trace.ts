// The record of an emulated run: every datagram each side sent, and what the link did with
// it, with its virtual time and bytes. Two runs with the same seed give the same trace, byte
// for byte (digest()); the timeline is its readable form.
import { createHash } from "node:crypto";

/** c>s: client to server; s>c: server to client; "" for an endpoint's event. */
export type Direction = "c>s" | "s>c" | "";

export interface TraceEvent {
  /** Virtual milliseconds. */
  t: number;
  dir: Direction;
  /** send, deliver, lose, oversize (over the MTU: dropped), duplicate, corrupt; or an
   *  endpoint's event (flight-sent, flight-retransmitted, connected, failed, data, ...). */
  what: string;
  /** The datagram's number in its direction (1-based), 0 for an endpoint's event. */
  n: number;
  len: number;
  /** The bytes (send, deliver), else "". */
  hex: string;
}

export class Trace {
  private list: TraceEvent[] = [];

  /** The events in time order (those of one instant in the order they happened). An event
   *  of the client inside a call that is charged compute time (cpu.ts) is recorded at the
   *  client's time, ahead of the virtual clock. */
  get events(): TraceEvent[] { return this.list.map((e, i) => ({ e, i })).sort((a, b) => a.e.t - b.e.t || a.i - b.i).map((x) => x.e); }

  add(t: number, dir: Direction, what: string, n = 0, bytes?: Uint8Array, len = bytes?.length ?? 0): void {
    this.list.push({ t, dir, what, n, len, hex: bytes ? Buffer.from(bytes).toString("hex") : "" });
  }

  count(dir: Direction, what: string): number {
    return this.list.reduce((k, e) => k + (e.dir === dir && e.what === what ? 1 : 0), 0);
  }

  bytes(dir: Direction, what: string): number {
    return this.list.reduce((k, e) => k + (e.dir === dir && e.what === what ? e.len : 0), 0);
  }

  /** One JSON object per line: the exact record. */
  jsonl(): string { return this.events.map((e) => JSON.stringify(e)).join("\n") + "\n"; }

  /** SHA-256 of jsonl(), hex. */
  digest(): string { return createHash("sha256").update(this.jsonl()).digest("hex"); }

  /** The timeline, one line per event, without the bytes. */
  timeline(): string[] {
    return this.events.map((e) => {
      const time = `${(e.t / 1000).toFixed(3).padStart(9)} s`;
      if (e.dir === "") return `${time}  ${e.what}`;
      const arrow = e.dir === "c>s" ? "client -> server" : "server -> client";
      return `${time}  ${arrow}  #${e.n} ${e.len} B  ${e.what}`;
    });
  }
}
