// Connection-wide status: the public state, why it failed, the last alert, counters.
import { STATE_IDLE, STATE_HANDSHAKING } from "./api_codes";
import { REASON_NONE } from "./errors";

export let connState: i32 = STATE_IDLE;
export let lastReason: i32 = REASON_NONE;
export let lastAlert: i32 = -1;       // sent<<16 | level<<8 | description
export let flightsSent: i32 = 0;
export let flightsReceived: i32 = 0;
export let flightsRetransmitted: i32 = 0;
export let handshakeStartMs: i32 = 0;
export let handshakeMs: i32 = -1;
// What the handshake cost on the wire (section 11 figures): counted while handshaking.
export let hsBytesSent: i32 = 0;
export let hsBytesReceived: i32 = 0;
export let hsDatagramsSent: i32 = 0;
export let hsDatagramsReceived: i32 = 0;

export function sessionReset(): void {
  lastReason = REASON_NONE;
  lastAlert = -1;
  flightsSent = 0;
  flightsReceived = 0;
  flightsRetransmitted = 0;
  handshakeMs = -1;
  hsBytesSent = 0;
  hsBytesReceived = 0;
  hsDatagramsSent = 0;
  hsDatagramsReceived = 0;
}
export function setState(s: i32): void { connState = s; }
export function setReason(r: i32): void { lastReason = r; }
export function noteAlert(sent: bool, level: i32, description: i32): void {
  lastAlert = ((sent ? 1 : 0) << 16) | (level << 8) | description;
}
export function countFlightSent(): void { flightsSent++; }
export function countFlightReceived(): void { flightsReceived++; }
export function countRetransmission(): void { flightsRetransmitted++; }
export function markHandshakeStart(now: i32): void { handshakeStartMs = now; }
export function markHandshakeDone(now: i32): void { handshakeMs = now - handshakeStartMs; }
export function countHandshakeDatagram(sent: bool, len: i32): void {
  if (connState != STATE_HANDSHAKING) return;
  if (sent) { hsDatagramsSent++; hsBytesSent += len; } else { hsDatagramsReceived++; hsBytesReceived += len; }
}
