// SHA-256 (FIPS 180-4) over caller-provided context memory; no allocation.
import { wipe } from "./ct";

// Context layout: state H0..H7 (32 bytes), message length in bytes as lo/hi u32
// (8 bytes), bytes pending in the block buffer (4), pad (4), block buffer (64).
const OFF_LEN_LO: usize = 32;
const OFF_LEN_HI: usize = 36;
const OFF_FILL: usize = 40;
const OFF_BUF: usize = 48;
export const SHA256_CTX_SIZE: i32 = 112;
export const SHA256_BLOCK_SIZE: i32 = 64;
export const SHA256_DIGEST_SIZE: i32 = 32;

// FIPS 180-4 section 4.2.2: first 32 bits of the fractional parts of the cube roots
// of the first 64 primes.
const K = memory.data<u32>([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// Message schedule as a rolling 16-word window (64 bytes instead of 256). Shared by all
// contexts: the core is single-threaded and compression never re-enters.
const W = memory.data(64);

@inline function be32(p: usize): u32 {
  return bswap<u32>(load<u32>(p));
}

// One 64-byte block into the state at ctx (FIPS 180-4 section 6.2.2).
function compress(ctx: usize, block: usize): void {
  let a = load<u32>(ctx, 0), b = load<u32>(ctx, 4), c = load<u32>(ctx, 8), d = load<u32>(ctx, 12);
  let e = load<u32>(ctx, 16), f = load<u32>(ctx, 20), g = load<u32>(ctx, 24), h = load<u32>(ctx, 28);
  for (let t: usize = 0; t < 64; t++) {
    let w: u32;
    const slot = W + ((t & 15) << 2);
    if (t < 16) {
      w = be32(block + (t << 2));
    } else {
      const w15 = load<u32>(W + (((t - 15) & 15) << 2));
      const w2 = load<u32>(W + (((t - 2) & 15) << 2));
      const s0 = rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3);
      const s1 = rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10);
      w = load<u32>(slot) + s0 + load<u32>(W + (((t - 7) & 15) << 2)) + s1;
    }
    store<u32>(slot, w);
    const S1 = rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25);
    const ch = (e & f) ^ (~e & g);
    const t1 = h + S1 + ch + load<u32>(K + (t << 2)) + w;
    const S0 = rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22);
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = S0 + maj;
    h = g; g = f; f = e; e = d + t1;
    d = c; c = b; b = a; a = t1 + t2;
  }
  store<u32>(ctx, load<u32>(ctx, 0) + a, 0);
  store<u32>(ctx, load<u32>(ctx, 4) + b, 4);
  store<u32>(ctx, load<u32>(ctx, 8) + c, 8);
  store<u32>(ctx, load<u32>(ctx, 12) + d, 12);
  store<u32>(ctx, load<u32>(ctx, 16) + e, 16);
  store<u32>(ctx, load<u32>(ctx, 20) + f, 20);
  store<u32>(ctx, load<u32>(ctx, 24) + g, 24);
  store<u32>(ctx, load<u32>(ctx, 28) + h, 28);
}

export function sha256Init(ctx: usize): void {
  // FIPS 180-4 section 5.3.3: initial hash value.
  store<u32>(ctx, 0x6a09e667, 0);
  store<u32>(ctx, 0xbb67ae85, 4);
  store<u32>(ctx, 0x3c6ef372, 8);
  store<u32>(ctx, 0xa54ff53a, 12);
  store<u32>(ctx, 0x510e527f, 16);
  store<u32>(ctx, 0x9b05688c, 20);
  store<u32>(ctx, 0x1f83d9ab, 24);
  store<u32>(ctx, 0x5be0cd19, 28);
  store<u32>(ctx + OFF_LEN_LO, 0);
  store<u32>(ctx + OFF_LEN_HI, 0);
  store<u32>(ctx + OFF_FILL, 0);
}

export function sha256Update(ctx: usize, data: usize, len: i32): void {
  if (len <= 0) return;
  const lo = load<u32>(ctx + OFF_LEN_LO);
  const nlo = lo + <u32>len;
  store<u32>(ctx + OFF_LEN_LO, nlo);
  if (nlo < lo) store<u32>(ctx + OFF_LEN_HI, load<u32>(ctx + OFF_LEN_HI) + 1);

  const buf = ctx + OFF_BUF;
  let fill = <i32>load<u32>(ctx + OFF_FILL);
  let p = data;
  let n = len;
  if (fill > 0) {
    let take = 64 - fill;
    if (take > n) take = n;
    memory.copy(buf + <usize>fill, p, <usize>take);
    fill += take; p += <usize>take; n -= take;
    if (fill < 64) { store<u32>(ctx + OFF_FILL, <u32>fill); return; }
    compress(ctx, buf);
    fill = 0;
  }
  while (n >= 64) {
    compress(ctx, p);
    p += 64; n -= 64;
  }
  if (n > 0) memory.copy(buf, p, <usize>n);
  store<u32>(ctx + OFF_FILL, <u32>n);
}

// Pads (FIPS 180-4 section 5.1.1), writes the big-endian digest and wipes the context.
export function sha256Final(ctx: usize, out32: usize): void {
  const buf = ctx + OFF_BUF;
  let fill = <usize>load<u32>(ctx + OFF_FILL);
  store<u8>(buf + fill, 0x80);
  fill++;
  if (fill > 56) {
    for (let i = fill; i < 64; i++) store<u8>(buf + i, 0);
    compress(ctx, buf);
    fill = 0;
  }
  for (let i = fill; i < 56; i++) store<u8>(buf + i, 0);
  // Length in bits as a 64-bit big-endian number.
  const lo = load<u32>(ctx + OFF_LEN_LO);
  const hi = load<u32>(ctx + OFF_LEN_HI);
  store<u32>(buf + 56, bswap<u32>((hi << 3) | (lo >>> 29)));
  store<u32>(buf + 60, bswap<u32>(lo << 3));
  compress(ctx, buf);
  for (let i: usize = 0; i < 32; i += 4) store<u32>(out32 + i, bswap<u32>(load<u32>(ctx + i)));
  wipe(ctx, SHA256_CTX_SIZE);
  wipe(W, 64);
}

// Clones a running context (the handshake transcript hashes a prefix for Finished).
export function sha256Copy(dst: usize, src: usize): void {
  memory.copy(dst, src, <usize>SHA256_CTX_SIZE);
}

// Scratch context for the one-shot form.
const oneShotCtx = memory.data(SHA256_CTX_SIZE);

export function sha256(data: usize, len: i32, out32: usize): void {
  sha256Init(oneShotCtx);
  sha256Update(oneShotCtx, data, len);
  sha256Final(oneShotCtx, out32);
}
