// Configuration set through dtls_config_set (validated here; applied at connect).
import { MFL_DEFAULT, RTO_INITIAL_MS, RTO_MAX_MS, HANDSHAKE_BUDGET_MS, PMTU_DEFAULT, PMTU_MIN, PMTU_MAX,
  RX_RECORD_PLAINTEXT_MAX } from "./config";
import { OPT_TICKETS } from "./api_codes";
import { OPT_MFL, OPT_RTO_INITIAL_MS, OPT_RTO_MAX_MS, OPT_HANDSHAKE_BUDGET_MS, OPT_PMTU, OPT_REQUIRE_EMS, OPT_RESUME,
  OPT_RTO_MIN_MS, OPT_RTO_LIMIT_MS, OPT_BUDGET_LIMIT_MS, OPT_HEARTBEAT, OPT_HEARTBEAT_INTERVAL_MS,
  OPT_HEARTBEAT_LIMIT_MS } from "./api_codes";
import { ERR_BAD_ARGUMENT, ERR_UNSUPPORTED } from "./errors";
import { HB_PEER_NOT_ALLOWED_TO_SEND } from "./protocol";
import { OPT_CID, OPT_CID_MAX, OPT_FALSE_START, OPT_CERT_UNKNOWN_TIME } from "./api_codes";
import { OPT_KEYLOG } from "./api_codes";
import { OPT_CACHED_INFO, OPT_TRUSTED_CA_KEYS } from "./api_codes";

export let optMfl: i32 = MFL_DEFAULT;
export let optRtoInitial: i32 = RTO_INITIAL_MS;
export let optRtoMax: i32 = RTO_MAX_MS;
export let optBudget: i32 = 0; // 0: 7 x initial RTO, i.e. 63 s for 9 s (RFC 7925 s. 11)
export let optPmtu: i32 = PMTU_DEFAULT;
export let optRequireEms: bool = false;
export let optResume: bool = false;
// A build for the smallest boards may leave heartbeat out (asconfig.json "use": "NO_HEARTBEAT=1",
// about 750 bytes of code, ~5 KB of wasm3 RAM): OPT_HEARTBEAT then refuses anything but 0
// (ERR_UNSUPPORTED) and none of RFC 6520 is compiled in.
export const HEARTBEAT_BUILT: bool = !isDefined(NO_HEARTBEAT);
export let optHeartbeat: i32 = 0;          // the HeartbeatMode we offer (RFC 6520 s. 2), 0 = none
export let optHeartbeatInterval: i32 = 0;  // ms between our HeartbeatRequests, 0 = none
export let optCid: i32 = -1;          // RFC 9146: -1 = no connection_id, else our CID's length
export let optFalseStart: bool = false;
export let optTickets: bool = false;
export let optKeylog: bool = false;   // debugging: the master secret for the host's key log (docs/API.md)
// X.509 without a trusted time (hal wall_time_s -1): refuse the chain (default) or accept it
// unchecked for validity (RFC 7925 s. 12: never the server's gmt_unix_time).
export let optCertUnknownTime: bool = false;
// X.509: cached_info (RFC 7924) and trusted_ca_keys (RFC 6066 s. 6) offered (RFC 7925 s. 4.4).
export let optCachedInfo: bool = false;
export let optTrustedCaKeys: bool = false;

export function optionsReset(): void {
  optMfl = MFL_DEFAULT;
  optRtoInitial = RTO_INITIAL_MS;
  optRtoMax = RTO_MAX_MS;
  optBudget = 0;
  optPmtu = PMTU_DEFAULT;
  optRequireEms = false;
  optResume = false;
  optHeartbeat = 0;
  optHeartbeatInterval = 0;
  optCid = -1;
  optFalseStart = false;
  optTickets = false;
  optKeylog = false;
  optCertUnknownTime = false;
  optCachedInfo = false;
  optTrustedCaKeys = false;
}

// The give-up time of one flight: with the defaults, 9 + 18 + 36 = 63 s (section 11).
export function flightBudgetMs(): i32 {
  if (optBudget > 0) return optBudget;
  return HANDSHAKE_BUDGET_MS / RTO_INITIAL_MS * optRtoInitial;
}

// The RFC 6066 max_fragment_length code for a length we can receive, or 0. 2048 and
// 4096 would let the server send records larger than our datagram buffer.
export function mflCode(len: i32): i32 {
  if (len > RX_RECORD_PLAINTEXT_MAX) return 0;
  if (len == 512) return 1;
  if (len == 1024) return 2;
  if (len == 2048) return 3;
  if (len == 4096) return 4;
  return 0;
}

export function optionSet(option: i32, value: i32): i32 {
  if (option == OPT_MFL) {
    if (value != 0 && mflCode(value) == 0) return ERR_BAD_ARGUMENT;
    optMfl = value;
  } else if (option == OPT_RTO_INITIAL_MS) {
    if (value < OPT_RTO_MIN_MS || value > OPT_RTO_LIMIT_MS) return ERR_BAD_ARGUMENT;
    optRtoInitial = value;
    if (optRtoMax < value) optRtoMax = value;
  } else if (option == OPT_RTO_MAX_MS) {
    if (value < OPT_RTO_MIN_MS || value > OPT_RTO_LIMIT_MS) return ERR_BAD_ARGUMENT;
    optRtoMax = value;
  } else if (option == OPT_HANDSHAKE_BUDGET_MS) {
    if (value < 0 || value > OPT_BUDGET_LIMIT_MS) return ERR_BAD_ARGUMENT;
    optBudget = value;
  } else if (option == OPT_PMTU) {
    if (value < PMTU_MIN || value > PMTU_MAX) return ERR_BAD_ARGUMENT;
    optPmtu = value;
  } else if (option == OPT_REQUIRE_EMS) {
    if (value != 0 && value != 1) return ERR_BAD_ARGUMENT;
    optRequireEms = value == 1;
  } else if (option == OPT_RESUME || option == OPT_TICKETS) {
    if (value != 0 && value != 1) return ERR_BAD_ARGUMENT;
    if (option == OPT_RESUME) optResume = value == 1;
    else optTickets = value == 1;
  } else if (option == OPT_HEARTBEAT || option == OPT_HEARTBEAT_INTERVAL_MS) {
    // 0 to the limit (unsigned: negative values are over it)
    const mode = option == OPT_HEARTBEAT;
    if (<u32>value > <u32>(mode ? HB_PEER_NOT_ALLOWED_TO_SEND : OPT_HEARTBEAT_LIMIT_MS)) return ERR_BAD_ARGUMENT;
    if (!HEARTBEAT_BUILT && value != 0) return ERR_UNSUPPORTED;
    if (mode) optHeartbeat = value; else optHeartbeatInterval = value;
  } else if (option == OPT_CID) {
    if (value < -1 || value > OPT_CID_MAX) return ERR_BAD_ARGUMENT;
    optCid = value;
  } else if (X509_ENABLED && option == OPT_CERT_UNKNOWN_TIME) {
    if (value != 0 && value != 1) return ERR_BAD_ARGUMENT;
    optCertUnknownTime = value == 1;
  } else if (X509_ENABLED && (option == OPT_CACHED_INFO || option == OPT_TRUSTED_CA_KEYS)) {
    if (value != 0 && value != 1) return ERR_BAD_ARGUMENT;
    if (option == OPT_CACHED_INFO) optCachedInfo = value == 1;
    else optTrustedCaKeys = value == 1;
  } else if (option == OPT_FALSE_START) {
    if (value != 0 && value != 1) return ERR_BAD_ARGUMENT;
    optFalseStart = value == 1;
  } else if (option == OPT_KEYLOG) {
    if (value != 0 && value != 1) return ERR_BAD_ARGUMENT;
    optKeylog = value == 1;
  } else {
    return ERR_BAD_ARGUMENT;
  }
  return 0;
}
