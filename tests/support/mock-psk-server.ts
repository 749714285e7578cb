// The server side of a PSK + AES-128-CCM-8 handshake in plain Node crypto, written from
// RFC 5246 / 6347 / 7627 / 6655 independently of the core, so tests can drive the
// module into states no real server is willing to produce (oversized records, Finished
// before ChangeCipherSpec, tampered records).
import { createHmac, createHash, createCipheriv, createDecipheriv } from "node:crypto";
import { record, handshake, serverHelloBody, parseRecords, ServerHelloOptions, cidRecord, cidAad,
  clientHelloExtension } from "./wire";

export function prf(secret: Buffer, label: string, seed: Buffer, length: number): Buffer {
  const labelSeed = Buffer.concat([Buffer.from(label, "ascii"), seed]);
  const out: Buffer[] = [];
  let a: Buffer = labelSeed;
  let total = 0;
  while (total < length) {
    a = createHmac("sha256", secret).update(a).digest();
    const block = createHmac("sha256", secret).update(Buffer.concat([a, labelSeed])).digest();
    out.push(block);
    total += block.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

/** The message as it enters the transcript: header with offset 0 and full length. */
function whole(msg: Buffer): Buffer {
  const h = Buffer.from(msg.subarray(0, 12));
  h.writeUIntBE(0, 6, 3);
  h.writeUIntBE(msg.readUIntBE(1, 3), 9, 3);
  return Buffer.concat([h, msg.subarray(12)]);
}

export class MockPskServer {
  transcript: Buffer[] = [];
  clientRandom = Buffer.alloc(32);
  serverRandom = Buffer.alloc(32, 0xab);  // what serverHelloBody() writes
  keys!: { clientKey: Buffer; serverKey: Buffer; clientSalt: Buffer; serverSalt: Buffer };
  master!: Buffer;
  writeSeq1 = 0;
  writeSeq0 = 10;
  /** RFC 9146: the client's CID, from its ClientHello's connection_id when the ServerHello
   *  carries one too (helloOptions.cid: the server's CID). seal() then sends tls12_cid records
   *  with it (when not empty), and open() takes the client's with the server's CID. */
  clientCid: Buffer | null = null;
  /** Zeros after the real content type in our tls12_cid records. */
  padding = 0;
  /** Answer with helloOptions.cid even when the client offered no connection_id (a server
   *  that breaks RFC 9146 s. 3); otherwise, like a real server, only when it did. */
  cidUnasked = false;

  /** helloOptions: what the ServerHello says (e.g. another max_fragment_length). */
  constructor(readonly psk: Buffer, readonly helloOptions: ServerHelloOptions = {}) {}

  /** Answers the ClientHello datagram with ServerHello + ServerHelloDone. */
  answerClientHello(datagram: Uint8Array): Buffer {
    const [ch] = parseRecords(datagram);
    this.clientRandom = Buffer.from(ch.payload.subarray(12 + 2, 12 + 34));
    const offered = clientHelloExtension(ch.payload, 54);
    this.clientCid = offered && this.helloOptions.cid ? Buffer.from(offered.subarray(1)) : null;
    this.transcript.push(whole(ch.payload));
    const hello = offered || this.cidUnasked ? this.helloOptions : { ...this.helloOptions, cid: undefined };
    const sh = handshake(2, 0, serverHelloBody(hello));
    const shd = handshake(14, 1, Buffer.alloc(0));
    this.transcript.push(sh, shd);
    return Buffer.concat([record(22, 0, this.writeSeq0++, sh), record(22, 0, this.writeSeq0++, shd)]);
  }

  private hash(): Buffer { return createHash("sha256").update(Buffer.concat(this.transcript)).digest(); }

  private nonce(salt: Buffer, epoch: number, seq: number): Buffer {
    const n = Buffer.alloc(12);
    salt.copy(n, 0);
    n.writeUInt16BE(epoch, 4);
    n.writeUIntBE(seq, 6, 6);
    return n;
  }

  private aad(type: number, epoch: number, seq: number, len: number): Buffer {
    const a = Buffer.alloc(13);
    a.writeUInt16BE(epoch, 0);
    a.writeUIntBE(seq, 2, 6);
    a[8] = type;
    a.writeUInt16BE(0xfefd, 9);
    a.writeUInt16BE(len, 11);
    return a;
  }

  /** The length of the CID in the client's tls12_cid records (parseRecords' cidLen). */
  get serverCidLength(): number { return this.helloOptions.cid?.length ?? 0; }

  /** Opens a client record of epoch 1; null if it does not authenticate. */
  open(r: { type: number; epoch: number; seq: number; payload: Buffer; cid?: Buffer }): Buffer | null {
    return this.openTyped(r)?.plain ?? null;
  }

  /** Opens a client record of epoch 1 with its content type: a tls12_cid record's real type
   *  from its DTLSInnerPlaintext (RFC 9146 s. 4), padding removed. */
  openTyped(r: { type: number; epoch: number; seq: number; payload: Buffer; cid?: Buffer }): { type: number; plain: Buffer } | null {
    const explicit = r.payload.subarray(0, 8);
    const body = r.payload.subarray(8, r.payload.length - 8);
    const tag = r.payload.subarray(r.payload.length - 8);
    const nonce = Buffer.concat([this.keys.clientSalt, explicit]);
    const d = createDecipheriv("aes-128-ccm", this.keys.clientKey, nonce, { authTagLength: 8 });
    d.setAuthTag(tag);
    const aad = r.type === 25 ? cidAad(r.cid ?? Buffer.alloc(0), r.epoch, r.seq, body.length) : this.aad(r.type, r.epoch, r.seq, body.length);
    d.setAAD(aad, { plaintextLength: body.length });
    let plain: Buffer;
    try { plain = Buffer.concat([d.update(body), d.final()]); } catch { return null; }
    if (r.type !== 25) return { type: r.type, plain };
    let i = plain.length - 1;
    while (i >= 0 && plain[i] === 0) i--;
    return i < 0 ? null : { type: plain[i], plain: plain.subarray(0, i) };
  }

  /** A record of epoch 1 from the server; seq defaults to the next one. explicitSeq
   *  puts another number in the explicit nonce (and the CCM nonce) than in the header. */
  seal(type: number, plaintext: Buffer, seq = this.writeSeq1++, explicitSeq = seq): Buffer {
    if (this.clientCid?.length) {
      return this.sealInner(Buffer.concat([plaintext, Buffer.from([type]), Buffer.alloc(this.padding)]), this.clientCid, seq);
    }
    const nonce = this.nonce(this.keys.serverSalt, 1, explicitSeq);
    const c = createCipheriv("aes-128-ccm", this.keys.serverKey, nonce, { authTagLength: 8 });
    c.setAAD(this.aad(type, 1, seq, plaintext.length), { plaintextLength: plaintext.length });
    const ct = Buffer.concat([c.update(plaintext), c.final()]);
    return record(type, 1, seq, Buffer.concat([nonce.subarray(4), ct, c.getAuthTag()]));
  }

  /** A tls12_cid record of epoch 1 (RFC 9146): inner is the whole DTLSInnerPlaintext (content,
   *  real type, zeros), cid the one in its header. */
  sealInner(inner: Buffer, cid: Buffer, seq = this.writeSeq1++): Buffer {
    const nonce = this.nonce(this.keys.serverSalt, 1, seq);
    const c = createCipheriv("aes-128-ccm", this.keys.serverKey, nonce, { authTagLength: 8 });
    c.setAAD(cidAad(cid, 1, seq, inner.length), { plaintextLength: inner.length });
    const ct = Buffer.concat([c.update(inner), c.final()]);
    return cidRecord(1, seq, cid, Buffer.concat([nonce.subarray(4), ct, c.getAuthTag()]));
  }

  /** Takes flight 5 (CKE, CCS, Finished), checks the client's Finished, returns the
   *  server's CCS record and its Finished record separately. With newSessionTicket (a
   *  NewSessionTicket body), that message comes first (epoch 0, message_seq 2, in `ticket`)
   *  and the Finished covers it (RFC 5077 3.3). */
  answerFinishedFlight(datagrams: Uint8Array[], tamper = false, newSessionTicket?: Buffer): { ccs: Buffer; finished: Buffer; ticket: Buffer | null } {
    const records = datagrams.flatMap((d) => parseRecords(d, this.serverCidLength));
    const cke = records.find((r) => r.type === 22 && r.epoch === 0)!;
    this.transcript.push(whole(cke.payload));
    const pms = Buffer.concat([Buffer.from([0, this.psk.length]), Buffer.alloc(this.psk.length),
      Buffer.from([0, this.psk.length]), this.psk]);
    this.master = prf(pms, "extended master secret", this.hash(), 48);
    this.deriveKeys();
    const fin = records.find((r) => (r.type === 22 || r.type === 25) && r.epoch === 1)!;
    const opened = this.openTyped(fin);
    if (!opened || opened.type !== 22) throw new Error("client Finished did not authenticate");
    const clientFinished = opened.plain;
    const expected = prf(this.master, "client finished", this.hash(), 12);
    if (!clientFinished.subarray(12).equals(expected)) throw new Error("client verify_data is wrong");
    this.transcript.push(whole(clientFinished));
    const ticket = newSessionTicket ? this.newSessionTicket(2, newSessionTicket) : null;
    const verify = prf(this.master, "server finished", this.hash(), 12);
    if (tamper) verify[0] ^= 1;
    return {
      ccs: record(20, 0, this.writeSeq0++, Buffer.from([1])),
      finished: this.seal(22, handshake(20, ticket ? 3 : 2, verify)),
      ticket,
    };
  }

  private deriveKeys(): void {
    const kb = prf(this.master, "key expansion", Buffer.concat([this.serverRandom, this.clientRandom]), 40);
    this.keys = { clientKey: kb.subarray(0, 16), serverKey: kb.subarray(16, 32), clientSalt: kb.subarray(32, 36), serverSalt: kb.subarray(36, 40) };
  }

  /** A NewSessionTicket message in its epoch-0 record, into the transcript. */
  private newSessionTicket(seq: number, body: Buffer): Buffer {
    const m = handshake(4, seq, body);
    this.transcript.push(m);
    return record(22, 0, this.writeSeq0++, m);
  }

  /** An abbreviated handshake (RFC 5246 7.3) resuming the session whose master secret is
   *  given: answers the ClientHello with ServerHello (echoing its session_id), the
   *  NewSessionTicket if one is given (RFC 5077 3.1), ChangeCipherSpec and Finished. */
  answerResumption(datagram: Uint8Array, master: Buffer, newSessionTicket?: Buffer): Buffer {
    const [ch] = parseRecords(datagram);
    this.clientRandom = Buffer.from(ch.payload.subarray(12 + 2, 12 + 34));
    this.transcript.push(whole(ch.payload));
    const sid = ch.payload.subarray(12 + 35, 12 + 35 + ch.payload[12 + 34]);
    const sh = handshake(2, 0, serverHelloBody({ ...this.helloOptions, sessionId: sid }));
    this.transcript.push(sh);
    const out = [record(22, 0, this.writeSeq0++, sh)];
    if (newSessionTicket) out.push(this.newSessionTicket(1, newSessionTicket));
    this.master = master;
    this.deriveKeys();
    const fin = handshake(20, newSessionTicket ? 2 : 1, prf(master, "server finished", this.hash(), 12));
    this.transcript.push(fin);
    out.push(record(20, 0, this.writeSeq0++, Buffer.from([1])), this.seal(22, fin));
    return Buffer.concat(out);
  }

  /** The client's Finished of an abbreviated handshake (in its last datagram) verifies. */
  clientFinishedVerifies(datagram: Uint8Array): boolean {
    const fin = parseRecords(datagram).find((r) => r.type === 22 && r.epoch === 1);
    const plain = fin ? this.open(fin) : null;
    return plain !== null && plain.subarray(12).equals(prf(this.master, "client finished", this.hash(), 12));
  }
}
