// A reference DTLS 1.2 server (RFC 6347) for the test harness: PSK and ECDHE-ECDSA with
// AES-128-CCM-8, X.509 chains or raw public keys (RFC 7250), HelloVerifyRequest, fragmentation
// to an MTU, flight retransmission, and the extensions of RFC 7925 s. 4.4 that no common
// server speaks (cached_info, client_certificate_url, trusted_ca_keys). Transport-free: it is
// driven by receive()/onTimer() and talks through RefServerIo, so it runs on real UDP
// (udp.ts) or in virtual time. Test equipment: hooks let a test make it misbehave.
// Layers, each a file: server-base.ts, record-layer.ts, flights.ts, server-hello.ts, client-auth.ts,
// client-flight.ts; this file adds the public API.
import { ClientFlight } from "./client-flight";
import { ALERT, CT, HT } from "./protocol";
import { AlertEvent, HandshakeInfo } from "./options";
import { Fatal } from "./wire";

export { TLS_PSK_WITH_AES_128_CCM_8, TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, HT, EXT, ALERT } from "./protocol";
export type { ServerChain, RefServerHooks, RefServerOptions, RefServerIo, HandshakeInfo, AlertEvent } from "./options";
export { httpGet } from "./http-get";

export declare interface RefServer {
  on(event: "handshake", l: (info: HandshakeInfo) => void): this;
  on(event: "data", l: (peer: string, data: Buffer) => void): this;
  on(event: "alert", l: (a: AlertEvent) => void): this;
  on(event: "close", l: (peer: string) => void): this;
}

export class RefServer extends ClientFlight {
  /** The peers with state. */
  peers(): string[] { return [...this.conns.keys()]; }
  /** What the peer's handshake negotiated so far. */
  peerInfo(peer: string): HandshakeInfo | null { return this.conns.get(peer)?.info ?? null; }
  isConnected(peer: string): boolean { return this.conns.get(peer)?.done === true; }

  nextTimerMs(): number | null {
    let next: number | null = null;
    for (const c of this.conns.values()) if (c.timerAt !== null && (next === null || c.timerAt < next)) next = c.timerAt;
    return next;
  }

  /** RFC 6347 s. 4.2.4: a flight not answered in time is sent again, the timer doubled. */
  onTimer(): void {
    const now = this.io.now();
    for (const c of [...this.conns.values()]) {
      if (c.timerAt === null || c.timerAt > now) continue;
      if (c.retransmissions >= (this.opts.maxRetransmissions ?? 6)) {
        this.drop(c, "retransmissions exhausted");
        continue;
      }
      c.retransmissions++;
      c.rto = Math.min(c.rto * 2, this.opts.rtoMaxMs ?? 60000);
      this.transmitFlight(c, true);
      c.timerAt = now + c.rto;
    }
  }

  /** Application data to a connected peer, in records of at most its plaintext limit. */
  write(peer: string, data: Uint8Array): void {
    const c = this.conns.get(peer);
    if (!c?.done) throw new Error(`no connection with ${peer}`);
    const room = Math.min(c.plainMax, (this.opts.mtu ?? 1400) - 13 - 16);
    const records: Buffer[] = [];
    let p = 0;
    do {
      records.push(this.record(c, CT.APPLICATION_DATA, c.writeEpoch, Buffer.from(data.subarray(p, p + room))));
      p += room;
    } while (p < data.length);
    this.output(c.peer, this.pack(c, records), "data", false);
  }

  /** close_notify to the peer, and its state forgotten. */
  close(peer: string): void {
    const c = this.conns.get(peer);
    if (!c) return;
    this.sendAlert(c, 1, ALERT.CLOSE_NOTIFY);
    this.forget(c);
  }

  receive(datagram: Uint8Array, peer: string): void {
    let d: Buffer | null = Buffer.from(datagram);
    this.stats.datagramsIn++;
    if (this.opts.hooks?.incoming) d = this.opts.hooks.incoming(d, peer);
    if (!d) return;
    let retransmitted = false;
    for (let p = 0; p + 13 <= d.length;) {
      const type = d[p], version = d.readUInt16BE(p + 1), epoch = d.readUInt16BE(p + 3), seq = d.readUIntBE(p + 5, 6);
      const len = d.readUInt16BE(p + 11);
      if (p + 13 + len > d.length) break; // RFC 6347 s. 4.1.2.7: a bad record is dropped (here the rest too)
      const payload = d.subarray(p + 13, p + 13 + len);
      p += 13 + len;
      if ((version >> 8) !== 0xfe) continue;
      try {
        if (type === CT.HANDSHAKE && epoch === 0 && payload[0] === HT.CLIENT_HELLO) {
          this.clientHello(payload, seq, peer);
          continue;
        }
        const c = this.conns.get(peer);
        if (!c || c.closed) continue;
        this.conns.delete(peer); this.conns.set(peer, c); // most recently active last (eviction order)
        const r = this.recordIn(c, type, epoch, seq, payload, retransmitted);
        retransmitted ||= r;
      } catch (e) {
        const c = this.conns.get(peer);
        if (c && e instanceof Fatal) this.fail(c, e.alert, e.message);
        else if (!(e instanceof Fatal)) throw e;
        return;
      }
    }
  }
}
