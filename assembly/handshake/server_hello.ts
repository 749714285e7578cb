// HelloVerifyRequest (RFC 6347 4.2.1) and ServerHello (RFC 5246 7.4.1.3) parsing.
import { certsOffered } from "./certificate";
import { COOKIE_MAX, CID_PEER_MAX } from "../config";
import { DTLS_1_2, TLS_PSK_WITH_AES_128_CCM_8, TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
  EXT_SERVER_NAME, EXT_MAX_FRAGMENT_LENGTH, EXT_EXTENDED_MASTER_SECRET, EXT_RENEGOTIATION_INFO,
  EXT_EC_POINT_FORMATS, EXT_CLIENT_CERTIFICATE_TYPE, EXT_SERVER_CERTIFICATE_TYPE, ALERT_DECODE_ERROR, ALERT_PROTOCOL_VERSION, ALERT_ILLEGAL_PARAMETER,
  ALERT_UNSUPPORTED_EXTENSION, ALERT_HANDSHAKE_FAILURE, EXT_HEARTBEAT, HB_PEER_ALLOWED_TO_SEND,
  HB_PEER_NOT_ALLOWED_TO_SEND, EXT_CONNECTION_ID } from "../protocol";
import { REASON_DECODE, REASON_PROTOCOL_VERSION, REASON_ILLEGAL_PARAMETER,
  REASON_UNSUPPORTED_EXTENSION, REASON_RENEGOTIATION_INFO, REASON_EMS_REFUSED,
  REASON_HANDSHAKE_FAILURE, REASON_PEER_CID_TOO_LONG } from "../errors";
import { readerInit, readerBad, readerAtEnd, readU8, readU16, readBytes, readerEnter,
  readerLeave, readerLeft } from "../util/reader";
import { optRequireEms, optHeartbeat, HEARTBEAT_BUILT } from "../options";
import { setHeartbeatPeerMode } from "../heartbeat";
import { serverRandom, RANDOM_LEN } from "./key_schedule";
import { offeredPsk, offeredEcdhe, offeredMflCode, offeredSni, setChosen, setMflLength, setEms,
  setSniAccepted, setRenegotiationInfoSeen } from "./negotiated";
import { verdict, ACCEPTED } from "./verdict";
import { noteServerSessionId } from "./resumption";
import { cidOffered, cidNegotiated } from "../record/cid";
import { EXT_SESSION_TICKET } from "../protocol";
import { optTickets } from "../options";
import { setTicketExpected } from "./tickets";
import { certExtServerHello } from "./cert_ext";

export const cookie = memory.data(COOKIE_MAX);
export let cookieLen: i32 = 0;
export function cookieReset(): void { cookieLen = 0; }

const DECODE: i32 = (REASON_DECODE << 8) | ALERT_DECODE_ERROR;

// struct { ProtocolVersion server_version; opaque cookie<0..2^8-1>; }
// The version is not checked here: RFC 6347 lets HelloVerifyRequest carry 1.0.
export function parseHelloVerifyRequest(body: usize, len: i32): i32 {
  readerInit(body, len);
  readU16();
  const n = readU8();
  const c = readBytes(n);
  if (readerBad() || !readerAtEnd() || n > COOKIE_MAX) return DECODE;
  memory.copy(cookie, c, <usize>n);
  cookieLen = n;
  return ACCEPTED;
}

// Bits of extensions seen, to refuse duplicates (RFC 5246 7.4.1.4).
const SEEN_SNI: i32 = 1, SEEN_MFL: i32 = 2, SEEN_EMS: i32 = 4, SEEN_RENEG: i32 = 8, SEEN_POINTS: i32 = 16;
const SEEN_CLIENT_TYPE: i32 = 32, SEEN_SERVER_TYPE: i32 = 64, SEEN_HEARTBEAT: i32 = 128, SEEN_CID: i32 = 256;
const SEEN_TICKET: i32 = 512;
const RAW_PUBLIC_KEY: i32 = 2;

export function parseServerHello(body: usize, len: i32): i32 {
  readerInit(body, len);
  const version = readU16();
  const random = readBytes(RANDOM_LEN);
  const sidLen = readU8();
  const sid = readBytes(sidLen);
  const suite = readU16();
  const compression = readU8();
  if (readerBad() || sidLen > 32) return DECODE;
  // RFC 7925 section 18: nothing but DTLS 1.2 is accepted.
  if (version != DTLS_1_2) return verdict(REASON_PROTOCOL_VERSION, ALERT_PROTOCOL_VERSION);
  const suiteOk = (suite == TLS_PSK_WITH_AES_128_CCM_8 && offeredPsk) ||
    (ECDHE_ENABLED != 0 && suite == TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 && offeredEcdhe);
  if (!suiteOk || compression != 0) return verdict(REASON_ILLEGAL_PARAMETER, ALERT_ILLEGAL_PARAMETER);
  memory.copy(serverRandom, random, RANDOM_LEN);

  let seen = 0;
  let mfl = 0;
  let heartbeatMode = 0;
  let cid: usize = 0;
  let cidLen = 0;
  if (readerLeft() > 0) {
    const outer = readerEnter(readU16());
    while (!readerBad() && readerLeft() > 0) {
      const type = readU16();
      const extOuter = readerEnter(readU16());
      if (readerBad()) break;
      let bit = 0;
      if (type == EXT_SERVER_NAME && offeredSni) {
        bit = SEEN_SNI;                        // RFC 6066 s. 3: empty in ServerHello
        if (readerLeft() != 0) return DECODE;
      } else if (type == EXT_MAX_FRAGMENT_LENGTH && offeredMflCode != 0) {
        bit = SEEN_MFL;                        // RFC 6066 s. 4: must echo our value
        const code = readU8();
        if (code != offeredMflCode) return verdict(REASON_ILLEGAL_PARAMETER, ALERT_ILLEGAL_PARAMETER);
        mfl = 256 << code;
      } else if (type == EXT_EXTENDED_MASTER_SECRET || (type == EXT_SESSION_TICKET && optTickets)) {
        // Both empty: RFC 7627 s. 5.1; RFC 5077 3.2 (a NewSessionTicket follows). One branch,
        // not two: under wasm3 each level of else-if nesting costs C stack when compiled.
        bit = type == EXT_EXTENDED_MASTER_SECRET ? SEEN_EMS : SEEN_TICKET;
        if (readerLeft() != 0) return DECODE;
      } else if (type == EXT_RENEGOTIATION_INFO) {
        bit = SEEN_RENEG;                      // RFC 5746 3.4: must be empty on first handshake
        if (readU8() != 0 || readerLeft() != 0) {
          return verdict(REASON_RENEGOTIATION_INFO, ALERT_HANDSHAKE_FAILURE);
        }
      } else if (ECDHE_ENABLED != 0 && type == EXT_EC_POINT_FORMATS && offeredEcdhe) {
        bit = SEEN_POINTS;                     // RFC 8422 5.2: must include uncompressed
        let uncompressed = false;
        const list = readerEnter(readU8());
        while (!readerBad() && readerLeft() > 0) if (readU8() == 0) uncompressed = true;
        readerLeave(list);
        if (!readerBad() && !uncompressed) return verdict(REASON_ILLEGAL_PARAMETER, ALERT_ILLEGAL_PARAMETER);
      } else if (ECDHE_ENABLED != 0 && (type == EXT_CLIENT_CERTIFICATE_TYPE || type == EXT_SERVER_CERTIFICATE_TYPE) && offeredEcdhe && !certsOffered) {
        // RFC 7250 s. 4: the server picks one type; we offered raw public keys only.
        bit = type == EXT_CLIENT_CERTIFICATE_TYPE ? SEEN_CLIENT_TYPE : SEEN_SERVER_TYPE;
        if (readU8() != RAW_PUBLIC_KEY) return verdict(REASON_ILLEGAL_PARAMETER, ALERT_ILLEGAL_PARAMETER);
      } else if (HEARTBEAT_BUILT && type == EXT_HEARTBEAT && optHeartbeat != 0) {
        bit = SEEN_HEARTBEAT;                  // RFC 6520 s. 2: an unknown mode is illegal_parameter
        heartbeatMode = readU8();
        if (!readerBad() && <u32>(heartbeatMode - HB_PEER_ALLOWED_TO_SEND) > <u32>(HB_PEER_NOT_ALLOWED_TO_SEND - HB_PEER_ALLOWED_TO_SEND)) {
          return verdict(REASON_ILLEGAL_PARAMETER, ALERT_ILLEGAL_PARAMETER);
        }
      } else if (type == EXT_CONNECTION_ID && cidOffered >= 0) {
        bit = SEEN_CID;                        // RFC 9146 s. 3: the CID our records must carry
        cidLen = readU8();
        cid = readBytes(cidLen);
        if (!readerBad() && cidLen > CID_PEER_MAX) return verdict(REASON_PEER_CID_TOO_LONG, ALERT_ILLEGAL_PARAMETER);
      } else if (X509_ENABLED != 0 && (bit = certExtServerHello(type)) != 0) {
        if (bit < 0) return -bit;              // cached_info, client_certificate_url, trusted_ca_keys
      } else {
        // RFC 5246 7.4.1.4: an extension we did not offer.
        return verdict(REASON_UNSUPPORTED_EXTENSION, ALERT_UNSUPPORTED_EXTENSION);
      }
      if ((seen & bit) != 0) return DECODE;
      seen |= bit;
      readerLeave(extOuter);
    }
    readerLeave(outer);
  }
  if (readerBad() || !readerAtEnd()) return DECODE;
  // A resumed session sends no certificate: the certificate types are not negotiated again.
  const resuming = noteServerSessionId(sid, sidLen);
  // With the ECDHE suite the server's key must be a raw public key: X.509 (the default
  // when server_certificate_type is absent) is not something we offered to accept.
  // With X.509 offered (no RFC 7250 extensions sent) X.509 is what the server uses.
  if (ECDHE_ENABLED != 0 && suite == TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 && (seen & SEEN_SERVER_TYPE) == 0 && !resuming && !certsOffered) {
    return verdict(REASON_HANDSHAKE_FAILURE, ALERT_HANDSHAKE_FAILURE);
  }
  if (optRequireEms && (seen & SEEN_EMS) == 0) return verdict(REASON_EMS_REFUSED, ALERT_HANDSHAKE_FAILURE);
  setChosen(suite, version);
  setMflLength(mfl);
  setEms((seen & SEEN_EMS) != 0);
  setSniAccepted((seen & SEEN_SNI) != 0);
  setRenegotiationInfoSeen((seen & SEEN_RENEG) != 0);
  if (HEARTBEAT_BUILT) setHeartbeatPeerMode(heartbeatMode);
  if ((seen & SEEN_CID) != 0) cidNegotiated(cid, cidLen);
  setTicketExpected((seen & SEEN_TICKET) != 0);
  return ACCEPTED;
}
