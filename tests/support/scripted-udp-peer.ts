// A scripted PSK server on 127.0.0.1 (the mock of tests/support/mock-psk-server.ts on a UDP
// socket) that ends a client's session in a chosen way, so the three client programs can be
// driven through the same endings: echo, silence, a Finished that does not verify, a fatal
// alert or a close_notify after the handshake. It serves one client and notes what it saw.
import { createSocket, Socket } from "node:dgram";
import { MockPskServer } from "./mock-psk-server";
import { parseRecords } from "./wire";

export type PeerScript =
  | "echo"              // application data comes back
  | "silent"            // handshake, then no answer to data
  | "bad-finished"      // the server's Finished does not verify: the handshake fails after ServerHello
  | "alert-after-data"  // handshake, then a fatal internal_error alert in answer to data
  | "close-after-data"  // handshake, then close_notify in answer to data
  | "echo-cid";         // echo, with RFC 9146 connection IDs (the server's: ECHO_CID) when the client offers one

/** The server's connection ID in the "echo-cid" script. */
export const ECHO_CID = Buffer.from("c1d2", "hex");

export class ScriptedUdpPeer {
  /** Alerts the client sent, decrypted: [level, description]. */
  readonly clientAlerts: Array<[number, number]> = [];
  readonly clientData: string[] = [];
  readonly errors: string[] = [];
  private mock: MockPskServer;
  private flight5: Buffer[] = [];
  private phase: "hello" | "finished" | "data" = "hello";

  private constructor(private socket: Socket, psk: Buffer, readonly script: PeerScript) {
    this.mock = new MockPskServer(psk, script === "echo-cid" ? { cid: ECHO_CID } : {});
    socket.on("message", (m, rinfo) => {
      try {
        for (const reply of this.answer(Buffer.from(m))) socket.send(reply, rinfo.port, rinfo.address);
      } catch (e) {
        this.errors.push((e as Error).message);
      }
    });
  }

  static async start(psk: Buffer, script: PeerScript): Promise<ScriptedUdpPeer> {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(0, "127.0.0.1", () => { socket.off("error", reject); resolve(); });
    });
    return new ScriptedUdpPeer(socket, psk, script);
  }

  get port(): number { return this.socket.address().port; }

  private answer(d: Buffer): Buffer[] {
    const records = parseRecords(d, this.mock.serverCidLength);
    if (this.phase === "hello") {
      if (records[0]?.type !== 22 || records[0].payload[0] !== 1) return [];
      this.phase = "finished";
      return [this.mock.answerClientHello(d)];
    }
    if (this.phase === "finished") {
      if (records.every((r) => r.epoch === 0 && r.type === 22 && r.payload[0] === 1)) return []; // a resent ClientHello
      this.flight5.push(d);
      if (!this.flight5.flatMap((x) => parseRecords(x, this.mock.serverCidLength)).some((r) => r.epoch === 1)) return [];
      this.phase = "data";
      const { ccs, finished } = this.mock.answerFinishedFlight(this.flight5, this.script === "bad-finished");
      return [Buffer.concat([ccs, finished])];
    }
    const out: Buffer[] = [];
    for (const r of records) {
      const opened = r.epoch === 1 ? this.mock.openTyped(r) : r.type === 21 ? { type: 21, plain: r.payload } : null;
      if (!opened) continue;
      const { type, plain } = opened;
      if (type === 21) this.clientAlerts.push([plain[0], plain[1]]);
      if (type !== 23) continue;
      this.clientData.push(plain.toString("utf8"));
      if (this.script === "echo" || this.script === "echo-cid") out.push(this.mock.seal(23, plain));
      if (this.script === "alert-after-data") out.push(this.mock.seal(21, Buffer.from([2, 80])));
      if (this.script === "close-after-data") out.push(this.mock.seal(21, Buffer.from([1, 0])));
    }
    return out;
  }

  close(): void { try { this.socket.close(); } catch { /* already closed */ } }
}
