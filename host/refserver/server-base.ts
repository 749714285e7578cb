// The server's state (peers, chains, cookie secret, log, counters) and what every layer uses:
// events, datagrams out, failing, dropping and forgetting a peer.
import { EventEmitter } from "node:events";
import { KeyObject } from "node:crypto";
import { Connection } from "./connection";
import { keyOf, isP256 } from "./keys";
import { AlertEvent, RefServerIo, RefServerOptions, ServerChain } from "./options";
import { v24 } from "./wire";

export abstract class ServerBase extends EventEmitter {
  protected conns = new Map<string, Connection>();
  protected cookieSecret: Buffer;
  protected chains: Array<ServerChain & { keyObj: KeyObject; certBody: Buffer; rootDer: Buffer }>;
  protected rawKey: KeyObject | null;
  /** Every event in order, for tests that look after the fact. */
  readonly log: Array<{ event: string; peer: string; detail: unknown }> = [];
  /** Datagrams sent and received, counted. */
  readonly stats = { datagramsIn: 0, datagramsOut: 0, bytesOut: 0, retransmissions: 0, handshakes: 0, hvr: 0 };

  constructor(readonly opts: RefServerOptions, protected io: RefServerIo) {
    super();
    this.cookieSecret = Buffer.from(io.random(32));
    this.chains = (opts.chains ?? []).map((c) => {
      const keyObj = keyOf(c.key);
      if (!isP256(keyObj)) throw new Error("a chain's key is not a P-256 key");
      return { ...c, keyObj, certBody: v24(Buffer.concat(c.chain.map(v24))), rootDer: c.root ?? c.chain[c.chain.length - 1] };
    });
    this.rawKey = opts.rawKey ? keyOf(opts.rawKey) : this.chains[0]?.keyObj ?? null;
    if (this.rawKey && !isP256(this.rawKey)) throw new Error("rawKey is not a P-256 key");
  }

  protected output(peer: string, datagrams: Buffer[], what: string, retransmission: boolean): void {
    const out = this.opts.hooks?.flight ? this.opts.hooks.flight(datagrams, peer, { what, retransmission }) : datagrams;
    for (const d of out) {
      this.stats.datagramsOut++;
      this.stats.bytesOut += d.length;
      this.io.send(d, peer);
    }
  }

  protected event(name: string, peer: string, detail: unknown): void {
    this.log.push({ event: name, peer, detail });
    this.emit(name, ...(name === "data" ? [peer, detail] : name === "close" ? [peer] : [detail]));
  }

  protected fail(c: Connection, alert: number, reason: string): void {
    if (c.closed) return;
    this.sendAlert(c, 2, alert);
    this.event("alert", c.peer, { peer: c.peer, level: 2, description: alert, sent: true, reason } satisfies AlertEvent);
    this.forget(c);
  }

  protected drop(c: Connection, reason: string): void {
    this.log.push({ event: "drop", peer: c.peer, detail: reason });
    this.forget(c);
  }

  protected forget(c: Connection): void {
    c.closed = true;
    c.timerAt = null;
    if (this.conns.get(c.peer) === c) this.conns.delete(c.peer);
    this.event("close", c.peer, null);
  }

  protected abstract sendAlert(c: Connection, level: number, description: number): void;
}
