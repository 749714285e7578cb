// HMAC-SHA256 (RFC 2104, FIPS 198-1) over caller-provided context memory.
import { wipe } from "./ct";
import { SHA256_CTX_SIZE, sha256Init, sha256Update, sha256Final, sha256Copy } from "./sha256";

// Context: the inner hash, already fed K ^ ipad, then the outer hash fed K ^ opad.
const OFF_INNER: usize = 0;
const OFF_OUTER: usize = <usize>SHA256_CTX_SIZE;
export const HMAC_CTX_SIZE: i32 = 2 * SHA256_CTX_SIZE;

const keyBlock = memory.data(64);
const innerDigest = memory.data(32);

export function hmacSha256Init(ctx: usize, key: usize, keyLen: i32): void {
  // RFC 2104 section 2: keys longer than the block size are hashed first, shorter
  // ones are zero-padded to 64 bytes.
  wipe(keyBlock, 64);
  if (keyLen > 64) {
    sha256Init(ctx + OFF_INNER);
    sha256Update(ctx + OFF_INNER, key, keyLen);
    sha256Final(ctx + OFF_INNER, keyBlock);
  } else {
    memory.copy(keyBlock, key, <usize>keyLen);
  }
  for (let i: usize = 0; i < 64; i += 4) store<u32>(keyBlock + i, load<u32>(keyBlock + i) ^ 0x36363636);
  sha256Init(ctx + OFF_INNER);
  sha256Update(ctx + OFF_INNER, keyBlock, 64);
  // 0x36 ^ 0x5c = 0x6a turns K ^ ipad into K ^ opad.
  for (let i: usize = 0; i < 64; i += 4) store<u32>(keyBlock + i, load<u32>(keyBlock + i) ^ 0x6a6a6a6a);
  sha256Init(ctx + OFF_OUTER);
  sha256Update(ctx + OFF_OUTER, keyBlock, 64);
  wipe(keyBlock, 64);
}

export function hmacSha256Update(ctx: usize, data: usize, len: i32): void {
  sha256Update(ctx + OFF_INNER, data, len);
}

// Writes the 32-byte MAC and wipes the context (out32 may be anywhere, even data).
export function hmacSha256Final(ctx: usize, out32: usize): void {
  sha256Final(ctx + OFF_INNER, innerDigest);
  sha256Update(ctx + OFF_OUTER, innerDigest, 32);
  sha256Final(ctx + OFF_OUTER, out32);
  wipe(innerDigest, 32);
}

// Clones a keyed context, so a key used many times (the PRF) is absorbed once.
export function hmacSha256Copy(dst: usize, src: usize): void {
  sha256Copy(dst + OFF_INNER, src + OFF_INNER);
  sha256Copy(dst + OFF_OUTER, src + OFF_OUTER);
}

const oneShotCtx = memory.data(HMAC_CTX_SIZE);

export function hmacSha256(key: usize, keyLen: i32, data: usize, dataLen: i32, out32: usize): void {
  hmacSha256Init(oneShotCtx, key, keyLen);
  hmacSha256Update(oneShotCtx, data, dataLen);
  hmacSha256Final(oneShotCtx, out32);
}
