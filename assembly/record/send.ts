// Outgoing datagram assembly: records are appended to one datagram buffer until it is
// flushed to the HAL. Several records may share a datagram (RFC 6347 4.1.1).
import { TX_DATAGRAM_MAX, RECORD_HEADER_LEN, AEAD_OVERHEAD } from "../config";
import { DTLS_1_2, CT_TLS12_CID } from "../protocol";
import { halSend } from "../hal";
import { put8, put16, put48 } from "../util/bytes";
import { nextWriteSeq, clientWriteKey, clientWriteSalt } from "./keys";
import { sealRecord, PROTECTED_PAYLOAD_OFFSET } from "./protect";
import { peerCid, cidTx } from "./cid";
import { notePeak } from "../regions";
import { REGION_TX_DATAGRAM } from "../api_codes";
import { countHandshakeDatagram } from "../session";

const txBuffer = memory.data(TX_DATAGRAM_MAX);
let txLen: i32 = 0;
let openRecordAt: i32 = -1;
let openRecordEpoch: i32 = 0;
let openRecordType: i32 = 0;
let openRecordCid: i32 = 0;
let largestSent: i32 = 0;   // dtls_info(INFO_MAX_DATAGRAM_SENT)

export function txReset(): void { txLen = 0; openRecordAt = -1; }
export function txUsed(): i32 { return txLen; }
export function txLargestSent(): i32 { return largestSent; }
export function txLargestReset(): void { largestSent = 0; }

// Bytes a record of this epoch adds around its plaintext (with a CID: RFC 9146 s. 4).
export function recordExpansion(epoch: i32): i32 {
  const cid = cidTx(epoch);
  return RECORD_HEADER_LEN + (epoch > 0 ? AEAD_OVERHEAD : 0) + cid + <i32>(cid > 0);
}

// Starts a record; returns where its plaintext goes, or 0 if the epoch's sequence
// numbers are exhausted. The caller must have checked room (txUsed + expansion + len).
export function txBeginRecord(type: i32, epoch: i32): usize {
  const seq = nextWriteSeq(epoch);
  if (seq < 0) return 0;
  const rec = txBuffer + <usize>txLen;
  // RFC 9146 s. 4: with the server's (non-empty) CID, protected records are tls12_cid ones
  // with the CID before the length; the real type goes inside (txEndRecord).
  const cid = cidTx(epoch);
  put8(rec, cid > 0 ? CT_TLS12_CID : type);
  put16(rec + 1, DTLS_1_2);
  put16(rec + 3, epoch);
  put48(rec + 5, <u64>seq);
  memory.copy(rec + 11, peerCid, <usize>cid);
  openRecordAt = txLen;
  openRecordEpoch = epoch;
  openRecordType = type;
  openRecordCid = cid;
  return rec + <usize>(epoch > 0 ? PROTECTED_PAYLOAD_OFFSET + cid : RECORD_HEADER_LEN);
}

// Closes the record begun last with plainLen bytes of plaintext, protecting it if needed.
export function txEndRecord(plainLen: i32): void {
  const rec = txBuffer + <usize>openRecordAt;
  if (openRecordEpoch > 0) {
    const cid = openRecordCid;
    // DTLSInnerPlaintext = content || real_type, without padding (RFC 9146 s. 4).
    if (cid > 0) { put8(rec + <usize>(PROTECTED_PAYLOAD_OFFSET + cid + plainLen), openRecordType); plainLen++; }
    sealRecord(rec, cid, plainLen, clientWriteKey, clientWriteSalt);
    txLen = openRecordAt + RECORD_HEADER_LEN + cid + AEAD_OVERHEAD + plainLen;
  } else {
    put16(rec + 11, plainLen);
    txLen = openRecordAt + RECORD_HEADER_LEN + plainLen;
  }
  openRecordAt = -1;
  notePeak(REGION_TX_DATAGRAM, txLen);
}


// Sends the datagram built so far. A HAL send failure counts as loss: DTLS recovers
// from it by retransmission like from any other lost datagram.
export function txFlush(): void {
  if (txLen == 0) return;
  countHandshakeDatagram(true, txLen);
  if (txLen > largestSent) largestSent = txLen;
  halSend(txBuffer, txLen);
  txLen = 0;
}

