// Raw public keys (RFC 7250) for P-256: the SubjectPublicKeyInfo encoding and the check
// of the server's key against the pin (RFC 7925 s. 4.3 and 3.2.1).
import { sha256 } from "../crypto/sha256";
import { ctEqual } from "../crypto/ct";
import { serverPin, serverPinKind, PIN_POINT } from "../credentials";

// SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (0 unused bits) 04||X||Y }
// @ts-ignore: decorator
@lazy export const SPKI_PREFIX = memory.data<u8>([
  0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
  0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00]);
export const SPKI_PREFIX_LEN: i32 = 26;
export const SPKI_LEN: i32 = SPKI_PREFIX_LEN + 65;

// @ts-ignore: decorator
@lazy export const peerSpkiHash = memory.data(32);
export let peerKeyKnown: bool = false;
export function peerKeyReset(): void { peerKeyKnown = false; }
// A resumed session: the server's key is the one of the session's full handshake.
export function peerKeyRestore(hash32: usize): void {
  memory.copy(peerSpkiHash, hash32, 32);
  peerKeyKnown = true;
}

// The point inside a P-256 SubjectPublicKeyInfo, or 0 if it is anything else. Only this
// exact DER encoding is accepted: any other is either another algorithm or not DER.
export function spkiPoint(spki: usize, len: i32): usize {
  if (len != SPKI_LEN || !ctEqual(spki, SPKI_PREFIX, SPKI_PREFIX_LEN)) return 0;
  return spki + <usize>SPKI_PREFIX_LEN;
}

// Records the server's SPKI hash and compares with the pin. Not secret: plain compare.
export function matchesPin(spki: usize, len: i32): bool {
  sha256(spki, len, peerSpkiHash);
  peerKeyKnown = true;
  if (serverPinKind == PIN_POINT) return ctEqual(spki + <usize>SPKI_PREFIX_LEN, serverPin, 65);
  return ctEqual(peerSpkiHash, serverPin, 32);
}

export function writeSpki(out: usize, point65: usize): void {
  memory.copy(out, SPKI_PREFIX, <usize>SPKI_PREFIX_LEN);
  memory.copy(out + <usize>SPKI_PREFIX_LEN, point65, 65);
}
