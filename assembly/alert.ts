// Sending alerts and ending the connection on fatal errors (RFC 5246 7.2, RFC 7925 s. 6).
import { CT_ALERT, ALERT_FATAL } from "./protocol";
import { STATE_FAILED, STATE_HANDSHAKING, STATE_CONNECTED } from "./api_codes";
import { writeEpoch } from "./record/keys";
import { txBeginRecord, txEndRecord, txFlush, txReset } from "./record/send";
import { connState, setState, setReason, noteAlert } from "./session";
import { logText, LOG_ERROR } from "./hal";

export const NO_ALERT: i32 = -1;

export function sendAlert(level: i32, description: i32): void {
  txReset();
  const p = txBeginRecord(CT_ALERT, writeEpoch);
  if (p == 0) return;
  store<u8>(p, <u8>level);
  store<u8>(p + 1, <u8>description);
  txEndRecord(2);
  txFlush();
  noteAlert(true, level, description);
}

// The connection can still act: send, process records, change state.
export function connectionLive(): bool { return connState == STATE_HANDSHAKING || connState == STATE_CONNECTED; }

// Ends the connection: sends a fatal alert (unless NO_ALERT) and records the reason.
// Cleanup of keys and timers is done by the connection when it sees STATE_FAILED.
// RFC 5246 7.2.2: after the first fatal alert nothing more is sent or processed, so a
// second failure in the same datagram neither sends a second alert nor replaces the reason.
export function fail(reason: i32, alertDescription: i32): void {
  if (!connectionLive()) return;
  if (alertDescription >= 0) sendAlert(ALERT_FATAL, alertDescription);
  setReason(reason);
  setState(STATE_FAILED);
  logText(LOG_ERROR, "connection failed");
}
