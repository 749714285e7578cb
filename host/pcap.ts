// --pcap FILE: datagrams as a pcap file (LINKTYPE_RAW: each packet an IPv4 header, a UDP
// header and the datagram), so Wireshark and tshark dissect the DTLS in it. The addresses
// are 127.0.0.1 (fleets and tests run on loopback), the ports the real ones; the UDP socket
// and the emulated link both call packet(). Each packet is written at once (synchronously),
// so the file is complete up to the last datagram even if the program dies.
import { closeSync, openSync, writeSync } from "node:fs";

const PCAP_MAGIC = 0xa1b2c3d4;         // microsecond timestamps, written little-endian
const LINKTYPE_RAW = 101;              // the packet starts with its IP header
const SNAPLEN = 65535;
const IPV4_HEADER_LEN = 20;
const UDP_HEADER_LEN = 8;
const IP_PROTO_UDP = 17;
const LOOPBACK = [127, 0, 0, 1];

/** The RFC 791 header checksum: the ones' complement of the ones' complement sum. */
function ipv4Checksum(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += header.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** An IPv4 + UDP packet from srcPort to dstPort on 127.0.0.1 carrying payload (UDP checksum
 *  0: none, which IPv4 allows, RFC 768). */
export function udpPacket(payload: Uint8Array, srcPort: number, dstPort: number, id = 0): Buffer {
  const total = IPV4_HEADER_LEN + UDP_HEADER_LEN + payload.length;
  const p = Buffer.alloc(total);
  p[0] = 0x45;                          // version 4, 5 words of header
  p.writeUInt16BE(total, 2);
  p.writeUInt16BE(id & 0xffff, 4);
  p[6] = 0x40;                          // don't fragment
  p[8] = 64;                            // TTL
  p[9] = IP_PROTO_UDP;
  p.set(LOOPBACK, 12);
  p.set(LOOPBACK, 16);
  p.writeUInt16BE(ipv4Checksum(p.subarray(0, IPV4_HEADER_LEN)), 10);
  p.writeUInt16BE(srcPort, 20);
  p.writeUInt16BE(dstPort, 22);
  p.writeUInt16BE(UDP_HEADER_LEN + payload.length, 24);
  p.set(payload, IPV4_HEADER_LEN + UDP_HEADER_LEN);
  return p;
}

export class PcapWriter {
  private fd: number;
  private count = 0;

  constructor(readonly file: string) {
    this.fd = openSync(file, "w", 0o600);
    const h = Buffer.alloc(24);
    h.writeUInt32LE(PCAP_MAGIC, 0);
    h.writeUInt16LE(2, 4);                // version 2.4
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(SNAPLEN, 16);
    h.writeUInt32LE(LINKTYPE_RAW, 20);
    writeSync(this.fd, h);
  }

  /** One datagram from srcPort to dstPort; timeMs: when (wall clock by default; the
   *  emulated link gives its virtual time). */
  packet(datagram: Uint8Array, srcPort: number, dstPort: number, timeMs = Date.now()): void {
    if (this.fd < 0) return;
    const p = udpPacket(datagram, srcPort, dstPort, this.count++);
    const h = Buffer.alloc(16);
    const us = Math.round(timeMs * 1000);
    h.writeUInt32LE(Math.floor(us / 1e6) >>> 0, 0);
    h.writeUInt32LE(us % 1e6, 4);
    h.writeUInt32LE(p.length, 8);
    h.writeUInt32LE(p.length, 12);
    writeSync(this.fd, Buffer.concat([h, p]));
  }

  get packets(): number { return this.count; }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
