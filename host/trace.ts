// --trace: each record and handshake message of a datagram, decoded, one line each:
//   -> handshake epoch 0 seq 1 length 95
//   ->   client_hello message_seq 1 fragment 0+83 of 83
//   <- handshake epoch 1 seq 0 length 40 encrypted
// Records of epoch 0 are read in the clear; from epoch 1 on only their headers (the payload
// is encrypted). Never throws on what it reads: a short or malformed datagram is named so.
import * as codes from "./codes";
import { alertName, contentTypeName, handshakeTypeName } from "./names";

const RECORD_HEADER_LEN = 13;       // type, version, epoch, 48-bit sequence, length (RFC 6347 4.1)
const HANDSHAKE_HEADER_LEN = 12;    // type, length, message_seq, fragment offset and length (4.2.2)

export type Direction = "sent" | "received";

/** Decodes datagrams into trace lines. It follows the handshake to learn the server's
 *  connection ID length (RFC 9146: tls12_cid records carry a CID of the receiver's choice,
 *  without its length): ours is given, the server's read from its ServerHello. */
export class Tracer {
  /** The length of the CID the server's records carry (ours): undefined when not offered. */
  private ownCidLen: number | undefined;
  /** The length of the CID our records carry (the server's), once its ServerHello said. */
  private peerCidLen: number | undefined;

  constructor(ownCidLen?: number) { this.ownCidLen = ownCidLen; }

  lines(direction: Direction, datagram: Uint8Array): string[] {
    const arrow = direction === "sent" ? "->" : "<-";
    const d = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength);
    const out: string[] = [];
    let p = 0;
    while (p < d.length) {
      if (d.length - p < RECORD_HEADER_LEN) { out.push(`${arrow} truncated record header (${d.length - p} bytes)`); break; }
      const type = d[p];
      const epoch = d.readUInt16BE(p + 3);
      const seq = d.readUIntBE(p + 5, 6);
      let h = p + 11;
      let cid = "";
      if (type === codes.CT_TLS12_CID) {
        const n = direction === "sent" ? this.peerCidLen : this.ownCidLen;
        if (n === undefined || h + n + 2 > d.length) {
          out.push(`${arrow} tls12_cid epoch ${epoch} seq ${seq}: connection ID length unknown, rest of the datagram not delimited`);
          break;
        }
        cid = ` cid ${d.subarray(h, h + n).toString("hex")}`;
        h += n;
      }
      const length = d.readUInt16BE(h);
      const body = h + 2;
      const end = body + length;
      let line = `${arrow} ${contentTypeName(type)} epoch ${epoch} seq ${seq}${cid} length ${length}`;
      if (end > d.length) { out.push(`${line}: truncated (${d.length - body} bytes)`); break; }
      const payload = d.subarray(body, end);
      if (epoch > 0) line += " encrypted";
      else if (type === codes.CT_ALERT && length === 2) line += `: ${payload[0] === codes.ALERT_FATAL ? "fatal" : payload[0] === codes.ALERT_WARNING ? "warning" : `level ${payload[0]}`} ${alertName(payload[1])}`;
      out.push(line);
      if (epoch === 0 && type === codes.CT_HANDSHAKE) out.push(...this.handshake(arrow, direction, payload));
      p = end;
    }
    return out;
  }

  /** The handshake fragments of one plaintext record. */
  private handshake(arrow: string, direction: Direction, r: Buffer): string[] {
    const out: string[] = [];
    let p = 0;
    while (p < r.length) {
      if (r.length - p < HANDSHAKE_HEADER_LEN) { out.push(`${arrow}   truncated handshake header (${r.length - p} bytes)`); break; }
      const type = r[p];
      const length = r.readUIntBE(p + 1, 3);
      const messageSeq = r.readUInt16BE(p + 4);
      const offset = r.readUIntBE(p + 6, 3);
      const fragment = r.readUIntBE(p + 9, 3);
      const body = p + HANDSHAKE_HEADER_LEN;
      let line = `${arrow}   ${handshakeTypeName(type)} message_seq ${messageSeq} fragment ${offset}+${fragment} of ${length}`;
      if (body + fragment > r.length) { out.push(`${line}: truncated (${r.length - body} bytes)`); break; }
      out.push(line);
      if (direction === "received" && type === codes.HT_SERVER_HELLO && offset === 0 && fragment === length) {
        this.serverHello(r.subarray(body, body + fragment));
      }
      p = body + fragment;
    }
    return out;
  }

  /** The server's CID length from its ServerHello's connection_id extension (RFC 9146 s. 3). */
  private serverHello(b: Buffer): void {
    let p = 2 + 32;                                   // server_version, random
    if (p >= b.length) return;
    p += 1 + b[p] + 2 + 1;                            // session_id, cipher_suite, compression
    if (p + 2 > b.length) return;
    const end = Math.min(b.length, p + 2 + b.readUInt16BE(p));
    p += 2;
    this.peerCidLen = undefined;
    while (p + 4 <= end) {
      const type = b.readUInt16BE(p);
      const len = b.readUInt16BE(p + 2);
      if (type === codes.EXT_CONNECTION_ID && len >= 1 && p + 5 <= end) this.peerCidLen = b[p + 4];
      p += 4 + len;
    }
  }
}
