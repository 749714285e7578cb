// Handshake wire format: a fatal-alert error, a bounded reader, vector and header encoders.
import { ALERT } from "./protocol";

export class Fatal extends Error { constructor(readonly alert: number, message: string) { super(message); } }

/** A bounded reader over one message: every overrun is a decode_error (RFC 5246 s. 7.2.2). */
export class Reader {
  p = 0;
  constructor(readonly b: Buffer, private end = b.length) {}
  private need(n: number) { if (this.p + n > this.end) throw new Fatal(ALERT.DECODE_ERROR, "message truncated"); }
  u8() { this.need(1); return this.b[this.p++]; }
  u16() { this.need(2); const v = this.b.readUInt16BE(this.p); this.p += 2; return v; }
  u24() { this.need(3); const v = this.b.readUIntBE(this.p, 3); this.p += 3; return v; }
  bytes(n: number) { this.need(n); const v = this.b.subarray(this.p, this.p + n); this.p += n; return v; }
  vec8() { return this.bytes(this.u8()); }
  vec16() { return this.bytes(this.u16()); }
  vec24() { return this.bytes(this.u24()); }
  left() { return this.end - this.p; }
  done() { if (this.p !== this.end) throw new Fatal(ALERT.DECODE_ERROR, "trailing bytes in a message"); }
}

export const u8 = (n: number) => Buffer.from([n]);
export const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
export const u24 = (n: number) => Buffer.from([n >> 16, (n >> 8) & 0xff, n & 0xff]);
export const v8 = (b: Uint8Array) => Buffer.concat([u8(b.length), b]);
export const v16 = (b: Uint8Array) => Buffer.concat([u16(b.length), b]);
export const v24 = (b: Uint8Array) => Buffer.concat([u24(b.length), b]);
export const ext = (type: number, data: Uint8Array) => Buffer.concat([u16(type), v16(data)]);
export const epochSeq = (epoch: number, seq: number) => { const b = Buffer.alloc(8); b.writeUInt16BE(epoch, 0); b.writeUIntBE(seq, 2, 6); return b; };

export function hsHeader(type: number, seq: number, total: number, offset: number, length: number): Buffer {
  const h = Buffer.alloc(12);
  h[0] = type; h.writeUIntBE(total, 1, 3); h.writeUInt16BE(seq, 4); h.writeUIntBE(offset, 6, 3); h.writeUIntBE(length, 9, 3);
  return h;
}
