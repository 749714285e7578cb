// The leaf certificate's identity (RFC 7925 s. 4.4.1 servers, s. 4.4.2 clients, RFC 6125).
import { certDnsCount, certDns, certDnsLen, certCn, certCnLen } from "./cert";
import { ctEqual } from "../crypto/ct";

// RFC 6125 6.4.1: DNS names compare ASCII case-insensitively.
function lower(c: i32): i32 { return c >= 0x41 && c <= 0x5a ? c | 0x20 : c; }

function sameName(a: usize, b: usize, n: i32): bool {
  for (let i = 0; i < n; i++) {
    if (lower(<i32>load<u8>(a + <usize>i)) != lower(<i32>load<u8>(b + <usize>i))) return false;
  }
  return true;
}

function hexDigit(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20;
  return c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
}

// An EUI-64 in text: 16 hex digits, or 8 pairs separated by one '-' (or one ':') each.
// Writes the 8 bytes to out8; false when the text is not one.
export function eui64Parse(p: usize, len: i32, out8: usize): bool {
  const sep = len == 16 ? 0 : len == 23 ? 3 : -1;
  if (sep < 0) return false;
  const sepChar = sep ? <i32>load<u8>(p + 2) : 0;
  if (sep && sepChar != 0x2d && sepChar != 0x3a) return false;
  for (let i = 0; i < 8; i++) {
    const q = p + <usize>(i * (2 + (sep ? 1 : 0)));
    if (sep && i > 0 && <i32>load<u8>(q - 1) != sepChar) return false;
    const hi = hexDigit(<i32>load<u8>(q)), lo = hexDigit(<i32>load<u8>(q + 1));
    if (hi < 0 || lo < 0) return false;
    store<u8>(out8 + <usize>i, <u8>((hi << 4) | lo));
  }
  return true;
}

// The leaf names at most one dNSName and no wildcard (RFC 7925 s. 4.4.1 items 2 and 3).
export function dnsNamesAllowed(): bool {
  if (certDnsCount > 1) return false;
  for (let i = 0; i < certDnsLen; i++) if (load<u8>(certDns + <usize>i) == 0x2a) return false; // '*'
  return true;
}

// Server identity: the reference name equals the single subjectAltName dNSName; the CN is
// never looked at (s. 4.4.1 item 1). A reference name that is an EUI-64 (a server without a
// DNS name, s. 4.4.1's last paragraph) is matched against the leaf's EUI-64 instead.
export function serverNameMatches(ref: usize, refLen: i32, scratch8: usize, leafEui8: usize): bool {
  if (!dnsNamesAllowed() || refLen <= 0) return false;
  if (eui64Parse(ref, refLen, scratch8)) return leafEui64(leafEui8) && ctEqual(scratch8, leafEui8, 8);
  return certDnsCount == 1 && certDnsLen == refLen && sameName(ref, certDns, refLen);
}

// Client identity (s. 4.4.2): the EUI-64 "in the SubjectAltName or in the leftmost CN":
// the dNSName when there is one, else the subject's CN. Writes it to out8.
export function leafEui64(out8: usize): bool {
  if (certDnsCount == 1) return eui64Parse(certDns, certDnsLen, out8);
  if (certDnsCount == 0 && certCnLen > 0) return eui64Parse(certCn, certCnLen, out8);
  return false;
}
