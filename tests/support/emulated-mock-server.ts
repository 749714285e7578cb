// MockPskServer (PSK, AES-128-CCM-8, no HelloVerifyRequest, no timers) behind the emulator's
// server interface: answers a repeated flight with its first answer, echoes application
// data. A test supplement to host/refserver's RefServer, for the emulator's plumbing.
import { MockPskServer } from "./mock-psk-server";
import { parseRecords } from "./wire";
import { EmulatedServer, EmulatedServerIo } from "../../host/emulator/emulate";

export class EmulatedMockServer implements EmulatedServer {
  private mock: MockPskServer;
  private hello: Buffer | null = null;
  private flight5: Uint8Array[] = [];
  private finished: Buffer | null = null;
  /** Application records echoed. */
  echoed = 0;

  constructor(psk: Buffer, private io: EmulatedServerIo) { this.mock = new MockPskServer(psk); }

  receive(d: Uint8Array, peer: string): void {
    const records = parseRecords(d);
    if (records.some((r) => r.type === 22 && r.epoch === 0 && r.payload[0] === 1)) {
      this.hello ??= this.mock.answerClientHello(d);
      this.io.send(this.hello, peer);
      return;
    }
    if (this.finished) {
      for (const r of records) {
        if (r.type === 23 && r.epoch === 1) {
          const plain = this.mock.open(r);
          if (plain) { this.echoed++; this.io.send(this.mock.seal(23, plain), peer); }
        } else if (r.type === 22) this.io.send(this.finished, peer);
      }
      return;
    }
    this.flight5.push(d);
    const all = this.flight5.flatMap((x) => parseRecords(x));
    if (all.some((r) => r.type === 22 && r.epoch === 0) && all.some((r) => r.type === 22 && r.epoch === 1)) {
      const { ccs, finished } = this.mock.answerFinishedFlight(this.flight5);
      this.finished = Buffer.concat([ccs, finished]);
      this.io.send(this.finished, peer);
    }
  }

  nextTimerMs(): number | null { return null; }
  onTimer(): void {}
}
