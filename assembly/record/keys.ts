// Record protection state: write/read epochs, write sequence numbers and the key block
// of epoch 1 (RFC 5246 6.3 order: client key, server key, client IV, server IV).
import { wipe } from "../crypto/ct";
import { replayReset } from "./replay";
import { aesWipe } from "../crypto/aes";

export const KEY_LEN: i32 = 16;
export const SALT_LEN: i32 = 4; // RFC 6655: the implicit part of the CCM nonce
export const KEY_BLOCK_LEN: i32 = 2 * KEY_LEN + 2 * SALT_LEN;

export const keyBlock = memory.data(KEY_BLOCK_LEN);
export const clientWriteKey: usize = keyBlock;
export const serverWriteKey: usize = keyBlock + KEY_LEN;
export const clientWriteSalt: usize = keyBlock + 2 * KEY_LEN;
export const serverWriteSalt: usize = keyBlock + 2 * KEY_LEN + SALT_LEN;

// 2^48 - 1 is the last sequence number of an epoch (RFC 6347 4.1).
export const SEQ_LIMIT: u64 = 0xffffffffffff;

export let readEpoch: i32 = 0;
export let writeEpoch: i32 = 0;
export let writeSeq0: u64 = 0;
export let writeSeq1: u64 = 0;

export function recordStateReset(): void {
  readEpoch = 0;
  writeEpoch = 0;
  writeSeq0 = 0;
  writeSeq1 = 0;
  wipe(keyBlock, KEY_BLOCK_LEN);
  aesWipe();  // the AES key schedule of the last record key
  replayReset();
}

export function setReadEpoch(e: i32): void { readEpoch = e; }
export function setWriteEpoch(e: i32): void { writeEpoch = e; }

// Takes the next write sequence number of an epoch; -1 when the epoch is exhausted.
export function nextWriteSeq(epoch: i32): i64 {
  if (epoch == 0) {
    if (writeSeq0 >= SEQ_LIMIT) return -1;
    const s0 = writeSeq0;
    writeSeq0 = s0 + 1;
    return <i64>s0;
  }
  if (writeSeq1 >= SEQ_LIMIT) return -1;
  const s1 = writeSeq1;
  writeSeq1 = s1 + 1;
  return <i64>s1;
}
