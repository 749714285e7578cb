// Plays back a server's side of a recorded session (tests/support/udp-relay.ts's log) to
// another client: each client datagram must be the recorded one, and the server datagrams
// that followed it in the recording are sent in answer. A client that is deterministic
// (same --seed, same session) therefore gets the same session, byte for byte, without the
// real server, whose own randomness would make every run differ.
import { createSocket, Socket } from "node:dgram";
import { Relayed } from "./udp-relay";

export class ReplayPeer {
  /** Client datagrams as received, in order. */
  readonly received: Buffer[] = [];
  /** The first client datagram that differed from the recording (its index), or -1. */
  mismatchAt = -1;
  private next = 0;

  private constructor(private socket: Socket, private script: Relayed[]) {
    socket.on("message", (m, rinfo) => this.onClient(Buffer.from(m), rinfo.port, rinfo.address));
  }

  static async start(recording: Relayed[]): Promise<ReplayPeer> {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(0, "127.0.0.1", () => { socket.off("error", reject); resolve(); });
    });
    return new ReplayPeer(socket, recording.filter((r) => r.delivered !== null));
  }

  get port(): number { return this.socket.address().port; }

  private onClient(datagram: Buffer, port: number, address: string): void {
    this.received.push(datagram);
    const expected = this.script[this.next];
    if (this.mismatchAt >= 0 || !expected || expected.from !== "client" || !expected.original.equals(datagram)) {
      if (this.mismatchAt < 0) this.mismatchAt = this.received.length - 1;
      return;   // off the script: stay silent, the test reports where it left it
    }
    this.next++;
    while (this.next < this.script.length && this.script[this.next].from === "server") {
      this.socket.send(this.script[this.next++].original, port, address);
    }
  }

  close(): void { try { this.socket.close(); } catch { /* closed */ } }
}
