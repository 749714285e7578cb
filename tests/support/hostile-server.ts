// A hostile DTLS server on a real UDP socket on 127.0.0.1, playing one scenario of issue 8's
// bug classes against one client program (Node CLI, posix, wasm3). Built on the scripted
// PSK server (mock-psk-server.ts): it completes the handshake where the scenario needs it
// and then misbehaves. It records every datagram the client sends, decrypts the client's
// epoch-1 records, and counts the bytes both ways.
import { Socket } from "node:dgram";
import { bindLoopbackUdp } from "./servers";
import { createHash } from "node:crypto";
import { MockPskServer, prf } from "./mock-psk-server";
import { record, handshake, serverHelloBody, parseRecords, ServerHelloOptions } from "./wire";

export type Scenario =
  | "bad-then-good-finished"   // one record: [Finished, wrong verify_data][Finished, right, message_seq 3]
  | "epoch0-bad-then-more"     // one record: ServerHello, malformed ServerKeyExchange, ServerHelloDone
  | "hvr-storm"                // HelloVerifyRequest, then copies of it; nothing else
  | "shd-storm"                // flight 4; on flight 5, copies of ServerHelloDone instead of CCS/Finished
  | "big-records"              // a normal handshake; the client's data gets one record of replySize bytes
  | "nonce-mismatch";          // a normal handshake; the client's data gets a forged-nonce record, then the genuine one

export interface HostileOptions {
  scenario: Scenario;
  psk: Buffer;
  /** What the ServerHello says (big-records: the max_fragment_length answered, or none). */
  hello?: ServerHelloOptions;
  /** big-records: the plaintext length of the reply record. */
  replySize?: number;
  /** Storms: how many copies, spread over stormMs (default 2000 over 1000 ms). */
  copies?: number;
  stormMs?: number;
}

const HT = { CLIENT_HELLO: 1, SERVER_HELLO: 2, HVR: 3, SKE: 12, SHD: 14, CKE: 16, FINISHED: 20 };
const CT = { CCS: 20, ALERT: 21, HANDSHAKE: 22, APP: 23 };
/** What nonce-mismatch sends: the forged record's text, then the genuine one's. */
export const FORGED_TEXT = "forged: explicit nonce is not the sequence number";
export const GENUINE_TEXT = "genuine reply";
/** big-records: the reply of n bytes, printable so every program's JSON carries it as is. */
export function bigReply(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = 0x41 + (i % 26);
  return b;
}

export interface ClientRecord {
  type: number; epoch: number; seq: number; payload: Buffer;
  /** Epoch 0: the payload; epoch 1: the decrypted plaintext, null if it did not open. */
  plain: Buffer | null;
}

export class HostileServer {
  /** Every datagram the client sent, in order. */
  readonly datagrams: Buffer[] = [];
  /** Problems of the server itself (a test asserts there are none). */
  readonly errors: string[] = [];
  bytesIn = 0;
  bytesOut = 0;
  /** Storm copies actually handed to the socket. */
  copiesSent = 0;
  private readonly mock: MockPskServer;
  private phase: "hello" | "flight5" | "connected" | "done" = "hello";
  private flight4: Buffer[] = [];          // handshake messages, re-recorded on a resend
  private flight5: Buffer[] = [];
  private finishedMessage: Buffer | null = null;
  private peer: { port: number; address: string } | null = null;
  private timers: NodeJS.Timeout[] = [];
  private closed = false;

  private constructor(private readonly socket: Socket, readonly options: HostileOptions) {
    this.mock = new MockPskServer(options.psk, options.hello);
    socket.on("error", (e) => this.errors.push(`socket: ${e.message}`));
    socket.on("message", (m, rinfo) => {
      const d = Buffer.from(m);
      this.datagrams.push(d);
      this.bytesIn += d.length;
      if (this.peer === null) this.peer = { port: rinfo.port, address: rinfo.address };
      try { this.answer(d); } catch (e) { this.errors.push((e as Error).message); }
    });
  }

  static async start(options: HostileOptions): Promise<HostileServer> {
    return new HostileServer(await bindLoopbackUdp(), options);
  }

  get port(): number { return this.socket.address().port; }

  /** The client's records in order, epoch 1 decrypted once the keys are known. */
  records(): ClientRecord[] {
    return this.datagrams.flatMap((d) => parseRecords(d)).map((r) => ({
      ...r, plain: r.epoch === 0 ? r.payload : this.mock.keys ? this.mock.open(r) : null,
    }));
  }

  /** The alerts the client sent, [level, description] ([-1, -1]: one that did not open). */
  alerts(): Array<[number, number]> {
    return this.records().filter((r) => r.type === CT.ALERT)
      .map((r): [number, number] => (r.plain && r.plain.length >= 2 ? [r.plain[0], r.plain[1]] : [-1, -1]));
  }

  /** The handshake message types in the client's epoch-0 handshake records. */
  handshakeTypes(): number[] {
    return this.records().filter((r) => r.type === CT.HANDSHAKE && r.epoch === 0).map((r) => r.payload[0]);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    try { this.socket.close(); } catch { /* already closed */ }
  }

  private send(d: Buffer): void {
    if (this.closed || this.peer === null) return;
    this.bytesOut += d.length;
    this.socket.send(d, this.peer.port, this.peer.address);
  }

  /** Handshake messages in fresh epoch-0 records (a resend is never a replay). */
  private sendPlain(messages: Buffer[]): void {
    this.send(Buffer.concat(messages.map((m) => record(CT.HANDSHAKE, 0, this.mock.writeSeq0++, m))));
  }

  /** `copies` datagrams from make(), paced evenly over stormMs (by the clock, so a slow
   *  event loop sends bigger batches): a flood the client's socket can mostly take in,
   *  lasting several of its timer periods. */
  private storm(make: () => Buffer): void {
    const copies = this.options.copies ?? 2000;
    const stormMs = this.options.stormMs ?? 1000;
    const start = Date.now();
    const step = () => {
      const due = Math.min(copies, Math.ceil(copies * (Date.now() - start + 10) / stormMs));
      while (this.copiesSent < due && !this.closed) { this.send(make()); this.copiesSent++; }
      if (this.copiesSent < copies && !this.closed) this.timers.push(setTimeout(step, 10));
    };
    step();
  }

  private answer(d: Buffer): void {
    const records = parseRecords(d);
    const isClientHello = records.some((r) => r.type === CT.HANDSHAKE && r.epoch === 0 && r.payload[0] === HT.CLIENT_HELLO);
    const { scenario } = this.options;
    if (this.phase === "hello") {
      if (!isClientHello) throw new Error("expected a ClientHello first");
      this.phase = "flight5";
      if (scenario === "hvr-storm") {
        this.phase = "done";   // everything else is ignored
        const hvr = handshake(HT.HVR, 0, Buffer.from([0xfe, 0xff, 8, 1, 2, 3, 4, 5, 6, 7, 8]));
        this.sendPlain([hvr]);
        this.storm(() => record(CT.HANDSHAKE, 0, this.mock.writeSeq0++, hvr));
        return;
      }
      if (scenario === "epoch0-bad-then-more") {
        this.phase = "done";
        // The PSK identity hint says 9 bytes; 1 follows (RFC 4279 s. 2: decode_error).
        this.send(record(CT.HANDSHAKE, 0, this.mock.writeSeq0++, Buffer.concat([
          handshake(HT.SERVER_HELLO, 0, serverHelloBody(this.options.hello)),
          handshake(HT.SKE, 1, Buffer.from([0, 9, 1])),
          handshake(HT.SHD, 2, Buffer.alloc(0))])));
        return;
      }
      const answer = this.mock.answerClientHello(d);
      this.flight4 = parseRecords(answer).map((r) => Buffer.from(r.payload));
      this.send(answer);
      return;
    }
    if (this.phase === "flight5") {
      if (isClientHello) { this.sendPlain(this.flight4); return; }   // our flight 4 was late: resend it
      this.flight5.push(d);
      const all = this.flight5.flatMap((x) => parseRecords(x));
      const complete = all.some((r) => r.type === CT.HANDSHAKE && r.epoch === 0 && r.payload[0] === HT.CKE)
        && all.some((r) => r.type === CT.HANDSHAKE && r.epoch === 1);
      if (!complete) return;
      this.onFlight5();
      return;
    }
    if (this.phase === "connected") {
      if (records.some((r) => r.type === CT.HANDSHAKE && r.epoch === 0 && r.payload[0] === HT.CKE)) {
        this.resendFinished();   // our CCS/Finished was lost: resend in fresh records
        return;
      }
      const data = records.find((r) => r.type === CT.APP && r.epoch === 1);
      if (!data) return;
      if (!this.mock.open(data)) throw new Error("the client's application data did not open");
      this.phase = "done";       // one reply, to the first data only
      if (scenario === "big-records") {
        this.send(this.mock.seal(CT.APP, bigReply(this.options.replySize ?? 1024)));
      } else if (scenario === "nonce-mismatch") {
        // Same header sequence number for both: the forgery must not burn it. Its CCM tag
        // is right for its own (mismatched) nonce and the header's AAD.
        const seq = this.mock.writeSeq1++;
        this.send(this.mock.seal(CT.APP, Buffer.from(FORGED_TEXT), seq, seq + 1));
        this.send(this.mock.seal(CT.APP, Buffer.from(GENUINE_TEXT), seq));
      }
    }
  }

  /** What the server's Finished must say, from the transcript once the client's Finished is in. */
  private serverVerifyData(): Buffer {
    const hash = createHash("sha256").update(Buffer.concat(this.mock.transcript)).digest();
    return prf(this.mock.master, "server finished", hash, 12);
  }

  private onFlight5(): void {
    const { ccs, finished } = this.mock.answerFinishedFlight(this.flight5);
    const { scenario } = this.options;
    if (scenario === "shd-storm") {
      this.phase = "done";
      const shd = handshake(HT.SHD, 1, Buffer.alloc(0));
      this.storm(() => record(CT.HANDSHAKE, 0, this.mock.writeSeq0++, shd));
      return;
    }
    if (scenario === "bad-then-good-finished") {
      this.phase = "done";
      const good = this.serverVerifyData();
      const bad = Buffer.from(good);
      bad[0] ^= 1;
      this.send(ccs);
      this.send(this.mock.seal(CT.HANDSHAKE, Buffer.concat([handshake(HT.FINISHED, 2, bad), handshake(HT.FINISHED, 3, good)])));
      return;
    }
    this.phase = "connected";
    this.finishedMessage = handshake(HT.FINISHED, 2, this.serverVerifyData());
    this.send(Buffer.concat([ccs, finished]));
  }

  private resendFinished(): void {
    const ccs = record(CT.CCS, 0, this.mock.writeSeq0++, Buffer.from([1]));
    this.send(Buffer.concat([ccs, this.mock.seal(CT.HANDSHAKE, this.finishedMessage!)]));
  }
}
