// The record layer: records built and protected at an epoch, packed into datagrams; records
// received checked against the epoch and the replay window, opened and dispatched.
import { AlertEvent } from "./options";
import { Connection } from "./connection";
import { ccmOpen, ccmSeal } from "./crypto";
import { ALERT, CT } from "./protocol";
import { ServerBase } from "./server-base";
import { epochSeq, Fatal } from "./wire";

export abstract class RecordLayer extends ServerBase {
  /** Records into datagrams of at most the MTU. */
  protected pack(c: Connection, records: Buffer[]): Buffer[] {
    const mtu = this.opts.mtu ?? 1400;
    const out: Buffer[] = [];
    let cur: Buffer[] = [], size = 0;
    for (const r of records) {
      if (size && size + r.length > mtu) { out.push(Buffer.concat(cur)); cur = []; size = 0; }
      cur.push(r); size += r.length;
    }
    if (cur.length) out.push(Buffer.concat(cur));
    return out;
  }

  protected rawRecord(type: number, epoch: number, seq: number, payload: Buffer): Buffer {
    const h = Buffer.alloc(13);
    h[0] = type; h.writeUInt16BE(0xfefd, 1); h.writeUInt16BE(epoch, 3); h.writeUIntBE(seq, 5, 6); h.writeUInt16BE(payload.length, 11);
    return Buffer.concat([h, payload]);
  }

  /** One record at the epoch, with its next sequence number, protected from epoch 1 on. */
  protected record(c: Connection, type: number, epoch: number, plaintext: Buffer): Buffer {
    const seq = c.writeSeq[epoch]++;
    if (epoch === 0) return this.rawRecord(type, 0, seq, plaintext);
    return this.rawRecord(type, epoch, seq, ccmSeal(c.writeKey!, epochSeq(epoch, seq), type, plaintext));
  }

  protected sendAlert(c: Connection, level: number, description: number): void {
    this.output(c.peer, [this.record(c, CT.ALERT, c.writeEpoch, Buffer.from([level, description]))], "alert", false);
  }

  /** One record of a known peer. Returns true when it made us retransmit our last flight. */
  protected recordIn(c: Connection, type: number, epoch: number, seq: number, payload: Buffer, alreadyRetransmitted: boolean): boolean {
    if (epoch === c.readEpoch + 1 && c.readEpoch === 0) {
      if (c.early.length < 16) c.early.push({ type, epoch, seq, payload }); // before the client's CCS reached us
      return false;
    }
    if (epoch !== c.readEpoch) {
      // Epoch-0 handshake after our epoch changed: the client repeats flight 5 (RFC 6347 s. 4.2.4).
      if (epoch === 0 && c.done && (type === CT.HANDSHAKE || type === CT.CCS) && !alreadyRetransmitted) { this.transmitFlight(c, true); return true; }
      return false;
    }
    let plain = payload;
    if (epoch > 0) {
      // RFC 6347 s. 4.1.2.6: the replay window, updated only for records that authenticate.
      if (seq <= c.replayMax - 64 || (seq <= c.replayMax && (c.replayMask >> BigInt(c.replayMax - seq)) & 1n)) return false;
      const p = ccmOpen(c.readKey!, epochSeq(epoch, seq), type, payload);
      if (!p) return false; // s. 4.1.2.7: invalid records are dropped silently
      if (seq > c.replayMax) { c.replayMask = seq - c.replayMax >= 64 ? 1n : ((c.replayMask << BigInt(seq - c.replayMax)) | 1n) & ((1n << 64n) - 1n); c.replayMax = seq; }
      else c.replayMask |= 1n << BigInt(c.replayMax - seq);
      plain = p;
    }
    switch (type) {
      case CT.HANDSHAKE: return this.handshakeIn(c, plain, alreadyRetransmitted);
      case CT.CCS:
        if (plain.length !== 1 || plain[0] !== 1) throw new Fatal(ALERT.DECODE_ERROR, "bad ChangeCipherSpec");
        if (c.done) return false;
        c.ccsPending = true;
        this.advance(c);
        return false;
      case CT.ALERT: {
        if (plain.length < 2) return false;
        this.event("alert", c.peer, { peer: c.peer, level: plain[0], description: plain[1], sent: false } satisfies AlertEvent);
        if (plain[1] === ALERT.CLOSE_NOTIFY) { if (c.done) this.sendAlert(c, 1, ALERT.CLOSE_NOTIFY); this.forget(c); }
        else if (plain[0] === 2) this.forget(c);
        return false;
      }
      case CT.APPLICATION_DATA:
        if (!c.done || epoch === 0) return false;
        this.event("data", c.peer, Buffer.from(plain));
        if (this.opts.echo !== false && !c.closed) this.write(c.peer, plain);
        return false;
      default: return false;
    }
  }

  abstract write(peer: string, data: Uint8Array): void;
  protected abstract handshakeIn(c: Connection, payload: Buffer, alreadyRetransmitted: boolean): boolean;
  protected abstract advance(c: Connection): void;
  protected abstract transmitFlight(c: Connection, retransmission: boolean): void;
}
