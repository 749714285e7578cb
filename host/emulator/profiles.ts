// Link profiles for the links RFC 7925 names (s. 11 and Appendix A). Figures are typical
// values chosen for the emulation, each with where it comes from; override any of them on
// the command line (dtls-client emulate --help).
import { DirectionParams } from "./link";

export interface LinkProfile {
  name: string;
  description: string;
  /** The PMTU the client is configured with on this link (RFC 7925 App. A: it MUST be). */
  pmtu: number;
  up: DirectionParams;   // client -> server
  down: DirectionParams; // server -> client
}

const base: DirectionParams = {
  loss: 0, delayMs: 0, jitterMs: 0, reorder: 0, reorderMs: 0, duplicate: 0, corrupt: 0,
  mtu: 1232, bandwidthBps: 0, overheadBytes: 0,
};

const symmetric = (name: string, description: string, pmtu: number, p: Partial<DirectionParams>): LinkProfile =>
  ({ name, description, pmtu, up: { ...base, ...p }, down: { ...base, ...p } });

// IEEE 802.15.4 frames carry 127 bytes (aMaxPHYPacketSize; RFC 4919, RFC 7925 s. 11). Of
// them: MAC header with short addresses and PAN ID compression 9 + FCS 2; 6LoWPAN IPHC
// (RFC 6282) 2 + the server's global IPv6 address inline 16; UDP next-header compression
// with inline ports and checksum 7. 127 - 36 = 91 bytes of UDP payload in one frame: the
// PMTU that avoids 6LoWPAN fragmentation, whose loss of any fragment loses the datagram.
export const LOWPAN_FRAME = 127;
export const LOWPAN_UDP_PAYLOAD = LOWPAN_FRAME - 9 - 2 - 2 - 16 - 7;

export const PROFILES: Record<string, LinkProfile> = {
  lan: symmetric("lan", "clean wired LAN: 100 Mbit/s Ethernet, 0.1 ms, MTU 1500 (1472 bytes of UDP payload over IPv4)", 1472,
    { delayMs: 0.1, jitterMs: 0.05, mtu: 1472, bandwidthBps: 100e6, overheadBytes: 14 + 4 + 20 + 8 }),
  "6lowpan": symmetric("6lowpan", `IEEE 802.15.4 / 6LoWPAN: 250 kbit/s (2.4 GHz O-QPSK), 127-byte frames, ` +
    `${LOWPAN_UDP_PAYLOAD} bytes of UDP payload per frame, one hop plus a border router: 10 ms + up to 10 ms (CSMA-CA backoff)`,
    LOWPAN_UDP_PAYLOAD, { delayMs: 10, jitterMs: 10, mtu: LOWPAN_UDP_PAYLOAD, bandwidthBps: 250e3, overheadBytes: LOWPAN_FRAME - LOWPAN_UDP_PAYLOAD }),
  // RFC 7925 App. A: PMTU 140 bytes (133 with WDP port addressing), no concatenated SMS.
  // Delivery through the SMS centre takes seconds and does not keep order: 2 s + up to 4 s;
  // about one SMS per second on the signalling channel.
  sms: symmetric("sms", "GSM-SMS (RFC 7925 Appendix A): 140-byte messages, 2 to 6 s one way, unordered, about one message per second",
    140, { delayMs: 2000, jitterMs: 4000, mtu: 140, bandwidthBps: 140 * 8, overheadBytes: 0 }),
  // 3GPP Rel-13 NB-IoT: about 20 kbit/s usable (26 kbit/s peak down, 62 up multi-tone);
  // latency of a few hundred ms to seconds (3GPP TR 45.820 targets under 10 s); IPv6 MTU.
  nbiot: symmetric("nbiot", "NB-IoT: 20 kbit/s, 0.3 to 1.3 s one way, MTU 1280 (1232 bytes of UDP payload)", 1232,
    { delayMs: 300, jitterMs: 1000, mtu: 1232, bandwidthBps: 20e3, overheadBytes: 48 }),
  // LTE-M (Cat-M1): about 375 kbit/s half duplex, 50 to 100 ms one way.
  ltem: symmetric("ltem", "LTE-M (Cat-M1): 375 kbit/s, 50 to 100 ms one way, MTU 1280 (1232 bytes of UDP payload)", 1232,
    { delayMs: 50, jitterMs: 50, mtu: 1232, bandwidthBps: 375e3, overheadBytes: 48 }),
};

export const PROFILE_NAMES = Object.keys(PROFILES);

/** A copy of a profile with the loss rate of both directions set. */
export function withLoss(p: LinkProfile, loss: number): LinkProfile {
  return { ...p, up: { ...p.up, loss }, down: { ...p.down, loss } };
}
