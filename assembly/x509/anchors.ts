// The trust anchor store (RFC 5280 6.1.1 (d), RFC 7925 s. 4.4.3: provisioned, changed only
// by a software update). Each anchor is kept as its subject DN (DER Name) and P-256 key,
// not as the certificate: TRUST_ANCHOR_MAX * (ANCHOR_NAME_MAX + 65 + 4) bytes.
import { TRUST_ANCHOR_MAX, ANCHOR_NAME_MAX } from "../config";
import { ERR_BAD_ARGUMENT, ERR_TOO_LARGE } from "../errors";
import { certParse, certSubject, certSubjectLen, certKey } from "./cert";
import { ecValidate } from "../crypto/ec";
import { put16 } from "../util/bytes";
import { ctEqual } from "../crypto/ct";

const ANCHOR_SIZE: i32 = ANCHOR_NAME_MAX + 65;
// @ts-ignore: decorator
@lazy const anchorStore = memory.data(TRUST_ANCHOR_MAX * ANCHOR_SIZE);
// @ts-ignore: decorator
@lazy const nameLens = memory.data(TRUST_ANCHOR_MAX << 2);
let count: i32 = 0;

export function anchorName(i: i32): usize { return anchorStore + <usize>(i * ANCHOR_SIZE); }
export function anchorNameLen(i: i32): i32 { return load<i32>(nameLens + (<usize>i << 2)); }
export function anchorKey(i: i32): usize { return anchorName(i) + <usize>ANCHOR_NAME_MAX; }

export function anchorsReset(): void { count = 0; }
export function anchorCount(): i32 { return count; }

// Adds the DER certificate (der, len) as a trust anchor: it must be a certificate of the
// profile (ecdsa-with-SHA256, P-256 key). 0, ERR_BAD_ARGUMENT, or ERR_TOO_LARGE (store full,
// or a subject DN over ANCHOR_NAME_MAX).
export function anchorAdd(der: usize, len: i32): i32 {
  if (len <= 0 || certParse(der, len) != 0 || !ecValidate(certKey)) return ERR_BAD_ARGUMENT;
  if (count >= TRUST_ANCHOR_MAX || certSubjectLen > ANCHOR_NAME_MAX) return ERR_TOO_LARGE;
  memory.copy(anchorName(count), certSubject, <usize>certSubjectLen);
  memory.copy(anchorKey(count), certKey, 65);
  store<i32>(nameLens + (<usize>count << 2), certSubjectLen);
  count++;
  return 0;
}

// The anchor whose subject DN and key are the given ones (the anchor itself, sent as the
// chain's last certificate), or -1.
export function anchorFind(name: usize, nameLen: i32, key65: usize): i32 {
  for (let i = 0; i < count; i++) {
    if (anchorNameLen(i) == nameLen && ctEqual(anchorName(i), name, nameLen) &&
        ctEqual(anchorKey(i), key65, 65)) return i;
  }
  return -1;
}

// RFC 6066 s. 6 trusted_ca_keys extension_data: TrustedAuthorities, a 2-byte length and one
// x509_name(2) TrustedAuthority per anchor (DistinguishedName<1..2^16-1>: the subject DN).
// Returns the bytes written, or -1 if they do not fit max.
export function anchorWriteTrustedAuthorities(out: usize, max: i32): i32 {
  let n = 2;
  for (let i = 0; i < count; i++) n += 3 + anchorNameLen(i);
  if (n > max) return -1;
  put16(out, n - 2);
  let p = out + 2;
  for (let i = 0; i < count; i++) {
    const l = anchorNameLen(i);
    store<u8>(p, 2); // IdentifierType x509_name
    put16(p + 1, l);
    memory.copy(p + 3, anchorName(i), <usize>l);
    p += <usize>(3 + l);
  }
  return n;
}
