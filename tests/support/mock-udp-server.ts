// The mock PSK server (tests/support/mock-psk-server.ts) on a real UDP socket on 127.0.0.1:
// a deterministic peer (fixed server random, fixed sequence numbers, no cookie), so two
// clients fed the same random bytes must exchange exactly the same datagrams with it.
// It answers one client: ClientHello -> ServerHello+ServerHelloDone, the client's
// CKE/CCS/Finished -> CCS+Finished, application data -> the same text back; it records
// every datagram both ways.
import { Socket } from "node:dgram";
import { bindLoopbackUdp } from "./servers";
import { MockPskServer } from "./mock-psk-server";
import { parseRecords } from "./wire";

export interface Exchanged { from: "client" | "server"; data: Buffer }

export class MockUdpPskServer {
  readonly log: Exchanged[] = [];
  /** Problems the server met (a test asserts there are none). */
  readonly errors: string[] = [];
  private mock: MockPskServer;
  private flight5: Buffer[] = [];
  private phase: "hello" | "finished" | "data" = "hello";

  private constructor(private socket: Socket, psk: Buffer) {
    this.mock = new MockPskServer(psk);
    socket.on("message", (m, rinfo) => {
      this.log.push({ from: "client", data: Buffer.from(m) });
      try {
        for (const reply of this.answer(Buffer.from(m))) {
          this.log.push({ from: "server", data: reply });
          socket.send(reply, rinfo.port, rinfo.address);
        }
      } catch (e) {
        this.errors.push((e as Error).message);
      }
    });
  }

  static async start(psk: Buffer): Promise<MockUdpPskServer> {
    return new MockUdpPskServer(await bindLoopbackUdp(), psk);
  }

  get port(): number { return this.socket.address().port; }

  private answer(d: Buffer): Buffer[] {
    const records = parseRecords(d);
    if (this.phase === "hello") {
      if (records[0]?.type !== 22 || records[0].payload[0] !== 1) throw new Error("expected a ClientHello");
      this.phase = "finished";
      return [this.mock.answerClientHello(d)];
    }
    if (this.phase === "finished") {
      this.flight5.push(d);
      if (!this.flight5.flatMap((x) => parseRecords(x)).some((r) => r.type === 22 && r.epoch === 1)) return [];
      this.phase = "data";
      const { ccs, finished } = this.mock.answerFinishedFlight(this.flight5);
      return [Buffer.concat([ccs, finished])];
    }
    const out: Buffer[] = [];
    for (const r of records) {
      const plain = r.epoch === 1 ? this.mock.open(r) : null;
      if (!plain) throw new Error(`a record of type ${r.type} epoch ${r.epoch} did not open`);
      if (r.type === 23) out.push(this.mock.seal(23, plain));
    }
    return out;
  }

  close(): void { try { this.socket.close(); } catch { /* already closed */ } }
}
