// `dtls-client emulate --pcap FILE` and `--trace`: the datagrams of an emulated run as the
// client's own interface sees them (what it sends, at the time it sends; what reaches it, at
// the time it arrives: a server datagram the link lost is not there, one it corrupted is there
// corrupted, a duplicate twice), with the emulator's virtual timestamps (0 = dtls_connect,
// shown by tshark as 1970-01-01). The same writers as dtls-client's: host/pcap.ts, host/trace.ts.
import { PcapWriter } from "../pcap";
import { Direction as WireDirection, Tracer } from "../trace";
import { Trace, TraceEvent } from "./trace";

/** The ports written for a virtual run: the server's the CoAPS port (RFC 7252 s. 12.7), the
 *  client's the first of the dynamic range (the emulated client has no socket). */
export const VIRTUAL_PORTS = { client: 49152, server: 5684 };

/** The client's view: its sends and the deliveries to it, in time order. */
export function clientSide(trace: Trace): Array<{ e: TraceEvent; dir: WireDirection; bytes: Buffer }> {
  return trace.events.filter((e) => (e.dir === "c>s" && e.what === "send") || (e.dir === "s>c" && e.what === "deliver"))
    .map((e) => ({ e, dir: e.dir === "c>s" ? "sent" as const : "received" as const, bytes: Buffer.from(e.hex, "hex") }));
}

/** Writes the client's view as a pcap file; returns the number of packets. */
export function writePcap(trace: Trace, file: string, ports = VIRTUAL_PORTS): number {
  const w = new PcapWriter(file);
  try {
    for (const { e, dir, bytes } of clientSide(trace)) {
      if (dir === "sent") w.packet(bytes, ports.client, ports.server, e.t);
      else w.packet(bytes, ports.server, ports.client, e.t);
    }
    return w.packets;
  } finally {
    w.close();
  }
}

/** --trace: each record and handshake message of the client's view, decoded, one line each,
 *  after its virtual time (as in the timeline). */
export function traceLines(trace: Trace, ownCidLen?: number): string[] {
  const tracer = new Tracer(ownCidLen);
  return clientSide(trace).flatMap(({ e, dir, bytes }) =>
    tracer.lines(dir, bytes).map((l) => `${(e.t / 1000).toFixed(3).padStart(9)} s  ${l}`));
}
