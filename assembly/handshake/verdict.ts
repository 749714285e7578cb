// A parser's verdict in one i32: 0 = accepted, else (reason << 8) | alert description.
@inline export function verdict(reason: i32, alertDescription: i32): i32 {
  return (reason << 8) | (alertDescription & 0xff);
}
@inline export function verdictReason(v: i32): i32 { return v >> 8; }
@inline export function verdictAlert(v: i32): i32 { return v & 0xff; }
export const ACCEPTED: i32 = 0;
