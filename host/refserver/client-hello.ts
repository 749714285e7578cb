// Parsing a ClientHello (RFC 6347 s. 4.2.1) and its extensions.
import { ALERT } from "./protocol";
import { Fatal, Reader } from "./wire";

export interface Ext { type: number; data: Buffer }
export interface ClientHello { random: Buffer; sessionId: Buffer; cookie: Buffer; suites: number[]; exts: Ext[]; cookieFree: Buffer }

export function parseExtensions(r: Reader): Ext[] {
  if (r.left() === 0) return [];
  const block = r.vec16();
  r.done();
  const e = new Reader(block);
  const out: Ext[] = [];
  while (e.left() > 0) {
    const type = e.u16();
    if (out.some((x) => x.type === type)) throw new Fatal(ALERT.ILLEGAL_PARAMETER, `extension ${type} twice`);
    out.push({ type, data: e.vec16() });
  }
  return out;
}

export function parseClientHello(body: Buffer): ClientHello {
  const r = new Reader(body);
  const version = r.u16();
  if (version > 0xfefd) throw new Fatal(ALERT.PROTOCOL_VERSION, "client offers no DTLS 1.2"); // DTLS versions count down
  const random = r.bytes(32);
  const sessionId = r.vec8();
  const cookieStart = r.p;
  const cookie = r.vec8();
  const cookieEnd = r.p;
  const suiteBytes = r.vec16();
  const suites: number[] = [];
  for (let i = 0; i + 1 < suiteBytes.length; i += 2) suites.push(suiteBytes.readUInt16BE(i));
  const compression = r.vec8();
  if (!compression.includes(0)) throw new Fatal(ALERT.ILLEGAL_PARAMETER, "no null compression");
  const exts = parseExtensions(r);
  const cookieFree = Buffer.concat([body.subarray(0, cookieStart), body.subarray(cookieEnd)]);
  return { random, sessionId, cookie, suites, exts, cookieFree };
}
