// Constant-time helpers shared by the crypto code.

// Compares len bytes without an early exit: the time depends on len only, never on
// where (or whether) the inputs differ, so a MAC check leaks nothing about the tag.
export function ctEqual(a: usize, b: usize, len: i32): bool {
  let diff: u32 = 0;
  for (let i = 0; i < len; i++) {
    diff |= <u32>load<u8>(a + <usize>i) ^ <u32>load<u8>(b + <usize>i);
  }
  // (diff - 1) >> 31 is 1 exactly when diff == 0 (diff <= 255): no branch on the data.
  return <bool>((diff - 1) >>> 31);
}

// Zeroes len bytes. Stores to linear memory are observable side effects in wasm, so
// neither Binaryen nor a wasm engine may drop them as dead.
export function wipe(p: usize, len: i32): void {
  let i = 0;
  for (; i + 4 <= len; i += 4) store<u32>(p + <usize>i, 0);
  for (; i < len; i++) store<u8>(p + <usize>i, 0);
}
