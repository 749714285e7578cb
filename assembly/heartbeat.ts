// Heartbeat (RFC 6520; RFC 7925 section 10 recommends it to keep a path open for traffic
// the server starts). The ClientHello offers the HeartbeatMode of OPT_HEARTBEAT; the
// server's mode (its ServerHello extension) says whether WE may send requests.
// - Messages count only in an authenticated epoch once connected (s. 3: not during the
//   handshake); anything else of content type heartbeat is dropped.
// - A request is answered with its payload and fresh random padding only if our mode let
//   the peer send (s. 2), and only if the answer fits one record (PMTU, max_fragment_length).
// - A payload_length that, with 16 bytes of padding, does not fit the record drops the
//   message (s. 4): nothing past the received bytes is ever read or echoed (Heartbleed).
// - Our requests (OPT_HEARTBEAT_INTERVAL_MS): one in flight at a time (s. 3), payload a
//   counter and random bytes (never a secret), retransmitted by the handshake's timer
//   (RFC 6347 4.2.4.1: initial RTO doubling to the maximum) until the flight budget runs
//   out, which ends the connection (s. 3: "the same threshold as for handshake messages").
//   The next request goes out an interval after the last one was first sent, or as soon
//   as it is answered if that is later.
import { CT_HEARTBEAT, HB_PEER_ALLOWED_TO_SEND, HB_REQUEST, HB_RESPONSE, HB_PADDING_MIN } from "./protocol";
import { REASON_HEARTBEAT_TIMEOUT } from "./errors";
import { get8, get16, put8, put16 } from "./util/bytes";
import { ctEqual } from "./crypto/ct";
import { halRandom } from "./hal";
import { aesUnavailable } from "./crypto/aes";
import { optHeartbeat, optHeartbeatInterval } from "./options";
import { fail, NO_ALERT } from "./alert";
import { handshakeStartMs, handshakeMs } from "./session";
import { writeEpoch } from "./record/keys";
import { txReset, txBeginRecord, txEndRecord, txFlush } from "./record/send";
import { countDrop } from "./record/receive";
import { timerStartFlight, timerDue, timerBackOff, timerRemaining } from "./handshake/timer";

// Our request's payload: a 4-byte counter and 12 random bytes (16 in all).
const PAYLOAD_LEN: i32 = 16;
const HEADER_LEN: i32 = 3;        // type, payload_length
const payload = memory.data(PAYLOAD_LEN);

let outstanding: bool = false;    // our request waits for its response
let scheduled: bool = false;      // nextAt is set (from the time the handshake completed)
let nextAt: i32 = 0;              // clock_ms of our next request
let counter: i32 = 0;
// dtls_info(INFO_HEARTBEATS_SENT + i): i32 slots in the order of the INFO_ keys (one
// lookup in dtls_info instead of four).
const stats = memory.data(16);
const SENT: usize = 0, RESPONSES: usize = 4, ANSWERED: usize = 8, PEER_MODE: usize = 12;
function bump(slot: usize): void { store<i32>(stats + slot, load<i32>(stats + slot) + 1); }

export function heartbeatReset(): void {
  outstanding = false;
  scheduled = false;
  memory.fill(stats, 0, 16);
}
// The server's HeartbeatMode from its ServerHello, 0 = not negotiated.
export function setHeartbeatPeerMode(mode: i32): void { store<i32>(stats + PEER_MODE, mode); }
export function heartbeatInfo(i: i32): i32 { return load<i32>(stats + (<usize>i << 2)); }

// HeartbeatMessage (s. 4): type, payload_length, payload, padding of at least 16 bytes,
// within the len bytes received. Returns payload_length, or -1 when the message must be
// discarded silently (s. 4: payload_length too large); the type is its first byte.
export function parseHeartbeat(p: usize, len: i32): i32 {
  if (len < HEADER_LEN + HB_PADDING_MIN) return -1;
  const n = get16(p + 1);
  return n > len - HEADER_LEN - HB_PADDING_MIN ? -1 : n;
}

// Sends one HeartbeatMessage of n payload bytes from src with fresh random padding;
// false if nothing was sent (no random bytes, sequence numbers spent, AES engine failed).
function sendMessage(type: i32, src: usize, n: i32): bool {
  txReset();
  const p = txBeginRecord(CT_HEARTBEAT, writeEpoch);
  if (p == 0) return false;
  put8(p, type);
  put16(p + 1, n);
  memory.copy(p + <usize>HEADER_LEN, src, <usize>n);
  if (halRandom(p + <usize>(HEADER_LEN + n), HB_PADDING_MIN) != 0) { txReset(); return false; }
  txEndRecord(HEADER_LEN + n + HB_PADDING_MIN);
  if (!AES_IN_MODULE && aesUnavailable) { txReset(); return false; }  // the connection ends it
  txFlush();
  return true;
}

// One heartbeat record of the current epoch (> 0) once connected. room: the largest
// record plaintext we may send now (the PMTU and max_fragment_length bound it).
export function heartbeatRecord(p: usize, len: i32, room: i32): void {
  const n = load<i32>(stats + PEER_MODE) != 0 ? parseHeartbeat(p, len) : -1;
  if (n >= 0) {
    const type = get8(p);
    if (type == HB_REQUEST) {
      // s. 2: answered only if we let the peer send; s. 4: an exact copy of the payload.
      if (optHeartbeat == HB_PEER_ALLOWED_TO_SEND && HEADER_LEN + n + HB_PADDING_MIN <= room &&
          sendMessage(HB_RESPONSE, p + <usize>HEADER_LEN, n)) { bump(ANSWERED); return; }
    } else if (type == HB_RESPONSE) {
      // s. 4: only the expected payload stops the retransmission timer (heartbeatPoll
      // consults the timer only while a request is outstanding).
      if (outstanding && n == PAYLOAD_LEN && ctEqual(p + <usize>HEADER_LEN, payload, PAYLOAD_LEN)) {
        outstanding = false;
        bump(RESPONSES);
        return;
      }
    }
  }
  countDrop();
}

// Runs our requests' timers while connected: ms until the next heartbeat event, or -1
// when we send none (not configured, or the server's mode forbids it).
export function heartbeatPoll(now: i32): i32 {
  if (load<i32>(stats + PEER_MODE) != HB_PEER_ALLOWED_TO_SEND || optHeartbeatInterval == 0) return -1;
  if (!scheduled) { nextAt = handshakeStartMs + handshakeMs + optHeartbeatInterval; scheduled = true; }
  if (outstanding) {
    if (timerDue(now)) {
      if (!timerBackOff(now)) { fail(REASON_HEARTBEAT_TIMEOUT, NO_ALERT); return -1; }
      sendMessage(HB_REQUEST, payload, PAYLOAD_LEN);   // the same payload, new padding
    }
    return timerRemaining(now);
  }
  const left = nextAt - now;
  if (left > 0) return left;
  nextAt = now + optHeartbeatInterval;
  store<u32>(payload, bswap<u32>(<u32>++counter));
  if (halRandom(payload + 4, PAYLOAD_LEN - 4) != 0) return optHeartbeatInterval;  // as if lost
  outstanding = true;
  bump(SENT);
  timerStartFlight(now);
  // 3 + 16 + 16 bytes always fit: the smallest PMTU (64) carries 35 bytes of plaintext.
  sendMessage(HB_REQUEST, payload, PAYLOAD_LEN);
  return timerRemaining(now);
}
