// The extensions of RFC 7925 s. 4.4 on the client side, X509_ENABLED builds only:
//   cached_info (RFC 7924; REQUIRED by s. 4.4): after a full handshake whose server chain
//     validated, the SHA-256 of the server's Certificate body, the leaf's key, the chain's
//     earliest notAfter and a hash of the reference name it was validated for are kept (the
//     trust anchors: anchors are only added until dtls_config_reset, which forgets the cache,
//     and the session blob's check covers their keys); the next ClientHello offers the hash, and a server that answers
//     sends a Certificate carrying only that hash: the kept key is then the server's key.
//   client_certificate_url (RFC 6066 s. 5; MUST in s. 4.4.5): with a URL and the SHA-1 of our
//     certificate configured, offered empty; echoed by the server, our Certificate becomes a
//     CertificateURL (individual_certs, one URLAndHash: our leaf); CertificateVerify as always.
//   trusted_ca_keys (RFC 6066 s. 6): our anchors' subject DNs (x509_name), so a server with
//     several chains can send the one we can validate.
import { CERT_URL_MAX, TRUST_ANCHOR_MAX, ANCHOR_NAME_MAX } from "../config";
import { EXT_CACHED_INFO, EXT_TRUSTED_CA_KEYS, EXT_CLIENT_CERTIFICATE_URL, HT_CERTIFICATE_URL,
  ALERT_DECODE_ERROR, ALERT_ILLEGAL_PARAMETER, ALERT_BAD_CERTIFICATE_HASH_VALUE } from "../protocol";
import { REASON_DECODE, REASON_ILLEGAL_PARAMETER, REASON_CACHED_INFO_MISMATCH, ERR_BAD_ARGUMENT } from "../errors";
import { CERT_EXT_CACHED_INFO, CERT_EXT_CERT_URL, CERT_EXT_TRUSTED_CA_KEYS } from "../api_codes";
import { put8, put16 } from "../util/bytes";
import { readU8, readU16, readerLeft } from "../util/reader";
import { SHA256_CTX_SIZE, sha256, sha256Init, sha256Update, sha256Final } from "../crypto/sha256";
import { halWallTimeS } from "../hal";
import { optCachedInfo, optTrustedCaKeys, optCertUnknownTime } from "../options";
import { hasClientKey } from "../credentials";
import { flightBeginMessage, flightEndMessage } from "./flight";
import { verdict, ACCEPTED } from "./verdict";
import { referenceName, referenceNameLen, clientChainLen, certAccepted } from "./certificate";
import { anchorWriteTrustedAuthorities } from "../x509/anchors";

// ClientHello bits of client_hello.ts's LEAVE_OUT_* (its order: renegotiation_info, these
// two, the session ID, trusted_ca_keys; see fitClientHello).
export const LEAVE_OUT_CERT_URL: i32 = 8;
export const LEAVE_OUT_CACHED_INFO: i32 = 16;
export const LEAVE_OUT_TRUSTED_CA_KEYS: i32 = 64;
// The most these add to a ClientHello: cached_info 4+2+1+1+32, client_certificate_url 4,
// trusted_ca_keys 4+2 and 3 + a DN per anchor.
export const CERT_EXT_HELLO_MAX: i32 = X509_ENABLED ? 40 + 4 + 6 + TRUST_ANCHOR_MAX * (3 + ANCHOR_NAME_MAX) : 0;
const HASH_LEN: i32 = 32;
const CACHED_CERT: i32 = 1;        // RFC 7924 s. 3: CachedInformationType cert
// cached_info's first 8 bytes (type 25, length 36, list length 34, cert, hash length 32), then
// client_certificate_url, empty (RFC 6066 s. 5).
// @ts-ignore: decorator
@lazy const HELLO_BYTES = memory.data<u8>([0, <u8>EXT_CACHED_INFO, 0, 36, 0, 34, <u8>CACHED_CERT, <u8>HASH_LEN,
  0, <u8>EXT_CLIENT_CERTIFICATE_URL, 0, 0]);

// The cache (RFC 7924): hash, key, earliest notAfter, binding; CACHE_BLOB_LEN bytes in a blob.
// @ts-ignore: decorator
@lazy const cache = memory.data(X509_ENABLED ? HASH_LEN + 65 + 8 + HASH_LEN : 0);
const cacheKey: i32 = HASH_LEN, cacheNotAfter: i32 = HASH_LEN + 65, cacheBind: i32 = HASH_LEN + 65 + 8;
export const CACHE_BLOB_LEN: i32 = X509_ENABLED ? HASH_LEN + 65 + 8 + HASH_LEN : 0;
// @ts-ignore: decorator
@lazy const ctx = memory.data(X509_ENABLED ? SHA256_CTX_SIZE : 0);
// @ts-ignore: decorator
@lazy const bind = memory.data(X509_ENABLED ? HASH_LEN : 0);
export let cacheKept: bool = false;
let cacheFilled: bool = false;     // this handshake validated a chain: kept once it completes

// The CertificateURL body, made by dtls_config_cert_url (RFC 6066 s. 5): CertChainType
// individual_certs(0), url_and_hash_list<1..2^16-1> with one URLAndHash { opaque url<1..2^16-1>;
// uint8 padding = 1; opaque SHA1Hash[20]; }: 26 bytes + the URL.
// @ts-ignore: decorator
@lazy const certUrl = memory.data(X509_ENABLED ? 26 + CERT_URL_MAX : 0);
let certUrlLen: i32 = 0;   // the body's length, 0 = none

// This handshake (reset by dtls_connect): what the ClientHello offered (CERT_EXT_* bits),
// what the ServerHello accepted, whether the cached chain and our URL were used.
export let certExtOffered: i32 = 0;
export let certExtAccepted: i32 = 0;
export let cachedUsed: bool = false;
export let certUrlSent: bool = false;
let cacheUsable: bool = false;

// INFO_CACHED_INFO_USED (0), _KEPT, INFO_CERT_URL_USED, INFO_TRUSTED_CA_KEYS, INFO_CERT_EXT_OFFERED (4).
export function certExtInfo(i: i32): i32 {
  if (i == 4) return certExtOffered;
  if (i == 3) return (certExtAccepted & CERT_EXT_TRUSTED_CA_KEYS) >> 2;
  return <i32>(i == 0 ? cachedUsed : i == 1 ? cacheKept : certUrlSent);
}

export function certExtReset(): void { cacheForget(); certUrlLen = 0; }
export function cacheForget(): void { cacheKept = false; cacheFilled = false; }

// The name the chain was validated for (RFC 7925 s. 4.4.1): a cache made for another name is
// not offered.
function bindHash(): void { sha256(referenceName(), referenceNameLen(), bind); }

// Per handshake: whether the kept chain may be offered now. RFC 7925 s. 4.4 checks the chain's
// validity; a cached one must still be within its earliest notAfter (RFC 7925 s. 12: by the
// board's trusted clock; none: the OPT_CERT_UNKNOWN_TIME policy, as for a chain).
export function certExtStart(): void {
  certExtOffered = 0;
  certExtAccepted = 0;
  cachedUsed = false;
  certUrlSent = false;
  cacheUsable = false;
  if (!optCachedInfo || !cacheKept) return;
  const now = halWallTimeS();
  if (now < 0 ? !optCertUnknownTime : now > load<i64>(cache + <usize>cacheNotAfter)) return;
  bindHash();
  cacheUsable = memory.compare(bind, cache + <usize>cacheBind, HASH_LEN) == 0;
}

// The extensions this ClientHello could carry (LEAVE_OUT_* bits), for fitClientHello.
export function certExtSpare(): i32 {
  return (cacheUsable ? LEAVE_OUT_CACHED_INFO : 0) | (certUrlWanted() ? LEAVE_OUT_CERT_URL : 0) |
    (optTrustedCaKeys ? LEAVE_OUT_TRUSTED_CA_KEYS : 0);
}
function certUrlWanted(): bool { return certUrlLen > 0 && clientChainLen > 0 && hasClientKey; }

// Writes the extensions at p (room: CERT_EXT_HELLO_MAX) without those in leaveOut; returns
// the new end. Only for a ClientHello that offers X.509.
export function certExtWrite(p: usize, leaveOut: i32): usize {
  const want = certExtSpare() & ~leaveOut;
  let offered = 0;
  if ((want & LEAVE_OUT_TRUSTED_CA_KEYS) != 0) {
    // RFC 6066 s. 6: TrustedAuthorities, one x509_name per anchor (anchors.ts).
    const n = anchorWriteTrustedAuthorities(p + 4, CERT_EXT_HELLO_MAX - 4);
    if (n > 0) {
      put16(p, EXT_TRUSTED_CA_KEYS); put16(p + 2, n);
      p += 4 + <usize>n;
      offered = CERT_EXT_TRUSTED_CA_KEYS;
    }
  }
  if ((want & LEAVE_OUT_CACHED_INFO) != 0) {
    // RFC 7924 s. 3: CachedObject cached_info<1..2^16-1>, one of type cert with our hash.
    memory.copy(p, HELLO_BYTES, 8);
    memory.copy(p + 8, cache, HASH_LEN);
    p += 40;
    offered |= CERT_EXT_CACHED_INFO;
  }
  if ((want & LEAVE_OUT_CERT_URL) != 0) {
    memory.copy(p, HELLO_BYTES + 8, 4);
    p += 4;
    offered |= CERT_EXT_CERT_URL;
  }
  certExtOffered = offered;
  return p;
}

// A ServerHello extension (type) at the reader: its SEEN bit for server_hello.ts's duplicate
// check, 0 if it is none of these or was not offered (unsupported_extension there), or
// -verdict when it is wrong.
export function certExtServerHello(type: i32): i32 {
  const bit = type == EXT_CACHED_INFO ? CERT_EXT_CACHED_INFO : type == EXT_CLIENT_CERTIFICATE_URL ? CERT_EXT_CERT_URL :
    type == EXT_TRUSTED_CA_KEYS ? CERT_EXT_TRUSTED_CA_KEYS : 0;
  if ((certExtOffered & bit) == 0) return 0;
  // RFC 7924 s. 3: the server's CachedObjects name the types it answers: cert alone, the one
  // we sent (anything else: illegal_parameter). RFC 6066 s. 5, 6: empty (else decode_error).
  const cached = bit == CERT_EXT_CACHED_INFO;
  if (cached ? readerLeft() != 3 || readU16() != 1 || readU8() != CACHED_CERT : readerLeft() != 0) {
    return -(cached ? verdict(REASON_ILLEGAL_PARAMETER, ALERT_ILLEGAL_PARAMETER) : verdict(REASON_DECODE, ALERT_DECODE_ERROR));
  }
  certExtAccepted |= bit;
  return bit << 16;   // clear of server_hello.ts's own SEEN_* bits
}

// The server answered cached_info: its Certificate is struct { opaque hash_value<1..255>; }
// (RFC 7924 s. 4.1), which must be the hash we offered; the cached key is then the server's.
export function cachedCertificateRead(body: usize, len: i32): i32 {
  if (len != 1 + HASH_LEN || load<u8>(body) != <u8>HASH_LEN) return verdict(REASON_DECODE, ALERT_DECODE_ERROR);
  if (memory.compare(body + 1, cache, HASH_LEN) != 0) {
    // Not the chain we validated. RFC 7924 names no alert; RFC 6066 s. 5 defines
    // bad_certificate_hash_value for a certificate hash that does not match.
    cacheForget();
    return verdict(REASON_CACHED_INFO_MISMATCH, ALERT_BAD_CERTIFICATE_HASH_VALUE);
  }
  cachedUsed = true;
  certAccepted(cache + <usize>cacheKey);
  return ACCEPTED;
}
export function cachedExpected(): bool { return (certExtAccepted & CERT_EXT_CACHED_INFO) != 0; }

// A full Certificate message (certificate.ts): hashed as it streams through, RFC 7924 s. 3:
// SHA-256 of the Certificate message (its body: certificate_list with its length).
export function cacheBegin(): void {
  if (!optCachedInfo) return;
  cacheForget();
  sha256Init(ctx);
}
export function cacheAbsorb(p: usize, len: i32): void { if (optCachedInfo) sha256Update(ctx, p, len); }
// The chain validated: what the cache keeps, once the handshake completes (cacheCommit).
export function cacheFill(key65: usize, notAfter: i64): void {
  if (!optCachedInfo) return;
  sha256Final(ctx, cache);
  memory.copy(cache + <usize>cacheKey, key65, 65);
  store<i64>(cache + <usize>cacheNotAfter, notAfter);
  bindHash();
  memory.copy(cache + <usize>cacheBind, bind, HASH_LEN);
  cacheFilled = true;
}
export function cacheCommit(): void { if (cacheFilled) { cacheKept = true; cacheFilled = false; } }

// The session blob (session_blob.ts) carries the cache: CACHE_BLOB_LEN bytes.
export function cacheExport(out: usize): void { memory.copy(out, cache, CACHE_BLOB_LEN); }
export function cacheImport(src: usize): void {
  memory.copy(cache, src, CACHE_BLOB_LEN);
  cacheKept = true;
  cacheFilled = false;
}

// dtls_config_cert_url: SHA-1 of our certificate (20 bytes, the host computes it) then the URL
// (RFC 6066 s. 5: ASCII; printable, no spaces); len 0 = none.
export function setCertUrl(src: usize, len: i32): i32 {
  if (len == 0) { certUrlLen = 0; return 0; }
  if (len <= 20 || len - 20 > CERT_URL_MAX) return ERR_BAD_ARGUMENT;
  for (let i = 20; i < len; i++) {
    const c = load<u8>(src + <usize>i);
    if (c <= 0x20 || c >= 0x7f) return ERR_BAD_ARGUMENT;
  }
  const n = len - 20;
  put8(certUrl, 0);
  put16(certUrl + 1, n + 23);
  put16(certUrl + 3, n);
  memory.copy(certUrl + 5, src + 20, <usize>n);
  put8(certUrl + 5 + <usize>n, 1);
  memory.copy(certUrl + 6 + <usize>n, src, 20);
  certUrlLen = n + 26;
  return 0;
}

// The server echoed client_certificate_url (and asks for our certificate).
export function certUrlAccepted(): bool { return (certExtAccepted & CERT_EXT_CERT_URL) != 0; }

// CertificateURL (RFC 6066 s. 5), made at configuration time (setCertUrl).
export function buildCertificateUrl(messageSeq: i32): usize {
  const body = flightBeginMessage(HT_CERTIFICATE_URL, messageSeq);
  if (body == 0) return 0;
  memory.copy(body, certUrl, <usize>certUrlLen);
  certUrlSent = true;
  return flightEndMessage(certUrlLen, 0);
}
