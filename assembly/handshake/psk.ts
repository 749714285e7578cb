// The PSK key exchange (RFC 4279 s. 2; RFC 7925 s. 4.2).
import { HT_CLIENT_KEY_EXCHANGE, ALERT_DECODE_ERROR } from "../protocol";
import { REASON_DECODE } from "../errors";
import { put16 } from "../util/bytes";
import { readerInit, readerBad, readerAtEnd, readU16, readBytes } from "../util/reader";
import { pskIdentity, pskIdentityLen, psk, pskLen } from "../credentials";
import { premaster } from "./key_schedule";
import { flightBeginMessage, flightEndMessage } from "./flight";
import { verdict, ACCEPTED } from "./verdict";

// ServerKeyExchange: opaque psk_identity_hint<0..2^16-1>. RFC 7925 4.2 leaves the hint
// without use for IoT deployments; we check its encoding and do not act on it.
export function parseServerKeyExchangePsk(body: usize, len: i32): i32 {
  readerInit(body, len);
  readBytes(readU16());
  if (readerBad() || !readerAtEnd()) return verdict(REASON_DECODE, ALERT_DECODE_ERROR);
  return ACCEPTED;
}

// ClientKeyExchange: opaque psk_identity<0..2^16-1>. Returns its encoding, 0 if no room.
export function buildClientKeyExchangePsk(messageSeq: i32): usize {
  const body = flightBeginMessage(HT_CLIENT_KEY_EXCHANGE, messageSeq);
  if (body == 0) return 0;
  put16(body, pskIdentityLen);
  memory.copy(body + 2, pskIdentity, <usize>pskIdentityLen);
  return flightEndMessage(2 + pskIdentityLen, 0);
}

// premaster = uint16 N, N zero bytes, uint16 N, the PSK. Returns its length.
export function buildPremasterPsk(): i32 {
  put16(premaster, pskLen);
  memory.fill(premaster + 2, 0, <usize>pskLen);
  put16(premaster + 2 + <usize>pskLen, pskLen);
  memory.copy(premaster + 4 + <usize>pskLen, psk, <usize>pskLen);
  return 4 + 2 * pskLen;
}
