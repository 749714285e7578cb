// The ClientHello (RFC 6347 4.2.1, RFC 5246 7.4.1.2) with the extensions of the profile.
import { DTLS_1_2, HT_CLIENT_HELLO, TLS_PSK_WITH_AES_128_CCM_8, TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
  EXT_SERVER_NAME, EXT_MAX_FRAGMENT_LENGTH, EXT_EXTENDED_MASTER_SECRET, EXT_RENEGOTIATION_INFO,
  EXT_SUPPORTED_GROUPS, EXT_EC_POINT_FORMATS, EXT_SIGNATURE_ALGORITHMS, EXT_CLIENT_CERTIFICATE_TYPE,
  EXT_SERVER_CERTIFICATE_TYPE } from "../protocol";
import { put8, put16 } from "../util/bytes";
import { optMfl, mflCode } from "../options";
import { hasPsk, hasRpk, serverName, serverNameLen } from "../credentials";
import { SECP256R1, ECDSA_SECP256R1_SHA256 } from "./ecdhe";
import { clientRandom, RANDOM_LEN } from "./key_schedule";
import { flightBeginMessage, flightEndMessage, flightRoom } from "./flight";
import { setOffers } from "./negotiated";
import { offeredId, offeredIdLen } from "./resumption";
import { optTickets, optPmtu } from "../options";
import { RECORD_HEADER_LEN, HANDSHAKE_HEADER_LEN } from "../config";
import { writeSessionTicket } from "./tickets";

// The largest ClientHello we build: fixed fields 40, session ID 32, cookie 255, suites 2+4,
// extensions 2 + SNI 9+255 + MFL 5 + EMS 4 + renegotiation_info 5 + the ECDHE ones 8+6+8+6+6
// + an empty SessionTicket 4 (its ticket goes in only where it fits).
const CLIENT_HELLO_MAX: i32 = 40 + 32 + 255 + 6 + 2 + 264 + 14 + 34 + 4;
const CERT_TYPE_RAW_PUBLIC_KEY: i32 = 2; // RFC 7250

// Builds the ClientHello into the (cleared) flight buffer; false if it does not fit.
export function buildClientHello(messageSeq: i32, cookie: usize, cookieLen: i32): bool {
  if (flightRoom() < CLIENT_HELLO_MAX) return false;
  const body = flightBeginMessage(HT_CLIENT_HELLO, messageSeq);
  if (body == 0) return false;
  let p = body;
  // RFC 7925 section 18: only DTLS 1.2 is ever offered.
  put16(p, DTLS_1_2); p += 2;
  // RFC 7925 section 12: all 32 bytes come from the TRNG (no gmt_unix_time).
  memory.copy(p, clientRandom, RANDOM_LEN); p += RANDOM_LEN;
  // session_id: the kept session when resumption is offered (RFC 5246 7.4.1.2), else none.
  const sidLen = offeredIdLen();
  put8(p, sidLen); p += 1;
  memory.copy(p, offeredId(), <usize>sidLen); p += <usize>sidLen;
  put8(p, cookieLen); p += 1;
  memory.copy(p, cookie, <usize>cookieLen); p += <usize>cookieLen;
  const offerPsk = hasPsk();
  const offerEcdhe = ECDHE_ENABLED != 0 && hasRpk();
  put16(p, 2 * ((offerPsk ? 1 : 0) + (offerEcdhe ? 1 : 0))); p += 2;
  // RFC 7925: the suite of each configured credential, public key first.
  if (offerEcdhe) { put16(p, TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8); p += 2; }
  if (offerPsk) { put16(p, TLS_PSK_WITH_AES_128_CCM_8); p += 2; }
  put8(p, 1); put8(p + 1, 0); p += 2;                   // compression: null only (s. 8)
  const extStart = p; p += 2;
  if (serverNameLen > 0) {                              // section 14
    put16(p, EXT_SERVER_NAME); put16(p + 2, serverNameLen + 5);
    put16(p + 4, serverNameLen + 3); put8(p + 6, 0); put16(p + 7, serverNameLen);
    memory.copy(p + 9, serverName, <usize>serverNameLen);
    p += 9 + <usize>serverNameLen;
  }
  const mfl = mflCode(optMfl);
  if (mfl != 0) {                                       // section 15
    put16(p, EXT_MAX_FRAGMENT_LENGTH); put16(p + 2, 1); put8(p + 4, mfl); p += 5;
  }
  put16(p, EXT_EXTENDED_MASTER_SECRET); put16(p + 2, 0); p += 4;       // section 16
  put16(p, EXT_RENEGOTIATION_INFO); put16(p + 2, 1); put8(p + 4, 0); p += 5; // s. 17
  if (ECDHE_ENABLED != 0 && offerEcdhe) p = writeEcdheExtensions(p);
  if (optTickets) {                                     // RFC 5077 3.2, last: its size varies
    // The ticket only if the whole ClientHello still fits the flight buffer and one datagram.
    const used = <i32>(p - body) + 4;
    const byPmtu = optPmtu - RECORD_HEADER_LEN - HANDSHAKE_HEADER_LEN - used;
    const byFlight = flightRoom() - used;
    p = writeSessionTicket(p, byPmtu < byFlight ? byPmtu : byFlight);
  }
  put16(extStart, <i32>(p - extStart - 2));
  // Never sent (section 13): encrypt_then_mac, truncated_hmac.
  flightEndMessage(<i32>(p - body), 0);
  setOffers(offerPsk, offerEcdhe, mfl, serverNameLen > 0);
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
// @ts-ignore: decorator
@lazy const ECDHE_EXTENSIONS = memory.data<u8>([
  <u8>(EXT_SUPPORTED_GROUPS >> 8), <u8>(EXT_SUPPORTED_GROUPS & 0xff), 0, 4, 0, 2, <u8>(SECP256R1 >> 8), <u8>(SECP256R1 & 0xff),
  <u8>(EXT_EC_POINT_FORMATS >> 8), <u8>(EXT_EC_POINT_FORMATS & 0xff), 0, 2, 1, 0,           // uncompressed only
  <u8>(EXT_SIGNATURE_ALGORITHMS >> 8), <u8>(EXT_SIGNATURE_ALGORITHMS & 0xff), 0, 4, 0, 2,
  <u8>(ECDSA_SECP256R1_SHA256 >> 8), <u8>(ECDSA_SECP256R1_SHA256 & 0xff),
  <u8>(EXT_CLIENT_CERTIFICATE_TYPE >> 8), <u8>(EXT_CLIENT_CERTIFICATE_TYPE & 0xff), 0, 2, 1, <u8>CERT_TYPE_RAW_PUBLIC_KEY,
  <u8>(EXT_SERVER_CERTIFICATE_TYPE >> 8), <u8>(EXT_SERVER_CERTIFICATE_TYPE & 0xff), 0, 2, 1, <u8>CERT_TYPE_RAW_PUBLIC_KEY,
]);

function writeEcdheExtensions(start: usize): usize {
  memory.copy(start, ECDHE_EXTENSIONS, <usize>ECDHE_EXTENSIONS_LEN);
  return start + <usize>ECDHE_EXTENSIONS_LEN;
}
