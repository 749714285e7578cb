import { ctEqual, wipe } from "../../crypto/ct";
import { ptr } from "../support/helpers";

function pattern(n: i32): Uint8Array {
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) a[i] = <u8>(i * 13 + 5);
  return a;
}

describe("ctEqual", () => {
  test("equal buffers, including length 0", () => {
    expect(ctEqual(ptr(pattern(32)), ptr(pattern(32)), 32)).toBe(true);
    expect(ctEqual(ptr(pattern(1)), ptr(pattern(1)), 1)).toBe(true);
    expect(ctEqual(0, 0, 0)).toBe(true);
  });
  test("any single differing bit at any position", () => {
    const a = pattern(33);
    let found = 0;
    for (let i = 0; i < 33 * 8; i++) {
      const b = pattern(33);
      b[i >> 3] = b[i >> 3] ^ <u8>(1 << <u8>(i & 7));
      if (!ctEqual(ptr(a), ptr(b), 33)) found++;
    }
    expect(found).toBe(33 * 8);
  });
  test("all bytes different (0x00 vs 0xff)", () => {
    const a = new Uint8Array(16);
    const b = new Uint8Array(16);
    b.fill(0xff);
    expect(ctEqual(ptr(a), ptr(b), 16)).toBe(false);
  });
  test("only the first len bytes count", () => {
    const a = pattern(8);
    const b = pattern(8);
    b[7] = 0;
    expect(ctEqual(ptr(a), ptr(b), 7)).toBe(true);
    expect(ctEqual(ptr(a), ptr(b), 8)).toBe(false);
  });
});

describe("wipe", () => {
  test("zeroes exactly len bytes at odd offsets and lengths", () => {
    for (let off = 0; off < 4; off++) {
      for (let len = 0; len < 11; len++) {
        const a = new Uint8Array(20);
        a.fill(0xaa);
        wipe(ptr(a) + <usize>off, len);
        let ok = true;
        for (let i = 0; i < 20; i++) {
          const inside = i >= off && i < off + len;
          if (a[i] != (inside ? 0 : 0xaa)) ok = false;
        }
        expect(ok).toBe(true);
      }
    }
  });
});
