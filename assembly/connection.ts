// The connection: routes each received record (after the record layer's checks) to
// the handshake, the alert protocol or the application, and runs the timers.
import { FUTURE_RECORD_MAX } from "./config";
import { DTLS_1_2, CT_HANDSHAKE, CT_CHANGE_CIPHER_SPEC, CT_ALERT, CT_APPLICATION_DATA, CT_TLS12_CID,
  ALERT_WARNING, ALERT_FATAL, ALERT_CLOSE_NOTIFY, ALERT_RECORD_OVERFLOW, ALERT_UNEXPECTED_MESSAGE } from "./protocol";
import { STATE_IDLE, STATE_HANDSHAKING, STATE_CONNECTED, STATE_CLOSED, STATE_FAILED } from "./api_codes";
import { ERR_BAD_STATE, ERR_NO_CREDENTIALS, REASON_CRYPTO_UNAVAILABLE, ERR_TOO_LARGE, ERR_FAILED, REASON_PEER_ALERT,
  REASON_CLOSED_BY_PEER, REASON_RECORD_OVERFLOW, REASON_FINISHED_TIMEOUT, REASON_CHANGE_CIPHER_SPEC_LOST,
  REASON_HEARTBEAT_TIMEOUT, REASON_UNEXPECTED_MESSAGE } from "./errors";
import { halClockMs, logText, LOG_WARN } from "./hal";
import { hasPsk, hasRpk } from "./credentials";
import { certsWanted } from "./handshake/certificate";
import { optPmtu, HEARTBEAT_BUILT } from "./options";
import { boardCryptoReady } from "./crypto/board_crypto";
import { aesUnavailable, aesReset } from "./crypto/aes";
import { fail, sendAlert, NO_ALERT } from "./alert";
import { connState, lastReason, setState, setReason, sessionReset, markHandshakeStart, noteAlert,
  countHandshakeDatagram } from "./session";
import { recordStateReset, readEpoch, setReadEpoch, writeEpoch } from "./record/keys";
import { txReset, txBeginRecord, txEndRecord, txFlush, recordExpansion, txLargestReset } from "./record/send";
import { recordsBegin, recordNext, recordOpen, recordLoad, recordDecrypt, recordCidValid, countDrop, resetDropCount,
  recType, recVersion, recEpoch, recStart, recHeaderLen, recFragmentLen, recPayload, recPayloadLen } from "./record/receive";
import { cidTx } from "./record/cid";
import { handshakeReset, handshakeEnd, handshakeStart, handshakeTimer, handshakeRecord, handshakeChangeCipherSpec,
  handshakeDone, handshakeWaitingForChangeCipherSpec, maxRecordPlaintext, falseStart } from "./handshake/client";
import { keyScheduleWipe, keylogTake } from "./handshake/key_schedule";
import { sessionForget } from "./handshake/resumption";
import { chosenVersion } from "./handshake/negotiated";
import { timerRemaining } from "./handshake/timer";
import { appQueueReset, appQueuePush } from "./app_data";
import { notePeak } from "./regions";
import { REGION_FUTURE_RECORD } from "./api_codes";
import { CT_HEARTBEAT } from "./protocol";
import { heartbeatReset, heartbeatRecord, heartbeatPoll } from "./heartbeat";

// One record of epoch 1 that overtook the server's ChangeCipherSpec (RFC 6347 4.1).
const futureRecord = memory.data(FUTURE_RECORD_MAX);
let futureLen: i32 = 0;

function resetAll(): void {
  keylogTake(0);     // OPT_KEYLOG: a master secret the host did not take is not kept
  recordStateReset();
  txReset();
  txLargestReset();
  handshakeReset();
  appQueueReset();
  sessionReset();
  resetDropCount();
  futureLen = 0;
  heartbeatReset();
  if (!AES_IN_MODULE) aesReset();
}

// Wipes the keys once the connection has ended. A board AES engine that failed in a
// module without software AES ends it too (its records were discarded, not sent).
function endIfOver(): void {
  if (!AES_IN_MODULE && aesUnavailable) fail(REASON_CRYPTO_UNAVAILABLE, -1);
  // A fatal alert or a failed handshake invalidates the session (RFC 5246 7.2.2). A
  // heartbeat timeout (no alert: the path went away) keeps it, to resume when it is back.
  if (connState == STATE_FAILED && lastReason != REASON_HEARTBEAT_TIMEOUT) sessionForget();
  if (connState == STATE_FAILED || connState == STATE_CLOSED) {
    keyScheduleWipe();
    recordStateReset();
    handshakeEnd();   // keeps what was negotiated for dtls_info
    futureLen = 0;
  }
}

export function connect(): i32 {
  if (connState == STATE_HANDSHAKING || connState == STATE_CONNECTED) return ERR_BAD_STATE;
  const publicKey = ECDHE_ENABLED != 0 && (hasRpk() || (X509_ENABLED != 0 && certsWanted()));
  if (!hasPsk() && !publicKey) return ERR_NO_CREDENTIALS;
  resetAll();
  const now = halClockMs();
  setState(STATE_HANDSHAKING);
  markHandshakeStart(now);
  if (!boardCryptoReady(publicKey)) {
    fail(REASON_CRYPTO_UNAVAILABLE, -1); // nothing was sent: no alert either
    endIfOver();
    return ERR_FAILED;
  }
  handshakeStart(now);
  if (connState == STATE_FAILED) { endIfOver(); return ERR_FAILED; }
  return 0;
}

export function onDatagram(p: usize, len: i32): i32 {
  if (connState != STATE_HANDSHAKING && connState != STATE_CONNECTED) return connState;
  countHandshakeDatagram(false, len);
  const now = halClockMs();
  recordsBegin(p, len);
  while (recordNext()) {
    onRecord(now);
    if (connState != STATE_HANDSHAKING && connState != STATE_CONNECTED) break;
  }
  endIfOver();
  return connState;
}

function onRecord(now: i32): void {
  // Before the ServerHello fixed the version, records may say DTLS 1.0 (RFC 6347 4.1).
  const versionOk = chosenVersion != 0 ? recVersion == DTLS_1_2 : (recVersion >> 8) == 0xfe;
  if (!versionOk || !recordCidValid()) { countDrop(); return; }
  if (recEpoch != readEpoch) {
    if (recEpoch == readEpoch + 1 && handshakeWaitingForChangeCipherSpec() && futureLen == 0 &&
        recHeaderLen + recFragmentLen <= FUTURE_RECORD_MAX) {
      futureLen = recHeaderLen + recFragmentLen;
      notePeak(REGION_FUTURE_RECORD, futureLen);
      memory.copy(futureRecord, recStart, <usize>futureLen);
    } else {
      countDrop();
    }
    return;
  }
  if (!recordOpen()) return;
  if (recPayloadLen > maxRecordPlaintext()) {
    // RFC 6066 s. 4: a record over the negotiated length. Only an authenticated one
    // ends the connection; an epoch-0 one could be anybody's.
    if (recEpoch > 0) fail(REASON_RECORD_OVERFLOW, ALERT_RECORD_OVERFLOW);
    else countDrop();
    return;
  }
  dispatch(now);
}

function dispatch(now: i32): void {
  if (recType == CT_HANDSHAKE) {
    handshakeRecord(recPayload, recPayloadLen, recEpoch, now);
  } else if (recType == CT_CHANGE_CIPHER_SPEC) {
    if (recPayloadLen == 1 && load<u8>(recPayload) == 1 && handshakeChangeCipherSpec()) {
      setReadEpoch(1);
      replayBuffered(now);
    } else {
      countDrop();
    }
  } else if (recType == CT_ALERT) {
    onAlert();
  } else if (recType == CT_APPLICATION_DATA && recEpoch > 0 && handshakeDone()) {
    if (!appQueuePush(recPayload, recPayloadLen)) logText(LOG_WARN, "application record lost: dtls_read is behind");
  } else if (HEARTBEAT_BUILT && recType == CT_HEARTBEAT && recEpoch > 0 && handshakeDone()) {
    heartbeatRecord(recPayload, recPayloadLen, maxWrite());   // RFC 6520 s. 3: never during the handshake
  } else if (recType == CT_TLS12_CID) {
    // An authenticated DTLSInnerPlaintext without a content type (all zeros): RFC 9146 s. 4
    // refers to RFC 8446 5.4, which ends the connection with unexpected_message.
    fail(REASON_UNEXPECTED_MESSAGE, ALERT_UNEXPECTED_MESSAGE);
  } else {
    countDrop();
  }
}

// The handshake gave up waiting for the server's ChangeCipherSpec while its Finished was
// held: if that record authenticates, our keys (and so the PSK or key exchange) were
// right and only the ChangeCipherSpec was lost, which is worth saying (a server such as
// tinydtls never resends its last flight). Nothing of the record is acted upon.
function explainHeldRecord(): void {
  if (futureLen == 0) return;
  recordLoad(futureRecord);
  if (recEpoch == 1 && recordDecrypt() >= 0) {
    setReason(REASON_CHANGE_CIPHER_SPEC_LOST);
  }
}

function replayBuffered(now: i32): void {
  if (futureLen == 0) return;
  recordLoad(futureRecord);
  futureLen = 0;
  if (recordOpen()) dispatch(now);
}

// RFC 7925 section 6: fatal alerts end the connection; warnings are noted and, but for
// close_notify, do not stop it. RFC 5246 7.2.2 alerts that are always fatal count as
// fatal whatever level the peer gave them.
function onAlert(): void {
  if (recPayloadLen != 2) { countDrop(); return; }
  const level = <i32>load<u8>(recPayload);
  const description = <i32>load<u8>(recPayload + 1);
  noteAlert(false, level, description);
  if (description == ALERT_CLOSE_NOTIFY) {
    if (connState == STATE_CONNECTED) {
      sendAlert(ALERT_WARNING, ALERT_CLOSE_NOTIFY);
      noteAlert(false, level, description);
      setReason(REASON_CLOSED_BY_PEER);
      setState(STATE_CLOSED);
    } else {
      fail(REASON_CLOSED_BY_PEER, NO_ALERT);
    }
    return;
  }
  if (level == ALERT_FATAL || alwaysFatal(description)) { fail(REASON_PEER_ALERT, NO_ALERT); return; }
  logText(LOG_WARN, "warning alert received");
}

function alwaysFatal(d: i32): bool {
  return d == 10 || d == 20 || d == 22 || d == 40 || d == 47 || d == 50 || d == 51 ||
    d == 70 || d == 71 || d == 80;
}

export function poll(): i32 {
  const now = halClockMs();
  if (connState == STATE_HANDSHAKING) {
    handshakeTimer(now);
    if (connState == STATE_FAILED && lastReason == REASON_FINISHED_TIMEOUT) explainHeldRecord();
    endIfOver();
  } else if (HEARTBEAT_BUILT && connState == STATE_CONNECTED) {
    // Our HeartbeatRequests (RFC 6520): -1 when there are none, as before.
    const next = heartbeatPoll(now);
    endIfOver();
    return next;
  }
  if (connState != STATE_HANDSHAKING) return -1;
  return timerRemaining(now);
}

// The largest application record we can send now: the negotiated fragment length and
// the PMTU both bound it (DTLS never fragments application data). With the server's CID the
// record carries it and the real content type, which counts against the length too (RFC 9146).
// Only called once connected, i.e. in epoch 1.
export function maxWrite(): i32 {
  const byPmtu = optPmtu - recordExpansion(1);
  const byMfl = maxRecordPlaintext() - <i32>(cidTx(1) > 0);
  return byPmtu < byMfl ? byPmtu : byMfl;
}

// dtls_write is allowed: connected, or False Start after our Finished (handshake/client.ts).
export function writable(): bool {
  return connState == STATE_CONNECTED || (ECDHE_ENABLED != 0 && connState == STATE_HANDSHAKING && falseStart);
}

export function write(src: usize, len: i32): i32 {
  if (!writable()) return ERR_BAD_STATE;
  if (len < 0 || len > maxWrite()) return ERR_TOO_LARGE;
  txReset();
  const p = txBeginRecord(CT_APPLICATION_DATA, writeEpoch);
  if (p == 0) return ERR_FAILED;
  memory.copy(p, src, <usize>len);
  txEndRecord(len);
  if (!AES_IN_MODULE && aesUnavailable) { txReset(); endIfOver(); return ERR_FAILED; }
  txFlush();
  return len;
}

export function close(): i32 {
  if (connState == STATE_HANDSHAKING || connState == STATE_CONNECTED) {
    sendAlert(ALERT_WARNING, ALERT_CLOSE_NOTIFY);
    setState(STATE_CLOSED);
    endIfOver();
    return 0;
  }
  if (connState == STATE_IDLE) return ERR_BAD_STATE;
  return 0;
}
