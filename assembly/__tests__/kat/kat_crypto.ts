// Test-only entry (build/kat-crypto.wasm): number-only wrappers over the symmetric crypto
// for the known-answer tests in tests/kat-crypto.test.ts. Every offset is relative to
// the scratch buffer returned by kat_buffer(); the host copies inputs there.
import { sha256 } from "../../crypto/sha256";
import { hmacSha256 } from "../../crypto/hmac";
import { prfSha256 } from "../../crypto/prf";
import { AES_ROUND_KEYS_SIZE, aesSoftExpandKey, aesSoftEncrypt, aesSetKey, aesEncryptBlock, aesEncryptBlock2, aesWipe } from "../../crypto/aes";
import { ccmSeal, ccmOpen } from "../../crypto/ccm";
import { ctEqual } from "../../crypto/ct";

const KAT_BUFFER_SIZE: i32 = 8192;
const buf = memory.data(KAT_BUFFER_SIZE);
const roundKeys = memory.data(AES_ROUND_KEYS_SIZE);

@inline function at(off: i32): usize {
  return buf + <usize>off;
}

export function kat_buffer(): usize {
  return buf;
}

export function kat_buffer_size(): i32 {
  return KAT_BUFFER_SIZE;
}

export function kat_sha256(msgOff: i32, msgLen: i32, outOff: i32): void {
  sha256(at(msgOff), msgLen, at(outOff));
}

export function kat_hmac(keyOff: i32, keyLen: i32, msgOff: i32, msgLen: i32, outOff: i32): void {
  hmacSha256(at(keyOff), keyLen, at(msgOff), msgLen, at(outOff));
}

export function kat_prf(secretOff: i32, secretLen: i32, labelOff: i32, labelLen: i32,
                        seedOff: i32, seedLen: i32, outOff: i32, outLen: i32): void {
  prfSha256(at(secretOff), secretLen, at(labelOff), labelLen, at(seedOff), seedLen, at(outOff), outLen);
}

// Software AES only, whatever the HAL says.
export function kat_aes_soft(keyOff: i32, inOff: i32, outOff: i32): void {
  aesSoftExpandKey(at(keyOff), roundKeys);
  aesSoftEncrypt(roundKeys, at(inOff), at(outOff));
}

// The selected path: HAL AES if the host provides it, else software.
export function kat_aes(keyOff: i32, inOff: i32, outOff: i32): void {
  aesSetKey(at(keyOff));
  aesEncryptBlock(at(inOff), at(outOff));
}

export function kat_aes2(keyOff: i32, in0Off: i32, out0Off: i32, in1Off: i32, out1Off: i32): void {
  aesSetKey(at(keyOff));
  aesEncryptBlock2(at(in0Off), at(out0Off), at(in1Off), at(out1Off));
}

export function kat_aes_wipe(): void {
  aesWipe();
}

// 1 = sealed, 0 = refused (bad tag length).
export function kat_ccm_seal(keyOff: i32, nonceOff: i32, aadOff: i32, aadLen: i32,
                             dataOff: i32, len: i32, tagOff: i32, tagLen: i32): i32 {
  return ccmSeal(at(keyOff), at(nonceOff), at(aadOff), aadLen, at(dataOff), len, at(tagOff), tagLen) ? 1 : 0;
}

// 1 = authentic (data decrypted in place), 0 = rejected (data wiped).
export function kat_ccm_open(keyOff: i32, nonceOff: i32, aadOff: i32, aadLen: i32,
                             dataOff: i32, len: i32, tagOff: i32, tagLen: i32): i32 {
  return ccmOpen(at(keyOff), at(nonceOff), at(aadOff), aadLen, at(dataOff), len, at(tagOff), tagLen) ? 1 : 0;
}

export function kat_ct_equal(aOff: i32, bOff: i32, len: i32): i32 {
  return ctEqual(at(aOff), at(bOff), len) ? 1 : 0;
}
