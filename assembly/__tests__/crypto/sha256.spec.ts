import { SHA256_CTX_SIZE, sha256, sha256Init, sha256Update, sha256Final, sha256Copy } from "../../crypto/sha256";
import { ascii, ptr, toHex } from "../support/helpers";

const out = new Uint8Array(32);
const ctx = new Uint8Array(SHA256_CTX_SIZE);
const ctx2 = new Uint8Array(SHA256_CTX_SIZE);

function digestOf(msg: Uint8Array): string {
  sha256(ptr(msg), msg.length, ptr(out));
  return toHex(ptr(out), 32);
}

const ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const MSG448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const D448 = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
const MILLION_A = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

describe("sha256 (FIPS 180-2 appendix B)", () => {
  test("abc", () => {
    expect(digestOf(ascii("abc"))).toBe(ABC);
  });
  test("empty", () => {
    expect(digestOf(new Uint8Array(0))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });
  test("448-bit message", () => {
    expect(digestOf(ascii(MSG448))).toBe(D448);
  });
  test("one million 'a' in 1000-byte updates", () => {
    const chunk = new Uint8Array(1000);
    chunk.fill(0x61);
    sha256Init(ptr(ctx));
    for (let i = 0; i < 1000; i++) sha256Update(ptr(ctx), ptr(chunk), 1000);
    sha256Final(ptr(ctx), ptr(out));
    expect(toHex(ptr(out), 32)).toBe(MILLION_A);
  });
  test("every split of the 448-bit message into three updates", () => {
    const m = ascii(MSG448);
    let bad = 0;
    for (let i = 0; i <= m.length; i += 3) {
      for (let j = i; j <= m.length; j += 5) {
        sha256Init(ptr(ctx));
        sha256Update(ptr(ctx), ptr(m), i);
        sha256Update(ptr(ctx), ptr(m) + <usize>i, j - i);
        sha256Update(ptr(ctx), ptr(m) + <usize>j, m.length - j);
        sha256Final(ptr(ctx), ptr(out));
        if (toHex(ptr(out), 32) != D448) bad++;
      }
    }
    expect(bad).toBe(0);
  });
  test("byte-at-a-time across block boundaries (lengths 55, 56, 63, 64, 65)", () => {
    // Cross-checked against the one-shot path over the same bytes.
    const m = new Uint8Array(130);
    for (let i = 0; i < m.length; i++) m[i] = <u8>(i * 7 + 3);
    const lens: i32[] = [55, 56, 57, 63, 64, 65, 119, 120, 128, 130];
    for (let k = 0; k < lens.length; k++) {
      const n = lens[k];
      sha256(ptr(m), n, ptr(out));
      const expected = toHex(ptr(out), 32);
      sha256Init(ptr(ctx));
      for (let i = 0; i < n; i++) sha256Update(ptr(ctx), ptr(m) + <usize>i, 1);
      sha256Final(ptr(ctx), ptr(out));
      expect(toHex(ptr(out), 32)).toBe(expected);
    }
  });
  test("copy clones a running context", () => {
    const m = ascii(MSG448);
    sha256Init(ptr(ctx));
    sha256Update(ptr(ctx), ptr(m), 3);
    sha256Copy(ptr(ctx2), ptr(ctx));
    sha256Final(ptr(ctx2), ptr(out));
    expect(toHex(ptr(out), 32)).toBe(digestOf(ascii("abc")));
    sha256Update(ptr(ctx), ptr(m) + 3, m.length - 3);
    sha256Final(ptr(ctx), ptr(out));
    expect(toHex(ptr(out), 32)).toBe(D448);
  });
});
