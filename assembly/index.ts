// The module's exported API (docs/API.md): the only file that exports functions.
// Numbers in, numbers out; bytes cross through the one fixed I/O buffer.
import { IO_BUFFER_SIZE } from "./config";
import { INFO_CIPHER_SUITE, INFO_MFL, INFO_EMS, INFO_SNI_ACCEPTED, INFO_RESUMED,
  INFO_FLIGHTS_RETRANSMITTED, INFO_FLIGHTS_SENT, INFO_FLIGHTS_RECEIVED, INFO_HANDSHAKE_MS,
  INFO_VERSION, INFO_HEAP_TOP, INFO_MEMORY_PAGES, INFO_STATIC_END, INFO_MAX_WRITE,
  INFO_RENEGOTIATION_INFO, INFO_RECORDS_DROPPED, INFO_CLIENT_AUTH, INFO_PEER_KEY_HASH, INFO_ECDHE_SUPPORTED,
  INFO_APP_RECORDS_LOST, INFO_DATAGRAMS_TOO_LARGE, INFO_HANDSHAKE_STATE, INFO_REGION_SIZE, INFO_REGION_PEAK,
  INFO_CRYPTO_FROM_HAL, CRYPTO_FROM_HAL_AES, INFO_HANDSHAKE_BYTES_SENT, INFO_HANDSHAKE_BYTES_RECEIVED,
  INFO_HANDSHAKE_DATAGRAMS_SENT, INFO_HANDSHAKE_DATAGRAMS_RECEIVED, CRYPTO_FROM_HAL_P256,
  INFO_HEARTBEATS_SENT, INFO_HEARTBEAT_PEER_MODE, INFO_CID_SENT_LEN, INFO_CID_RECEIVED_LEN,
  INFO_MAX_DATAGRAM_SENT, INFO_FALSE_START,
  REGION_COUNT, STATE_HANDSHAKING, STATE_CONNECTED } from "./api_codes";
import { ERR_BAD_ARGUMENT, ERR_BAD_STATE, ERR_WOULD_BLOCK, ERR_UNSUPPORTED } from "./errors";
import { optionsReset, optionSet } from "./options";
import { credentialsReset, setPsk, setServerName, setServerPin, setClientKeyPresent, clientPrivateKey,
  clientPublicKey, rpkReset } from "./credentials";
import { wipe } from "./crypto/ct";
import { sessionForget, resumed } from "./handshake/resumption";
import { sessionExport, sessionImport } from "./handshake/session_blob";
import { INFO_TICKET, INFO_TICKET_LEN } from "./api_codes";
import { ticketOffered, keptTicketLen } from "./handshake/tickets";
import { ecPublicFromPrivate, ecUnavailable } from "./crypto/ec";
import { peerSpkiHash, peerKeyKnown } from "./handshake/rpk";
import { handshakeClientAuthenticated, handshakeState, falseStart } from "./handshake/client";
import { connState, lastReason, lastAlert, flightsSent, flightsReceived, flightsRetransmitted,
  handshakeMs, hsBytesSent, hsBytesReceived, hsDatagramsSent, hsDatagramsReceived } from "./session";
import { connect, onDatagram, poll, write, close, maxWrite, writable } from "./connection";
import { txLargestSent } from "./record/send";
import { appQueuePop, appRecordsLost } from "./app_data";
import { chosenSuite, chosenVersion, mflLength, emsNegotiated, sniAccepted,
  renegotiationInfoSeen } from "./handshake/negotiated";
import { regionSize, regionPeak } from "./regions";
import { recordsDropped, datagramsTooLarge, countDatagramTooLarge } from "./record/receive";
import { heartbeatInfo } from "./heartbeat";
import { ownCid, peerCid, rxCidLen, txCidLen } from "./record/cid";
import { INFO_KEYLOG } from "./api_codes";
import { keylogTake } from "./handshake/key_schedule";
import { INFO_CERT_RESULT, INFO_CERT_FAIL_INDEX, INFO_CERT_COUNT, INFO_CERT_TYPE, INFO_ANCHOR_COUNT,
  INFO_CLIENT_CHAIN_LEN } from "./api_codes";
import { TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 } from "./protocol";
import { certsOffered, certResult, certFailIndex, clientChainReset, clientChainLen } from "./handshake/certificate";
import { anchorsReset, anchorCount } from "./x509/anchors";
import { chainCount } from "./x509/chain";
import { INFO_CACHED_INFO_USED, INFO_CERT_EXT_OFFERED } from "./api_codes";
import { certExtReset, cachedUsed, certExtInfo } from "./handshake/cert_ext";

const ioBuffer = memory.data(IO_BUFFER_SIZE, 16);

function configurable(): bool { return connState != STATE_HANDSHAKING && connState != STATE_CONNECTED; }
function inBuffer(len: i32): bool { return len >= 0 && len <= IO_BUFFER_SIZE; }

export function dtls_buffer(): usize { return ioBuffer; }
export function dtls_buffer_size(): i32 { return IO_BUFFER_SIZE; }

export function dtls_config_reset(): void {
  if (!configurable()) close();
  optionsReset();
  keylogTake(0);     // OPT_KEYLOG off: a kept master secret goes
  credentialsReset();
  if (X509_ENABLED) { anchorsReset(); clientChainReset(); certExtReset(); }
  sessionForget();   // a session belongs to the credentials and server it was made with
}

export function dtls_config_set(option: i32, value: i32): i32 {
  if (!configurable()) return ERR_BAD_STATE;
  return optionSet(option, value);
}

export function dtls_config_psk(identityLen: i32, pskLen: i32): i32 {
  if (!configurable()) return ERR_BAD_STATE;
  if (!inBuffer(identityLen) || !inBuffer(pskLen) || !inBuffer(identityLen + pskLen)) return ERR_BAD_ARGUMENT;
  const r = setPsk(ioBuffer, identityLen, pskLen);
  wipe(ioBuffer, identityLen + pskLen);   // the key must not linger in the shared buffer
  sessionForget();
  return r;
}

export function dtls_config_sni(len: i32): i32 {
  if (!configurable()) return ERR_BAD_STATE;
  if (!inBuffer(len)) return ERR_BAD_ARGUMENT;
  sessionForget();
  return setServerName(ioBuffer, len);
}

// Raw public keys (RFC 7250): [our P-256 private key, 32 bytes, or nothing] then the
// server's pin: its uncompressed point (65) or the SHA-256 of its SPKI (32).
export function dtls_config_rpk(privateLen: i32, pinLen: i32): i32 {
  if (ECDHE_ENABLED) {
    if (!configurable()) return ERR_BAD_STATE;
    if (privateLen != 0 && privateLen != 32) return ERR_BAD_ARGUMENT;
    rpkReset();
    sessionForget();
    // X.509 builds: our key alone (pin 0) is the key of our certificate chain (dtls_config_cert).
    if (!(X509_ENABLED && pinLen == 0) && setServerPin(ioBuffer + <usize>privateLen, pinLen) != 0) return ERR_BAD_ARGUMENT;
    if (privateLen == 32) {
      memory.copy(clientPrivateKey, ioBuffer, 32);
      wipe(ioBuffer, 32);
      if (!ecPublicFromPrivate(clientPrivateKey, clientPublicKey)) {
        rpkReset();
        return ecUnavailable ? ERR_UNSUPPORTED : ERR_BAD_ARGUMENT;
      }
      setClientKeyPresent(true);
    }
    return 0;
  }
  return ERR_UNSUPPORTED;
}

// The kept session as a blob in the I/O buffer (handshake/session_blob.ts): its length, or
// ERR_BAD_STATE when there is none. The blob holds the master secret: store it where the
// PSK lives, and wipe the buffer's copy.
export function dtls_session_export(): i32 { return sessionExport(ioBuffer, IO_BUFFER_SIZE); }

// A blob of len bytes from the I/O buffer becomes the kept session, offered by the next
// dtls_connect with OPT_RESUME. Configure the credentials first: the blob is bound to them.
export function dtls_session_import(len: i32): i32 {
  if (!configurable()) return ERR_BAD_STATE;
  if (!inBuffer(len)) return ERR_BAD_ARGUMENT;
  const r = sessionImport(ioBuffer, len);
  wipe(ioBuffer, len);
  return r;
}

export function dtls_connect(): i32 { return connect(); }

// len > dtls_buffer_size(): the host received a datagram too large to copy in (nothing
// was copied). It is dropped here and counted, so the loss is visible.
export function dtls_on_datagram(len: i32): i32 {
  if (len > IO_BUFFER_SIZE) { countDatagramTooLarge(); return connState; }
  if (len < 0) return connState;
  return onDatagram(ioBuffer, len);
}

export function dtls_poll(): i32 { return poll(); }

export function dtls_write(len: i32): i32 {
  if (!inBuffer(len)) return ERR_BAD_ARGUMENT;
  return write(ioBuffer, len);
}

export function dtls_read(): i32 {
  const n = appQueuePop(ioBuffer, IO_BUFFER_SIZE);
  return n < 0 ? ERR_WOULD_BLOCK : n;
}

export function dtls_close(): i32 { return close(); }
export function dtls_state(): i32 { return connState; }
export function dtls_last_alert(): i32 { return lastAlert; }
export function dtls_last_error(): i32 { return lastReason; }

export function dtls_info(key: i32): i32 {
  if (key == INFO_CIPHER_SUITE) return chosenSuite;
  if (key == INFO_MFL) return mflLength;
  if (key == INFO_EMS) return emsNegotiated ? 1 : 0;
  if (key == INFO_SNI_ACCEPTED) return sniAccepted ? 1 : 0;
  if (key == INFO_RESUMED) return resumed ? 1 : 0;
  if (key == INFO_TICKET) return resumed && ticketOffered ? 1 : 0;
  if (key == INFO_TICKET_LEN) return keptTicketLen();
  if (key == INFO_FLIGHTS_RETRANSMITTED) return flightsRetransmitted;
  if (key == INFO_FLIGHTS_SENT) return flightsSent;
  if (key == INFO_FLIGHTS_RECEIVED) return flightsReceived;
  if (key == INFO_HANDSHAKE_MS) return handshakeMs;
  if (key == INFO_VERSION) return chosenVersion;
  // No allocator is linked in (a test checks the module has none), so the heap top is
  // the end of static data for ever.
  if (key == INFO_HEAP_TOP || key == INFO_STATIC_END) return <i32>__heap_base;
  if (key == INFO_MEMORY_PAGES) return memory.size();
  if (key == INFO_MAX_WRITE) return writable() ? maxWrite() : 0;
  if (key == INFO_MAX_DATAGRAM_SENT) return txLargestSent();
  if (key == INFO_FALSE_START) return ECDHE_ENABLED != 0 && falseStart ? 1 : 0;
  if (key == INFO_RENEGOTIATION_INFO) return renegotiationInfoSeen ? 1 : 0;
  if (key == INFO_RECORDS_DROPPED) return recordsDropped();
  if (key == INFO_ECDHE_SUPPORTED) return ECDHE_ENABLED != 0 ? 1 : 0;
  if (key == INFO_APP_RECORDS_LOST) return appRecordsLost();
  if (key == INFO_DATAGRAMS_TOO_LARGE) return datagramsTooLarge();
  if (key == INFO_HANDSHAKE_STATE) return handshakeState();
  if (key == INFO_HANDSHAKE_BYTES_SENT) return hsBytesSent;
  if (key == INFO_HANDSHAKE_BYTES_RECEIVED) return hsBytesReceived;
  if (key == INFO_HANDSHAKE_DATAGRAMS_SENT) return hsDatagramsSent;
  if (key == INFO_HANDSHAKE_DATAGRAMS_RECEIVED) return hsDatagramsReceived;
  // Sent, responses, answered, the server's mode (RFC 6520).
  if (key >= INFO_HEARTBEATS_SENT && key <= INFO_HEARTBEAT_PEER_MODE) return heartbeatInfo(key - INFO_HEARTBEATS_SENT);
  if (key == INFO_CRYPTO_FROM_HAL) {
    return (AES_IN_MODULE ? 0 : CRYPTO_FROM_HAL_AES) | (ECDHE_ENABLED && !P256_IN_MODULE ? CRYPTO_FROM_HAL_P256 : 0);
  }
  // RFC 9146: the CID's length (-1: not negotiated) and its bytes in the I/O buffer.
  if (key == INFO_CID_SENT_LEN || key == INFO_CID_RECEIVED_LEN) {
    const sent = key == INFO_CID_SENT_LEN;
    const n = sent ? txCidLen : rxCidLen;
    if (n > 0) memory.copy(ioBuffer, sent ? peerCid : ownCid, <usize>n);
    return n;
  }
  // OPT_KEYLOG (a debugging aid, docs/API.md): client_random || master secret, taken once.
  if (key == INFO_KEYLOG) return keylogTake(ioBuffer);
  if (key >= INFO_REGION_SIZE && key < INFO_REGION_SIZE + REGION_COUNT) return regionSize(key - INFO_REGION_SIZE);
  if (key >= INFO_REGION_PEAK && key < INFO_REGION_PEAK + REGION_COUNT) return regionPeak(key - INFO_REGION_PEAK);
  if (X509_ENABLED) {
    if (key == INFO_CERT_TYPE) return chosenSuite == TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 ? (certsOffered ? 0 : 2) : -1;
    if (key == INFO_CERT_RESULT) return certResult;
    if (key == INFO_CERT_FAIL_INDEX) return certFailIndex();
    if (key == INFO_CERT_COUNT) return certResult < 0 || cachedUsed ? 0 : chainCount();
    if (key == INFO_ANCHOR_COUNT) return anchorCount();
    if (key == INFO_CLIENT_CHAIN_LEN) return clientChainLen;
    if (key >= INFO_CACHED_INFO_USED && key <= INFO_CERT_EXT_OFFERED) return certExtInfo(key - INFO_CACHED_INFO_USED);
  }
  if (ECDHE_ENABLED) {
    if (key == INFO_CLIENT_AUTH) return handshakeClientAuthenticated() ? 1 : 0;
    if (key == INFO_PEER_KEY_HASH) {
      if (!peerKeyKnown) return 0;
      memory.copy(ioBuffer, peerSpkiHash, 32);
      return 32;
    }
  }
  return ERR_BAD_ARGUMENT;
}
