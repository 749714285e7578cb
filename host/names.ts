// Words for the core's numbers, for messages a person reads. The sentences are
// host/messages.json's (generated into host/messages.ts), shared with the C and Python hosts.
import * as codes from "./codes";
import { REASON_TEXT } from "./messages";

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

export function reasonName(reason: number): string {
  return reasons.get(reason) ?? `reason_${reason}`;
}
export function describeReason(reason: number): string {
  return REASON_TEXT[reason] ?? reasonName(reason);
}
export function stateName(state: number): string {
  return states.get(state) ?? `state_${state}`;
}

/** Cipher suite names: the core's TLS_ constants. */
export const CIPHER_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(table).filter(([name]) => name.startsWith("TLS_")).map(([name, value]) => [value, name]));

// Wire names for traces (host/trace.ts): the core's CT_ and HT_ constants (assembly/protocol.ts).
const contentTypes = namesWithPrefix("CT_");
const handshakeTypes = namesWithPrefix("HT_");
export function contentTypeName(type: number): string {
  return contentTypes.get(type) ?? `content_type_${type}`;
}
export function handshakeTypeName(type: number): string {
  return handshakeTypes.get(type) ?? `handshake_type_${type}`;
}
