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
  /** RFC 9146: a connection_id extension with this CID after the others. */
  cid?: Buffer;
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
  let exts = o.extensions === undefined
    ? Buffer.concat([ext(1, Buffer.from([1])), ext(23, Buffer.alloc(0)), ext(0xff01, Buffer.from([0]))])
    : o.extensions;
  if (o.cid) exts = Buffer.concat([exts ?? Buffer.alloc(0), ext(54, Buffer.concat([Buffer.from([o.cid.length]), o.cid]))]);
  const extBlock = exts === null ? Buffer.alloc(0) : Buffer.concat([Buffer.from([exts.length >> 8, exts.length & 0xff]), exts]);
  return Buffer.concat([fixed, sid, tail, extBlock]);
}

/** The records of a datagram: [type, epoch, seq, payload]. cidLen: the length of the CID in
 *  tls12_cid (25) records (RFC 9146 s. 4), which is then returned too. */
export function parseRecords(d: Uint8Array, cidLen = 0): Array<{ type: number; epoch: number; seq: number; payload: Buffer; cid?: Buffer }> {
  const out = [];
  const b = Buffer.from(d);
  for (let p = 0; p + 13 <= b.length;) {
    const c = b[p] === 25 ? cidLen : 0;
    if (p + 13 + c > b.length) break;
    const len = b.readUInt16BE(p + 11 + c);
    out.push({ type: b[p], epoch: b.readUInt16BE(p + 3), seq: b.readUIntBE(p + 5, 6), payload: b.subarray(p + 13 + c, p + 13 + c + len),
      ...(b[p] === 25 ? { cid: b.subarray(p + 11, p + 11 + c) } : {}) });
    p += 13 + c + len;
  }
  return out;
}

/** A tls12_cid record (RFC 9146 s. 4): the header with the CID before the length. */
export function cidRecord(epoch: number, seq: number, cid: Buffer, payload: Buffer): Buffer {
  const h = record(25, epoch, seq, Buffer.alloc(0));
  return Buffer.concat([h.subarray(0, 11), cid, Buffer.from([payload.length >> 8, payload.length & 0xff]), payload]);
}

/** RFC 9146 s. 5, written out from the RFC: seq_num_placeholder (8 x 0xff), tls12_cid,
 *  cid_length, tls12_cid, version, epoch, sequence_number, cid, length_of_DTLSInnerPlaintext. */
export function cidAad(cid: Buffer, epoch: number, seq: number, innerLength: number): Buffer {
  const a = Buffer.alloc(23 + cid.length);
  a.fill(0xff, 0, 8);
  a[8] = 25;
  a[9] = cid.length;
  a[10] = 25;
  a.writeUInt16BE(0xfefd, 11);
  a.writeUInt16BE(epoch, 13);
  a.writeUIntBE(seq, 15, 6);
  cid.copy(a, 21);
  a.writeUInt16BE(innerLength, 21 + cid.length);
  return a;
}

/** The body of one extension of a ClientHello (the handshake message with its header), or null. */
export function clientHelloExtension(message: Buffer, type: number): Buffer | null {
  let p = 12 + 2 + 32;
  p += 1 + message[p];                  // session_id
  p += 1 + message[p];                  // cookie
  p += 2 + message.readUInt16BE(p);     // cipher_suites
  p += 1 + message[p];                  // compression_methods
  if (p + 2 > message.length) return null;
  const end = p + 2 + message.readUInt16BE(p);
  for (p += 2; p + 4 <= end; p += 4 + message.readUInt16BE(p + 2)) {
    if (message.readUInt16BE(p) === type) return message.subarray(p + 4, p + 4 + message.readUInt16BE(p + 2));
  }
  return null;
}
