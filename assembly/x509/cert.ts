// One X.509 certificate (RFC 5280 4.1) parsed to the fields RFC 7925 s. 4.4.4 Table 1 uses.
// certParse fills the cert* globals below (pointers into the caller's bytes, valid while
// they are) and returns 0 or the REASON_ that refuses the certificate:
//   REASON_CERT_MALFORMED: not DER, or not the structure of RFC 5280 4.1;
//   REASON_CERT_UNSUPPORTED_ALGORITHM: well formed but outside the profile (Table 1): not
//     v3, a signature other than ecdsa-with-SHA256, a key other than id-ecPublicKey P-256;
//   REASON_CERT_CRITICAL_EXTENSION: a critical extension other than basicConstraints,
//     keyUsage, extKeyUsage and subjectAltName (RFC 5280 4.2).
// A malformed certificate is MALFORMED even when it is also outside the profile.
import {
  derInit, derBad, derFail, derAtEnd, derNext, derExpect, derPeek, derEnter, derEnterTag, derLeave, derSkipRest,
  derUint, derIntMinimal, derIs, derBool, derTag, derStart, derPtr, derLen,
} from "./der";
import { derTimeToSeconds, TIME_BAD } from "./time";
import { ecdsaSigFromDer } from "../crypto/p256/der";
import {
  REASON_CERT_MALFORMED, REASON_CERT_UNSUPPORTED_ALGORITHM, REASON_CERT_CRITICAL_EXTENSION,
} from "../errors";
import { ctEqual } from "../crypto/ct";

// OBJECT IDENTIFIER contents (X.690 8.19).
// 1.2.840.10045.4.3.2 ecdsa-with-SHA256 (RFC 5758 3.2)
// @ts-ignore: decorator
@lazy const OID_ECDSA_SHA256 = memory.data<u8>([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]);
// 1.2.840.10045.2.1 id-ecPublicKey, 1.2.840.10045.3.1.7 prime256v1 (RFC 5480 2.1.1)
// @ts-ignore: decorator
@lazy const OID_EC_PUBLIC_KEY = memory.data<u8>([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]);
// @ts-ignore: decorator
@lazy const OID_P256 = memory.data<u8>([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]);
// 2.5.4.3 commonName
// @ts-ignore: decorator
@lazy const OID_CN = memory.data<u8>([0x55, 0x04, 0x03]);
// 1.3.6.1.5.5.7.3 id-kp (RFC 5280 4.2.1.12), followed by 1 serverAuth / 2 clientAuth
// @ts-ignore: decorator
@lazy const OID_KP = memory.data<u8>([0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03]);
// 2.5.29.37.0 anyExtendedKeyUsage
// @ts-ignore: decorator
@lazy const OID_ANY_EKU = memory.data<u8>([0x55, 0x1d, 0x25, 0x00]);

// Extensions processed (2.5.29.x, RFC 5280 4.2.1), by their last arc.
const EXT_SAN: i32 = 0x11;
const EXT_KEY_USAGE: i32 = 0x0f;
const EXT_BASIC_CONSTRAINTS: i32 = 0x13;
const EXT_EXT_KEY_USAGE: i32 = 0x25;

// keyUsage bits (RFC 5280 4.2.1.3) as certKeyUsage holds them: bit n of the BIT STRING is
// bit (7 - n) of the first content byte.
export const KU_DIGITAL_SIGNATURE: i32 = 0x80;
export const KU_KEY_CERT_SIGN: i32 = 0x04;
// certExtKeyUsage bits.
export const EKU_SERVER_AUTH: i32 = 1;
export const EKU_CLIENT_AUTH: i32 = 2;
export const EKU_ANY: i32 = 4;

export let certTbs: usize = 0;        // TBSCertificate, header included: what the signature covers
export let certTbsLen: i32 = 0;
export let certIssuer: usize = 0;     // issuer Name, DER with its header (a TLS DistinguishedName)
export let certIssuerLen: i32 = 0;
export let certSubject: usize = 0;    // subject Name, likewise
export let certSubjectLen: i32 = 0;
export let certNotBefore: i64 = 0;
export let certNotAfter: i64 = 0;
export let certIsCa: bool = false;
export let certPathLen: i32 = -1;     // -1: no pathLenConstraint
export let certKeyUsage: i32 = -1;    // -1: no keyUsage extension
export let certExtKeyUsage: i32 = -1; // -1: no extKeyUsage extension
export let certDnsCount: i32 = 0;     // subjectAltName dNSName entries
export let certDns: usize = 0;        // the first one
export let certDnsLen: i32 = 0;
export let certCn: usize = 0;         // the last commonName of the subject (the leftmost in RFC 4514 text)
export let certCnLen: i32 = 0;
// The subject's key 0x04 || X || Y and the signature r || s.
// @ts-ignore: decorator
@lazy export const certKey = memory.data(65);
// @ts-ignore: decorator
@lazy export const certSig = memory.data(64);

let unsupported: bool = false;
let critical: bool = false;
let seen: i32 = 0;

// AlgorithmIdentifier for the signature: ecdsa-with-SHA256 without parameters (RFC 5758 3.2).
function signatureAlgorithm(): void {
  if (!derEnterTag(0x30) || !derExpect(0x06)) return;
  if (!derIs(OID_ECDSA_SHA256, 8)) unsupported = true;
  if (unsupported) derSkipRest(); // another algorithm's parameters are not ours to judge
  derLeave();
}

// Name (RFC 5280 4.1.2.4): SEQUENCE OF SET OF (at least one) AttributeTypeAndValue.
// Sets certSubject or certIssuer to the whole Name, header included.
function name(subject: bool): void {
  if (!derEnterTag(0x30)) return;
  const len = <i32>(derPtr - derStart) + derLen;
  if (subject) { certSubject = derStart; certSubjectLen = len; } else { certIssuer = derStart; certIssuerLen = len; }
  while (!derAtEnd()) {
    if (!derEnterTag(0x31)) return;
    do {
      if (!derEnterTag(0x30) || !derExpect(0x06)) return;
      const cn = derIs(OID_CN, 3);
      if (!derNext()) return; // the value: any string type
      if (cn && subject) { certCn = derPtr; certCnLen = derLen; }
      derLeave();
    } while (!derAtEnd());
    derLeave();
  }
  derLeave();
}

function time(): i64 {
  if (!derNext()) return TIME_BAD;
  const t = derTimeToSeconds(derTag, derPtr, derLen);
  if (t == TIME_BAD) derFail();
  return t;
}

// SubjectPublicKeyInfo: id-ecPublicKey, namedCurve prime256v1, uncompressed point.
function publicKey(): void {
  if (!derEnterTag(0x30) || !derEnterTag(0x30) || !derExpect(0x06)) return;
  if (!derIs(OID_EC_PUBLIC_KEY, 7)) {
    unsupported = true;
    derSkipRest();
  } else {
    if (!derNext()) return;
    if (derTag != 0x06 || !derIs(OID_P256, 8)) unsupported = true;
  }
  derLeave();
  if (!derExpect(0x03)) return;
  if (derLen != 66 || load<u8>(derPtr) != 0 || load<u8>(derPtr + 1) != 0x04) {
    unsupported = true; // compressed points, other curves' sizes, RSA keys
  } else {
    memory.copy(certKey, derPtr + 1, 65);
  }
  derLeave();
}

// basicConstraints (RFC 5280 4.2.1.9): SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLen INTEGER OPTIONAL }.
function basicConstraints(): void {
  if (!derEnterTag(0x30)) return;
  // DER leaves a DEFAULT value out (X.690 11.5): an explicit FALSE is not DER.
  if (derPeek() == 0x01) { if (!derBool()) { derFail(); return; } certIsCa = true; }
  if (derPeek() == 0x02) {
    derNext();
    certPathLen = derUint();
    // pathLen only with cA (RFC 5280 4.2.1.9), and not negative.
    if (certPathLen < 0 || !certIsCa) derFail();
  }
  derLeave();
}

// keyUsage (RFC 5280 4.2.1.3): a named BIT STRING with at least one bit set, in DER without
// trailing zero bits (X.690 11.2.2).
function keyUsage(): void {
  if (!derExpect(0x03)) return;
  if (derLen < 2 || derLen > 3) { derFail(); return; }
  const unused = <i32>load<u8>(derPtr);
  const last = <i32>load<u8>(derPtr + <usize>derLen - 1);
  if (unused > 7 || ((last >> unused) & 1) == 0 || (last & ((1 << unused) - 1)) != 0) { derFail(); return; }
  certKeyUsage = <i32>load<u8>(derPtr + 1) | (derLen == 3 ? last << 8 : 0);
}

// extKeyUsage (RFC 5280 4.2.1.12): SEQUENCE SIZE (1..MAX) OF KeyPurposeId.
function extKeyUsage(): void {
  if (!derEnterTag(0x30)) return;
  certExtKeyUsage = 0;
  do {
    if (!derExpect(0x06)) return;
    if (derLen == 8 && ctEqual(derPtr, OID_KP, 7)) {
      const k = <i32>load<u8>(derPtr + 7);
      if (k == 1) certExtKeyUsage |= EKU_SERVER_AUTH;
      if (k == 2) certExtKeyUsage |= EKU_CLIENT_AUTH;
    } else if (derIs(OID_ANY_EKU, 4)) {
      certExtKeyUsage |= EKU_ANY;
    }
  } while (!derAtEnd());
  derLeave();
}

// subjectAltName (RFC 5280 4.2.1.6): GeneralNames, SIZE (1..MAX); dNSName is [2] IA5String.
function subjectAltName(): void {
  if (!derEnterTag(0x30)) return;
  do {
    if (!derNext()) return;
    if ((derTag & 0xc0) != 0x80) { derFail(); return; } // context-specific tags only
    if (derTag == 0x82) {
      if (certDnsCount == 0) { certDns = derPtr; certDnsLen = derLen; }
      certDnsCount++;
    }
  } while (!derAtEnd());
  derLeave();
}

// Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
function extension(): void {
  if (!derEnterTag(0x30) || !derExpect(0x06)) return;
  const oid = derPtr, oidLen = derLen;
  let crit = false;
  if (derPeek() == 0x01) { crit = derBool(); if (!crit) { derFail(); return; } }
  if (!derExpect(0x04)) return;
  let which = -1;
  if (oidLen == 3 && load<u8>(oid) == 0x55 && load<u8>(oid + 1) == 0x1d) which = <i32>load<u8>(oid + 2);
  if (which == EXT_SAN || which == EXT_KEY_USAGE || which == EXT_BASIC_CONSTRAINTS || which == EXT_EXT_KEY_USAGE) {
    // RFC 5280 4.2: at most one instance of an extension.
    const bit = 1 << (which & 31);
    if (seen & bit) { derFail(); return; }
    seen |= bit;
    derEnter();
    if (which == EXT_SAN) subjectAltName();
    else if (which == EXT_KEY_USAGE) keyUsage();
    else if (which == EXT_BASIC_CONSTRAINTS) basicConstraints();
    else extKeyUsage();
    derLeave();
  } else if (crit) {
    critical = true; // RFC 5280 4.2: refuse a critical extension we do not process
  }
  derLeave();
}

export function certParse(p: usize, len: i32): i32 {
  certTbs = 0; certTbsLen = 0; certIssuer = 0; certIssuerLen = 0; certSubject = 0; certSubjectLen = 0;
  certNotBefore = 0; certNotAfter = 0; certIsCa = false; certPathLen = -1; certKeyUsage = -1; certExtKeyUsage = -1;
  certDnsCount = 0; certDns = 0; certDnsLen = 0; certCn = 0; certCnLen = 0;
  memory.fill(certKey, 0, 65);
  unsupported = false; critical = false; seen = 0;
  derInit(p, len);
  if (derEnterTag(0x30) && derExpect(0x30)) {             // Certificate, TBSCertificate
    certTbs = derStart; certTbsLen = <i32>(derPtr - derStart) + derLen;
    derEnter();
    // version [0] EXPLICIT: v3 is 2 (Table 1); v1 (no [0]) and v2 are outside the profile.
    if (derPeek() == 0xa0) {
      derEnterTag(0xa0); derExpect(0x02);
      if (derUint() != 2) unsupported = true;
      derLeave();
    } else {
      unsupported = true;
    }
    // serialNumber: a positive INTEGER (Table 1, RFC 5280 4.1.2.2: at most 20 octets).
    if (derExpect(0x02) && (!derIntMinimal() || (load<u8>(derPtr) & 0x80) != 0 || derLen > 21)) derFail();
    signatureAlgorithm();
    name(false);
    if (derEnterTag(0x30)) {                              // Validity
      certNotBefore = time();
      certNotAfter = time();
      derLeave();
    }
    name(true);
    publicKey();
    if (derPeek() == 0x81) derNext();                     // issuerUniqueID
    if (derPeek() == 0x82) derNext();                     // subjectUniqueID
    if (derPeek() == 0xa3) {                              // extensions [3] EXPLICIT
      derEnterTag(0xa3);
      if (derEnterTag(0x30)) {
        do { extension(); } while (!derAtEnd());
        derLeave();
      }
      derLeave();
    }
    derLeave();                                           // end of TBSCertificate
    signatureAlgorithm();
    // signatureValue: BIT STRING, no unused bits, an Ecdsa-Sig-Value (RFC 5758 3.2).
    if (derExpect(0x03) && !unsupported) {
      if (derLen < 1 || load<u8>(derPtr) != 0 || !ecdsaSigFromDer(derPtr + 1, derLen - 1, certSig)) derFail();
    }
    derLeave();                                           // end of Certificate
  }
  if (derBad() || !derAtEnd()) return REASON_CERT_MALFORMED;
  if (unsupported) return REASON_CERT_UNSUPPORTED_ALGORITHM;
  if (critical) return REASON_CERT_CRITICAL_EXTENSION;
  return 0;
}
