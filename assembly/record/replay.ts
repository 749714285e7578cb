// Anti-replay window (RFC 6347 4.1.2.6): per read epoch, the highest sequence number
// accepted so far and a 64-bit map of which of the 64 numbers below it were seen.
// A record is marked only after it authenticated, so forgeries cannot slide the window.

const WINDOWS = memory.data(2 * 16); // epoch 0 and 1: [top u64][bitmap u64]

@inline function slot(epoch: i32): usize { return WINDOWS + (<usize>(epoch & 1) << 4); }

export function replayReset(): void { memory.fill(WINDOWS, 0, 2 * 16); }

// True if seq is new and not older than the window.
export function replayFresh(epoch: i32, seq: u64): bool {
  const s = slot(epoch);
  const top = load<u64>(s);
  const bits = load<u64>(s, 8);
  if (bits == 0 || seq > top) return true;
  const age = top - seq;
  if (age >= 64) return false;
  return ((bits >> age) & 1) == 0;
}

export function replayMark(epoch: i32, seq: u64): void {
  const s = slot(epoch);
  const top = load<u64>(s);
  let bits = load<u64>(s, 8);
  if (bits == 0) {
    store<u64>(s, seq);
    bits = 1;
  } else if (seq > top) {
    const shift = seq - top;
    bits = shift >= 64 ? 1 : (bits << shift) | 1;
    store<u64>(s, seq);
  } else {
    bits |= <u64>1 << (top - seq);
  }
  store<u64>(s, bits, 8);
}
