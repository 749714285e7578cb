// The reference server on a real UDP socket of 127.0.0.1, in real time.
import { createSocket, Socket } from "node:dgram";
import { randomBytes } from "node:crypto";
import { RefServer, RefServerOptions } from "./server";

export class RefServerUdp {
  private timer: NodeJS.Timeout | undefined;
  private constructor(readonly server: RefServer, private socket: Socket, readonly port: number) {}

  /** Binds host:port (default 127.0.0.1, an ephemeral port) and serves. */
  static async start(opts: RefServerOptions, where: { host?: string; port?: number } = {}): Promise<RefServerUdp> {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(where.port ?? 0, where.host ?? "127.0.0.1", () => { socket.off("error", reject); resolve(); });
    });
    let self: RefServerUdp | undefined;
    const server = new RefServer(opts, {
      send: (d, peer) => {
        const i = peer.lastIndexOf(":");
        socket.send(d, Number(peer.slice(i + 1)), peer.slice(0, i));
      },
      now: () => Date.now(),
      random: (n) => randomBytes(n),
      wake: () => self?.schedule(),
    });
    self = new RefServerUdp(server, socket, socket.address().port);
    socket.on("message", (msg, rinfo) => {
      server.receive(msg, `${rinfo.address}:${rinfo.port}`);
      self!.schedule();
    });
    return self;
  }

  /** The setTimeout for nextTimerMs(), again after every event. */
  schedule(): void {
    clearTimeout(this.timer);
    const at = this.server.nextTimerMs();
    if (at === null) return;
    this.timer = setTimeout(() => { this.server.onTimer(); this.schedule(); }, Math.max(0, at - Date.now()));
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    await new Promise<void>((r) => this.socket.close(() => r()));
  }
}
