import { HMAC_CTX_SIZE, hmacSha256, hmacSha256Init, hmacSha256Update, hmacSha256Final, hmacSha256Copy } from "../../crypto/hmac";
import { hex, ascii, ptr, toHex } from "../support/helpers";
import { sha256 } from "../../crypto/sha256";

const out = new Uint8Array(32);

function mac(key: Uint8Array, msg: Uint8Array): string {
  hmacSha256(ptr(key), key.length, ptr(msg), msg.length, ptr(out));
  return toHex(ptr(out), 32);
}

function repeat(b: u8, n: i32): Uint8Array {
  const a = new Uint8Array(n);
  a.fill(b);
  return a;
}

const LONG_KEY_MSG = "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.";

// RFC 4231 section 4, HMAC-SHA-256 results.
describe("hmac-sha256 (RFC 4231)", () => {
  test("test case 1", () => {
    expect(mac(repeat(0x0b, 20), ascii("Hi There"))).toBe("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  });
  test("test case 2 (key shorter than the output)", () => {
    expect(mac(ascii("Jefe"), ascii("what do ya want for nothing?"))).toBe("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  });
  test("test case 3", () => {
    expect(mac(repeat(0xaa, 20), repeat(0xdd, 50))).toBe("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  });
  test("test case 4", () => {
    expect(mac(hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), repeat(0xcd, 50))).toBe("82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  });
  test("test case 5 (truncated to 128 bits)", () => {
    expect(mac(repeat(0x0c, 20), ascii("Test With Truncation")).slice(0, 32)).toBe("a3b6167473100ee06e0c796c2955552b");
  });
  test("test case 6 (131-byte key is hashed)", () => {
    expect(mac(repeat(0xaa, 131), ascii("Test Using Larger Than Block-Size Key - Hash Key First"))).toBe("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  });
  test("test case 7 (long key and long data)", () => {
    expect(mac(repeat(0xaa, 131), ascii(LONG_KEY_MSG))).toBe("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
  });
  test("a 64-byte key is used as is, a 65-byte key is hashed", () => {
    // Cross-check: HMAC with a 65-byte key equals HMAC with its SHA-256 digest as key.
    const k65 = repeat(0x42, 65);
    const msg = ascii("block boundary");
    const viaLong = mac(k65, msg);
    const h = new Uint8Array(32);
    sha256Of(k65, h);
    expect(mac(h, msg)).toBe(viaLong);
  });
  test("incremental updates and context copy", () => {
    const ctx = new Uint8Array(HMAC_CTX_SIZE);
    const ctx2 = new Uint8Array(HMAC_CTX_SIZE);
    const key = repeat(0xaa, 131);
    const msg = ascii(LONG_KEY_MSG);
    hmacSha256Init(ptr(ctx), ptr(key), key.length);
    hmacSha256Copy(ptr(ctx2), ptr(ctx));
    hmacSha256Update(ptr(ctx), ptr(msg), 10);
    hmacSha256Update(ptr(ctx), ptr(msg) + 10, msg.length - 10);
    hmacSha256Final(ptr(ctx), ptr(out));
    expect(toHex(ptr(out), 32)).toBe("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
    for (let i = 0; i < msg.length; i++) hmacSha256Update(ptr(ctx2), ptr(msg) + <usize>i, 1);
    hmacSha256Final(ptr(ctx2), ptr(out));
    expect(toHex(ptr(out), 32)).toBe("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
  });
});

function sha256Of(m: Uint8Array, o: Uint8Array): void {
  sha256(ptr(m), m.length, ptr(o));
}
