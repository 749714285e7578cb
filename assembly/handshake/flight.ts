// Our last flight, kept as whole plaintext messages so that a retransmission re-sends
// it (RFC 6347 4.2.4) with fresh record sequence numbers, re-fragmented to the PMTU and
// to the peer's max_fragment_length (RFC 7925 section 15).
import { FLIGHT_BUFFER_SIZE, FLIGHT_MAX_ENTRIES, HANDSHAKE_HEADER_LEN } from "../config";
import { CT_HANDSHAKE, CT_CHANGE_CIPHER_SPEC, HT_CLIENT_HELLO } from "../protocol";
import { REASON_NONE, REASON_PMTU_TOO_SMALL, REASON_INTERNAL } from "../errors";
import { put8, put16, put24, get8, get24 } from "../util/bytes";
import { notePeak } from "../regions";
import { REGION_FLIGHT } from "../api_codes";
import { txBeginRecord, txEndRecord, txFlush, txUsed, recordExpansion } from "../record/send";
import { cidTx } from "../record/cid";

export const flightBuffer = memory.data(FLIGHT_BUFFER_SIZE);
// Entry: [content type i32][epoch i32][offset i32][length i32]
const entries = memory.data(FLIGHT_MAX_ENTRIES * 16);
let count: i32 = 0;
let used: i32 = 0;
let openAt: i32 = -1;

export function flightClear(): void { count = 0; used = 0; openAt = -1; }
@inline function entry(i: i32): usize { return entries + (<usize>i << 4); }
export function flightEntryData(i: i32): usize { return flightBuffer + <usize>load<i32>(entry(i), 8); }
export function flightEntryLength(i: i32): i32 { return load<i32>(entry(i), 12); }

function addEntry(type: i32, epoch: i32, offset: i32, len: i32): void {
  const e = entry(count++);
  store<i32>(e, type);
  store<i32>(e, epoch, 4);
  store<i32>(e, offset, 8);
  store<i32>(e, len, 12);
}

// Room left for a message body being built.
export function flightRoom(): i32 { return FLIGHT_BUFFER_SIZE - used - HANDSHAKE_HEADER_LEN; }

// Starts a handshake message; returns where its body goes, or 0 if the flight is full.
export function flightBeginMessage(type: i32, messageSeq: i32): usize {
  if (count >= FLIGHT_MAX_ENTRIES || flightRoom() < 0) return 0;
  const p = flightBuffer + <usize>used;
  put8(p, type);
  put16(p + 4, messageSeq);
  put24(p + 6, 0);
  openAt = used;
  return p + HANDSHAKE_HEADER_LEN;
}

// Ends the message begun last (bodyLen <= flightRoom() at begin time); returns its
// whole encoding (header + body) for the transcript.
export function flightEndMessage(bodyLen: i32, epoch: i32): usize {
  const p = flightBuffer + <usize>openAt;
  put24(p + 1, bodyLen);
  put24(p + 9, bodyLen);
  addEntry(CT_HANDSHAKE, epoch, openAt, HANDSHAKE_HEADER_LEN + bodyLen);
  used = openAt + HANDSHAKE_HEADER_LEN + bodyLen;
  notePeak(REGION_FLIGHT, used);
  openAt = -1;
  return p;
}

export function flightAddChangeCipherSpec(epoch: i32): bool {
  if (count >= FLIGHT_MAX_ENTRIES || used >= FLIGHT_BUFFER_SIZE) return false;
  store<u8>(flightBuffer + <usize>used, 1);
  addEntry(CT_CHANGE_CIPHER_SPEC, epoch, used, 1);
  used += 1;
  notePeak(REGION_FLIGHT, used);
  return true;
}

// Sends the whole flight. pmtu bounds each datagram; maxPlain bounds each record's
// plaintext. Returns REASON_NONE, REASON_PMTU_TOO_SMALL when the PMTU cannot hold a
// minimal record or the whole ClientHello, or REASON_INTERNAL.
export function flightTransmit(pmtu: i32, maxPlain: i32): i32 {
  for (let i = 0; i < count; i++) {
    const e = entry(i);
    const type = load<i32>(e);
    const epoch = load<i32>(e, 4);
    const data = flightBuffer + <usize>load<i32>(e, 8);
    const len = load<i32>(e, 12);
    const expansion = recordExpansion(epoch);
    // RFC 9146: a record with a CID also carries the real content type within the length.
    const plainMax = maxPlain - <i32>(cidTx(epoch) > 0);
    if (type != CT_HANDSHAKE) {
      if (txUsed() + expansion + len > pmtu) txFlush();
      if (expansion + len > pmtu) return REASON_PMTU_TOO_SMALL;
      const p = txBeginRecord(type, epoch);
      if (p == 0) return REASON_INTERNAL;
      memory.copy(p, data, <usize>len);
      txEndRecord(len);
      continue;
    }
    const bodyLen = get24(data + 1);
    // Servers such as Scandium and Mbed TLS do not reassemble a fragmented ClientHello
    // (it comes before any state is kept), so it goes whole or not at all.
    if (get8(data) == HT_CLIENT_HELLO && (expansion + len > pmtu || len > maxPlain)) return REASON_PMTU_TOO_SMALL;
    let offset = 0;
    do {
      let room = pmtu - txUsed() - expansion - HANDSHAKE_HEADER_LEN;
      const want = bodyLen - offset;
      // Start a new datagram rather than send a sliver of a fragment.
      if (txUsed() > 0 && room < want && room < 64) { txFlush(); room = pmtu - expansion - HANDSHAKE_HEADER_LEN; }
      let fragLen = want;
      if (fragLen > room) fragLen = room;
      if (fragLen > plainMax - HANDSHAKE_HEADER_LEN) fragLen = plainMax - HANDSHAKE_HEADER_LEN;
      if (fragLen <= 0 && want > 0) return REASON_PMTU_TOO_SMALL;
      const p = txBeginRecord(CT_HANDSHAKE, epoch);
      if (p == 0) return REASON_INTERNAL;
      memory.copy(p, data, 6);                 // type, length, message_seq
      put24(p + 6, offset);
      put24(p + 9, fragLen);
      memory.copy(p + HANDSHAKE_HEADER_LEN, data + HANDSHAKE_HEADER_LEN + <usize>offset, <usize>fragLen);
      txEndRecord(HANDSHAKE_HEADER_LEN + fragLen);
      offset += fragLen;
    } while (offset < bodyLen);
  }
  txFlush();
  return REASON_NONE;
}
