// The retransmission timer (RFC 6347 4.2.4.1, RFC 7925 section 11): starts at the
// initial RTO for each flight, doubles at each expiry up to the maximum, and gives up
// when the flight has waited its budget. Times are clock_ms values compared by wrapping
// subtraction, so a 32-bit millisecond clock may wrap.
import { optRtoInitial, optRtoMax, flightBudgetMs } from "../options";

let armed: bool = false;
let deadline: i32 = 0;
let rto: i32 = 0;
let flightStart: i32 = 0;

export function timerStop(): void { armed = false; }

export function timerStartFlight(now: i32): void {
  rto = optRtoInitial;
  flightStart = now;
  armed = true;
  setDeadline(now + rto);
}

function setDeadline(d: i32): void {
  const budgetEnd = flightStart + flightBudgetMs();
  deadline = (budgetEnd - d) < 0 ? budgetEnd : d;
}

// Milliseconds until the deadline (<= 0: due), or -1 when no timer is armed.
export function timerRemaining(now: i32): i32 {
  if (!armed) return -1;
  const left = deadline - now;
  return left < 0 ? 0 : left;
}

export function timerDue(now: i32): bool { return armed && (deadline - now) <= 0; }

// Called when the timer fired: false if the flight's budget is spent (give up),
// else the timer is backed off and the caller retransmits.
export function timerBackOff(now: i32): bool {
  if (now - flightStart >= flightBudgetMs()) { armed = false; return false; }
  rto = rto > optRtoMax / 2 ? optRtoMax : rto * 2;
  setDeadline(now + rto);
  return true;
}
