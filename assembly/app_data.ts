// Received application records waiting for dtls_read: a FIFO of [u16 length][bytes]
// in a fixed buffer. When it is full, a new record is dropped, as the network could
// have dropped it (DTLS gives datagram semantics), and counted so the application sees
// the loss (dtls_info(INFO_APP_RECORDS_LOST)).
import { APP_RX_BUFFER_SIZE } from "./config";
import { notePeak } from "./regions";
import { REGION_APP_QUEUE } from "./api_codes";

const queue = memory.data(APP_RX_BUFFER_SIZE);
let used: i32 = 0;
let lost: i32 = 0;

export function appQueueReset(): void { used = 0; lost = 0; }
export function appRecordsLost(): i32 { return lost; }

export function appQueuePush(src: usize, len: i32): bool {
  if (used + 2 + len > APP_RX_BUFFER_SIZE) { lost++; return false; }
  store<u16>(queue + <usize>used, <u16>len);
  memory.copy(queue + <usize>used + 2, src, <usize>len);
  used += 2 + len;
  notePeak(REGION_APP_QUEUE, used);
  return true;
}

// Moves the oldest record to dst (capacity cap); returns its length or -1 if none.
export function appQueuePop(dst: usize, cap: i32): i32 {
  if (used == 0) return -1;
  const len = <i32>load<u16>(queue);
  const n = len < cap ? len : cap;
  memory.copy(dst, queue + 2, <usize>n);
  used -= 2 + len;
  memory.copy(queue, queue + 2 + <usize>len, <usize>used);
  return n;
}
