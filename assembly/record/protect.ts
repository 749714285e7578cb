// AES-128-CCM-8 record protection (RFC 6655, RFC 7925 Appendix B).
// nonce = salt(4) || nonce_explicit(8), nonce_explicit = epoch(2) || seq(6);
// additional data = epoch || seq || type || version || plaintext length, or for a record with
// a connection ID (RFC 9146 s. 5) seq_num_placeholder (8 x 0xff) || tls12_cid || cid_length ||
// tls12_cid || version || epoch || seq || cid || length of the DTLSInnerPlaintext.
// cidLen: the CID in the record's header (0: the RFC 6347 header).
import { RECORD_HEADER_LEN, AEAD_EXPLICIT_NONCE_LEN, AEAD_OVERHEAD, CID_MAX, CID_PEER_MAX } from "../config";
import { CT_TLS12_CID } from "../protocol";
import { ccm8Seal, ccm8Open } from "../crypto/ccm";
import { put16 } from "../util/bytes";
import { SALT_LEN } from "./keys";

const nonce = memory.data(12);
export const aad = memory.data(23 + (CID_MAX > CID_PEER_MAX ? CID_MAX : CID_PEER_MAX));

// Builds the additional data of a record (header at record) into aad; returns its length.
export function buildAad(record: usize, cidLen: i32, plainLen: i32): i32 {
  let n = 13;
  if (cidLen > 0) {
    store<u64>(aad, -1);                                  // seq_num_placeholder
    store<u16>(aad + 8, CT_TLS12_CID | (cidLen << 8));  // tls12_cid, cid_length
    // The header's first 11 + cidLen bytes are tls12_cid, version, epoch, seq, cid.
    memory.copy(aad + 10, record, <usize>(11 + cidLen));
    n = 23 + cidLen;
  } else {
    memory.copy(aad, record + 3, 8);        // epoch || seq
    store<u8>(aad + 8, load<u8>(record));   // type
    memory.copy(aad + 9, record + 1, 2);    // version
  }
  put16(aad + <usize>n - 2, plainLen);
  return n;
}

// record: a 13 + cidLen-byte header (type, version, epoch, seq, [cid]) followed by 8 bytes of
// room for the explicit nonce and plainLen bytes of plaintext; writes length, nonce and tag.
export function sealRecord(record: usize, cidLen: i32, plainLen: i32, key: usize, salt: usize): void {
  const explicit = record + RECORD_HEADER_LEN + <usize>cidLen;
  const body = explicit + AEAD_EXPLICIT_NONCE_LEN;
  memory.copy(explicit, record + 3, AEAD_EXPLICIT_NONCE_LEN);
  memory.copy(nonce, salt, SALT_LEN);
  memory.copy(nonce + SALT_LEN, explicit, AEAD_EXPLICIT_NONCE_LEN);
  ccm8Seal(key, nonce, aad, buildAad(record, cidLen, plainLen), body, plainLen, body + plainLen);
  put16(explicit - 2, plainLen + AEAD_OVERHEAD);
}

// Decrypts a received record in place. Returns the plaintext length (plaintext at
// record + 21 + cidLen), or -1 if the record is too short or fails authentication.
export function openRecord(record: usize, cidLen: i32, fragmentLen: i32, key: usize, salt: usize): i32 {
  const plainLen = fragmentLen - AEAD_OVERHEAD;
  if (plainLen < 0) return -1;
  const explicit = record + RECORD_HEADER_LEN + <usize>cidLen;
  const body = explicit + AEAD_EXPLICIT_NONCE_LEN;
  // RFC 7925 Appendix B: nonce_explicit is the record's epoch and sequence number. One
  // that differs is refused: it would let a peer bind a record to another number.
  if (load<u64>(explicit) != load<u64>(record + 3)) return -1;
  memory.copy(nonce, salt, SALT_LEN);
  memory.copy(nonce + SALT_LEN, explicit, AEAD_EXPLICIT_NONCE_LEN);
  if (!ccm8Open(key, nonce, aad, buildAad(record, cidLen, plainLen), body, plainLen, body + plainLen)) return -1;
  return plainLen;
}

// RFC 9146 s. 4 (RFC 8446 5.4): a DTLSInnerPlaintext is content || real_type || zeros. Returns
// the offset of real_type, the last byte that is not zero, or -1 when all n bytes are zero.
export function innerTypeAt(p: usize, n: i32): i32 {
  let i = n - 1;
  while (i >= 0 && load<u8>(p + <usize>i) == 0) i--;
  return i;
}

export const PROTECTED_PAYLOAD_OFFSET: i32 = RECORD_HEADER_LEN + AEAD_EXPLICIT_NONCE_LEN;
