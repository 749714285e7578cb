// Words for the core's numbers, for messages a person reads.
import * as codes from "./codes";

const table = codes as unknown as Record<string, number>;

function namesWithPrefix(prefix: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const [name, value] of Object.entries(table)) {
    if (name.startsWith(prefix) && typeof value === "number") {
      map.set(value, name.slice(prefix.length).toLowerCase());
    }
  }
  return map;
}

const alerts = namesWithPrefix("ALERT_");
alerts.delete(codes.ALERT_WARNING);
alerts.delete(codes.ALERT_FATAL);
alerts.set(codes.ALERT_CLOSE_NOTIFY, "close_notify");
const reasons = namesWithPrefix("REASON_");
const states = namesWithPrefix("STATE_");

export function alertName(description: number): string {
  return alerts.get(description) ?? `alert_${description}`;
}

/** dtls_last_alert's packed value in words, e.g. "fatal handshake_failure received". */
export function describeAlert(packed: number): string | null {
  if (packed < 0) return null;
  const sent = (packed >> 16) & 1;
  const level = (packed >> 8) & 0xff;
  const description = packed & 0xff;
  const levelName = level === codes.ALERT_FATAL ? "fatal" : "warning";
  return `${levelName} ${alertName(description)} ${sent ? "sent" : "received"}`;
}

const reasonText: Record<number, string> = {
  [codes.REASON_TIMEOUT]: "no answer from the server before the retransmission budget ran out",
  [codes.REASON_PEER_ALERT]: "the server sent a fatal alert",
  [codes.REASON_PROTOCOL_VERSION]: "the server chose a protocol version other than DTLS 1.2",
  [codes.REASON_BAD_FINISHED]: "the server's Finished did not verify (wrong PSK?)",
  [codes.REASON_DECODE]: "a malformed handshake message",
  [codes.REASON_UNEXPECTED_MESSAGE]: "an unexpected handshake message",
  [codes.REASON_ILLEGAL_PARAMETER]: "the server chose a parameter we did not offer",
  [codes.REASON_UNSUPPORTED_EXTENSION]: "the server sent an extension we did not offer",
  [codes.REASON_MESSAGE_TOO_LARGE]: "a handshake message larger than the client's buffer",
  [codes.REASON_RANDOM]: "the random number generator failed",
  [codes.REASON_RECORD_OVERFLOW]: "a record larger than the negotiated max_fragment_length",
  [codes.REASON_EMS_REFUSED]: "the server does not support the extended master secret",
  [codes.REASON_RENEGOTIATION_INFO]: "a bad renegotiation_info extension",
  [codes.REASON_CLOSED_BY_PEER]: "the server closed the connection",
  [codes.REASON_TOO_MANY_HVR]: "too many HelloVerifyRequests",
  [codes.REASON_BAD_PEER_KEY]: "the server's public key does not match the pinned key",
  [codes.REASON_BAD_SIGNATURE]: "the server's signature did not verify",
  [codes.REASON_HANDSHAKE_FAILURE]: "no acceptable parameters",
  [codes.REASON_INTERNAL]: "an internal error",
  [codes.REASON_FINISHED_TIMEOUT]: "the server never answered our Finished: the PSK or the identity is probably wrong (or the server refused our client key)",
};

export function reasonName(reason: number): string {
  return reasons.get(reason) ?? `reason_${reason}`;
}
export function describeReason(reason: number): string {
  return reasonText[reason] ?? reasonName(reason);
}
export function stateName(state: number): string {
  return states.get(state) ?? `state_${state}`;
}

export const CIPHER_NAMES: Record<number, string> = {
  [codes.TLS_PSK_WITH_AES_128_CCM_8]: "TLS_PSK_WITH_AES_128_CCM_8",
  [codes.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8]: "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8",
};
