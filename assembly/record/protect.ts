// AES-128-CCM-8 record protection (RFC 6655, RFC 7925 Appendix B).
// nonce = salt(4) || nonce_explicit(8), nonce_explicit = epoch(2) || seq(6);
// additional data = epoch || seq || type || version || plaintext length.
import { RECORD_HEADER_LEN, AEAD_EXPLICIT_NONCE_LEN, AEAD_OVERHEAD } from "../config";
import { ccm8Seal, ccm8Open } from "../crypto/ccm";
import { put16 } from "../util/bytes";
import { SALT_LEN } from "./keys";

const nonce = memory.data(12);
const aad = memory.data(13);

function buildAad(record: usize, plainLen: i32): void {
  memory.copy(aad, record + 3, 8);        // epoch || seq
  store<u8>(aad + 8, load<u8>(record));   // type
  memory.copy(aad + 9, record + 1, 2);    // version
  put16(aad + 11, plainLen);
}

// record: a 13-byte header (type, version, epoch, seq) followed by 8 bytes of room for
// the explicit nonce and plainLen bytes of plaintext; writes length, nonce and tag.
export function sealRecord(record: usize, plainLen: i32, key: usize, salt: usize): void {
  const explicit = record + RECORD_HEADER_LEN;
  const body = explicit + AEAD_EXPLICIT_NONCE_LEN;
  memory.copy(explicit, record + 3, AEAD_EXPLICIT_NONCE_LEN);
  memory.copy(nonce, salt, SALT_LEN);
  memory.copy(nonce + SALT_LEN, explicit, AEAD_EXPLICIT_NONCE_LEN);
  buildAad(record, plainLen);
  ccm8Seal(key, nonce, aad, 13, body, plainLen, body + plainLen);
  put16(record + 11, plainLen + AEAD_OVERHEAD);
}

// Decrypts a received record in place. Returns the plaintext length (plaintext at
// record + 21), or -1 if the record is too short or fails authentication.
export function openRecord(record: usize, fragmentLen: i32, key: usize, salt: usize): i32 {
  const plainLen = fragmentLen - AEAD_OVERHEAD;
  if (plainLen < 0) return -1;
  const explicit = record + RECORD_HEADER_LEN;
  const body = explicit + AEAD_EXPLICIT_NONCE_LEN;
  // RFC 7925 Appendix B: nonce_explicit is the record's epoch and sequence number. One
  // that differs is refused: it would let a peer bind a record to another number.
  if (load<u64>(explicit) != load<u64>(record + 3)) return -1;
  memory.copy(nonce, salt, SALT_LEN);
  memory.copy(nonce + SALT_LEN, explicit, AEAD_EXPLICIT_NONCE_LEN);
  buildAad(record, plainLen);
  if (!ccm8Open(key, nonce, aad, 13, body, plainLen, body + plainLen)) return -1;
  return plainLen;
}

export const PROTECTED_PAYLOAD_OFFSET: i32 = RECORD_HEADER_LEN + AEAD_EXPLICIT_NONCE_LEN;
