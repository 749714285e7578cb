// The client handshake as flights (RFC 6347 4.2.4):
//   1/3: ClientHello (again with the cookie after HelloVerifyRequest)
//   4:   ServerHello, [ServerKeyExchange], ServerHelloDone
//   5:   ClientKeyExchange, ChangeCipherSpec, Finished
//   6:   the server's ChangeCipherSpec, Finished
// Resumed (abbreviated) handshake, the server accepting the offered session ID:
//   4:   ServerHello, the server's ChangeCipherSpec, Finished
//   5:   our ChangeCipherSpec, Finished: the last flight, sent again whenever the server
//        resends its Finished (RFC 6347 4.2.4), also once connected
// A ServerHello with the SessionTicket extension puts a NewSessionTicket before the server's
// ChangeCipherSpec, in either handshake (RFC 5077 3.1, 3.3).
// Each state accepts only the messages that may come next; anything else is fatal.
import { HANDSHAKE_HEADER_LEN, HELLO_VERIFY_MAX, MAX_PLAINTEXT_UNNEGOTIATED } from "../config";
import { HT_HELLO_REQUEST, HT_SERVER_HELLO, HT_HELLO_VERIFY_REQUEST, HT_SERVER_KEY_EXCHANGE,
  HT_SERVER_HELLO_DONE, HT_FINISHED, HT_CERTIFICATE, HT_CERTIFICATE_REQUEST,
  TLS_PSK_WITH_AES_128_CCM_8, TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, ALERT_UNEXPECTED_MESSAGE, ALERT_INTERNAL_ERROR,
  ALERT_DECRYPT_ERROR, ALERT_DECODE_ERROR, ALERT_HANDSHAKE_FAILURE, ALERT_WARNING,
  ALERT_NO_RENEGOTIATION, ALERT_ILLEGAL_PARAMETER } from "../protocol";
import { REASON_UNEXPECTED_MESSAGE, REASON_MESSAGE_TOO_LARGE, REASON_BAD_FINISHED, REASON_DECODE,
  REASON_TOO_MANY_HVR, REASON_RANDOM, REASON_INTERNAL, REASON_TIMEOUT, REASON_NONE,
  REASON_FINISHED_TIMEOUT, REASON_CRYPTO_UNAVAILABLE, REASON_ILLEGAL_PARAMETER,
  REASON_HANDSHAKE_FAILURE, REASON_TICKET_LOST } from "../errors";
import { STATE_CONNECTED, HS_IDLE, HS_WAIT_SERVER_HELLO, HS_WAIT_SERVER_FLIGHT, HS_WAIT_CHANGE_CIPHER_SPEC,
  HS_WAIT_FINISHED, HS_DONE } from "../api_codes";
import { get8, get16, get24 } from "../util/bytes";
import { halRandom } from "../hal";
import { ctEqual } from "../crypto/ct";
import { optPmtu, optFalseStart } from "../options";
import { fail, sendAlert, connectionLive, NO_ALERT } from "../alert";
import { setState, countFlightSent, countFlightReceived, countRetransmission, markHandshakeDone,
  setReason } from "../session";
import { setWriteEpoch } from "../record/keys";
import { countDrop } from "../record/receive";
import { transcriptReset, transcriptAddMessage, transcriptAddParts } from "./transcript";
import { reassemblyReset, reassemblyAdd, messageBody, messageType, messageLength, messageSeq,
  FRAG_COMPLETE, FRAG_TOO_LARGE, FRAG_INCONSISTENT, reassemblyActive, reassemblyWindowed } from "./reassembly";
import { certsOffered, certificateRead, certHandshakeReset, clientCredential } from "./certificate";
import { certExtStart, cachedExpected, cachedCertificateRead, cacheCommit, certUrlAccepted, buildCertificateUrl } from "./cert_ext";
import { flightClear, flightTransmit, flightBeginMessage, flightEndMessage, flightEntryData,
  flightEntryLength, flightAddChangeCipherSpec } from "./flight";
import { fitClientHello } from "./client_hello";
import { parseHelloVerifyRequest, parseServerHello, cookie, cookieLen, cookieReset } from "./server_hello";
import { parseServerKeyExchangePsk, buildClientKeyExchangePsk, buildPremasterPsk } from "./psk";
import { ecdheReset, parseServerCertificateRpk, parseServerKeyExchangeEcdhe, parseCertificateRequest,
  buildClientCertificate, buildClientKeyExchangeEcdhe, buildCertificateVerify, clientAuthRequested,
  ECDH_PREMASTER_LEN, setClientAuthRequested } from "./ecdhe";
import { peerKeyReset, peerKeyRestore, peerSpkiHash, peerKeyKnown } from "./rpk";
import { ecUnavailable } from "../crypto/ec";
import { clientRandom, RANDOM_LEN, deriveMasterSecret, deriveKeyBlock, verifyData,
  VERIFY_DATA_LEN, keyScheduleWipe, masterSecretPtr, setMasterSecret } from "./key_schedule";
import { resumptionStart, resumed, keptSuite, keptEms, restoreMaster, sessionStore,
  sessionForget, sessionStorePeer, keptPeerKnown, keptPeerHash, keptClientAuth } from "./resumption";
import { optResume, optCid, optTickets } from "../options";
import { cidReset, cidStart } from "../record/cid";
import { ticketPending, parseNewSessionTicket } from "./tickets";
import { HT_NEW_SESSION_TICKET } from "../protocol";
import { negotiatedReset, chosenSuite, mflLength, emsNegotiated } from "./negotiated";
import { timerStartFlight, timerStop, timerDue, timerBackOff } from "./timer";
import { stashReset, stashPut, stashFind, stashRemove } from "./stash";
import { verdictReason, verdictAlert, ACCEPTED } from "./verdict";


let hsState: i32 = HS_IDLE;
let nextSendSeq: i32 = 0;
let nextReceiveSeq: i32 = 0;
// message_seq of the last message of the server's previous flight: seeing it again
// means the server did not get our answer, so we resend our flight (RFC 6347 4.2.4).
let previousFlightLastSeq: i32 = -1;
let helloVerifyCount: i32 = 0;
// A copy of the server's previous flight may make us resend ours at most once per timer
// period (RFC 6347 4.2.4 lets us limit this): copies cost a spoofer one datagram each, so
// without the limit every one of them would buy a whole flight (amplification).
let peerResendAllowed: bool = false;
let serverFlightRank: i32 = 0;
let sawServerKeyExchange: bool = false;
let sawCertificate: bool = false;
// Resumed handshake: message_seq of the server's Finished; a copy of it once we are
// connected means our last flight was lost.
let serverFinishedSeq: i32 = -1;
// False Start (RFC 7918, RFC 7925 section 21): set once our Finished of a full
// TLS_ECDHE_ECDSA handshake went out with OPT_FALSE_START; dtls_write is then allowed
// before the server's Finished (records in epoch 1). Its conditions hold there: forward
// secrecy (ECDHE), an AEAD with a 128-bit key, the server authenticated by its
// ServerKeyExchange signature under the pinned key (checked before ServerHelloDone is
// accepted). Never with PSK (no forward secrecy), never when resuming (RFC 7918 is about
// full handshakes; in a resumed one the server's Finished comes first anyway).
export let falseStart: bool = false;
const expectedVerify = memory.data(VERIFY_DATA_LEN);


// The connection ended: stop the timer and drop the flight; keep what was negotiated.
export function handshakeEnd(): void {
  if (hsState != HS_DONE) hsState = HS_IDLE;
  timerStop();
  reassemblyReset();
  stashReset();
  flightClear();
}
export function handshakeReset(): void {
  hsState = HS_IDLE;
  nextSendSeq = 0;
  nextReceiveSeq = 0;
  previousFlightLastSeq = -1;
  helloVerifyCount = 0;
  peerResendAllowed = false;
  serverFlightRank = 0;
  sawServerKeyExchange = false;
  sawCertificate = false;
  serverFinishedSeq = -1;
  falseStart = false;
  reassemblyReset();
  stashReset();
  flightClear();
  cookieReset();
  negotiatedReset();
  timerStop();
  cidReset();
  if (ECDHE_ENABLED) { ecdheReset(); peerKeyReset(); }
  if (X509_ENABLED) { certHandshakeReset(); certExtStart(); }
}

// The largest plaintext we may put in one record now (RFC 6066 s. 4).
export function maxRecordPlaintext(): i32 {
  return mflLength > 0 ? mflLength : MAX_PLAINTEXT_UNNEGOTIATED;
}

function sendFlight(now: i32, first: bool): void {
  const r = flightTransmit(optPmtu, maxRecordPlaintext());
  if (r != REASON_NONE) { fail(r, NO_ALERT); return; }
  if (first) { countFlightSent(); timerStartFlight(now); } else countRetransmission();
  peerResendAllowed = first;
}

export function handshakeStart(now: i32): i32 {
  handshakeReset();
  // Our connection ID (RFC 9146), when offered, is random too: the same in both ClientHellos.
  if (halRandom(clientRandom, RANDOM_LEN) != 0 || !cidStart(optCid)) { fail(REASON_RANDOM, NO_ALERT); return REASON_RANDOM; }
  transcriptReset();
  if (!resumptionStart(optResume || optTickets, optTickets)) { fail(REASON_RANDOM, NO_ALERT); return REASON_RANDOM; }
  // RFC 7925 s. 11: a ClientHello that cannot fit the PMTU is not sent at all.
  const r = fitClientHello(nextSendSeq++, cookie, 0, false);
  if (r != REASON_NONE) { fail(r, NO_ALERT); return r; }
  hsState = HS_WAIT_SERVER_HELLO;
  sendFlight(now, true);
  return REASON_NONE;
}

// Timer expiry: resend the last flight or give up.
export function handshakeTimer(now: i32): void {
  if (!timerDue(now)) return;
  if (!timerBackOff(now)) {
    // A server that cannot verify our Finished drops it silently (RFC 6347 4.1.2.7),
    // so silence after flight 5 most often means the PSK or identity is wrong.
    fail(ticketPending() ? REASON_TICKET_LOST : hsState >= HS_WAIT_CHANGE_CIPHER_SPEC ? REASON_FINISHED_TIMEOUT : REASON_TIMEOUT, NO_ALERT);
    return;
  }
  sendFlight(now, false);
  peerResendAllowed = true;   // a new timer period
}

function refuse(v: i32): void { fail(verdictReason(v), verdictAlert(v)); }

// One handshake record's plaintext: a sequence of fragments (RFC 6347 4.2.2).
export function handshakeRecord(p: usize, len: i32, epoch: i32, now: i32): void {
  let off = 0;
  // Each fragment may end the connection: stop at once when one did (RFC 5246 7.2.2).
  while (len - off >= HANDSHAKE_HEADER_LEN && hsState != HS_IDLE && connectionLive()) {
    const h = p + <usize>off;
    const type = get8(h);
    const total = get24(h + 1);
    const seq = get16(h + 4);
    const fragOff = get24(h + 6);
    const fragLen = get24(h + 9);
    if (fragLen > len - off - HANDSHAKE_HEADER_LEN || fragOff + fragLen > total) {
      countDrop();   // a malformed fragment: the rest of the record cannot be trusted
      return;
    }
    off += HANDSHAKE_HEADER_LEN + fragLen;
    if (seq > nextReceiveSeq && seq <= nextReceiveSeq + 8 && hsState != HS_DONE) {
      stashPut(epoch, h, fragLen);  // RFC 6347 4.2.2: queue what comes early
      continue;
    }
    fragment(type, total, seq, fragOff, h + HANDSHAKE_HEADER_LEN, fragLen, epoch, now);
    drainStash(now);
  }
}

// Feeds stashed fragments of the message now expected, as long as there are any.
// Entry layout: see stash.ts. Processing never adds to the stash, so the entry stays put.
function drainStash(now: i32): void {
  for (;;) {
    if (hsState == HS_IDLE || hsState == HS_DONE || !connectionLive()) return;
    const e = stashFind(nextReceiveSeq);
    if (e == 0) return;
    const h = e + 1;
    fragment(get8(h), get24(h + 1), get16(h + 4), get24(h + 6), h + HANDSHAKE_HEADER_LEN, get24(h + 9),
      <i32>load<u8>(e), now);
    stashRemove(e);
  }
}

function fragment(type: i32, total: i32, seq: i32, fragOff: i32, data: usize, fragLen: i32,
                  epoch: i32, now: i32): void {
  if (hsState == HS_DONE) {
    // RFC 7925 section 17: renegotiation is refused, never acted upon.
    if (type == HT_HELLO_REQUEST && epoch > 0) sendAlert(ALERT_WARNING, ALERT_NO_RENEGOTIATION);
    // A resumed handshake ends with our flight: the server's Finished again (authenticated,
    // so only the server can send it) means it did not get ours (RFC 6347 4.2.4).
    else if (type == HT_FINISHED && epoch == 1 && seq == serverFinishedSeq && fragOff + fragLen == total) {
      sendFlight(now, false);
    }
    return;
  }
  if (type == HT_HELLO_REQUEST) return;   // RFC 5246 7.4.1.1: ignored while negotiating
  if (seq < nextReceiveSeq) {
    // A retransmission of the server's previous flight: resend ours when its last
    // message's final fragment comes in, at most once per timer period. Copies of a
    // HelloVerifyRequest count against the limit like new ones.
    if (seq != previousFlightLastSeq || fragOff + fragLen != total) return;
    if (type == HT_HELLO_VERIFY_REQUEST && ++helloVerifyCount > HELLO_VERIFY_MAX) return;
    if (!peerResendAllowed) return;
    sendFlight(now, false);
    return;
  }
  if (seq > nextReceiveSeq) return;       // beyond what the stash keeps: MAY be dropped
  // X.509 (RFC 7925 s. 4.4): the server's Certificate, first in its flight after ServerHello,
  // is read certificate by certificate through the reassembly window as it arrives.
  // With cached_info answered (RFC 7924 s. 4.1) it carries only a hash: a message like the others.
  const streamed = X509_ENABLED != 0 && certsOffered && type == HT_CERTIFICATE && epoch == 0 &&
    hsState == HS_WAIT_SERVER_FLIGHT && serverFlightRank == 1 && !cachedExpected();
  if (streamed && !reassemblyActive()) reassemblyWindowed();
  const r = reassemblyAdd(type, total, seq, fragOff, data, fragLen);
  if (r == FRAG_TOO_LARGE) { fail(REASON_MESSAGE_TOO_LARGE, ALERT_INTERNAL_ERROR); return; }
  if (r == FRAG_INCONSISTENT) { fail(REASON_DECODE, ALERT_DECODE_ERROR); return; }
  if (X509_ENABLED && streamed) {
    const v = certificateRead(seq, r == FRAG_COMPLETE);
    if (v != ACCEPTED) { refuse(v); return; }
  }
  if (r != FRAG_COMPLETE) return;
  nextReceiveSeq++;
  reassemblyReset();
  if (X509_ENABLED && streamed) {   // in the transcript already, piece by piece
    serverFlightRank = rankOf(HT_CERTIFICATE);
    sawCertificate = true;
    return;
  }
  message(messageType(), messageSeq(), messageBody, messageLength(), epoch, now);
}

// Inlined into fragment(), its one caller: one wasm3 call frame less per message.
// @ts-ignore: decorator
@inline function message(type: i32, seq: i32, body: usize, len: i32, epoch: i32, now: i32): void {
  // RFC 5077 3.3: announced by the ServerHello, before the server's ChangeCipherSpec.
  if (type == HT_NEW_SESSION_TICKET && hsState == HS_WAIT_CHANGE_CIPHER_SPEC && epoch == 0 && ticketPending()) {
    onNewSessionTicket(seq, body, len);
    return;
  }
  if (hsState == HS_WAIT_SERVER_HELLO) {
    if (type == HT_HELLO_VERIFY_REQUEST) { onHelloVerifyRequest(seq, body, len, now); return; }
    if (type == HT_SERVER_HELLO) { onServerHello(seq, body, len); return; }
  } else if (hsState == HS_WAIT_SERVER_FLIGHT) {
    if (epoch == 0) { onServerFlightMessage(type, seq, body, len, now); return; }
  } else if (hsState == HS_WAIT_FINISHED) {
    if (type == HT_FINISHED && epoch == 1) { onServerFinished(seq, body, len, now); return; }
  }
  fail(REASON_UNEXPECTED_MESSAGE, ALERT_UNEXPECTED_MESSAGE);
}

function onHelloVerifyRequest(seq: i32, body: usize, len: i32, now: i32): void {
  if (++helloVerifyCount > HELLO_VERIFY_MAX) { fail(REASON_TOO_MANY_HVR, ALERT_HANDSHAKE_FAILURE); return; }
  const v = parseHelloVerifyRequest(body, len);
  if (v != ACCEPTED) { refuse(v); return; }
  // The second ClientHello repeats the first with the cookie and the next message_seq;
  // neither the first ClientHello nor the HelloVerifyRequest enter the transcript.
  // The cookie may leave no room in the PMTU: the server keeps no state yet, so no alert.
  const r = fitClientHello(nextSendSeq++, cookie, cookieLen, true);
  if (r != REASON_NONE) { fail(r, NO_ALERT); return; }
  previousFlightLastSeq = seq;
  countFlightReceived();
  sendFlight(now, true);
}

function onServerHello(seq: i32, body: usize, len: i32): void {
  const v = parseServerHello(body, len);
  if (v != ACCEPTED) { refuse(v); return; }
  // The ClientHello that got this answer is entry 0 of our flight.
  transcriptAddMessage(flightEntryData(0), flightEntryLength(0) - HANDSHAKE_HEADER_LEN);
  transcriptAddParts(HT_SERVER_HELLO, seq, body, len);
  if (resumed) { onResumingServerHello(); return; }
  hsState = HS_WAIT_SERVER_FLIGHT;
  serverFlightRank = 1;
}

// The server accepted the offered session: its ChangeCipherSpec and Finished come next,
// under keys from the session's master secret and the new randoms (RFC 5246 7.3).
function onResumingServerHello(): void {
  // RFC 5246 7.4.1.3: the session's suite; RFC 7627 5.3: EMS as in the session, or abort.
  if (chosenSuite != keptSuite()) { sessionForget(); fail(REASON_ILLEGAL_PARAMETER, ALERT_ILLEGAL_PARAMETER); return; }
  if (emsNegotiated != keptEms()) { sessionForget(); fail(REASON_HANDSHAKE_FAILURE, ALERT_HANDSHAKE_FAILURE); return; }
  restoreMaster(masterSecretPtr());
  if (ECDHE_ENABLED) {
    if (keptPeerKnown()) peerKeyRestore(keptPeerHash());
    setClientAuthRequested(keptClientAuth());
  }
  deriveKeyBlock();
  verifyData(false, expectedVerify);  // the server's Finished covers ClientHello, ServerHello
  hsState = HS_WAIT_CHANGE_CIPHER_SPEC;
}

// Order of the rest of flight 4 (RFC 5246 7.3): each message must rank above the last.
function rankOf(type: i32): i32 {
  if (type == HT_CERTIFICATE) return 2;
  if (type == HT_SERVER_KEY_EXCHANGE) return 3;
  if (type == HT_CERTIFICATE_REQUEST) return 4;
  if (type == HT_SERVER_HELLO_DONE) return 5;
  return 0;
}

function onServerFlightMessage(type: i32, seq: i32, body: usize, len: i32, now: i32): void {
  const rank = rankOf(type);
  if (rank <= serverFlightRank) { fail(REASON_UNEXPECTED_MESSAGE, ALERT_UNEXPECTED_MESSAGE); return; }
  serverFlightRank = rank;
  transcriptAddParts(type, seq, body, len);
  let v = ACCEPTED;
  if (chosenSuite == TLS_PSK_WITH_AES_128_CCM_8) {
    // Certificate / CertificateRequest have no place in a PSK handshake.
    if (type == HT_SERVER_KEY_EXCHANGE) v = parseServerKeyExchangePsk(body, len);
    else if (type != HT_SERVER_HELLO_DONE) { fail(REASON_UNEXPECTED_MESSAGE, ALERT_UNEXPECTED_MESSAGE); return; }
  } else if (ECDHE_ENABLED) {
    // TLS_ECDHE_ECDSA: Certificate and ServerKeyExchange are both required, in order.
    if (type == HT_CERTIFICATE) v = X509_ENABLED && cachedExpected() ? cachedCertificateRead(body, len) : parseServerCertificateRpk(body, len);
    else if (type == HT_SERVER_KEY_EXCHANGE && sawCertificate) v = parseServerKeyExchangeEcdhe(body, len);
    else if (type == HT_CERTIFICATE_REQUEST && sawServerKeyExchange) v = parseCertificateRequest(body, len);
    else if (type != HT_SERVER_HELLO_DONE || !sawServerKeyExchange) { fail(REASON_UNEXPECTED_MESSAGE, ALERT_UNEXPECTED_MESSAGE); return; }
  }
  if (v != ACCEPTED) { refuse(v); return; }
  if (type == HT_CERTIFICATE) sawCertificate = true;
  if (type == HT_SERVER_KEY_EXCHANGE) sawServerKeyExchange = true;
  if (type != HT_SERVER_HELLO_DONE) return;
  if (len != 0) { fail(REASON_DECODE, ALERT_DECODE_ERROR); return; }
  previousFlightLastSeq = seq;
  countFlightReceived();
  sendFinishedFlight(now);
}

// Flight 5: [Certificate], ClientKeyExchange, [CertificateVerify], ChangeCipherSpec,
// Finished. The premaster secret is the PSK's (RFC 4279 s. 2) or the ECDH x-coordinate.
function sendFinishedFlight(now: i32): void {
  flightClear();
  const ok = chosenSuite == TLS_PSK_WITH_AES_128_CCM_8 ? pskKeyExchange() : ecdheKeyExchange();
  if (!ok) { fail(ecUnavailable ? REASON_CRYPTO_UNAVAILABLE : REASON_INTERNAL, ALERT_INTERNAL_ERROR); return; }
  const finished = addChangeCipherSpecAndFinished();
  if (finished == 0) { fail(REASON_INTERNAL, ALERT_INTERNAL_ERROR); return; }
  transcriptAddMessage(finished, VERIFY_DATA_LEN);
  // The server's Finished covers ours: compute what it must say now.
  verifyData(false, expectedVerify);
  hsState = HS_WAIT_CHANGE_CIPHER_SPEC;
  sendFlight(now, true);
  falseStart = ECDHE_ENABLED != 0 && optFalseStart && chosenSuite == TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 && connectionLive();
}

// Appends our ChangeCipherSpec and Finished (verify_data over the transcript so far) to the
// flight, from here on in epoch 1. Returns the Finished message, or 0 if it does not fit.
function addChangeCipherSpecAndFinished(): usize {
  flightAddChangeCipherSpec(0);
  setWriteEpoch(1);
  const fin = flightBeginMessage(HT_FINISHED, nextSendSeq++);
  if (fin == 0) return 0;
  verifyData(true, fin);
  return flightEndMessage(VERIFY_DATA_LEN, 1);
}

function pskKeyExchange(): bool {
  const cke = buildClientKeyExchangePsk(nextSendSeq++);
  if (cke == 0) return false;
  transcriptAddMessage(cke, get24(cke + 1));
  // RFC 7627 s. 4: the session hash covers the transcript through ClientKeyExchange.
  deriveMasterSecret(buildPremasterPsk(), emsNegotiated);
  deriveKeyBlock();
  return true;
}

// [Certificate], ClientKeyExchange, [CertificateVerify]; compiled out of the PSK build.
function ecdheKeyExchange(): bool {
  if (ECDHE_ENABLED) {
    if (clientAuthRequested) {
      // RFC 6066 s. 5: the server echoed client_certificate_url: our certificate's URL instead.
      const cert = X509_ENABLED && certUrlAccepted() && clientCredential() ? buildCertificateUrl(nextSendSeq++) : buildClientCertificate(nextSendSeq++);
      if (cert == 0) return false;
      transcriptAddMessage(cert, get24(cert + 1));
    }
    const cke = buildClientKeyExchangeEcdhe(nextSendSeq++);
    if (cke == 0) return false;
    transcriptAddMessage(cke, get24(cke + 1));
    deriveMasterSecret(ECDH_PREMASTER_LEN, emsNegotiated);
    deriveKeyBlock();
    if (clientAuthRequested && clientCredential()) {   // RFC 7925 s. 4.4.2 with X.509
      const cv = buildCertificateVerify(nextSendSeq++);
      if (cv == 0) return false;
      transcriptAddMessage(cv, get24(cv + 1));
    }
    return true;
  }
  return false;
}

// The server's NewSessionTicket (RFC 5077 3.3): kept, and covered by its Finished.
function onNewSessionTicket(seq: i32, body: usize, len: i32): void {
  const v = parseNewSessionTicket(body, len);
  if (v != ACCEPTED) { refuse(v); return; }
  transcriptAddParts(HT_NEW_SESSION_TICKET, seq, body, len);
  verifyData(false, expectedVerify);
}

// The server's ChangeCipherSpec: from here its records must be in epoch 1. Not before an
// announced NewSessionTicket (lost, if it is late: the server sends its flight again).
export function handshakeChangeCipherSpec(): bool {
  if (hsState != HS_WAIT_CHANGE_CIPHER_SPEC || ticketPending()) return false;
  hsState = HS_WAIT_FINISHED;
  return true;
}

function onServerFinished(seq: i32, body: usize, len: i32, now: i32): void {
  if (!connectionLive()) return;
  if (len != VERIFY_DATA_LEN || !ctEqual(body, expectedVerify, VERIFY_DATA_LEN)) {
    fail(REASON_BAD_FINISHED, ALERT_DECRYPT_ERROR);
    return;
  }
  countFlightReceived();
  if (resumed) {
    // Our ChangeCipherSpec and Finished (over the transcript with the server's Finished).
    transcriptAddParts(HT_FINISHED, seq, body, len);
    flightClear();
    if (addChangeCipherSpecAndFinished() == 0) { fail(REASON_INTERNAL, ALERT_INTERNAL_ERROR); return; }
    sendFlight(now, true);
    if (!connectionLive()) return;
    serverFinishedSeq = seq;  // the flight stays, for copies of the server's Finished
  } else {
    if (optResume || optTickets) {
      sessionStore(masterSecretPtr(), chosenSuite, emsNegotiated);
      if (ECDHE_ENABLED && peerKeyKnown) sessionStorePeer(peerSpkiHash, clientAuthRequested && clientCredential());
    }
    if (X509_ENABLED) cacheCommit();   // RFC 7924: the validated chain, for the next ClientHello
    flightClear();
  }
  hsState = HS_DONE;
  timerStop();
  keyScheduleWipe();
  setReason(REASON_NONE);
  setState(STATE_CONNECTED);
  markHandshakeDone(now);
}

export function handshakeDone(): bool { return hsState == HS_DONE; }
export function handshakeState(): i32 { return hsState; }
export function handshakeWaitingForChangeCipherSpec(): bool { return hsState == HS_WAIT_CHANGE_CIPHER_SPEC; }
export function handshakeClientAuthenticated(): bool {
  if (ECDHE_ENABLED) return clientAuthRequested && clientCredential();
  return false;
}
