// High-water marks of the fixed buffers, so tests and boards can see how much of each
// region a session really uses (dtls_info(INFO_REGION_PEAK + id)) against its size in
// config.ts (dtls_info(INFO_REGION_SIZE + id)). Kept for the instance's life: a peak
// that grows from one handshake to the next would show a leak.
import { TX_DATAGRAM_MAX, FLIGHT_BUFFER_SIZE, HS_MESSAGE_MAX, HS_STASH_SIZE, APP_RX_BUFFER_SIZE,
  FUTURE_RECORD_MAX, CLIENT_CHAIN_MAX } from "./config";
import { REGION_TX_DATAGRAM, REGION_FLIGHT, REGION_REASSEMBLY, REGION_STASH, REGION_APP_QUEUE,
  REGION_FUTURE_RECORD, REGION_COUNT, REGION_CLIENT_CHAIN } from "./api_codes";

const peaks = memory.data(REGION_COUNT * 4);

export function notePeak(region: i32, used: i32): void {
  const p = peaks + (<usize>region << 2);
  if (used > load<i32>(p)) store<i32>(p, used);
}

export function regionPeak(region: i32): i32 {
  if (region < 0 || region >= REGION_COUNT) return -1;
  return load<i32>(peaks + (<usize>region << 2));
}

export function regionSize(region: i32): i32 {
  if (region == REGION_TX_DATAGRAM) return TX_DATAGRAM_MAX;
  if (region == REGION_FLIGHT) return FLIGHT_BUFFER_SIZE;
  if (region == REGION_REASSEMBLY) return HS_MESSAGE_MAX;
  if (region == REGION_STASH) return HS_STASH_SIZE;
  if (region == REGION_APP_QUEUE) return APP_RX_BUFFER_SIZE;
  if (region == REGION_FUTURE_RECORD) return FUTURE_RECORD_MAX;
  if (region == REGION_CLIENT_CHAIN) return X509_ENABLED ? CLIENT_CHAIN_MAX : 0;
  return -1;
}
