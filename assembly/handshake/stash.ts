// Fragments of handshake messages that arrive before the message being reassembled
// (RFC 6347 4.2.2: SHOULD be queued). Reordered datagrams of the server's flight then
// cost nothing instead of a retransmission timeout. Bounded: a fragment that does not fit
// is dropped and comes back with the peer's retransmission.
// Entry: [epoch u8][12-byte fragment header][fragment bytes].
import { HS_STASH_SIZE, HANDSHAKE_HEADER_LEN } from "../config";
import { get16, get24 } from "../util/bytes";
import { notePeak } from "../regions";
import { REGION_STASH } from "../api_codes";

const stash = memory.data(HS_STASH_SIZE);
let used: i32 = 0;

export function stashReset(): void { used = 0; }

@inline function entryLength(e: usize): i32 { return 1 + HANDSHAKE_HEADER_LEN + get24(e + 1 + 9); }

export function stashPut(epoch: i32, fragment: usize, fragLen: i32): bool {
  const n = 1 + HANDSHAKE_HEADER_LEN + fragLen;
  if (used + n > HS_STASH_SIZE) return false;
  const e = stash + <usize>used;
  store<u8>(e, <u8>epoch);
  memory.copy(e + 1, fragment, <usize>(HANDSHAKE_HEADER_LEN + fragLen));
  used += n;
  notePeak(REGION_STASH, used);
  return true;
}

// The first stashed fragment of message `seq` (its entry), or 0. Fragments of older
// messages are discarded on the way. The entry stays valid until stashRemove.
export function stashFind(seq: i32): usize {
  let off = 0;
  while (off < used) {
    const e = stash + <usize>off;
    const s = get16(e + 1 + 4);
    if (s == seq) return e;
    if (s < seq) { stashRemove(e); continue; }
    off += entryLength(e);
  }
  return 0;
}

export function stashRemove(e: usize): void {
  const n = entryLength(e);
  const after = <i32>(e - stash) + n;
  memory.copy(e, e + <usize>n, <usize>(used - after));
  used -= n;
}
