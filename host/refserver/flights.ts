// Flights (RFC 6347 s. 4.2.4): ours built, fragmented and (re)transmitted; the peer's
// handshake fragments reassembled, a repeated flight answered with ours again.
import { Connection } from "./connection";
import { ALERT, CT, HT } from "./protocol";
import { RecordLayer } from "./record-layer";
import { Fatal, hsHeader, u8 } from "./wire";

export abstract class Flights extends RecordLayer {
  protected sendFlight(c: Connection, msgs: Array<[number, Buffer] | "ccs">, name: string, timer: boolean): void {
    c.flight = [];
    for (const m of msgs) {
      if (m === "ccs") { c.flight.push({ kind: "ccs" }); continue; }
      const [type, original] = m;
      const body = this.opts.hooks?.message ? this.opts.hooks.message(type, original, c.peer) : original;
      if (body === null) continue;
      const b = body ?? original;
      const seq = c.sendMsgSeq++;
      const epoch = c.flight.some((f) => f.kind === "ccs") ? 1 : 0;
      c.flight.push({ kind: "hs", type, seq, body: b, epoch });
      c.transcript.push(hsHeader(type, seq, b.length, 0, b.length), b);
    }
    c.flightName = name;
    c.retransmissions = 0;
    c.rto = this.opts.rtoMs ?? 1000;
    c.timerAt = timer ? this.io.now() + c.rto : null;
    this.transmitFlight(c, false);
  }

  /** The flight as records, fragmented to the MTU and to max_fragment_length (RFC 6347 s. 4.2.3). */
  protected transmitFlight(c: Connection, retransmission: boolean): void {
    if (retransmission) this.stats.retransmissions++;
    const mtu = this.opts.mtu ?? 1400;
    const records: Buffer[] = [];
    let epoch = 0;
    for (const f of c.flight) {
      if (f.kind === "ccs") {
        records.push(this.record(c, CT.CCS, 0, u8(1)));
        epoch = 1;
        continue;
      }
      const overhead = 13 + 12 + (epoch ? 16 : 0);
      const room = Math.max(1, Math.min(mtu - overhead, c.plainMax - 12));
      for (let off = 0; off < f.body.length || off === 0; off += room) {
        const n = Math.min(room, f.body.length - off);
        records.push(this.record(c, CT.HANDSHAKE, epoch, Buffer.concat([hsHeader(f.type, f.seq, f.body.length, off, n), f.body.subarray(off, off + n)])));
        if (off + n >= f.body.length) break;
      }
    }
    this.output(c.peer, this.pack(c, records), c.flightName, retransmission);
  }

  protected handshakeIn(c: Connection, payload: Buffer, alreadyRetransmitted: boolean): boolean {
    let retransmit = false;
    for (let p = 0; p + 12 <= payload.length;) {
      const type = payload[p], length = payload.readUIntBE(p + 1, 3), seq = payload.readUInt16BE(p + 4);
      const offset = payload.readUIntBE(p + 6, 3), fragLen = payload.readUIntBE(p + 9, 3);
      if (p + 12 + fragLen > payload.length || offset + fragLen > length || length > 65536) throw new Fatal(ALERT.DECODE_ERROR, "bad handshake fragment");
      const data = payload.subarray(p + 12, p + 12 + fragLen);
      p += 12 + fragLen;
      if (seq < c.recvMsgSeq) {
        // Part of a flight we already have: the client did not get our answer (RFC 6347 s. 4.2.4).
        if (c.done && type === HT.CLIENT_HELLO) throw new Fatal(ALERT.NO_RENEGOTIATION, "renegotiation");
        if (c.done && !alreadyRetransmitted && !retransmit) { this.transmitFlight(c, true); retransmit = true; }
        continue;
      }
      if (c.done && type === HT.CLIENT_HELLO) {
        // RFC 5746 s. 4: we do not renegotiate; a warning, the connection stays.
        this.sendAlert(c, 1, ALERT.NO_RENEGOTIATION);
        continue;
      }
      if (seq > c.recvMsgSeq + 8) continue;
      let f = c.frags.get(seq);
      if (!f) { f = { type, length, buf: Buffer.alloc(length), have: new Uint8Array(length), missing: length }; c.frags.set(seq, f); }
      if (f.type !== type || f.length !== length) throw new Fatal(ALERT.ILLEGAL_PARAMETER, "fragments disagree");
      data.copy(f.buf, offset);
      for (let i = offset; i < offset + fragLen; i++) if (!f.have[i]) { f.have[i] = 1; f.missing--; }
      // The peer's next flight is arriving: the timer restarts (not counted as a retransmission),
      // so a flight left half-delivered still ends in a retransmission (RFC 6347 s. 4.2.4).
      if (c.timerAt !== null) c.timerAt = this.io.now() + c.rto;
    }
    this.advance(c);
    return retransmit;
  }
}
