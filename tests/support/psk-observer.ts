// Follows a DTLS 1.2 PSK handshake between a client and a real server (both directions,
// as a relay sees them) and, knowing the PSK, derives the session's keys the way both
// ends must (RFC 4279 s. 2 premaster, RFC 7627 session hash, RFC 5246 key expansion,
// RFC 6655 CCM-8), so a relay can read and re-encrypt the records of epoch 1.
// The PRF and the CCM-8 record protection are the mock server's (tests/support/mock-psk-server.ts).
import { createHash } from "node:crypto";
import { MockPskServer, prf } from "./mock-psk-server";
import { parseRecords } from "./wire";
import { Sender } from "./udp-relay";
import { handshakeFragments, parseClientHello, parseServerHello, ClientHello, ServerHello } from "./hellos";

type DtlsRecord = ReturnType<typeof parseRecords>[number];

/** A whole handshake message as it enters the transcript (header with offset 0, full length). */
function transcriptForm(type: number, seq: number, body: Buffer): Buffer {
  const h = Buffer.alloc(12);
  h[0] = type;
  h.writeUIntBE(body.length, 1, 3);
  h.writeUInt16BE(seq, 4);
  h.writeUIntBE(body.length, 9, 3);
  return Buffer.concat([h, body]);
}

export class PskHandshakeObserver {
  clientHello: ClientHello | null = null;
  serverHello: ServerHello | null = null;
  /** Whole epoch-0 handshake messages since the last HelloVerifyRequest, in the order completed. */
  private transcript: Array<{ from: Sender; type: number; seq: number; message: Buffer }> = [];
  private partial = new Map<string, { type: number; body: Buffer; filled: Set<number> }>();
  /** Opens client records (client write key) and seals server records (server write key). */
  private clientSide: MockPskServer | null = null;
  /** The same with the keys swapped: opens server records. */
  private serverSide: MockPskServer | null = null;

  constructor(private psk: Buffer) {}

  get keysKnown(): boolean { return this.clientSide !== null; }

  /** Feeds a datagram as delivered to its receiver. */
  see(from: Sender, datagram: Buffer): void {
    for (const r of parseRecords(datagram)) {
      if (r.type !== 22 || r.epoch !== 0) continue;
      for (const f of handshakeFragments(r.payload)) this.fragment(from, f.type, f.seq, f.length, f.offset, f.body);
    }
  }

  private fragment(from: Sender, type: number, seq: number, length: number, offset: number, part: Buffer): void {
    const key = `${from}:${seq}`;
    if (this.transcript.some((m) => m.from === from && m.seq === seq && m.type === type)) return; // a retransmission
    let m = this.partial.get(key);
    if (!m) { m = { type, body: Buffer.alloc(length), filled: new Set() }; this.partial.set(key, m); }
    part.copy(m.body, offset);
    for (let i = 0; i < part.length; i++) m.filled.add(offset + i);
    if (m.filled.size < length) return;
    this.partial.delete(key);
    this.complete(from, type, seq, m.body);
  }

  private complete(from: Sender, type: number, seq: number, body: Buffer): void {
    if (type === 3) { this.transcript = []; return; } // HelloVerifyRequest: RFC 6347 4.2.1, start again
    this.transcript.push({ from, type, seq, message: transcriptForm(type, seq, body) });
    if (type === 1) this.clientHello = parseClientHello(body);
    if (type === 2) this.serverHello = parseServerHello(body);
    if (type === 16) this.deriveKeys();
  }

  private deriveKeys(): void {
    if (!this.clientHello || !this.serverHello) throw new Error("ClientKeyExchange before the hellos");
    const n = this.psk.length;
    const premaster = Buffer.concat([Buffer.from([n >> 8, n & 0xff]), Buffer.alloc(n), Buffer.from([n >> 8, n & 0xff]), this.psk]);
    const ems = this.serverHello.extensions.some((e) => e.type === 23);
    const master = ems
      ? prf(premaster, "extended master secret", createHash("sha256").update(Buffer.concat(this.transcript.map((m) => m.message))).digest(), 48)
      : prf(premaster, "master secret", Buffer.concat([this.clientHello.random, this.serverHello.random]), 48);
    const kb = prf(master, "key expansion", Buffer.concat([this.serverHello.random, this.clientHello.random]), 40);
    const client = { key: kb.subarray(0, 16), salt: kb.subarray(32, 36) };
    const server = { key: kb.subarray(16, 32), salt: kb.subarray(36, 40) };
    this.clientSide = new MockPskServer(this.psk);
    this.clientSide.keys = { clientKey: client.key, clientSalt: client.salt, serverKey: server.key, serverSalt: server.salt };
    this.serverSide = new MockPskServer(this.psk);
    this.serverSide.keys = { clientKey: server.key, clientSalt: server.salt, serverKey: client.key, serverSalt: client.salt };
  }

  /** The plaintext of an epoch-1 record sent by `from`, or null if it does not authenticate. */
  open(from: Sender, r: DtlsRecord): Buffer | null {
    const side = from === "client" ? this.clientSide : this.serverSide;
    if (!side) throw new Error("keys not derived yet (no ClientKeyExchange seen)");
    return side.open(r);
  }

  /** An epoch-1 record from the server with this plaintext and sequence number. */
  sealFromServer(type: number, plaintext: Buffer, seq: number): Buffer {
    if (!this.clientSide) throw new Error("keys not derived yet (no ClientKeyExchange seen)");
    return this.clientSide.seal(type, plaintext, seq);
  }
}
