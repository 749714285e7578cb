// Reassembly of one handshake message from fragments arriving in any order, duplicated
// or overlapping (RFC 6347 4.2.3, RFC 7925 Appendix C). A byte map records which bytes
// arrived; the message is complete when every byte has. Messages over HS_MESSAGE_MAX
// are refused, never truncated, except the server's X.509 Certificate message, which is
// read through a window (reassemblyWindowed, RFC 7925 s. 4.4: RAM must not grow with the
// chain): the buffer holds message bytes [base, base + HS_MESSAGE_MAX); its reader takes
// them from the front (windowConsume) and the window moves on. Bytes beyond it are dropped
// (the server sends its flight again), bytes before it were already read.
import { HS_MESSAGE_MAX } from "../config";
import { notePeak } from "../regions";
import { REGION_REASSEMBLY } from "../api_codes";

export const messageBody = memory.data(HS_MESSAGE_MAX);
const arrived = memory.data(HS_MESSAGE_MAX >> 3);

let active: bool = false;
let msgType: i32 = 0;
let msgLen: i32 = 0;
let msgSeq: i32 = 0;
let filled: i32 = 0;   // bytes of [base, msgLen) that arrived
let windowed: bool = false;
let base: i32 = 0;     // windowed: message offset of messageBody[0]

export const FRAG_PENDING: i32 = 0;
export const FRAG_COMPLETE: i32 = 1;
export const FRAG_TOO_LARGE: i32 = -1;
export const FRAG_INCONSISTENT: i32 = -2;

export function reassemblyReset(): void {
  active = false;
  filled = 0;
  if (X509_ENABLED) { windowed = false; base = 0; }
}
export function reassemblyActive(): bool { return active; }
// The next message is read through the window (before its first fragment).
export function reassemblyWindowed(): void { windowed = true; }
export function messageType(): i32 { return msgType; }
export function messageLength(): i32 { return msgLen; }
export function messageSeq(): i32 { return msgSeq; }

@inline function hasByte(i: i32): bool {
  return (load<u8>(arrived + <usize>(i >> 3)) & <u8>(<u32>1 << <u32>(i & 7))) != 0;
}

// The fragment's bounds (offset + len <= total) were checked by the caller.
export function reassemblyAdd(type: i32, total: i32, seq: i32, offset: i32, frag: usize, len: i32): i32 {
  if (total > HS_MESSAGE_MAX && !(X509_ENABLED && windowed)) return FRAG_TOO_LARGE;
  if (!active) {
    active = true;
    msgType = type;
    msgLen = total;
    if (!(X509_ENABLED && windowed)) notePeak(REGION_REASSEMBLY, total);
    msgSeq = seq;
    filled = 0;
    memory.fill(arrived, 0, X509_ENABLED ? <usize>HS_MESSAGE_MAX >> 3 : <usize>((total + 7) >> 3));
  } else if (type != msgType || total != msgLen || seq != msgSeq) {
    return FRAG_INCONSISTENT;
  }
  if (X509_ENABLED) {
    // Only what falls within the window (all of it when not windowed: base 0, total fits).
    let start = offset - base;
    let end = start + len;
    if (start < 0) start = 0;
    if (end > HS_MESSAGE_MAX) end = HS_MESSAGE_MAX;
    // Wholly before or beyond the window: nothing to keep (and no pointer outside it).
    if (start >= end) return base + filled == msgLen ? FRAG_COMPLETE : FRAG_PENDING;
    if (windowed) notePeak(REGION_REASSEMBLY, end);
    frag += <usize>(start + base - offset);
    offset = start;
    len = end - start;
  }
  memory.copy(messageBody + <usize>offset, frag, <usize>len);
  for (let i = offset; i < offset + len; i++) {
    const byte = arrived + <usize>(i >> 3);
    const bit = <u8>(<u32>1 << <u32>(i & 7));
    const had = load<u8>(byte);
    if ((had & bit) == 0) { store<u8>(byte, had | bit); filled++; }
  }
  return (X509_ENABLED ? base : 0) + filled == msgLen ? FRAG_COMPLETE : FRAG_PENDING;
}

// Windowed: how many bytes from the window's start arrived without a gap.
export function windowContiguous(): i32 {
  let n = 0;
  const limit = msgLen - base < HS_MESSAGE_MAX ? msgLen - base : HS_MESSAGE_MAX;
  while (n < limit && hasByte(n)) n++;
  return n;
}

// Windowed: the first n bytes (all arrived) were read; the window moves past them.
export function windowConsume(n: i32): void {
  const keep = HS_MESSAGE_MAX - n;
  memory.copy(messageBody, messageBody + <usize>n, <usize>keep);
  for (let i = 0; i < HS_MESSAGE_MAX; i++) {
    const byte = arrived + <usize>(i >> 3);
    const bit = <u8>(<u32>1 << <u32>(i & 7));
    const v = i < keep && hasByte(i + n);
    store<u8>(byte, v ? load<u8>(byte) | bit : load<u8>(byte) & ~bit);
  }
  base += n;
  filled -= n;
}
