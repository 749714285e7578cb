// AES-CCM (RFC 3610, NIST SP 800-38C) with a 12-byte nonce, so L = 15 - 12 = 3, and the
// 8-byte tag of the DTLS suites (CCM-8: RFC 6655, RFC 7925 Appendix B). Built on the AES
// block here, not on radio CCM engines, which take 13-byte nonces (RFC 7925 section 19).
import { aesSetKey, aesEncryptBlock, aesEncryptBlock2, aesUnavailable } from "./aes";
import { ctEqual, wipe } from "./ct";

export const CCM_NONCE_LEN: i32 = 12;
export const CCM8_TAG_LEN: i32 = 8;
// L = 3 length octets (RFC 3610 section 2): messages below 2^24 bytes.
export const CCM_MAX_DATA_LEN: i32 = 0xffffff;

const mac = memory.data(16);    // X_i, the CBC-MAC state
const ctr = memory.data(16);    // A_i, the counter block
const ks = memory.data(16);     // S_i = E(A_i)
const s0 = memory.data(16);     // S_0, masks the tag
const tagCalc = memory.data(16);

// RFC 3610 section 2.3: A_i = flags(L' = 2) || nonce || i (3 bytes, big-endian).
@inline function setCounter(i: i32): void {
  store<u8>(ctr, <u8>(i >>> 16), 13);
  store<u8>(ctr, <u8>(i >>> 8), 14);
  store<u8>(ctr, <u8>i, 15);
}

// Computes the tag (into tagCalc) and en/decrypts data in place. Every MAC block is
// encrypted together with the next counter block: the software AES does both in one pass.
function ccmCore(nonce12: usize, aad: usize, aadLen: i32, data: usize, len: i32, tagLen: i32, decrypt: bool): void {
  // RFC 3610 section 2.2: B_0 = flags || nonce || l(m); flags = Adata<<6 | M'<<3 | L'.
  store<u8>(mac, <u8>((aadLen > 0 ? 0x40 : 0) | (((tagLen - 2) >> 1) << 3) | 2));
  memory.copy(mac + 1, nonce12, 12);
  store<u8>(mac, <u8>(len >>> 16), 13);
  store<u8>(mac, <u8>(len >>> 8), 14);
  store<u8>(mac, <u8>len, 15);
  store<u8>(ctr, 2);
  memory.copy(ctr + 1, nonce12, 12);
  setCounter(0);
  aesEncryptBlock2(mac, mac, ctr, s0);

  // X holds a block XORed in but not yet encrypted (encrypted with the next counter).
  let pending = false;
  if (aadLen > 0) {
    // RFC 3610 section 2.2: l(a) as 2 bytes if below 2^16 - 2^8, else 0xff 0xfe + 4 bytes,
    // then a, then zero padding (XOR with zero is a no-op, so padding is implicit).
    // (Big-endian stores: the record layer's AAD length varies with RFC 9146 CIDs, so both
    // forms stay in the module; written this way they cost a few instructions.)
    let pos: usize = 2;
    let prefix = <u16>aadLen;
    if (aadLen >= 0xff00) {
      store<u32>(mac, load<u32>(mac, 2) ^ bswap<u32>(<u32>aadLen), 2);
      prefix = 0xfffe;
      pos = 6;
    }
    store<u16>(mac, load<u16>(mac) ^ bswap<u16>(prefix));
    for (let i = 0; i < aadLen; i++) {
      if (pos == 16) { aesEncryptBlock(mac, mac); pos = 0; }
      store<u8>(mac + pos, load<u8>(mac + pos) ^ load<u8>(aad + <usize>i));
      pos++;
    }
    pending = true;
  }

  // RFC 3610 sections 2.2 and 2.3: m_i goes into the CBC-MAC, m_i ^ S_i (i from 1) is the
  // ciphertext. Opening needs S_i before m_i is known, so S_i is computed first.
  let block = 1;
  for (let off = 0; off < len; off += 16) {
    setCounter(block++);
    if (pending) aesEncryptBlock2(mac, mac, ctr, ks);
    else aesEncryptBlock(ctr, ks);
    let n = len - off;
    if (n > 16) n = 16;
    const p = data + <usize>off;
    for (let j: usize = 0; j < <usize>n; j++) {
      const v = load<u8>(p + j);
      const k = load<u8>(ks + j);
      const plain = decrypt ? v ^ k : v;
      store<u8>(p + j, v ^ k);
      store<u8>(mac + j, load<u8>(mac + j) ^ plain);
    }
    pending = true;
  }
  if (pending) aesEncryptBlock(mac, mac);

  // RFC 3610 section 2.3: U = first M bytes of T ^ S_0.
  for (let j: usize = 0; j < <usize>tagLen; j++) store<u8>(tagCalc + j, load<u8>(mac + j) ^ load<u8>(s0 + j));
  wipe(mac, 16);
  wipe(ks, 16);
  wipe(s0, 16);
}

// RFC 3610 section 2: M in {4, 6, 8, 10, 12, 14, 16}.
@inline function validParams(aadLen: i32, len: i32, tagLen: i32): bool {
  return tagLen >= 4 && tagLen <= 16 && (tagLen & 1) == 0 && aadLen >= 0 && len >= 0 && len <= CCM_MAX_DATA_LEN;
}

// Encrypts data in place and writes the tagLen-byte tag. False (nothing written) on bad
// parameters.
export function ccmSeal(key16: usize, nonce12: usize, aad: usize, aadLen: i32,
                        data: usize, len: i32, tagOut: usize, tagLen: i32): bool {
  if (!validParams(aadLen, len, tagLen)) return false;
  aesSetKey(key16);
  ccmCore(nonce12, aad, aadLen, data, len, tagLen, false);
  if (aesUnavailable) { // no cipher ran: never let the plaintext out as "ciphertext"
    wipe(data, len);
    wipe(tagOut, tagLen);
    wipe(tagCalc, 16);
    return false;
  }
  memory.copy(tagOut, tagCalc, <usize>tagLen);
  wipe(tagCalc, 16);
  return true;
}

// Decrypts data in place and checks the tag in constant time. On failure the decrypted
// bytes are wiped (RFC 5116 section 2.2: no plaintext from a forged record) and it
// returns false.
export function ccmOpen(key16: usize, nonce12: usize, aad: usize, aadLen: i32,
                        data: usize, len: i32, tag: usize, tagLen: i32): bool {
  if (!validParams(aadLen, len, tagLen)) {
    // Still no plaintext out; an absurd len is not trusted as a buffer size.
    if (len > 0 && len <= CCM_MAX_DATA_LEN) wipe(data, len);
    return false;
  }
  aesSetKey(key16);
  ccmCore(nonce12, aad, aadLen, data, len, tagLen, true);
  const ok = ctEqual(tagCalc, tag, tagLen) && !aesUnavailable;
  wipe(tagCalc, 16);
  if (!ok) wipe(data, len);
  return ok;
}

// False only for a negative length or one of 2^24 bytes or more.
export function ccm8Seal(key16: usize, nonce12: usize, aad: usize, aadLen: i32,
                         data: usize, len: i32, tagOut8: usize): bool {
  return ccmSeal(key16, nonce12, aad, aadLen, data, len, tagOut8, CCM8_TAG_LEN);
}

export function ccm8Open(key16: usize, nonce12: usize, aad: usize, aadLen: i32,
                         data: usize, len: i32, tag8: usize): bool {
  return ccmOpen(key16, nonce12, aad, aadLen, data, len, tag8, CCM8_TAG_LEN);
}
