import { ccm8Seal, ccm8Open, ccmSeal, ccmOpen } from "../../crypto/ccm";
import { hex, ptr, toHex, hexOf } from "../support/helpers";

// Expected values were produced independently with Node.js:
//   crypto.createCipheriv('aes-128-ccm', key, nonce12, { authTagLength: 8 })
//   .setAAD(aad, { plaintextLength }) then update(plaintext), final(), getAuthTag()
// (authTagLength 16 / 4 for the tag-length cases).
const KEY = "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf";
const NONCE = "00000003020100a0a1a2a3a4";
const AAD13 = "0000000000000001170303001d";
const PT70 = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f404142434445";
const AAD40 = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7";
const CT70 = "3534e71085ff8b0580633afc7dedae67b942d46b02bda4e7d76719b534bbe1a77b76355d2e5dfb7290088044eb29dcaba309feec99e0a4a836539e532b44398f33d5aae5c286";

const key = hex(KEY);
const nonce = hex(NONCE);
const tag = new Uint8Array(16);

function seal8(aadHex: string, ptHex: string): string {
  const aad = hex(aadHex);
  const data = hex(ptHex);
  expect(ccm8Seal(ptr(key), ptr(nonce), ptr(aad), aad.length, ptr(data), data.length, ptr(tag))).toBe(true);
  return hexOf(data) + " " + toHex(ptr(tag), 8);
}

function open8(aad: Uint8Array, data: Uint8Array, tagHex: string): bool {
  const t = hex(tagHex);
  return ccm8Open(ptr(key), ptr(nonce), ptr(aad), aad.length, ptr(data), data.length, ptr(t));
}

function allZero(a: Uint8Array): bool {
  for (let i = 0; i < a.length; i++) if (a[i] != 0) return false;
  return true;
}

describe("AES-128-CCM-8, 12-byte nonce", () => {
  test("DTLS-shaped record: 13-byte AAD, 29-byte payload", () => {
    expect(seal8(AAD13, PT70.slice(0, 58))).toBe(CT70.slice(0, 58) + " d1db815ae02a292e");
  });
  test("one full block, no AAD", () => {
    expect(seal8("", PT70.slice(0, 32))).toBe(CT70.slice(0, 32) + " 403b479fbe2063e1");
  });
  test("AAD only", () => {
    expect(seal8(AAD13, "")).toBe(" d0272d017558b999");
  });
  test("empty AAD and payload", () => {
    expect(seal8("", "")).toBe(" dd84b497871fc425");
  });
  test("40-byte AAD (3 MAC blocks), 70-byte payload", () => {
    expect(seal8(AAD40, PT70)).toBe(CT70 + " 3c082a8cab41ac24");
  });
  test("AAD lengths 0xfeff (2-byte form) and 0xff00 (0xfffe + 4-byte form)", () => {
    const lens: i32[] = [0xfeff, 0xff00];
    const tags: string[] = ["750a2b53c79635ee", "09ae1d70ec442f56"];
    for (let k = 0; k < 2; k++) {
      const aad = new Uint8Array(lens[k]);
      for (let i = 0; i < aad.length; i++) aad[i] = <u8>(i * 7);
      const data = hex(PT70.slice(0, 40));
      ccm8Seal(ptr(key), ptr(nonce), ptr(aad), aad.length, ptr(data), data.length, ptr(tag));
      expect(hexOf(data)).toBe(CT70.slice(0, 40));
      expect(toHex(ptr(tag), 8)).toBe(tags[k]);
    }
  });
  test("tag lengths 16 and 4", () => {
    const aad = hex(AAD13);
    const data = hex(PT70.slice(0, 66));
    expect(ccmSeal(ptr(key), ptr(nonce), ptr(aad), 13, ptr(data), 33, ptr(tag), 16)).toBe(true);
    expect(hexOf(data)).toBe(CT70.slice(0, 66));
    expect(toHex(ptr(tag), 16)).toBe("baf76026b38c4b1e34508dab7b74397f");
    expect(ccmOpen(ptr(key), ptr(nonce), ptr(aad), 13, ptr(data), 33, ptr(tag), 16)).toBe(true);
    expect(hexOf(data)).toBe(PT70.slice(0, 66));
    ccmSeal(ptr(key), ptr(nonce), ptr(aad), 13, ptr(data), 33, ptr(tag), 4);
    expect(toHex(ptr(tag), 4)).toBe("7559c4f4");
  });
  test("invalid tag lengths are refused", () => {
    const data = hex("00112233");
    expect(ccmSeal(ptr(key), ptr(nonce), 0, 0, ptr(data), 4, ptr(tag), 2)).toBe(false);
    expect(ccmSeal(ptr(key), ptr(nonce), 0, 0, ptr(data), 4, ptr(tag), 7)).toBe(false);
    expect(ccmSeal(ptr(key), ptr(nonce), 0, 0, ptr(data), 4, ptr(tag), 18)).toBe(false);
    expect(hexOf(data)).toBe("00112233");
    expect(ccmOpen(ptr(key), ptr(nonce), 0, 0, ptr(data), 4, ptr(tag), 2)).toBe(false);
  });
  test("open round-trips", () => {
    const aad = hex(AAD40);
    const data = hex(CT70);
    expect(open8(aad, data, "3c082a8cab41ac24")).toBe(true);
    expect(hexOf(data)).toBe(PT70);
  });
});

describe("CCM-8 tamper detection: open fails and wipes the data", () => {
  test("flipped ciphertext bit, in every byte", () => {
    let failures = 0;
    for (let i = 0; i < 70; i++) {
      const data = hex(CT70);
      data[i] = data[i] ^ <u8>(1 << <u8>(i & 7));
      if (!open8(hex(AAD40), data, "3c082a8cab41ac24") && allZero(data)) failures++;
    }
    expect(failures).toBe(70);
  });
  test("flipped tag bit, in every bit", () => {
    let failures = 0;
    for (let i = 0; i < 64; i++) {
      const t = hex("3c082a8cab41ac24");
      t[i >> 3] = t[i >> 3] ^ <u8>(1 << <u8>(i & 7));
      const data = hex(CT70);
      if (!open8(hex(AAD40), data, hexOf(t)) && allZero(data)) failures++;
    }
    expect(failures).toBe(64);
  });
  test("flipped AAD bit, in every byte", () => {
    let failures = 0;
    for (let i = 0; i < 40; i++) {
      const aad = hex(AAD40);
      aad[i] ^= 0x80;
      const data = hex(CT70);
      if (!open8(aad, data, "3c082a8cab41ac24") && allZero(data)) failures++;
    }
    expect(failures).toBe(40);
  });
  test("truncated tag: the first 7, 6, 4 and 0 bytes of the right one", () => {
    const lens: i32[] = [7, 6, 4, 0];
    let failures = 0;
    for (let k = 0; k < lens.length; k++) {
      const aad = hex(AAD40);
      const data = hex(CT70);
      const t = hex("3c082a8cab41ac24");
      if (!ccmOpen(ptr(key), ptr(nonce), ptr(aad), aad.length, ptr(data), data.length, ptr(t), lens[k]) && allZero(data)) failures++;
    }
    expect(failures).toBe(4);
  });
  test("truncated ciphertext and wrong nonce", () => {
    const data = hex(CT70);
    expect(open8(hex(AAD40), data.subarray(0, 69), "3c082a8cab41ac24")).toBe(false);
    const other = hex(CT70);
    nonce[11] ^= 1;
    expect(open8(hex(AAD40), other, "3c082a8cab41ac24")).toBe(false);
    nonce[11] ^= 1;
    expect(allZero(other)).toBe(true);
  });
});
