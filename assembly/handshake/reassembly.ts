// Reassembly of one handshake message from fragments arriving in any order, duplicated
// or overlapping (RFC 6347 4.2.3, RFC 7925 Appendix C). A byte map records which bytes
// arrived; the message is complete when every byte has. Messages over HS_MESSAGE_MAX
// are refused, never truncated.
import { HS_MESSAGE_MAX } from "../config";
import { notePeak } from "../regions";
import { REGION_REASSEMBLY } from "../api_codes";

export const messageBody = memory.data(HS_MESSAGE_MAX);
const arrived = memory.data(HS_MESSAGE_MAX >> 3);

let active: bool = false;
let msgType: i32 = 0;
let msgLen: i32 = 0;
let msgSeq: i32 = 0;
let filled: i32 = 0;

export const FRAG_PENDING: i32 = 0;
export const FRAG_COMPLETE: i32 = 1;
export const FRAG_TOO_LARGE: i32 = -1;
export const FRAG_INCONSISTENT: i32 = -2;

export function reassemblyReset(): void { active = false; filled = 0; }
export function messageType(): i32 { return msgType; }
export function messageLength(): i32 { return msgLen; }
export function messageSeq(): i32 { return msgSeq; }

// The fragment's bounds (offset + len <= total) were checked by the caller.
export function reassemblyAdd(type: i32, total: i32, seq: i32, offset: i32, frag: usize, len: i32): i32 {
  if (total > HS_MESSAGE_MAX) return FRAG_TOO_LARGE;
  if (!active) {
    active = true;
    msgType = type;
    msgLen = total;
    notePeak(REGION_REASSEMBLY, total);
    msgSeq = seq;
    filled = 0;
    memory.fill(arrived, 0, <usize>((total + 7) >> 3));
  } else if (type != msgType || total != msgLen || seq != msgSeq) {
    return FRAG_INCONSISTENT;
  }
  memory.copy(messageBody + <usize>offset, frag, <usize>len);
  for (let i = offset; i < offset + len; i++) {
    const byte = arrived + <usize>(i >> 3);
    const bit = <u8>(<u32>1 << <u32>(i & 7));
    const had = load<u8>(byte);
    if ((had & bit) == 0) { store<u8>(byte, had | bit); filled++; }
  }
  return filled == msgLen ? FRAG_COMPLETE : FRAG_PENDING;
}
