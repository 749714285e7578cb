// Master secret, key block and Finished values (RFC 5246 8.1, 6.3, 7.4.9; RFC 7627 4).
import { prfSha256, LABEL_MASTER_SECRET, LABEL_MASTER_SECRET_LEN, LABEL_EXTENDED_MASTER_SECRET,
  LABEL_EXTENDED_MASTER_SECRET_LEN, LABEL_KEY_EXPANSION, LABEL_KEY_EXPANSION_LEN,
  LABEL_CLIENT_FINISHED, LABEL_CLIENT_FINISHED_LEN, LABEL_SERVER_FINISHED,
  LABEL_SERVER_FINISHED_LEN } from "../crypto/prf";
import { wipe } from "../crypto/ct";
import { keyBlock, KEY_BLOCK_LEN } from "../record/keys";
import { transcriptHash } from "./transcript";
import { optKeylog } from "../options";

export const RANDOM_LEN: i32 = 32;
export const MASTER_SECRET_LEN: i32 = 48;
export const VERIFY_DATA_LEN: i32 = 12;
// The largest premaster secret: PSK (RFC 4279 s. 2) with a 64-byte key: 2+64+2+64.
export const PREMASTER_MAX: i32 = 132;

export const clientRandom = memory.data(RANDOM_LEN);
export const serverRandom = memory.data(RANDOM_LEN);
export const premaster = memory.data(PREMASTER_MAX);
const masterSecret = memory.data(MASTER_SECRET_LEN);
const seed = memory.data(2 * RANDOM_LEN);
const digest = memory.data(32);

// Derives the master secret from premaster[0..len) and wipes the premaster. With EMS
// the seed is the session hash: the transcript up to and including ClientKeyExchange.
export function deriveMasterSecret(premasterLen: i32, extended: bool): void {
  if (extended) {
    transcriptHash(digest);
    prfSha256(premaster, premasterLen, LABEL_EXTENDED_MASTER_SECRET, LABEL_EXTENDED_MASTER_SECRET_LEN,
      digest, 32, masterSecret, MASTER_SECRET_LEN);
  } else {
    memory.copy(seed, clientRandom, RANDOM_LEN);
    memory.copy(seed + RANDOM_LEN, serverRandom, RANDOM_LEN);
    prfSha256(premaster, premasterLen, LABEL_MASTER_SECRET, LABEL_MASTER_SECRET_LEN,
      seed, 2 * RANDOM_LEN, masterSecret, MASTER_SECRET_LEN);
  }
  wipe(premaster, PREMASTER_MAX);
}

// OPT_KEYLOG, a debugging aid (docs/API.md): 1 once this handshake's master secret is final
// (key block derived), 2 once the handshake is over and the master is kept for the host's key
// log, until dtls_info(INFO_KEYLOG) takes it, the next dtls_connect or dtls_config_reset.
let keylog: i32 = 0;

// key_block = PRF(master, "key expansion", server_random + client_random).
export function deriveKeyBlock(): void {
  if (optKeylog) keylog = 1;
  memory.copy(seed, serverRandom, RANDOM_LEN);
  memory.copy(seed + RANDOM_LEN, clientRandom, RANDOM_LEN);
  prfSha256(masterSecret, MASTER_SECRET_LEN, LABEL_KEY_EXPANSION, LABEL_KEY_EXPANSION_LEN,
    seed, 2 * RANDOM_LEN, keyBlock, KEY_BLOCK_LEN);
}

// verify_data over the transcript so far.
export function verifyData(client: bool, out: usize): void {
  transcriptHash(digest);
  if (client) {
    prfSha256(masterSecret, MASTER_SECRET_LEN, LABEL_CLIENT_FINISHED, LABEL_CLIENT_FINISHED_LEN,
      digest, 32, out, VERIFY_DATA_LEN);
  } else {
    prfSha256(masterSecret, MASTER_SECRET_LEN, LABEL_SERVER_FINISHED, LABEL_SERVER_FINISHED_LEN,
      digest, 32, out, VERIFY_DATA_LEN);
  }
}

// The master secret of this handshake (kept for resumption), and the one of a resumed session.
export function masterSecretPtr(): usize { return masterSecret; }
export function setMasterSecret(src: usize): void { memory.copy(masterSecret, src, MASTER_SECRET_LEN); }

export function keyScheduleWipe(): void {
  wipe(premaster, PREMASTER_MAX);
  if (keylog != 0 && optKeylog) keylog = 2; else keylogTake(0);
  wipe(seed, 2 * RANDOM_LEN);
}

// dtls_info(INFO_KEYLOG): client_random || master secret to out, then the master is wiped.
// out = 0: only wiped. Nothing (0) unless a handshake is over and its master kept.
export function keylogTake(out: usize): i32 {
  if (out != 0) {
    if (keylog != 2) return 0;
    memory.copy(out, clientRandom, RANDOM_LEN);
    memory.copy(out + RANDOM_LEN, masterSecret, MASTER_SECRET_LEN);
  }
  keylog = 0;
  wipe(masterSecret, MASTER_SECRET_LEN);
  return out != 0 ? RANDOM_LEN + MASTER_SECRET_LEN : 0;
}
