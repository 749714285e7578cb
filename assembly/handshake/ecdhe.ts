// TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 with raw public keys (RFC 7925 s. 4.3; RFC 8422;
// RFC 7250; RFC 5246 7.4.3, 7.4.8): the server's key, its signed ephemeral key, the
// optional CertificateRequest, and our Certificate, ClientKeyExchange, CertificateVerify.
import { HT_CERTIFICATE, HT_CLIENT_KEY_EXCHANGE, HT_CERTIFICATE_VERIFY, ALERT_DECODE_ERROR,
  ALERT_HANDSHAKE_FAILURE, ALERT_DECRYPT_ERROR, ALERT_ILLEGAL_PARAMETER, ALERT_INTERNAL_ERROR } from "../protocol";
import { REASON_DECODE, REASON_BAD_PEER_KEY, REASON_BAD_SIGNATURE, REASON_ILLEGAL_PARAMETER,
  REASON_HANDSHAKE_FAILURE, REASON_CRYPTO_UNAVAILABLE } from "../errors";
import { put8, put16, put24 } from "../util/bytes";
import { readerInit, readerBad, readerAtEnd, readU8, readU16, readU24, readBytes, readerEnter,
  readerLeave, readerLeft } from "../util/reader";
import { SHA256_CTX_SIZE, sha256Init, sha256Update, sha256Final } from "../crypto/sha256";
import { wipe } from "../crypto/ct";
import { ecKeygen, ecEcdh, ecValidate, ecSign, ecVerify, ecUnavailable, ecReset } from "../crypto/ec";
import { ecdsaSigToDer, ecdsaSigFromDer } from "../crypto/p256/der";
import { clientPrivateKey, clientPublicKey } from "../credentials";
import { clientRandom, serverRandom, premaster, RANDOM_LEN } from "./key_schedule";
import { transcriptHash } from "./transcript";
import { flightBeginMessage, flightEndMessage } from "./flight";
import { spkiPoint, matchesPin, writeSpki, SPKI_LEN } from "./rpk";
import { verdict, ACCEPTED } from "./verdict";
import { certsOffered, clientChain, clientChainLen, clientCredential } from "./certificate";

export const NAMED_CURVE: i32 = 3;           // ECCurveType named_curve
export const SECP256R1: i32 = 23;            // RFC 8422 NamedCurve
export const ECDSA_SECP256R1_SHA256: i32 = 0x0403;
export const CERT_TYPE_ECDSA_SIGN: i32 = 64; // ClientCertificateType
export const ECDH_PREMASTER_LEN: i32 = 32;

// @ts-ignore: decorator
@lazy const serverKey = memory.data(65);          // the server's long-term public key
// @ts-ignore: decorator
@lazy const ephemeralPrivate = memory.data(32);
// @ts-ignore: decorator
@lazy const ephemeralPublic = memory.data(65);
// @ts-ignore: decorator
@lazy const serverEphemeral = memory.data(65);
// @ts-ignore: decorator
@lazy const digest = memory.data(32);
// @ts-ignore: decorator
@lazy const signature = memory.data(64);
// @ts-ignore: decorator
@lazy const hashCtx = memory.data(SHA256_CTX_SIZE);
export let clientAuthRequested: bool = false;

const DECODE: i32 = (REASON_DECODE << 8) | ALERT_DECODE_ERROR;

// A P-256 check failed: the peer's fault, unless the board had no P-256 for it.
function ecVerdict(reason: i32, alert: i32): i32 {
  if (ecUnavailable) return verdict(REASON_CRYPTO_UNAVAILABLE, ALERT_INTERNAL_ERROR);
  return verdict(reason, alert);
}

// X.509: the key of the server's validated certificate (handshake/certificate.ts).
export function setServerKey(point65: usize): void { memory.copy(serverKey, point65, 65); }

// A resumed session: whether we authenticated is what its full handshake did.
export function setClientAuthRequested(v: bool): void { clientAuthRequested = v; }

export function ecdheReset(): void {
  clientAuthRequested = false;
  ecReset();
  wipe(ephemeralPrivate, 32);
}

// Certificate with a raw public key: opaque ASN.1_subjectPublicKeyInfo<1..2^24-1>.
// RFC 7925 s. 6: no certificate alerts with raw public keys, so a key that is not the
// pinned one ends the handshake with handshake_failure.
export function parseServerCertificateRpk(body: usize, len: i32): i32 {
  readerInit(body, len);
  const n = readU24();
  const spki = readBytes(n);
  if (readerBad() || !readerAtEnd()) return DECODE;
  const point = spkiPoint(spki, n);
  if (point == 0) return verdict(REASON_BAD_PEER_KEY, ALERT_HANDSHAKE_FAILURE);
  if (!ecValidate(point)) return ecVerdict(REASON_BAD_PEER_KEY, ALERT_HANDSHAKE_FAILURE);
  if (!matchesPin(spki, n)) return verdict(REASON_BAD_PEER_KEY, ALERT_HANDSHAKE_FAILURE);
  memory.copy(serverKey, point, 65);
  return ACCEPTED;
}

// ServerKeyExchange: ServerECDHParams (named_curve secp256r1, uncompressed point) and
// its signature by the server's key over client_random + server_random + params.
export function parseServerKeyExchangeEcdhe(body: usize, len: i32): i32 {
  readerInit(body, len);
  const curveType = readU8();
  const curve = readU16();
  const pointLen = readU8();
  const point = readBytes(pointLen);
  const paramsLen = 4 + pointLen;
  const algorithm = readU16();
  const sigLen = readU16();
  const sig = readBytes(sigLen);
  if (readerBad() || !readerAtEnd()) return DECODE;
  if (curveType != NAMED_CURVE || curve != SECP256R1 || pointLen != 65) {
    return verdict(REASON_ILLEGAL_PARAMETER, ALERT_ILLEGAL_PARAMETER);
  }
  // RFC 5246 7.4.1.4.1: only what our signature_algorithms offered.
  if (algorithm != ECDSA_SECP256R1_SHA256) return verdict(REASON_ILLEGAL_PARAMETER, ALERT_ILLEGAL_PARAMETER);
  if (!ecValidate(point)) return ecVerdict(REASON_ILLEGAL_PARAMETER, ALERT_ILLEGAL_PARAMETER);
  sha256Init(hashCtx);
  sha256Update(hashCtx, clientRandom, RANDOM_LEN);
  sha256Update(hashCtx, serverRandom, RANDOM_LEN);
  sha256Update(hashCtx, body, paramsLen);
  sha256Final(hashCtx, digest);
  if (!ecdsaSigFromDer(sig, sigLen, signature) || !ecVerify(serverKey, digest, signature)) {
    return ecVerdict(REASON_BAD_SIGNATURE, ALERT_DECRYPT_ERROR);
  }
  memory.copy(serverEphemeral, point, 65);
  return ACCEPTED;
}

// CertificateRequest: certificate_types<1..2^8-1>, supported_signature_algorithms
// <2..2^16-2>, certificate_authorities<0..2^16-1>. We can answer only with an ECDSA
// P-256 key signing SHA-256; without a key we send an empty Certificate (RFC 5246 7.4.6).
export function parseCertificateRequest(body: usize, len: i32): i32 {
  readerInit(body, len);
  let typeOk = false;
  const types = readerEnter(readU8());
  while (!readerBad() && readerLeft() > 0) if (readU8() == CERT_TYPE_ECDSA_SIGN) typeOk = true;
  readerLeave(types);
  let algOk = false;
  const algs = readerEnter(readU16());
  while (!readerBad() && readerLeft() > 1) if (readU16() == ECDSA_SECP256R1_SHA256) algOk = true;
  readerLeave(algs);
  readBytes(readU16());
  if (readerBad() || !readerAtEnd()) return DECODE;
  clientAuthRequested = true;
  if (clientCredential() && !(typeOk && algOk)) return verdict(REASON_HANDSHAKE_FAILURE, ALERT_HANDSHAKE_FAILURE);
  return ACCEPTED;
}

// Our Certificate: the raw public key, our X.509 chain (RFC 7925 s. 4.4.2; the flight buffer
// has room for CLIENT_CHAIN_MAX), or an empty one when we have no key (RFC 5246 7.4.6).
export function buildClientCertificate(messageSeq: i32): usize {
  const body = flightBeginMessage(HT_CERTIFICATE, messageSeq);
  if (body == 0) return 0;
  if (!clientCredential()) { put24(body, 0); return flightEndMessage(3, 0); }
  if (X509_ENABLED && certsOffered) {
    put24(body, clientChainLen);
    memory.copy(body + 3, clientChain, <usize>clientChainLen);
    return flightEndMessage(3 + clientChainLen, 0);
  }
  put24(body, SPKI_LEN);
  writeSpki(body + 3, clientPublicKey);
  return flightEndMessage(3 + SPKI_LEN, 0);
}

// ClientKeyExchange with a fresh ephemeral key (RFC 7925 s. 9: never reused), and the
// premaster secret, the x-coordinate of the shared point. The private key is wiped here.
export function buildClientKeyExchangeEcdhe(messageSeq: i32): usize {
  if (!ecKeygen(ephemeralPrivate, ephemeralPublic)) { wipe(ephemeralPrivate, 32); return 0; }
  const ok = ecEcdh(ephemeralPrivate, serverEphemeral, premaster);
  wipe(ephemeralPrivate, 32);
  if (!ok) return 0;
  const body = flightBeginMessage(HT_CLIENT_KEY_EXCHANGE, messageSeq);
  if (body == 0) return 0;
  put8(body, 65);
  memory.copy(body + 1, ephemeralPublic, 65);
  return flightEndMessage(66, 0);
}

// CertificateVerify: our signature over the hash of all handshake messages so far.
export function buildCertificateVerify(messageSeq: i32): usize {
  transcriptHash(digest);
  if (!ecSign(clientPrivateKey, digest, signature)) return 0;
  const body = flightBeginMessage(HT_CERTIFICATE_VERIFY, messageSeq);
  if (body == 0) return 0;
  put16(body, ECDSA_SECP256R1_SHA256);
  const n = ecdsaSigToDer(signature, body + 4, 72);
  wipe(signature, 64);
  if (n < 0) return 0;
  put16(body + 2, n);
  return flightEndMessage(4 + n, 0);
}

// The public key as last seen (tests: two handshakes never share an ephemeral key).
