// Splits a received datagram into records (RFC 6347 4.1) and opens protected ones.
// A malformed header ends the datagram's parsing: the rest is dropped silently
// (RFC 6347 4.1.2.7: invalid records are discarded, the connection lives on).
import { RECORD_HEADER_LEN, AEAD_EXPLICIT_NONCE_LEN } from "../config";
import { CT_TLS12_CID } from "../protocol";
import { get8, get16, get48 } from "../util/bytes";
import { ctEqual } from "../crypto/ct";
import { serverWriteKey, serverWriteSalt } from "./keys";
import { replayFresh, replayMark } from "./replay";
import { openRecord, innerTypeAt } from "./protect";
import { ownCid, rxCidLen } from "./cid";

let dgram: usize = 0;
let dgramLen: i32 = 0;
let offset: i32 = 0;

// The current record, valid after recordNext() returned true.
export let recType: i32 = 0;
export let recVersion: i32 = 0;
export let recEpoch: i32 = 0;
export let recSeq: u64 = 0;
export let recStart: usize = 0;      // the header
export let recHeaderLen: i32 = 0;    // 13, or 13 + our CID's length for tls12_cid (RFC 9146 s. 4)
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
  const left = dgramLen - offset;
  const h = dgram + <usize>offset;
  // RFC 9146 s. 4: a tls12_cid record has our CID before its length, so it can be delimited
  // only once a CID of ours is negotiated; until then the rest of the datagram is dropped.
  // (An empty CID of ours means the server sends RFC 6347 records: s. 3.)
  const withCid = left > 0 && get8(h) == CT_TLS12_CID;
  const headerLen = RECORD_HEADER_LEN + (withCid ? rxCidLen : 0);
  if ((withCid && rxCidLen <= 0) || left < headerLen) {
    if (left > 0) { dropped++; offset = dgramLen; }
    return false;
  }
  const len = get16(h + <usize>headerLen - 2);
  if (len > left - headerLen) { dropped++; offset = dgramLen; return false; }
  recordLoad(h);
  offset += headerLen + len;
  return true;
}

// Checks replay and, in epoch 1, authenticates and decrypts the current record.
// False = drop it silently. Only records of the current read epoch get here.
export function recordOpen(): bool {
  if (!replayFresh(recEpoch, recSeq)) { dropped++; return false; }
  if (recEpoch > 0) {
    const n = recordDecrypt();
    if (n < 0) { dropped++; return false; }
    recPayload = recStart + <usize>(recHeaderLen + AEAD_EXPLICIT_NONCE_LEN);
    recPayloadLen = n;
  }
  replayMark(recEpoch, recSeq);
  return true;
}

// Authenticates and decrypts the current (protected) record in place: the plaintext length,
// or -1. A tls12_cid record's real type replaces recType; one whose DTLSInnerPlaintext is all
// zeros keeps tls12_cid as its type, which no layer above accepts (RFC 8446 5.4 via RFC 9146
// s. 4: unexpected_message).
export function recordDecrypt(): i32 {
  const cid = recType == CT_TLS12_CID ? rxCidLen : 0;
  const n = openRecord(recStart, cid, recFragmentLen, serverWriteKey, serverWriteSalt);
  if (n < 0 || cid == 0) return n;
  const inner = recStart + <usize>(recHeaderLen + AEAD_EXPLICIT_NONCE_LEN);
  const at = innerTypeAt(inner, n);
  if (at < 0) return 0;
  recType = get8(inner + <usize>at);
  return at;
}

// RFC 9146 s. 3 and 4: once a CID of ours is negotiated, every protected record must carry
// it, so a record of epoch > 0 without it is invalid; a tls12_cid record must be protected
// and carry our CID (an attacker's guess at it gains nothing: the record must still
// authenticate). Invalid records are dropped silently (RFC 6347 4.1.2.1).
export function recordCidValid(): bool {
  if (recType == CT_TLS12_CID) return recEpoch > 0 && ctEqual(recStart + 11, ownCid, rxCidLen);
  return recEpoch == 0 || rxCidLen <= 0;
}

// Loads the record whose header is at h (already delimited by recordNext), e.g. to re-run a
// buffered record through recordOpen.
export function recordLoad(h: usize): void {
  recType = get8(h);
  recVersion = get16(h + 1);
  recEpoch = get16(h + 3);
  recSeq = get48(h + 5);
  recStart = h;
  recHeaderLen = RECORD_HEADER_LEN + (recType == CT_TLS12_CID ? rxCidLen : 0);
  recFragmentLen = get16(h + <usize>recHeaderLen - 2);
  recPayload = h + <usize>recHeaderLen;
  recPayloadLen = recFragmentLen;
}
