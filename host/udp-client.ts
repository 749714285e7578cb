// The engine on a real UDP socket, with the module's timers on Node's event loop.
// Link filters let tests lose datagrams on purpose in either direction.
import { createSocket, Socket } from "node:dgram";
import { lookup } from "node:dns/promises";
import { isIP, isIPv6 } from "node:net";
import { format } from "node:util";
import * as codes from "./codes";
import { ConfigError, DtlsEngine, DtlsError, EngineOptions, FlightEvent } from "./engine";
import { MSG } from "./messages";

/** The first address of host as the system resolver orders them (as getaddrinfo does for
 *  the posix program); ConfigError when it has none, before anything is sent. */
export async function resolveHost(host: string): Promise<string> {
  if (isIP(host)) return host;
  try {
    return (await lookup(host)).address;
  } catch {
    throw new ConfigError(format(MSG.cannot_resolve, host));
  }
}

export interface LinkFilters {
  /** Return true to drop the n-th datagram (0-based) the client sends. */
  dropOutgoing?: (datagram: Uint8Array, index: number) => boolean;
  /** Return true to drop the n-th datagram (0-based) the client receives. */
  dropIncoming?: (datagram: Uint8Array, index: number) => boolean;
  /** Rewrites a received datagram before the client sees it (tests of tampering). */
  mapIncoming?: (datagram: Buffer, index: number) => Buffer;
}

export class UdpDtlsClient {
  readonly engine: DtlsEngine;
  private socket: Socket;
  private timer: NodeJS.Timeout | undefined;
  private sentCount = 0;
  private pendingSends = 0;
  private closing = false;
  private receivedCount = 0;
  private waiters: Array<() => void> = [];
  private inbox: Buffer[] = [];
  private readers: Array<(data: Buffer) => void> = [];
  onData: (data: Buffer) => void = () => {};
  onFlight: (event: FlightEvent) => void = () => {};
  /** Every datagram sent and received, as it crosses the socket (--pcap, --trace): sent after
   *  the filters' drops, received before the module sees it. */
  onWire: (direction: "sent" | "received", datagram: Uint8Array, localPort: number, peerPort: number) => void = () => {};

  /** options: a new module instance; or an engine whose last connection is over, to connect
   *  it again (it keeps its session: resumption). */
  constructor(readonly host: string, readonly port: number, options: EngineOptions | DtlsEngine, private filters: LinkFilters = {}) {
    this.socket = createSocket(isIPv6(host) ? "udp6" : "udp4");
    if (options instanceof DtlsEngine) {
      this.engine = options;
      this.engine.rebind((d) => this.transmit(d));
    } else {
      this.engine = new DtlsEngine(options, (d) => this.transmit(d));
    }
    this.engine.onFlight = (e) => this.onFlight(e);
    this.socket.on("message", (msg) => this.incoming(msg));
  }

  private transmit(datagram: Uint8Array): void {
    const index = this.sentCount++;
    if (this.filters.dropOutgoing?.(datagram, index)) return;
    this.onWire("sent", datagram, this.boundPort(), this.port);
    this.pendingSends++;
    this.socket.send(datagram, this.port, this.host, () => {
      if (--this.pendingSends === 0 && this.closing) this.closeSocket();
    });
  }

  private incoming(msg: Buffer): void {
    const index = this.receivedCount++;
    if (this.filters.dropIncoming?.(msg, index)) return;
    const datagram = this.filters.mapIncoming ? this.filters.mapIncoming(msg, index) : msg;
    this.onWire("received", datagram, this.boundPort(), this.port);
    this.engine.receive(datagram);
    this.drain();
    this.schedule();
  }

  private drain(): void {
    for (let data = this.engine.read(); data !== null; data = this.engine.read()) {
      this.onData(data);
      const reader = this.readers.shift();
      if (reader) reader(data); else this.inbox.push(data);
    }
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.engine.poll();
    this.drain();
    if (next >= 0) this.timer = setTimeout(() => this.schedule(), Math.max(next, 1));
  }

  private settled(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Binds, runs the handshake and resolves once connected (untilWritable: as soon as the
   *  module lets us write, which False Start allows before the handshake completes). */
  async connect(untilWritable = false): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.socket.once("error", reject);
      this.socket.bind(0, undefined, () => { this.socket.off("error", reject); resolve(); });
    });
    this.engine.connect();
    this.schedule();
    await this.established(untilWritable);
  }

  /** Resolves once connected (untilWritable: once dtls_write is allowed); throws the failure. */
  async established(untilWritable = false): Promise<void> {
    for (;;) {
      const s = this.engine.state;
      if (s === codes.STATE_CONNECTED) return;
      if (s !== codes.STATE_HANDSHAKING) throw this.engine.failure();
      if (untilWritable && this.engine.info(codes.INFO_MAX_WRITE) > 0) return;
      await this.settled();
    }
  }

  write(data: Uint8Array): void {
    const r = this.engine.write(data);
    if (r === codes.ERR_TOO_LARGE) {
      throw new DtlsError(`message of ${data.length} bytes is over the record limit of ${this.engine.info(codes.INFO_MAX_WRITE)}`, "too_large", null);
    }
    if (r < 0) throw this.engine.state === codes.STATE_CONNECTED
      ? new DtlsError(`write failed (${r})`, "write_failed", null) : this.engine.failure();
  }

  /** Resolves with the next application record, or null after timeoutMs. */
  readOne(timeoutMs: number): Promise<Buffer | null> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const reader = (data: Buffer) => { clearTimeout(t); resolve(data); };
      const t = setTimeout(() => {
        this.readers = this.readers.filter((r) => r !== reader);
        resolve(null);
      }, timeoutMs);
      this.readers.push(reader);
    });
  }

  /** Sends close_notify (if connected) and resolves once the socket is closed. */
  close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.engine.close();
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.socket.once("close", () => resolve()));
    if (this.pendingSends === 0) this.closeSocket();
    return closed;
  }

  /** Closes the socket once the datagrams handed to it (close_notify) are out. */
  private closeSocket(): void {
    try { this.socket.close(); } catch { this.socket.emit("close"); }
  }

  get state(): number { return this.engine.state; }

  private boundPort(): number {
    try { return this.socket.address().port; } catch { return 0; }
  }

  /** The local UDP port the client sends from. */
  get localPort(): number { return this.socket.address().port; }

  /** Moves the connection to a new UDP socket, i.e. a new source port, as a NAT rebinding
   *  does (RFC 9146: with connection IDs the server keeps the connection). The module is not
   *  told: it never sees addresses. Resolves with the new port once it is bound. */
  async rebind(): Promise<number> {
    const fresh = createSocket(isIPv6(this.host) ? "udp6" : "udp4");
    await new Promise<void>((resolve, reject) => {
      fresh.once("error", reject);
      fresh.bind(0, undefined, () => { fresh.off("error", reject); resolve(); });
    });
    fresh.on("message", (msg) => this.incoming(msg));
    const old = this.socket;
    this.socket = fresh;
    old.removeAllListeners("message");
    try { old.close(); } catch { /* already closed */ }
    return this.localPort;
  }
}
