// X.509 certificates in the handshake (RFC 7925 s. 4.4), X509_ENABLED builds: what the
// client offers, the server's Certificate message read certificate by certificate through
// the reassembly window and validated by assembly/x509/ as it comes, and our own chain.
// Certificates are the certificate type when trust anchors are configured and no raw-key
// pin is: the ClientHello then carries no RFC 7250 extensions (absent = X.509).
import { HS_MESSAGE_MAX, CERT_MESSAGE_MAX, CLIENT_CHAIN_MAX, SNI_MAX } from "../config";
import { HT_CERTIFICATE, ALERT_DECODE_ERROR, ALERT_BAD_CERTIFICATE } from "../protocol";
import { REASON_DECODE, REASON_CERT_TOO_LARGE, REASON_CERT_EMPTY, ERR_BAD_ARGUMENT, ERR_TOO_LARGE } from "../errors";
import { REGION_CLIENT_CHAIN } from "../api_codes";
import { get24, put24 } from "../util/bytes";
import { sha256 } from "../crypto/sha256";
import { halWallTimeS } from "../hal";
import { notePeak } from "../regions";
import { optCertUnknownTime } from "../options";
import { hasRpk, hasClientKey, serverName, serverNameLen, validHostName } from "../credentials";
import { messageBody, messageLength, windowContiguous, windowConsume } from "./reassembly";
import { transcriptAddHeader, transcriptAddBody } from "./transcript";
import { writeSpki, peerKeyRestore, SPKI_LEN } from "./rpk";
import { setServerKey } from "./ecdhe";
import { verdict, verdictReason, ACCEPTED } from "./verdict";
import { anchorCount } from "../x509/anchors";
import { chainBegin, chainAdd, chainEnd, chainLeafKey, chainFailIndex, chainCount, CHAIN_SERVER, chainNotAfter } from "../x509/chain";
import { cacheBegin, cacheAbsorb, cacheFill } from "./cert_ext";

// Whether this handshake's ClientHello offered X.509 (set by the ClientHello, kept for the
// ServerHello's check and the INFO keys).
export let certsOffered: bool = false;
// The server's chain: -1 not checked, 0 accepted, else the REASON_ that refused it.
export let certResult: i32 = -1;
let reading: bool = false;     // the Certificate message has begun
let listLeft: i32 = -1;        // bytes of certificate_list not read yet; -1: its length not read
let tooLarge: i32 = -1;        // the certificate refused here for its size (the validator never saw it)

// @ts-ignore: decorator
@lazy export const clientChain = memory.data(X509_ENABLED ? CLIENT_CHAIN_MAX : 0);
export let clientChainLen: i32 = 0;
// The reference identity for the server's certificate (RFC 6125 DNS-ID, RFC 7925 s. 4.4.1);
// none configured: the SNI value.
// @ts-ignore: decorator
@lazy const peerName = memory.data(X509_ENABLED ? SNI_MAX : 0);
let peerNameLen: i32 = 0;

const DECODE: i32 = (REASON_DECODE << 8) | ALERT_DECODE_ERROR;

// What the next ClientHello offers: X.509 when anchors are configured and no pin is.
export function certsWanted(): bool {
  return X509_ENABLED != 0 && !hasRpk() && anchorCount() > 0;
}
export function setCertsOffered(v: bool): void { certsOffered = v; }

export function certHandshakeReset(): void {
  certsOffered = false;
  certResult = -1;
  reading = false;
  listLeft = -1;
  tooLarge = -1;
}

// We can answer a CertificateRequest with a key of ours: a raw public key, or with
// certificates a configured chain (RFC 7925 s. 4.4.2); else the Certificate is empty.
export function clientCredential(): bool {
  return hasClientKey && (!X509_ENABLED || !certsOffered || clientChainLen > 0);
}

export function clientChainReset(): void { clientChainLen = 0; peerNameLen = 0; }

// dtls_config_cert: one more certificate (DER) of our chain, leaf first.
export function clientChainAdd(der: usize, len: i32): i32 {
  if (len < 1) return ERR_BAD_ARGUMENT;
  if (clientChainLen + 3 + len > CLIENT_CHAIN_MAX) return ERR_TOO_LARGE;
  const p = clientChain + <usize>clientChainLen;
  put24(p, len);
  memory.copy(p + 3, der, <usize>len);
  clientChainLen += 3 + len;
  notePeak(REGION_CLIENT_CHAIN, clientChainLen);
  return 0;
}

// The reference name the server's chain is checked against (cert_ext.ts binds a cache to it).
export function referenceName(): usize { return peerNameLen > 0 ? peerName : serverName; }
export function referenceNameLen(): i32 { return peerNameLen > 0 ? peerNameLen : serverNameLen; }

export function setPeerName(src: usize, len: i32): i32 {
  if (len < 0 || len > SNI_MAX || !validHostName(src, len)) return ERR_BAD_ARGUMENT;
  memory.copy(peerName, src, <usize>len);
  peerNameLen = len;
  return 0;
}

// Reads what arrived of the server's Certificate message (RFC 5246 7.4.2: certificate_list
// <0..2^24-1>, each ASN.1Cert<1..2^24-1>, the server's own first): each whole certificate
// goes to the transcript and to the validator, then leaves the window. complete: the last
// byte of the message arrived. ACCEPTED, or the verdict that ends the handshake.
export function certificateRead(seq: i32, complete: bool): i32 {
  const total = messageLength();
  if (!reading) {
    reading = true;
    if (total > CERT_MESSAGE_MAX) return refused(verdict(REASON_CERT_TOO_LARGE, ALERT_BAD_CERTIFICATE));
    transcriptAddHeader(HT_CERTIFICATE, seq, total);
    cacheBegin();
    // RFC 7925 s. 12: the time is the board's trusted clock, never the server's hello.
    chainBegin(referenceName(), referenceNameLen(), halWallTimeS(), optCertUnknownTime, CHAIN_SERVER);
  }
  for (;;) {
    const have = windowContiguous();
    if (have < 3 || listLeft == 0) break;
    const n = get24(messageBody);
    let take = 3;
    if (listLeft < 0) {
      if (n + 3 != total) return refused(DECODE);
      if (n == 0) return refused(verdict(REASON_CERT_EMPTY, ALERT_BAD_CERTIFICATE));
      listLeft = n;
    } else {
      if (n == 0 || n + 3 > listLeft) return refused(DECODE);
      // RFC 7925 s. 4.4: one certificate at a time, so it must fit the window.
      if (n + 3 > HS_MESSAGE_MAX) { tooLarge = chainCount(); return refused(verdict(REASON_CERT_TOO_LARGE, ALERT_BAD_CERTIFICATE)); }
      if (have < n + 3) break;
      const v = chainAdd(messageBody + 3, n);
      if (v != ACCEPTED) return refused(v);
      take = n + 3;
      listLeft -= take;
    }
    transcriptAddBody(messageBody, take);
    cacheAbsorb(messageBody, take);
    windowConsume(take);
  }
  if (!complete) return ACCEPTED;
  if (listLeft != 0) return refused(DECODE);
  const v = chainEnd();
  if (v != ACCEPTED) return refused(v);
  cacheFill(chainLeafKey, chainNotAfter);
  certAccepted(chainLeafKey);
  return ACCEPTED;
}

// The server's key is the leaf's of a validated chain (or of the cached one, cert_ext.ts).
export function certAccepted(key65: usize): void {
  certResult = 0;
  setServerKey(key65);
  // The leaf's key hash, as with raw public keys (session, INFO_PEER_KEY_HASH). The window
  // was read to its end: its buffer is free scratch now.
  writeSpki(messageBody, key65);
  sha256(messageBody, SPKI_LEN, messageBody + <usize>SPKI_LEN);
  peerKeyRestore(messageBody + <usize>SPKI_LEN);
}

function refused(v: i32): i32 {
  certResult = verdictReason(v);
  return v;
}

// The failing certificate (0 = the server's own), -1 if none.
export function certFailIndex(): i32 { return certResult <= 0 ? -1 : tooLarge >= 0 ? tooLarge : chainFailIndex(); }
