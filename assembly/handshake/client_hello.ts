// The ClientHello (RFC 6347 4.2.1, RFC 5246 7.4.1.2) with the extensions of the profile.
import { DTLS_1_2, HT_CLIENT_HELLO, TLS_PSK_WITH_AES_128_CCM_8, TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
  EXT_SERVER_NAME, EXT_MAX_FRAGMENT_LENGTH, EXT_EXTENDED_MASTER_SECRET, EXT_RENEGOTIATION_INFO,
  EXT_SUPPORTED_GROUPS, EXT_EC_POINT_FORMATS, EXT_SIGNATURE_ALGORITHMS, EXT_CLIENT_CERTIFICATE_TYPE,
  EXT_SERVER_CERTIFICATE_TYPE, EXT_HEARTBEAT, TLS_EMPTY_RENEGOTIATION_INFO_SCSV } from "../protocol";
import { RECORD_HEADER_LEN, RECORD_OVERHEAD, CID_MAX, HANDSHAKE_HEADER_LEN } from "../config";
import { REASON_NONE, REASON_PMTU_TOO_SMALL } from "../errors";
import { put8, put16 } from "../util/bytes";
import { optMfl, mflCode, optPmtu, optHeartbeat, HEARTBEAT_BUILT, optTickets } from "../options";
import { hasPsk, hasRpk, serverName, serverNameLen } from "../credentials";
import { SECP256R1, ECDSA_SECP256R1_SHA256 } from "./ecdhe";
import { clientRandom, RANDOM_LEN } from "./key_schedule";
import { flightBeginMessage, flightEndMessage, flightRoom, flightClear, flightEntryLength } from "./flight";
import { setOffers } from "./negotiated";
import { offeredId, offeredIdLen, resumptionWithdraw } from "./resumption";
import { cidExtension, cidOffered } from "../record/cid";
import { writeSessionTicket } from "./tickets";
import { certsWanted, setCertsOffered } from "./certificate";
import { certExtWrite, certExtSpare, CERT_EXT_HELLO_MAX, LEAVE_OUT_CERT_URL, LEAVE_OUT_CACHED_INFO,
  LEAVE_OUT_TRUSTED_CA_KEYS } from "./cert_ext";

// The largest ClientHello we build: fixed fields 40, session ID 32, cookie 255, suites 2+4,
// extensions 2 + SNI 9+255 + MFL 5 + EMS 4 + renegotiation_info 5 + the ECDHE ones 8+6+8+6+6
// + heartbeat 5 + connection_id 5+CID_MAX + an empty SessionTicket 4 (its ticket goes in only
// where it fits).
const CLIENT_HELLO_MAX: i32 = 40 + 32 + 255 + 6 + 2 + 264 + 14 + 34 + 5 + 5 + CID_MAX + 4 + CERT_EXT_HELLO_MAX;
const CERT_TYPE_RAW_PUBLIC_KEY: i32 = 2; // RFC 7250

// Small PMTUs (RFC 7925 section 11 and Appendix A: 127 bytes for IEEE 802.15.4, 140 or 133
// for SMS). The ClientHello is never fragmented (flight.ts), so what can be spared is left
// out until it fits one datagram. Extensions, in this order of least harm; the second
// ClientHello (after HelloVerifyRequest) may leave out more of them:
// ec_point_formats: RFC 8422 5.1.2, absent means uncompressed points only, all we use.
export const LEAVE_OUT_POINT_FORMATS: i32 = 1;
// max_fragment_length, only when the PMTU already keeps our records under it: what the
// server may send is then bounded by our receive buffer (RX_RECORD_PLAINTEXT_MAX) alone.
export const LEAVE_OUT_MFL: i32 = 2;
// The second ClientHello repeats the first one's session_id and cipher_suites (RFC 6347
// 4.2.1), so these two are settled in the first, in this order, until even its shortest
// form leaves room for a cookie of COOKIE_ROOM bytes (HMAC-SHA256 size; gnutls, OpenSSL,
// tinydtls use 16 to 20, Scandium 32):
// renegotiation_info: TLS_EMPTY_RENEGOTIATION_INFO_SCSV instead, 3 bytes less (RFC 5746 3.3
// allows either; the server still answers with the extension, checked as before).
export const LEAVE_OUT_RENEGOTIATION_INFO: i32 = 4;
// X.509 (cert_ext.ts, bits 8 and 16): client_certificate_url (our chain is sent instead, 4
// bytes), then cached_info (the server sends its chain, 40 bytes);
// the kept session's ID: not offered, a full handshake follows;
// trusted_ca_keys last (bit 64): without it the server may send a chain we cannot validate.
export const LEAVE_OUT_SESSION_ID: i32 = 32;
const COOKIE_ROOM: i32 = 32;
// What the last ClientHello left out (LEAVE_OUT_* bits).
export let helloLeftOut: i32 = 0;

// Builds into the flight buffer the ClientHello that fits the PMTU (retry: the second one,
// with the cookie): REASON_NONE, or REASON_PMTU_TOO_SMALL when it does not fit even
// without all of the above (a long server name or cookie).
export function fitClientHello(messageSeq: i32, cookie: usize, cookieLen: i32, retry: bool): i32 {
  const extensions = optPmtu < optMfl + RECORD_OVERHEAD ? LEAVE_OUT_POINT_FORMATS | LEAVE_OUT_MFL : LEAVE_OUT_POINT_FORMATS;
  let leaveOut = 0;
  // Only what would be sent is left out (the X.509 ones when configured; the other builds go
  // from renegotiation_info straight to the session ID).
  const spare = X509_ENABLED ? LEAVE_OUT_RENEGOTIATION_INFO | LEAVE_OUT_SESSION_ID | certExtSpare() : 0;
  if (retry) leaveOut = helloLeftOut;
  else for (let bit = LEAVE_OUT_RENEGOTIATION_INFO; bit <= (X509_ENABLED ? LEAVE_OUT_TRUSTED_CA_KEYS : LEAVE_OUT_SESSION_ID); bit <<= X509_ENABLED ? 1 : 3) {
    if (X509_ENABLED && (bit & spare) == 0) continue;
    if (helloFits(messageSeq, cookie, 0, leaveOut | extensions, COOKIE_ROOM)) break;
    leaveOut |= bit;
  }
  for (let bit = LEAVE_OUT_POINT_FORMATS; !helloFits(messageSeq, cookie, cookieLen, leaveOut, 0); bit <<= 1) {
    if (bit > LEAVE_OUT_MFL) return REASON_PMTU_TOO_SMALL;
    leaveOut |= bit & extensions;
  }
  helloLeftOut = leaveOut;
  if ((leaveOut & LEAVE_OUT_SESSION_ID) != 0) resumptionWithdraw();
  return REASON_NONE;
}

// Builds the ClientHello; true if its record fits the PMTU with room bytes to spare.
function helloFits(messageSeq: i32, cookie: usize, cookieLen: i32, leaveOut: i32, room: i32): bool {
  flightClear();
  return buildClientHello(messageSeq, cookie, cookieLen, leaveOut) &&
    RECORD_HEADER_LEN + flightEntryLength(0) + room <= optPmtu;
}

// Builds the ClientHello, without what leaveOut names, into the (cleared) flight buffer;
// false if it does not fit.
export function buildClientHello(messageSeq: i32, cookie: usize, cookieLen: i32, leaveOut: i32): bool {
  if (flightRoom() < CLIENT_HELLO_MAX) return false;
  const body = flightBeginMessage(HT_CLIENT_HELLO, messageSeq);
  if (body == 0) return false;
  let p = body;
  // RFC 7925 section 18: only DTLS 1.2 is ever offered.
  put16(p, DTLS_1_2); p += 2;
  // RFC 7925 section 12: all 32 bytes come from the TRNG (no gmt_unix_time).
  memory.copy(p, clientRandom, RANDOM_LEN); p += RANDOM_LEN;
  // session_id: the kept session when resumption is offered (RFC 5246 7.4.1.2), else none.
  const sidLen = (leaveOut & LEAVE_OUT_SESSION_ID) != 0 ? 0 : offeredIdLen();
  put8(p, sidLen); p += 1;
  memory.copy(p, offeredId(), <usize>sidLen); p += <usize>sidLen;
  put8(p, cookieLen); p += 1;
  memory.copy(p, cookie, <usize>cookieLen); p += <usize>cookieLen;
  const offerPsk = hasPsk();
  const offerCerts = X509_ENABLED != 0 && certsWanted();
  const offerEcdhe = ECDHE_ENABLED != 0 && (hasRpk() || offerCerts);
  const scsv = (leaveOut & LEAVE_OUT_RENEGOTIATION_INFO) != 0;
  put16(p, 2 * ((offerPsk ? 1 : 0) + (offerEcdhe ? 1 : 0) + (scsv ? 1 : 0))); p += 2;
  // RFC 7925: the suite of each configured credential, public key first.
  if (offerEcdhe) { put16(p, TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8); p += 2; }
  if (offerPsk) { put16(p, TLS_PSK_WITH_AES_128_CCM_8); p += 2; }
  put16(p, TLS_EMPTY_RENEGOTIATION_INFO_SCSV); p += scsv ? 2 : 0;   // else overwritten next
  put8(p, 1); put8(p + 1, 0); p += 2;                   // compression: null only (s. 8)
  const extStart = p; p += 2;
  if (serverNameLen > 0) {                              // section 14
    put16(p, EXT_SERVER_NAME); put16(p + 2, serverNameLen + 5);
    put16(p + 4, serverNameLen + 3); put8(p + 6, 0); put16(p + 7, serverNameLen);
    memory.copy(p + 9, serverName, <usize>serverNameLen);
    p += 9 + <usize>serverNameLen;
  }
  const mfl = (leaveOut & LEAVE_OUT_MFL) != 0 ? 0 : mflCode(optMfl);
  if (mfl != 0) {                                       // section 15
    put16(p, EXT_MAX_FRAGMENT_LENGTH); put16(p + 2, 1); put8(p + 4, mfl); p += 5;
  }
  put16(p, EXT_EXTENDED_MASTER_SECRET); put16(p + 2, 0); p += 4;       // section 16
  put16(p, EXT_RENEGOTIATION_INFO); put16(p + 2, 1); put8(p + 4, 0); p += scsv ? 0 : 5; // s. 17
  if (ECDHE_ENABLED != 0 && offerEcdhe) {
    // The last 6 bytes are ec_point_formats.
    const n = (leaveOut & LEAVE_OUT_POINT_FORMATS) != 0 ? ECDHE_EXTENSIONS_LEN - 6 : ECDHE_EXTENSIONS_LEN;
    if (X509_ENABLED && offerCerts) {
      // X.509: without the two certificate type extensions (RFC 7250 s. 3: absent = X.509).
      memory.copy(p, ECDHE_EXTENSIONS, ECDHE_CERT_TYPES_AT);
      memory.copy(p + ECDHE_CERT_TYPES_AT, ECDHE_EXTENSIONS + ECDHE_CERT_TYPES_AT + ECDHE_CERT_TYPES_LEN,
        <usize>n - ECDHE_CERT_TYPES_AT - ECDHE_CERT_TYPES_LEN);
      p += <usize>n - ECDHE_CERT_TYPES_LEN;
    } else {
      memory.copy(p, ECDHE_EXTENSIONS, <usize>n);
      p += <usize>n;
    }
  }
  if (X509_ENABLED && offerCerts) p = certExtWrite(p, leaveOut);   // RFC 7925 s. 4.4
  // Opted into by the application, so never left out for a small PMTU.
  if (HEARTBEAT_BUILT && optHeartbeat != 0) {                              // RFC 6520 s. 2, RFC 7925 s. 10
    store<u32>(p, bswap<u32>(<u32>(EXT_HEARTBEAT << 16 | 1)));   // type, length 1: one store
    put8(p + 4, optHeartbeat); p += 5;
  }
  if (cidOffered >= 0) {                                // RFC 9146 s. 3: ConnectionId cid<0..2^8-1>
    memory.copy(p, cidExtension, <usize>(5 + cidOffered));
    p += <usize>(5 + cidOffered);
  }
  if (optTickets) {                                     // RFC 5077 3.2, last: its size varies
    // The ticket only if the whole ClientHello still fits the flight buffer and one datagram,
    // the first one with room left for a cookie (the second should carry the same ticket).
    const used = <i32>(p - body) + 4;
    const byPmtu = optPmtu - RECORD_HEADER_LEN - HANDSHAKE_HEADER_LEN - used - (cookieLen == 0 ? COOKIE_ROOM : 0);
    const byFlight = flightRoom() - used;
    p = writeSessionTicket(p, byPmtu < byFlight ? byPmtu : byFlight);
  }
  put16(extStart, <i32>(p - extStart - 2));
  // Never sent (section 13): encrypt_then_mac, truncated_hmac.
  flightEndMessage(<i32>(p - body), 0);
  setOffers(offerPsk, offerEcdhe, mfl, serverNameLen > 0);
  if (X509_ENABLED) setCertsOffered(offerCerts);
  return true;
}

// RFC 7925 s. 4.3 and 5 (signature_algorithms is a MUST), RFC 8422, RFC 7250: always the
// same 34 bytes, so they are one constant copied in (under wasm3 every instruction of
// the module costs about 8 bytes of RAM once compiled; 34 bytes of data cost 34).
// Offered even without a key of ours: tinydtls refuses an ECDHE_ECDSA ClientHello
// without client_certificate_type, and Scandium with client authentication "wanted" finds
// no common type. Asked for a certificate without a key, we answer with an empty one
// (RFC 5246 7.4.6).
const ECDHE_EXTENSIONS_LEN: i32 = 34;
const ECDHE_CERT_TYPES_AT: usize = 16;   // client_ and server_certificate_type, 6 bytes each
const ECDHE_CERT_TYPES_LEN: usize = 12;
// @ts-ignore: decorator
@lazy const ECDHE_EXTENSIONS = memory.data<u8>([
  <u8>(EXT_SUPPORTED_GROUPS >> 8), <u8>(EXT_SUPPORTED_GROUPS & 0xff), 0, 4, 0, 2, <u8>(SECP256R1 >> 8), <u8>(SECP256R1 & 0xff),
  <u8>(EXT_SIGNATURE_ALGORITHMS >> 8), <u8>(EXT_SIGNATURE_ALGORITHMS & 0xff), 0, 4, 0, 2,
  <u8>(ECDSA_SECP256R1_SHA256 >> 8), <u8>(ECDSA_SECP256R1_SHA256 & 0xff),
  <u8>(EXT_CLIENT_CERTIFICATE_TYPE >> 8), <u8>(EXT_CLIENT_CERTIFICATE_TYPE & 0xff), 0, 2, 1, <u8>CERT_TYPE_RAW_PUBLIC_KEY,
  <u8>(EXT_SERVER_CERTIFICATE_TYPE >> 8), <u8>(EXT_SERVER_CERTIFICATE_TYPE & 0xff), 0, 2, 1, <u8>CERT_TYPE_RAW_PUBLIC_KEY,
  <u8>(EXT_EC_POINT_FORMATS >> 8), <u8>(EXT_EC_POINT_FORMATS & 0xff), 0, 2, 1, 0,           // uncompressed only; last: may be left out
]);

