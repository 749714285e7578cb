// Splits a received datagram into records (RFC 6347 4.1) and opens protected ones.
// A malformed header ends the datagram's parsing: the rest is dropped silently
// (RFC 6347 4.1.2.7: invalid records are discarded, the connection lives on).
import { RECORD_HEADER_LEN } from "../config";
import { get8, get16, get48 } from "../util/bytes";
import { serverWriteKey, serverWriteSalt } from "./keys";
import { replayFresh, replayMark } from "./replay";
import { openRecord, PROTECTED_PAYLOAD_OFFSET } from "./protect";

let dgram: usize = 0;
let dgramLen: i32 = 0;
let offset: i32 = 0;

// The current record, valid after recordNext() returned true.
export let recType: i32 = 0;
export let recVersion: i32 = 0;
export let recEpoch: i32 = 0;
export let recSeq: u64 = 0;
export let recStart: usize = 0;      // the header
export let recFragmentLen: i32 = 0;  // length field
export let recPayload: usize = 0;    // plaintext after recordOpen
export let recPayloadLen: i32 = 0;

let dropped: i32 = 0;
let tooLarge: i32 = 0;
export function recordsDropped(): i32 { return dropped; }
export function datagramsTooLarge(): i32 { return tooLarge; }
export function countDrop(): void { dropped++; }
export function countDatagramTooLarge(): void { tooLarge++; }
export function resetDropCount(): void { dropped = 0; tooLarge = 0; }

export function recordsBegin(p: usize, len: i32): void { dgram = p; dgramLen = len; offset = 0; }

export function recordNext(): bool {
  if (dgramLen - offset < RECORD_HEADER_LEN) {
    if (dgramLen > offset) dropped++;
    return false;
  }
  const h = dgram + <usize>offset;
  const len = get16(h + 11);
  if (len > dgramLen - offset - RECORD_HEADER_LEN) { dropped++; offset = dgramLen; return false; }
  recordLoad(h, len);
  offset += RECORD_HEADER_LEN + len;
  return true;
}

// Checks replay and, in epoch 1, authenticates and decrypts the current record.
// False = drop it silently. Only records of the current read epoch get here.
export function recordOpen(): bool {
  if (!replayFresh(recEpoch, recSeq)) { dropped++; return false; }
  if (recEpoch > 0) {
    const n = openRecord(recStart, recFragmentLen, serverWriteKey, serverWriteSalt);
    if (n < 0) { dropped++; return false; }
    recPayload = recStart + PROTECTED_PAYLOAD_OFFSET;
    recPayloadLen = n;
  }
  replayMark(recEpoch, recSeq);
  return true;
}

// Lets the connection re-run a buffered record through recordOpen.
export function recordLoad(h: usize, len: i32): void {
  recType = get8(h);
  recVersion = get16(h + 1);
  recEpoch = get16(h + 3);
  recSeq = get48(h + 5);
  recStart = h;
  recFragmentLen = len;
  recPayload = h + RECORD_HEADER_LEN;
  recPayloadLen = len;
}

