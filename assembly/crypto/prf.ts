// TLS 1.2 PRF with SHA-256 (RFC 5246 section 5) and the labels the handshake uses.
import { wipe } from "./ct";
import { HMAC_CTX_SIZE, hmacSha256Init, hmacSha256Update, hmacSha256Final, hmacSha256Copy } from "./hmac";

// RFC 5246 sections 7.4.9 and 8.1, RFC 5246 section 6.3, RFC 7627 section 4.
// "master secret"
export const LABEL_MASTER_SECRET = memory.data<u8>([0x6d, 0x61, 0x73, 0x74, 0x65, 0x72, 0x20, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74]);
export const LABEL_MASTER_SECRET_LEN: i32 = 13;
// "extended master secret"
export const LABEL_EXTENDED_MASTER_SECRET = memory.data<u8>([0x65, 0x78, 0x74, 0x65, 0x6e, 0x64, 0x65, 0x64, 0x20, 0x6d, 0x61, 0x73, 0x74, 0x65, 0x72, 0x20, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74]);
export const LABEL_EXTENDED_MASTER_SECRET_LEN: i32 = 22;
// "key expansion"
export const LABEL_KEY_EXPANSION = memory.data<u8>([0x6b, 0x65, 0x79, 0x20, 0x65, 0x78, 0x70, 0x61, 0x6e, 0x73, 0x69, 0x6f, 0x6e]);
export const LABEL_KEY_EXPANSION_LEN: i32 = 13;
// "client finished"
export const LABEL_CLIENT_FINISHED = memory.data<u8>([0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x20, 0x66, 0x69, 0x6e, 0x69, 0x73, 0x68, 0x65, 0x64]);
export const LABEL_CLIENT_FINISHED_LEN: i32 = 15;
// "server finished"
export const LABEL_SERVER_FINISHED = memory.data<u8>([0x73, 0x65, 0x72, 0x76, 0x65, 0x72, 0x20, 0x66, 0x69, 0x6e, 0x69, 0x73, 0x68, 0x65, 0x64]);
export const LABEL_SERVER_FINISHED_LEN: i32 = 15;

// The HMAC keyed with the secret once, then cloned for every HMAC the PRF computes.
const keyed = memory.data(HMAC_CTX_SIZE);
const work = memory.data(HMAC_CTX_SIZE);
const chainA = memory.data(32);
const block = memory.data(32);

// PRF(secret, label, seed) = P_SHA256(secret, label + seed), truncated to outLen bytes.
// label + seed is never concatenated in memory: both are fed to the HMAC in turn.
// out may overlap secret (it is absorbed first) but not label or seed.
export function prfSha256(secret: usize, secretLen: i32, label: usize, labelLen: i32,
                          seed: usize, seedLen: i32, out: usize, outLen: i32): void {
  hmacSha256Init(keyed, secret, secretLen);
  // A(1) = HMAC(secret, A(0)) with A(0) = label + seed.
  hmacSha256Copy(work, keyed);
  hmacSha256Update(work, label, labelLen);
  hmacSha256Update(work, seed, seedLen);
  hmacSha256Final(work, chainA);
  let off = 0;
  while (off < outLen) {
    // Output block i = HMAC(secret, A(i) + label + seed).
    hmacSha256Copy(work, keyed);
    hmacSha256Update(work, chainA, 32);
    hmacSha256Update(work, label, labelLen);
    hmacSha256Update(work, seed, seedLen);
    hmacSha256Final(work, block);
    let n = outLen - off;
    if (n > 32) n = 32;
    memory.copy(out + <usize>off, block, <usize>n);
    off += n;
    if (off < outLen) {
      // A(i+1) = HMAC(secret, A(i)).
      hmacSha256Copy(work, keyed);
      hmacSha256Update(work, chainA, 32);
      hmacSha256Final(work, chainA);
    }
  }
  wipe(keyed, HMAC_CTX_SIZE);
  wipe(chainA, 32);
  wipe(block, 32);
}
