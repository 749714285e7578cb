/* The C twin of host/names.ts; keep the two in step. */
#include "dtls_names.h"

#include <stdio.h>
#include <string.h>

#include "dtls_codes.h"

const char *cipher_name(int32_t suite) {
  static char buf[8];
  switch (suite) {
    case DTLS_TLS_PSK_WITH_AES_128_CCM_8: return "TLS_PSK_WITH_AES_128_CCM_8";
    case DTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8: return "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8";
    default: snprintf(buf, sizeof buf, "0x%x", (unsigned)suite & 0xffffu); return buf;
  }
}

const char *state_name(int32_t state) {
  switch (state) {
    case DTLS_STATE_IDLE: return "idle";
    case DTLS_STATE_HANDSHAKING: return "handshaking";
    case DTLS_STATE_CONNECTED: return "connected";
    case DTLS_STATE_CLOSED: return "closed";
    case DTLS_STATE_FAILED: return "failed";
    default: return state < 0 ? "trapped" : "unknown";
  }
}

const char *reason_name(int32_t reason) {
  switch (reason) {
    case DTLS_REASON_NONE: return "none";
    case DTLS_REASON_TIMEOUT: return "timeout";
    case DTLS_REASON_PEER_ALERT: return "peer_alert";
    case DTLS_REASON_PROTOCOL_VERSION: return "protocol_version";
    case DTLS_REASON_BAD_FINISHED: return "bad_finished";
    case DTLS_REASON_DECODE: return "decode";
    case DTLS_REASON_UNEXPECTED_MESSAGE: return "unexpected_message";
    case DTLS_REASON_ILLEGAL_PARAMETER: return "illegal_parameter";
    case DTLS_REASON_UNSUPPORTED_EXTENSION: return "unsupported_extension";
    case DTLS_REASON_MESSAGE_TOO_LARGE: return "message_too_large";
    case DTLS_REASON_RANDOM: return "random";
    case DTLS_REASON_RECORD_OVERFLOW: return "record_overflow";
    case DTLS_REASON_EMS_REFUSED: return "ems_refused";
    case DTLS_REASON_RENEGOTIATION_INFO: return "renegotiation_info";
    case DTLS_REASON_CLOSED_BY_PEER: return "closed_by_peer";
    case DTLS_REASON_TOO_MANY_HVR: return "too_many_hvr";
    case DTLS_REASON_BAD_PEER_KEY: return "bad_peer_key";
    case DTLS_REASON_BAD_SIGNATURE: return "bad_signature";
    case DTLS_REASON_HANDSHAKE_FAILURE: return "handshake_failure";
    case DTLS_REASON_INTERNAL: return "internal";
    case DTLS_REASON_FINISHED_TIMEOUT: return "finished_timeout";
    default: return "unknown";
  }
}

const char *reason_text(int32_t reason) {
  switch (reason) {
    case DTLS_REASON_TIMEOUT: return "no answer from the server before the retransmission budget ran out";
    case DTLS_REASON_PEER_ALERT: return "the server sent a fatal alert";
    case DTLS_REASON_PROTOCOL_VERSION: return "the server chose a protocol version other than DTLS 1.2";
    case DTLS_REASON_BAD_FINISHED: return "the server's Finished did not verify (wrong PSK?)";
    case DTLS_REASON_DECODE: return "a malformed handshake message";
    case DTLS_REASON_UNEXPECTED_MESSAGE: return "an unexpected handshake message";
    case DTLS_REASON_ILLEGAL_PARAMETER: return "the server chose a parameter we did not offer";
    case DTLS_REASON_UNSUPPORTED_EXTENSION: return "the server sent an extension we did not offer";
    case DTLS_REASON_MESSAGE_TOO_LARGE: return "a handshake message larger than the client's buffer";
    case DTLS_REASON_RANDOM: return "the random number generator failed";
    case DTLS_REASON_RECORD_OVERFLOW: return "a record larger than the negotiated max_fragment_length";
    case DTLS_REASON_EMS_REFUSED: return "the server does not support the extended master secret";
    case DTLS_REASON_RENEGOTIATION_INFO: return "a bad renegotiation_info extension";
    case DTLS_REASON_CLOSED_BY_PEER: return "the server closed the connection";
    case DTLS_REASON_TOO_MANY_HVR: return "too many HelloVerifyRequests";
    case DTLS_REASON_BAD_PEER_KEY: return "the server's public key does not match the pinned key";
    case DTLS_REASON_BAD_SIGNATURE: return "the server's signature did not verify";
    case DTLS_REASON_HANDSHAKE_FAILURE: return "no acceptable parameters";
    case DTLS_REASON_INTERNAL: return "an internal error";
    case DTLS_REASON_FINISHED_TIMEOUT: return "the server never answered our Finished: the PSK or the identity is probably wrong";
    default: return reason_name(reason);
  }
}

const char *alert_name(int32_t d) {
  switch (d) {
    case DTLS_ALERT_CLOSE_NOTIFY: return "close_notify";
    case DTLS_ALERT_UNEXPECTED_MESSAGE: return "unexpected_message";
    case DTLS_ALERT_BAD_RECORD_MAC: return "bad_record_mac";
    case DTLS_ALERT_RECORD_OVERFLOW: return "record_overflow";
    case DTLS_ALERT_HANDSHAKE_FAILURE: return "handshake_failure";
    case DTLS_ALERT_BAD_CERTIFICATE: return "bad_certificate";
    case DTLS_ALERT_ILLEGAL_PARAMETER: return "illegal_parameter";
    case DTLS_ALERT_DECODE_ERROR: return "decode_error";
    case DTLS_ALERT_DECRYPT_ERROR: return "decrypt_error";
    case DTLS_ALERT_PROTOCOL_VERSION: return "protocol_version";
    case DTLS_ALERT_INSUFFICIENT_SECURITY: return "insufficient_security";
    case DTLS_ALERT_INTERNAL_ERROR: return "internal_error";
    case DTLS_ALERT_USER_CANCELED: return "user_canceled";
    case DTLS_ALERT_NO_RENEGOTIATION: return "no_renegotiation";
    case DTLS_ALERT_UNSUPPORTED_EXTENSION: return "unsupported_extension";
    case DTLS_ALERT_UNRECOGNIZED_NAME: return "unrecognized_name";
    case DTLS_ALERT_UNKNOWN_PSK_IDENTITY: return "unknown_psk_identity";
    default: return "alert";
  }
}

int describe_alert(int32_t packed, char *out, size_t cap) {
  int32_t sent, level, d;
  if (packed < 0 || cap == 0) return 0;
  sent = (packed >> 16) & 1;
  level = (packed >> 8) & 0xff;
  d = packed & 0xff;
  if (strcmp(alert_name(d), "alert") == 0)
    snprintf(out, cap, "%s alert_%d %s", level == DTLS_ALERT_FATAL ? "fatal" : "warning", (int)d,
             sent ? "sent" : "received");
  else
    snprintf(out, cap, "%s %s %s", level == DTLS_ALERT_FATAL ? "fatal" : "warning", alert_name(d),
             sent ? "sent" : "received");
  return 1;
}

void describe_failure(int32_t reason, int32_t packed_alert, char *out, size_t cap) {
  char alert[64];
  int has = describe_alert(packed_alert, alert, sizeof alert);
  if (has && (reason == DTLS_REASON_PEER_ALERT || strstr(alert, "sent") != NULL))
    snprintf(out, cap, "%s (%s)", reason_text(reason), alert);
  else
    snprintf(out, cap, "%s", reason_text(reason));
}
