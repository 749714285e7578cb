// ClientHello and ServerHello bodies (RFC 5246 7.4.1.2-3, RFC 6347 4.2.1) taken apart and
// put back together, for relays that read or rewrite them on the wire.
import { record, handshake, parseRecords } from "./wire";

export interface Extension { type: number; data: Buffer }

export interface ClientHello {
  version: number;
  random: Buffer;
  sessionId: Buffer;
  cookie: Buffer;
  suites: number[];
  compression: Buffer;
  extensions: Extension[];
}

export interface ServerHello {
  version: number;
  random: Buffer;
  sessionId: Buffer;
  suite: number;
  compression: number;
  extensions: Extension[];
}

/** One handshake fragment of a record (RFC 6347 4.2.2 header). */
export interface HandshakeFragment { type: number; length: number; seq: number; offset: number; body: Buffer }

export function handshakeFragments(payload: Buffer): HandshakeFragment[] {
  const out: HandshakeFragment[] = [];
  for (let p = 0; p + 12 <= payload.length;) {
    const fragLength = payload.readUIntBE(p + 9, 3);
    out.push({
      type: payload[p], length: payload.readUIntBE(p + 1, 3), seq: payload.readUInt16BE(p + 4),
      offset: payload.readUIntBE(p + 6, 3), body: payload.subarray(p + 12, p + 12 + fragLength),
    });
    p += 12 + fragLength;
  }
  return out;
}

function extensionsAt(b: Buffer, p: number): Extension[] {
  if (p >= b.length) return [];
  const end = p + 2 + b.readUInt16BE(p);
  const out: Extension[] = [];
  for (p += 2; p + 4 <= end; p += 4 + b.readUInt16BE(p + 2)) {
    out.push({ type: b.readUInt16BE(p), data: b.subarray(p + 4, p + 4 + b.readUInt16BE(p + 2)) });
  }
  return out;
}

function vector8(b: Buffer, p: number): Buffer { return b.subarray(p + 1, p + 1 + b[p]); }

export function parseClientHello(body: Buffer): ClientHello {
  let p = 34;
  const sessionId = vector8(body, p); p += 1 + sessionId.length;
  const cookie = vector8(body, p); p += 1 + cookie.length;
  const suitesLen = body.readUInt16BE(p);
  const suites: number[] = [];
  for (let i = 0; i < suitesLen; i += 2) suites.push(body.readUInt16BE(p + 2 + i));
  p += 2 + suitesLen;
  const compression = vector8(body, p); p += 1 + compression.length;
  return { version: body.readUInt16BE(0), random: body.subarray(2, 34), sessionId, cookie, suites, compression, extensions: extensionsAt(body, p) };
}

export function buildClientHello(ch: ClientHello): Buffer {
  const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
  const exts = Buffer.concat(ch.extensions.map((e) => Buffer.concat([u16(e.type), u16(e.data.length), e.data])));
  return Buffer.concat([
    u16(ch.version), ch.random,
    Buffer.from([ch.sessionId.length]), ch.sessionId,
    Buffer.from([ch.cookie.length]), ch.cookie,
    u16(ch.suites.length * 2), ...ch.suites.map(u16),
    Buffer.from([ch.compression.length]), ch.compression,
    ...(ch.extensions.length ? [u16(exts.length), exts] : []),
  ]);
}

export function parseServerHello(body: Buffer): ServerHello {
  const sessionId = vector8(body, 34);
  const p = 35 + sessionId.length;
  return {
    version: body.readUInt16BE(0), random: body.subarray(2, 34), sessionId,
    suite: body.readUInt16BE(p), compression: body[p + 2], extensions: extensionsAt(body, p + 3),
  };
}

/** The host_name of a server_name extension (RFC 6066 s. 3), or null if there is none. */
export function serverName(exts: Extension[]): Buffer | null {
  const e = exts.find((x) => x.type === 0);
  if (!e) return null;
  const list = e.data.subarray(2, 2 + e.data.readUInt16BE(0));
  for (let p = 0; p + 3 <= list.length; p += 3 + list.readUInt16BE(p + 1)) {
    if (list[p] === 0) return list.subarray(p + 3, p + 3 + list.readUInt16BE(p + 1));
  }
  return null;
}

/** The ClientHello of a datagram (a whole, unfragmented message in its first record), or null. */
export function clientHelloOf(datagram: Buffer): { hello: ClientHello; recordSeq: number; messageSeq: number } | null {
  const [r] = parseRecords(datagram);
  if (!r || r.type !== 22 || r.epoch !== 0) return null;
  const [f] = handshakeFragments(r.payload);
  if (!f || f.type !== 1) return null;
  if (f.offset !== 0 || f.body.length !== f.length) throw new Error("a fragmented ClientHello");
  return { hello: parseClientHello(f.body), recordSeq: r.seq, messageSeq: f.seq };
}

/** The datagram with its ClientHello replaced by edit(hello): one record, one whole message. */
export function rewriteClientHello(datagram: Buffer, edit: (ch: ClientHello) => ClientHello): Buffer {
  const found = clientHelloOf(datagram);
  if (!found) return datagram;
  const rest = parseRecords(datagram).slice(1);
  if (rest.length) throw new Error("records after the ClientHello in its datagram");
  const body = buildClientHello(edit(found.hello));
  return record(22, 0, found.recordSeq, handshake(1, found.messageSeq, body));
}
