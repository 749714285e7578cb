// The TLS encoding of ECDSA signatures (RFC 8422 section 5.4, RFC 5480):
//   Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }
// in DER, converted to and from the fixed r || s form (64 bytes) of p256Sign/p256Verify.

// Length of the minimal DER INTEGER content for the 32-byte unsigned big-endian value at
// p: leading zero bytes dropped (one byte kept for zero), plus a 0x00 when the first
// remaining byte has its high bit set.
function intContentLen(p: usize): i32 {
  let i = 0;
  while (i < 31 && load<u8>(p + <usize>i) == 0) i++;
  return 32 - i + ((load<u8>(p + <usize>i) >> 7) as i32);
}

function putInt(out: usize, p: usize, len: i32): usize {
  store<u8>(out, 0x02);
  store<u8>(out + 1, <u8>len);
  out += 2;
  if (len == 33) { store<u8>(out, 0); out++; len = 32; }
  memory.copy(out, p + <usize>(32 - len), <usize>len);
  return out + <usize>len;
}

// Writes the DER form of sig64 (r || s) to out; returns its length (8..72), or -1 if
// outCap is too small.
export function ecdsaSigToDer(sig64: usize, out: usize, outCap: i32): i32 {
  const rl = intContentLen(sig64), sl = intContentLen(sig64 + 32);
  const body = 4 + rl + sl;
  const total = 2 + body;
  if (outCap < total) return -1;
  store<u8>(out, 0x30);
  store<u8>(out + 1, <u8>body);
  const next = putInt(out + 2, sig64, rl);
  putInt(next, sig64 + 32, sl);
  return total;
}

// Reads one INTEGER at der[pos..end) into the 32-byte big-endian out; returns the position
// after it, or -1. Strict DER: short-form length, at least one byte, minimal (no leading
// 0x00 unless the next byte has its high bit set), not negative, at most 32 value bytes.
function getInt(der: usize, pos: i32, end: i32, out: usize): i32 {
  if (end - pos < 2 || load<u8>(der + <usize>pos) != 0x02) return -1;
  let len = <i32>load<u8>(der + <usize>pos + 1);
  pos += 2;
  if (len == 0 || len > 0x7f || len > end - pos) return -1;
  let p = der + <usize>pos;
  const first = load<u8>(p);
  if (first & 0x80) return -1;                                  // negative
  if (first == 0 && len > 1 && (load<u8>(p + 1) & 0x80) == 0) return -1; // non-minimal
  pos += len;
  if (first == 0 && len > 1) { p++; len--; }
  if (len > 32) return -1;
  memory.fill(out, 0, 32);
  memory.copy(out + <usize>(32 - len), p, <usize>len);
  return pos;
}

// Parses a strict DER Ecdsa-Sig-Value of exactly derLen bytes into sig64Out (r || s).
// Rejects long-form or non-minimal lengths, non-minimal or negative integers, integers
// over 32 bytes, other tags and trailing bytes. Range checks (1..n-1) are p256Verify's.
export function ecdsaSigFromDer(der: usize, derLen: i32, sig64Out: usize): bool {
  if (derLen < 8 || derLen > 72) return false;
  if (load<u8>(der) != 0x30) return false;
  const body = <i32>load<u8>(der + 1);
  if (body > 0x7f || body != derLen - 2) return false;
  const afterR = getInt(der, 2, derLen, sig64Out);
  if (afterR < 0) return false;
  const afterS = getInt(der, afterR, derLen, sig64Out + 32);
  if (afterS != derLen) return false;
  return true;
}
