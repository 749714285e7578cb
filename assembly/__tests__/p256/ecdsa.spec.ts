import {
  p256PublicFromPrivate, p256ValidatePublic, p256Ecdh,
  p256SignDeterministic, p256Verify, ecdsaSigToDer, ecdsaSigFromDer, P256_OK,
} from "../../crypto/p256/p256";
import { sha256 } from "../../crypto/sha256";
import { hex, ptr, toHex, hexOf, ascii } from "../support/helpers";

const priv = new Uint8Array(32), pub = new Uint8Array(65);
const priv2 = new Uint8Array(32), pub2 = new Uint8Array(65);
const h = new Uint8Array(32), sig = new Uint8Array(64), sig2 = new Uint8Array(64);
const s1 = new Uint8Array(32), s2 = new Uint8Array(32);
const der = new Uint8Array(80);

function hashOf(m: string): void {
  const b = ascii(m);
  sha256(ptr(b), b.length, ptr(h));
}

// RFC 6979 A.2.5, P-256 with SHA-256
const X = "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721";
const UX = "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6";
const UY = "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299";

describe("p256 ECDSA", () => {
  test("RFC 6979 A.2.5 'sample' and 'test'", () => {
    const x = hex(X);
    expect(p256PublicFromPrivate(ptr(x), ptr(pub))).toBe(P256_OK);
    expect(hexOf(pub)).toBe("04" + UX + UY);
    hashOf("sample");
    expect(p256SignDeterministic(ptr(x), ptr(h), ptr(sig))).toBe(P256_OK);
    expect(hexOf(sig)).toBe("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
      + "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8");
    expect(p256Verify(ptr(pub), ptr(h), ptr(sig))).toBe(true);
    hashOf("test");
    expect(p256SignDeterministic(ptr(x), ptr(h), ptr(sig))).toBe(P256_OK);
    expect(hexOf(sig)).toBe("f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367"
      + "019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083");
    expect(p256Verify(ptr(pub), ptr(h), ptr(sig))).toBe(true);
  });

  // Keys from fixed private scalars: as-pect's HAL "random" import is not usable from
  // specs (the TRNG paths, keygen and hedged signing, are covered by tests/kat-p256.test.ts).
  test("sign then verify round trips; tampering is refused", () => {
    for (let i = 0; i < 3; i++) {
      hashOf("key " + i.toString());
      memory.copy(ptr(priv), ptr(h), 32);
      priv[0] &= 0x7f;
      expect(p256PublicFromPrivate(ptr(priv), ptr(pub))).toBe(P256_OK);
      expect(p256ValidatePublic(ptr(pub))).toBe(true);
      hashOf("message " + i.toString());
      expect(p256SignDeterministic(ptr(priv), ptr(h), ptr(sig))).toBe(P256_OK);
      expect(p256Verify(ptr(pub), ptr(h), ptr(sig))).toBe(true);
      sig[10] ^= 4;
      expect(p256Verify(ptr(pub), ptr(h), ptr(sig))).toBe(false);
      sig[10] ^= 4;
      h[31] ^= 1;
      expect(p256Verify(ptr(pub), ptr(h), ptr(sig))).toBe(false);
      h[31] ^= 1;
      pub[64] ^= 1; // no longer on the curve
      expect(p256Verify(ptr(pub), ptr(h), ptr(sig))).toBe(false);
    }
  });

  test("r and s outside [1, n-1] are refused", () => {
    const x = hex(X);
    p256PublicFromPrivate(ptr(x), ptr(pub));
    hashOf("sample");
    p256SignDeterministic(ptr(x), ptr(h), ptr(sig));
    const n = hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    memory.copy(ptr(sig2), ptr(sig), 64);
    memory.fill(ptr(sig2), 0, 32);
    expect(p256Verify(ptr(pub), ptr(h), ptr(sig2))).toBe(false);
    memory.copy(ptr(sig2), ptr(n), 32);
    expect(p256Verify(ptr(pub), ptr(h), ptr(sig2))).toBe(false);
    memory.copy(ptr(sig2), ptr(sig), 64);
    memory.fill(ptr(sig2) + 32, 0, 32);
    expect(p256Verify(ptr(pub), ptr(h), ptr(sig2))).toBe(false);
    memory.copy(ptr(sig2) + 32, ptr(n), 32);
    expect(p256Verify(ptr(pub), ptr(h), ptr(sig2))).toBe(false);
  });
});

function fixedKey(seed: string, k: Uint8Array, p: Uint8Array): void {
  hashOf(seed);
  memory.copy(ptr(k), ptr(h), 32);
  k[0] &= 0x7f;
  expect(p256PublicFromPrivate(ptr(k), ptr(p))).toBe(P256_OK);
}

describe("p256 ECDH", () => {
  test("both sides agree", () => {
    fixedKey("alice", priv, pub);
    fixedKey("bob", priv2, pub2);
    expect(p256Ecdh(ptr(priv), ptr(pub2), ptr(s1))).toBe(P256_OK);
    expect(p256Ecdh(ptr(priv2), ptr(pub), ptr(s2))).toBe(P256_OK);
    expect(hexOf(s1)).toBe(hexOf(s2));
  });

  test("invalid peer points and private keys are refused", () => {
    fixedKey("alice", priv, pub);
    fixedKey("bob", priv2, pub2);
    expect(p256Ecdh(ptr(priv), ptr(pub2), ptr(s1), 64)).toBeLessThan(0);
    pub2[0] = 0x02;
    expect(p256Ecdh(ptr(priv), ptr(pub2), ptr(s1))).toBeLessThan(0);
    pub2[0] = 0x04;
    pub2[40] ^= 0x10;
    expect(p256Ecdh(ptr(priv), ptr(pub2), ptr(s1))).toBeLessThan(0);
    memory.fill(ptr(pub2) + 1, 0, 64); // (0, 0)
    expect(p256Ecdh(ptr(priv), ptr(pub2), ptr(s1))).toBeLessThan(0);
    memory.fill(ptr(priv), 0, 32);
    expect(p256Ecdh(ptr(priv), ptr(pub), ptr(s1))).toBeLessThan(0);
  });
});

function fromDer(s: string): bool {
  const b = hex(s);
  return ecdsaSigFromDer(ptr(b), b.length, ptr(sig));
}

describe("ECDSA DER", () => {
  test("encodes minimal integers", () => {
    const a = hex("0000000000000000000000000000000000000000000000000000000000000001"
      + "8000000000000000000000000000000000000000000000000000000000000000");
    const n = ecdsaSigToDer(ptr(a), ptr(der), 80);
    expect(toHex(ptr(der), n)).toBe("3026020101022100" + "8000000000000000000000000000000000000000000000000000000000000000");
    expect(ecdsaSigFromDer(ptr(der), n, ptr(sig))).toBe(true);
    expect(hexOf(sig)).toBe(hexOf(a));
    const z = new Uint8Array(64);
    expect(ecdsaSigToDer(ptr(z), ptr(der), 80)).toBe(8);
    expect(toHex(ptr(der), 8)).toBe("3006020100020100");
    const big = hex("ff".repeat(64));
    expect(ecdsaSigToDer(ptr(big), ptr(der), 72)).toBe(72);
    expect(ecdsaSigToDer(ptr(big), ptr(der), 71)).toBe(-1);
  });

  test("strict parsing", () => {
    expect(fromDer("3006020101020102")).toBe(true);
    expect(hexOf(sig)).toBe("00".repeat(31) + "01" + "00".repeat(31) + "02");
    expect(fromDer("300602010102010200")).toBe(false);        // trailing byte
    expect(fromDer("30070201010201020")).toBe(false);         // odd / short
    expect(fromDer("3007020101020102")).toBe(false);          // sequence length too long
    expect(fromDer("308106020101020102")).toBe(false);        // long-form length
    expect(fromDer("30070202000102010200")).toBe(false);      // leading zero (non-minimal)
    expect(fromDer("3006020181020102")).toBe(false);          // negative
    expect(fromDer("30050200020102")).toBe(false);            // empty integer
    expect(fromDer("3106020101020102")).toBe(false);          // not a SEQUENCE
    expect(fromDer("3006030101020102")).toBe(false);          // not an INTEGER
    expect(fromDer("300702810101020102")).toBe(false);        // long-form integer length
    // 33 bytes: only 00 + a byte with the high bit set
    expect(fromDer("3026022100" + "80" + "00".repeat(31) + "020101")).toBe(true);
    expect(fromDer("3026022101" + "80" + "00".repeat(31) + "020101")).toBe(false);
    // 34-byte integer
    expect(fromDer("302702220000" + "80" + "00".repeat(31) + "020101")).toBe(false);
  });
});
