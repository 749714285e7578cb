// Streaming certification path validation (RFC 5280 6.1, profiled by RFC 7925 s. 4.4):
// the certificates come one at a time, leaf first (RFC 5246 7.4.2), and each one is checked
// as it arrives, against the one before it. Between two certificates only this is kept:
// the previous certificate's issuer DN hash, TBSCertificate hash and signature, the leaf's
// key and EUI-64 (about 220 bytes), so RAM does not grow with the chain.
//
// For certificate i (0 = the leaf):
//   - it parses as a certificate of the profile (cert.ts);
//   - i = 0: the identity (s. 4.4.1 / 4.4.2), extKeyUsage serverAuth or clientAuth when
//     present, keyUsage digitalSignature when present, the validity;
//   - i > 0: its subject DN is the previous one's issuer DN (compared by SHA-256) and its key
//     verifies the previous one's signature; unless it is a trust anchor itself: basicConstraints
//     cA, keyCertSign when keyUsage is present, pathLenConstraint >= i - 1, the validity,
//     i < CHAIN_DEPTH_MAX.
// chainEnd: the last certificate's issuer must be a trust anchor (subject DN and a key that
// verifies its signature), unless the anchor itself was sent.
// The first failure is the verdict (reason << 8 | alert, handshake/verdict.ts); later
// certificates are not looked at.
import { CERT_MAX, CHAIN_DEPTH_MAX } from "../config";
import {
  REASON_CERT_UNKNOWN_CA, REASON_CERT_EXPIRED, REASON_CERT_NOT_YET_VALID, REASON_CERT_TIME_UNKNOWN,
  REASON_CERT_NAME_MISMATCH, REASON_CERT_BAD_SIGNATURE, REASON_CERT_MALFORMED, REASON_CERT_UNSUPPORTED_ALGORITHM,
  REASON_CERT_NOT_CA, REASON_CERT_PATH_LEN, REASON_CERT_KEY_USAGE, REASON_CERT_CRITICAL_EXTENSION,
  REASON_CERT_CHAIN_TOO_LONG,
} from "../errors";
import {
  ALERT_BAD_CERTIFICATE, ALERT_UNSUPPORTED_CERTIFICATE, ALERT_CERTIFICATE_EXPIRED, ALERT_CERTIFICATE_UNKNOWN,
  ALERT_UNKNOWN_CA,
} from "../protocol";
import { verdict, ACCEPTED } from "../handshake/verdict";
import { sha256 } from "../crypto/sha256";
import { ecValidate, ecVerify } from "../crypto/ec";
import {
  certParse, certTbs, certTbsLen, certIssuer, certIssuerLen, certSubject, certSubjectLen, certNotBefore,
  certNotAfter, certIsCa, certPathLen, certKeyUsage, certExtKeyUsage, certKey, certSig,
  KU_DIGITAL_SIGNATURE, KU_KEY_CERT_SIGN, EKU_SERVER_AUTH, EKU_CLIENT_AUTH, EKU_ANY,
} from "./cert";
import { serverNameMatches, leafEui64 } from "./identity";
import { anchorCount, anchorFind, anchorName, anchorNameLen, anchorKey } from "./anchors";
import { ctEqual } from "../crypto/ct";

// chainBegin's purpose: a server's chain (serverAuth, the reference name) or a client's
// (clientAuth, an EUI-64 identity, RFC 7925 s. 4.4.2).
export const CHAIN_SERVER: i32 = 0;
export const CHAIN_CLIENT: i32 = 1;

// The leaf's key (0x04 || X || Y), valid after an ACCEPTED chainEnd.
// @ts-ignore: decorator
@lazy export const chainLeafKey = memory.data(65);
// The leaf's EUI-64 when it carries one (chainLeafHasEui64), for a client chain always.
// @ts-ignore: decorator
@lazy export const chainLeafEui64 = memory.data(8);
export let chainLeafHasEui64: bool = false;

// @ts-ignore: decorator
@lazy const prevIssuerHash = memory.data(32);
// @ts-ignore: decorator
@lazy const prevTbsHash = memory.data(32);
// @ts-ignore: decorator
@lazy const prevSig = memory.data(64);
// @ts-ignore: decorator
@lazy const hash = memory.data(32);
// @ts-ignore: decorator
@lazy const scratch = memory.data(8);

let refName: usize = 0;
let refNameLen: i32 = 0;
let now: i64 = -1;
let acceptUnknown: bool = false;
let purpose: i32 = CHAIN_SERVER;
let count: i32 = 0;
let failIndex: i32 = -1;
let result: i32 = ACCEPTED;
let done: bool = false; // a trust anchor has been reached
// The earliest notAfter of the certificates whose validity was checked: how long a cached
// chain (RFC 7924 cached_info) stays valid.
export let chainNotAfter: i64 = i64.MAX_VALUE;

// The alert for each reason (RFC 5246 7.2.2; RFC 7925 s. 6 allows these with certificates),
// indexed by reason - REASON_CERT_UNKNOWN_CA (errors.ts numbers them 40..52 in this order).
// @ts-ignore: decorator
@lazy const ALERTS = memory.data<u8>([
  <u8>ALERT_UNKNOWN_CA,              // UNKNOWN_CA
  <u8>ALERT_CERTIFICATE_EXPIRED,     // EXPIRED
  <u8>ALERT_CERTIFICATE_EXPIRED,     // NOT_YET_VALID
  <u8>ALERT_CERTIFICATE_UNKNOWN,     // TIME_UNKNOWN
  <u8>ALERT_BAD_CERTIFICATE,         // NAME_MISMATCH
  <u8>ALERT_BAD_CERTIFICATE,         // BAD_SIGNATURE
  <u8>ALERT_BAD_CERTIFICATE,         // MALFORMED
  <u8>ALERT_UNSUPPORTED_CERTIFICATE, // UNSUPPORTED_ALGORITHM
  <u8>ALERT_BAD_CERTIFICATE,         // NOT_CA
  <u8>ALERT_BAD_CERTIFICATE,         // PATH_LEN
  <u8>ALERT_BAD_CERTIFICATE,         // KEY_USAGE
  <u8>ALERT_UNSUPPORTED_CERTIFICATE, // CRITICAL_EXTENSION
  <u8>ALERT_CERTIFICATE_UNKNOWN,     // CHAIN_TOO_LONG
]);

function fail(index: i32, reason: i32): i32 {
  failIndex = index;
  result = verdict(reason, <i32>load<u8>(ALERTS + <usize>(reason - REASON_CERT_UNKNOWN_CA)));
  return result;
}

// refName (refNameLen bytes) must stay readable until chainEnd: it is not copied.
export function chainBegin(refNamePtr: usize, refNameLength: i32, nowS: i64, acceptUnknownTime: bool, chainPurpose: i32): void {
  refName = refNamePtr; refNameLen = refNameLength;
  now = nowS; acceptUnknown = acceptUnknownTime; purpose = chainPurpose;
  count = 0; failIndex = -1; result = ACCEPTED; done = false;
  chainLeafHasEui64 = false;
  chainNotAfter = i64.MAX_VALUE;
  memory.fill(chainLeafKey, 0, 65);
}

export function chainCount(): i32 { return count; }
export function chainFailIndex(): i32 { return failIndex; }

// RFC 5280 6.1.3 (a)(2); RFC 7925 s. 12: without a trusted clock the configuration decides.
function validity(i: i32): i32 {
  if (certNotAfter < chainNotAfter) chainNotAfter = certNotAfter;
  if (now < 0) return acceptUnknown ? ACCEPTED : fail(i, REASON_CERT_TIME_UNKNOWN);
  if (now < certNotBefore) return fail(i, REASON_CERT_NOT_YET_VALID);
  if (now > certNotAfter) return fail(i, REASON_CERT_EXPIRED);
  return ACCEPTED;
}

// The leaf's own rules.
function leaf(): i32 {
  const server = purpose == CHAIN_SERVER;
  chainLeafHasEui64 = leafEui64(chainLeafEui64);
  if (server ? !serverNameMatches(refName, refNameLen, scratch, chainLeafEui64) : !chainLeafHasEui64) {
    return fail(0, REASON_CERT_NAME_MISMATCH);
  }
  // RFC 5280 4.2.1.12 / RFC 7925 Table 1: when present, extKeyUsage names the purpose.
  const want = server ? EKU_SERVER_AUTH : EKU_CLIENT_AUTH;
  if (certExtKeyUsage >= 0 && (certExtKeyUsage & (want | EKU_ANY)) == 0) return fail(0, REASON_CERT_KEY_USAGE);
  // The key signs the handshake (ECDHE_ECDSA ServerKeyExchange, CertificateVerify).
  if (certKeyUsage >= 0 && (certKeyUsage & KU_DIGITAL_SIGNATURE) == 0) return fail(0, REASON_CERT_KEY_USAGE);
  if (validity(0) != ACCEPTED) return result;
  memory.copy(chainLeafKey, certKey, 65);
  return ACCEPTED;
}

// The previous certificate's signature against an anchor whose subject DN is its issuer.
function reachAnchor(last: i32): i32 {
  let named = false;
  for (let i = 0; i < anchorCount(); i++) {
    sha256(anchorName(i), anchorNameLen(i), hash);
    if (!ctEqual(hash, prevIssuerHash, 32)) continue;
    named = true;
    if (ecVerify(anchorKey(i), prevTbsHash, prevSig)) { done = true; return ACCEPTED; }
  }
  return fail(last, named ? REASON_CERT_BAD_SIGNATURE : REASON_CERT_UNKNOWN_CA);
}

// Checks one DER certificate; ACCEPTED (so far) or the chain's verdict.
export function chainAdd(der: usize, len: i32): i32 {
  if (result != ACCEPTED) return result;
  const i = count++;
  if (done) return ACCEPTED; // after the anchor: not part of the path
  if (len > CERT_MAX) return fail(i, REASON_CERT_UNSUPPORTED_ALGORITHM);
  const r = certParse(der, len);
  if (r != 0) return fail(i, r);
  if (!ecValidate(certKey)) return fail(i, REASON_CERT_MALFORMED);
  const anchor = anchorFind(certSubject, certSubjectLen, certKey) >= 0;
  if (i == 0) {
    if (leaf() != ACCEPTED) return result;
    if (anchor) { done = true; return ACCEPTED; } // a pinned self-signed leaf
  } else {
    sha256(certSubject, certSubjectLen, hash);
    if (!ctEqual(hash, prevIssuerHash, 32)) {
      // Not the previous certificate's issuer: the path may already end at an anchor (extra
      // certificates after it are ignored), else the chain is broken.
      return reachAnchor(i - 1);
    }
    if (!anchor) {
      if (i >= CHAIN_DEPTH_MAX) return fail(i, REASON_CERT_CHAIN_TOO_LONG);
      if (!certIsCa) return fail(i, REASON_CERT_NOT_CA);
      // RFC 5280 6.1.4 (n): when keyUsage is present, keyCertSign is set (4.2.1.3 makes
      // CAs include it, but path validation accepts its absence, as deployed PKIs need).
      if (certKeyUsage >= 0 && (certKeyUsage & KU_KEY_CERT_SIGN) == 0) return fail(i, REASON_CERT_KEY_USAGE);
      // RFC 5280 4.2.1.9: at most pathLen non-leaf certificates below this one.
      if (certPathLen >= 0 && i - 1 > certPathLen) return fail(i, REASON_CERT_PATH_LEN);
      if (validity(i) != ACCEPTED) return result;
    }
    if (!ecVerify(certKey, prevTbsHash, prevSig)) return fail(i - 1, REASON_CERT_BAD_SIGNATURE);
    if (anchor) { done = true; return ACCEPTED; }
  }
  sha256(certIssuer, certIssuerLen, prevIssuerHash);
  sha256(certTbs, certTbsLen, prevTbsHash);
  memory.copy(prevSig, certSig, 64);
  return ACCEPTED;
}

// The verdict on the whole chain; ACCEPTED means it reached a trust anchor.
export function chainEnd(): i32 {
  if (result != ACCEPTED || done) return result;
  if (count == 0) return fail(0, REASON_CERT_MALFORMED);
  return reachAnchor(count - 1);
}
