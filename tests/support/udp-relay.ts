// A UDP relay on 127.0.0.1 between a DTLS client and a real server: tests read every
// datagram on the wire and may rewrite, replace or drop it on its way.
import { createSocket, Socket } from "node:dgram";

export type Sender = "client" | "server";

export interface Relayed {
  from: Sender;
  /** What the sender sent. */
  original: Buffer;
  /** What the relay delivered (null: dropped). */
  delivered: Buffer | null;
}

/** Returns the datagram to deliver (possibly rewritten) or null to drop it. */
export type Rewrite = (datagram: Buffer, from: Sender, index: number) => Buffer | null;

export class UdpRelay {
  /** Every datagram in arrival order, both directions. */
  readonly log: Relayed[] = [];
  private clientAddress: { address: string; port: number } | undefined;
  private counts = { client: 0, server: 0 };

  private constructor(private front: Socket, private back: Socket, readonly serverPort: number, private rewrite: Rewrite) {
    front.on("message", (m, rinfo) => {
      this.clientAddress = { address: rinfo.address, port: rinfo.port };
      this.pass(m, "client");
    });
    back.on("message", (m) => this.pass(m, "server"));
  }

  /** The port clients connect to. */
  get port(): number { return this.front.address().port; }

  static async start(serverPort: number, rewrite: Rewrite = (d) => d): Promise<UdpRelay> {
    const bind = (s: Socket) => new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.bind(0, "127.0.0.1", () => { s.off("error", reject); resolve(); });
    });
    const front = createSocket("udp4");
    const back = createSocket("udp4");
    await bind(front);
    await bind(back);
    return new UdpRelay(front, back, serverPort, rewrite);
  }

  private pass(datagram: Buffer, from: Sender): void {
    const index = this.counts[from]++;
    const delivered = this.rewrite(Buffer.from(datagram), from, index);
    this.log.push({ from, original: Buffer.from(datagram), delivered });
    if (delivered === null) return;
    if (from === "client") this.back.send(delivered, this.serverPort, "127.0.0.1");
    else if (this.clientAddress) this.front.send(delivered, this.clientAddress.port, this.clientAddress.address);
  }

  /** Sends a datagram of our own to the client, as if from the server. */
  sendToClient(datagram: Buffer): void {
    if (!this.clientAddress) throw new Error("no client has spoken yet");
    this.front.send(datagram, this.clientAddress.port, this.clientAddress.address);
  }

  /** The datagrams one side sent (as sent, before any rewriting). */
  sentBy(from: Sender): Buffer[] { return this.log.filter((r) => r.from === from).map((r) => r.original); }

  /** Resolves once pred() holds; rejects after ms (a bound on the wait, not a timing assertion). */
  async waitFor(pred: () => boolean, what: string, ms = 10000): Promise<void> {
    const start = Date.now();
    while (!pred()) {
      if (Date.now() - start > ms) throw new Error(`relay: never saw ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    for (const s of [this.front, this.back]) { try { s.close(); } catch { /* already closed */ } }
  }
}
