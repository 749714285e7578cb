// Credentials and the server name, copied in from the I/O buffer at configure time.
import { PSK_IDENTITY_MAX, PSK_MAX, SNI_MAX } from "./config";
import { ERR_BAD_ARGUMENT } from "./errors";
import { wipe } from "./crypto/ct";

// @ts-ignore: decorator
@lazy export const pskIdentity = memory.data(PSK_IDENTITY_MAX);
// @ts-ignore: decorator
@lazy export const psk = memory.data(PSK_MAX);
// @ts-ignore: decorator
@lazy export const serverName = memory.data(SNI_MAX);
export let pskIdentityLen: i32 = 0;
export let pskLen: i32 = 0; // 0 = no PSK configured
export let serverNameLen: i32 = 0;

export function credentialsReset(): void {
  wipe(psk, PSK_MAX);
  wipe(pskIdentity, PSK_IDENTITY_MAX);
  pskLen = 0;
  pskIdentityLen = 0;
  serverNameLen = 0;
  rpkReset();
}

export function hasPsk(): bool { return pskLen > 0; }

// RFC 4279 section 5.1: the identity is sent as is; RFC 7925 4.2 (and we) bound it at 128.
export function setPsk(src: usize, identityLen: i32, keyLen: i32): i32 {
  if (identityLen < 1 || identityLen > PSK_IDENTITY_MAX) return ERR_BAD_ARGUMENT;
  if (keyLen < 1 || keyLen > PSK_MAX) return ERR_BAD_ARGUMENT;
  memory.copy(pskIdentity, src, <usize>identityLen);
  memory.copy(psk, src + <usize>identityLen, <usize>keyLen);
  pskIdentityLen = identityLen;
  pskLen = keyLen;
  return 0;
}

// RFC 6066 section 3: a DNS host name, ASCII, no trailing dot; IP literals are not
// allowed as a server_name. len 0 clears it.
export function setServerName(src: usize, len: i32): i32 {
  if (len < 0 || len > SNI_MAX || !validHostName(src, len)) return ERR_BAD_ARGUMENT;
  memory.copy(serverName, src, <usize>len);
  serverNameLen = len;
  return 0;
}

// Letters, digits, '-', '.', '_'; not all digits and dots, no leading or trailing dot.
export function validHostName(src: usize, len: i32): bool {
  let allDigitsOrDots = true;
  for (let i = 0; i < len; i++) {
    const c = <i32>load<u8>(src + <usize>i);
    const letter = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
    const digit = c >= 0x30 && c <= 0x39;
    const ok = letter || digit || c == 0x2d || c == 0x2e || c == 0x5f;
    if (!ok) return false;
    if (letter || c == 0x2d || c == 0x5f) allDigitsOrDots = false;
  }
  return !(len > 0 && (allDigitsOrDots || load<u8>(src + <usize>(len - 1)) == 0x2e || load<u8>(src) == 0x2e));
}

// Raw public keys (RFC 7250, RFC 7925 s. 4.3): our P-256 key (optional: only needed when
// the server asks for client authentication) and the server's pinned key, either its
// uncompressed point (65 bytes) or the SHA-256 of its SubjectPublicKeyInfo (32 bytes),
// as RFC 7925 s. 3.2.1 allows.
export const PIN_NONE: i32 = 0;
export const PIN_POINT: i32 = 65;
export const PIN_SPKI_SHA256: i32 = 32;
// @ts-ignore: decorator
@lazy export const clientPrivateKey = memory.data(32);
// @ts-ignore: decorator
@lazy export const clientPublicKey = memory.data(65);
// @ts-ignore: decorator
@lazy export const serverPin = memory.data(65);
export let hasClientKey: bool = false;
export let serverPinKind: i32 = PIN_NONE;

export function rpkReset(): void {
  if (ECDHE_ENABLED) wipe(clientPrivateKey, 32);
  hasClientKey = false;
  serverPinKind = PIN_NONE;
}

export function hasRpk(): bool { return serverPinKind != PIN_NONE; }

export function setClientKeyPresent(v: bool): void { hasClientKey = v; }
export function setServerPin(src: usize, len: i32): i32 {
  if (len != PIN_POINT && len != PIN_SPKI_SHA256) return ERR_BAD_ARGUMENT;
  memory.copy(serverPin, src, <usize>len);
  serverPinKind = len;
  return 0;
}
