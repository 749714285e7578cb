// A bounded DER reader (X.690 section 10: the distinguished encoding) for certificates.
// Its own cursor, so the handshake's util/reader.ts position survives a certificate parse.
// Like util/reader.ts, a failure latches `bad` and every later read fails, so the parser
// checks derBad() once at the end; nothing is ever read outside (ptr, len) given to derInit.
// Refused: high tag numbers, indefinite lengths (BER only), long-form lengths that a short
// form or fewer bytes could say (X.690 10.1), lengths over 64 KiB, lengths past the
// enclosing element, content not consumed when leaving an element (trailing bytes), and
// nesting beyond DER_DEPTH_MAX.
import { DER_DEPTH_MAX } from "../config";
import { ctEqual } from "../crypto/ct";

let pos: usize = 0;
let end: usize = 0;
let bad: bool = false;
let depth: i32 = 0;
// @ts-ignore: decorator
@lazy const ends = memory.data(DER_DEPTH_MAX << 2);

// The element read last: its tag, where its header starts, its content and length.
export let derTag: i32 = 0;
export let derStart: usize = 0;
export let derPtr: usize = 0;
export let derLen: i32 = 0;

export function derInit(p: usize, len: i32): void {
  pos = p; end = p + <usize>len; bad = len < 0; depth = 0;
  derTag = 0; derStart = p; derPtr = p; derLen = 0;
}
export function derBad(): bool { return bad; }
export function derAtEnd(): bool { return bad || pos == end; }
function fail(): bool { bad = true; return false; }
// Marks the input malformed (a rule above the encoding failed).
export function derFail(): void { bad = true; }

// Reads the next element's header; false (latched) if there is none or it is not DER.
export function derNext(): bool {
  if (bad || end - pos < 2) return fail();
  const tag = <i32>load<u8>(pos);
  if ((tag & 0x1f) == 0x1f) return fail(); // high-tag-number form: nothing in a certificate has one
  let n = <i32>load<u8>(pos + 1);
  let p = pos + 2;
  if (n & 0x80) {
    const k = n & 0x7f;
    // 0x80 is the indefinite form (BER only); more than 2 bytes would say >= 16 MiB.
    if (k == 0 || k > 2 || <usize>k > end - p) return fail();
    n = <i32>load<u8>(p);
    if (k == 2) n = (n << 8) | <i32>load<u8>(p + 1);
    if (n < 0x80 || (k == 2 && n < 0x100)) return fail(); // X.690 10.1: the shortest form
    p += <usize>k;
  }
  if (<usize>n > end - p) return fail();
  derTag = tag; derStart = pos; derPtr = p; derLen = n;
  pos = p + <usize>n;
  return true;
}

// Reads the next element and insists on its tag.
export function derExpect(tag: i32): bool {
  if (!derNext()) return false;
  return derTag == tag || fail();
}

// The tag of the next element without reading it, -1 at the end.
export function derPeek(): i32 { return bad || pos == end ? -1 : <i32>load<u8>(pos); }

// Steps into the content of the element just read (a constructed one, or an OCTET STRING
// that carries DER, as an extension's extnValue).
export function derEnter(): void {
  if (bad || depth >= DER_DEPTH_MAX) { fail(); return; }
  store<u32>(ends + (<usize>depth << 2), <u32>end);
  depth++;
  pos = derPtr;
  end = derPtr + <usize>derLen;
}
// Reads an element with this tag and steps into it.
export function derEnterTag(tag: i32): bool {
  if (!derExpect(tag)) return false;
  derEnter();
  return !bad;
}
// Steps out; the content must have been read to its end (no trailing bytes).
export function derLeave(): void {
  if (pos != end) bad = true;
  if (depth > 0) { depth--; end = <usize>load<u32>(ends + (<usize>depth << 2)); }
}
// Skips what is left of the current element's content.
export function derSkipRest(): void { if (!bad) pos = end; }

// The INTEGER just read as a non-negative value below 2^31, or -1 when it is negative or
// larger; latches bad when it is not minimal (X.690 8.3.2) or empty.
export function derUint(): i32 {
  if (!derIntMinimal()) return -1;
  const p = derPtr;
  if (load<u8>(p) & 0x80) return -1;
  if (derLen > 5 || (derLen == 5 && load<u8>(p) != 0)) return -1;
  let v: u32 = 0;
  for (let i = 0; i < derLen; i++) v = (v << 8) | <u32>load<u8>(p + <usize>i);
  return v > 0x7fffffff ? -1 : <i32>v;
}
// The INTEGER just read has content and is the shortest two's complement encoding.
export function derIntMinimal(): bool {
  if (derTag != 0x02 || derLen < 1) return fail();
  if (derLen > 1) {
    const a = <i32>load<u8>(derPtr), b = <i32>load<u8>(derPtr + 1) & 0x80;
    if ((a == 0 && b == 0) || (a == 0xff && b != 0)) return fail();
  }
  return true;
}
// The content just read equals the n bytes at p (an OBJECT IDENTIFIER, say).
export function derIs(p: usize, n: i32): bool {
  return derLen == n && ctEqual(derPtr, p, n);
}
// Reads a BOOLEAN; DER allows only 0x00 and 0xff (X.690 11.1). Returns its value.
export function derBool(): bool {
  if (!derExpect(0x01)) return false;
  if (derLen != 1) return fail();
  const v = <i32>load<u8>(derPtr);
  if (v != 0 && v != 0xff) return fail();
  return v != 0;
}
