// A bounds-checked cursor over received bytes. Reads past the end return 0 and latch
// `readerBad`, so parsers check once at the end instead of after every field: a network
// byte can never make the core read outside the message.
import { get16, get24 } from "./bytes";

let pos: usize = 0;
let end: usize = 0;
let bad: bool = false;

export function readerInit(p: usize, len: i32): void { pos = p; end = p + <usize>len; bad = len < 0; }
export function readerBad(): bool { return bad; }
export function readerLeft(): i32 { return bad ? 0 : <i32>(end - pos); }
export function readerAtEnd(): bool { return !bad && pos == end; }

function take(n: i32): usize {
  if (bad || n < 0 || <usize>n > end - pos) { bad = true; return 0; }
  const p = pos;
  pos += <usize>n;
  return p;
}
export function readU8(): i32 { const p = take(1); return bad ? 0 : <i32>load<u8>(p); }
export function readU16(): i32 { const p = take(2); return bad ? 0 : get16(p); }
export function readU24(): i32 { const p = take(3); return bad ? 0 : get24(p); }
// Returns the address of n bytes (0 and latched failure if they are not there).
export function readBytes(n: i32): usize { return take(n); }

// Narrows the reader to the next len bytes (a length-prefixed vector); returns the outer
// end, to hand back to readerLeave, which insists the inner vector was consumed exactly.
export function readerEnter(len: i32): usize {
  const outer = end;
  if (bad || len < 0 || <usize>len > end - pos) { bad = true; return outer; }
  end = pos + <usize>len;
  return outer;
}
export function readerLeave(outer: usize): void {
  if (pos != end) bad = true;
  end = outer;
}
