// Builds and parses DTLS 1.2 records and handshake messages for the scripted peer tests.
export function record(type: number, epoch: number, seq: number, payload: Buffer, version = 0xfefd): Buffer {
  const h = Buffer.alloc(13);
  h[0] = type;
  h.writeUInt16BE(version, 1);
  h.writeUInt16BE(epoch, 3);
  h.writeUIntBE(seq, 5, 6);
  h.writeUInt16BE(payload.length, 11);
  return Buffer.concat([h, payload]);
}

export function handshake(type: number, seq: number, body: Buffer, fragOffset = 0, fragLength = body.length, total = body.length): Buffer {
  const h = Buffer.alloc(12);
  h[0] = type;
  h.writeUIntBE(total, 1, 3);
  h.writeUInt16BE(seq, 4);
  h.writeUIntBE(fragOffset, 6, 3);
  h.writeUIntBE(fragLength, 9, 3);
  return Buffer.concat([h, body.subarray(fragOffset, fragOffset + fragLength)]);
}

export interface ServerHelloOptions {
  version?: number; suite?: number; compression?: number; extensions?: Buffer | null; sessionId?: Buffer;
}

export function ext(type: number, data: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(data.length, 2);
  return Buffer.concat([h, data]);
}

export function serverHelloBody(o: ServerHelloOptions = {}): Buffer {
  const sid = o.sessionId ?? Buffer.alloc(0);
  const fixed = Buffer.alloc(2 + 32 + 1);
  fixed.writeUInt16BE(o.version ?? 0xfefd, 0);
  fixed.fill(0xab, 2, 34);
  fixed[34] = sid.length;
  const tail = Buffer.alloc(3);
  tail.writeUInt16BE(o.suite ?? 0xc0a8, 0);
  tail[2] = o.compression ?? 0;
  const exts = o.extensions === undefined
    ? Buffer.concat([ext(1, Buffer.from([1])), ext(23, Buffer.alloc(0)), ext(0xff01, Buffer.from([0]))])
    : o.extensions;
  const extBlock = exts === null ? Buffer.alloc(0) : Buffer.concat([Buffer.from([exts.length >> 8, exts.length & 0xff]), exts]);
  return Buffer.concat([fixed, sid, tail, extBlock]);
}

/** The records of a datagram: [type, epoch, seq, payload]. */
export function parseRecords(d: Uint8Array): Array<{ type: number; epoch: number; seq: number; payload: Buffer }> {
  const out = [];
  const b = Buffer.from(d);
  for (let p = 0; p + 13 <= b.length;) {
    const len = b.readUInt16BE(p + 11);
    out.push({ type: b[p], epoch: b.readUInt16BE(p + 3), seq: b.readUIntBE(p + 5, 6), payload: b.subarray(p + 13, p + 13 + len) });
    p += 13 + len;
  }
  return out;
}
