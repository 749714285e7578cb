import {
  AES_ROUND_KEYS_SIZE, aesSoftExpandKey, aesSoftEncrypt, aesSoftEncrypt2, aesSoftRoundKeyBytes,
  aesSetKey, aesEncryptBlock, aesEncryptBlock2, aesWipe,
} from "../../crypto/aes";
import { hex, ptr, toHex } from "../support/helpers";

const rk = new Uint8Array(AES_ROUND_KEYS_SIZE);
const out = new Uint8Array(16);

function soft(key: string, pt: string): string {
  const k = hex(key);
  const p = hex(pt);
  aesSoftExpandKey(ptr(k), ptr(rk));
  aesSoftEncrypt(ptr(rk), ptr(p), ptr(out));
  return toHex(ptr(out), 16);
}

function roundKey(r: i32): string {
  aesSoftRoundKeyBytes(ptr(rk), r, ptr(out));
  return toHex(ptr(out), 16);
}

describe("software AES-128 (FIPS-197)", () => {
  test("appendix C.1", () => {
    expect(soft("000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff")).toBe("69c4e0d86a7b0430d8cdb78070b4c55a");
  });
  test("appendix B", () => {
    expect(soft("2b7e151628aed2a6abf7158809cf4f3c", "3243f6a8885a308d313198a2e0370734")).toBe("3925841d02dc09fbdc118597196a0b32");
  });
  test("all-zero and all-one keys (values from node:crypto aes-128-ecb)", () => {
    expect(soft("00000000000000000000000000000000", "00000000000000000000000000000000")).toBe("66e94bd4ef8a2c3b884cfa59ca342b2e");
    expect(soft("ffffffffffffffffffffffffffffffff", "ffffffffffffffffffffffffffffffff")).toBe("bcbf217cb280cf30b2517052193ab979");
  });
  test("key expansion (appendix A.1)", () => {
    const k = hex("2b7e151628aed2a6abf7158809cf4f3c");
    aesSoftExpandKey(ptr(k), ptr(rk));
    expect(roundKey(0)).toBe("2b7e151628aed2a6abf7158809cf4f3c");
    expect(roundKey(1)).toBe("a0fafe1788542cb123a339392a6c7605");
    expect(roundKey(2)).toBe("f2c295f27a96b9435935807a7359f67f");
    expect(roundKey(9)).toBe("ac7766f319fadc2128d12941575c006e");
    expect(roundKey(10)).toBe("d014f9a8c9ee2589e13f0cc8b6630ca6");
  });
  test("two blocks at once, in place", () => {
    const k = hex("000102030405060708090a0b0c0d0e0f");
    const a = hex("00112233445566778899aabbccddeeff");
    const b = hex("3243f6a8885a308d313198a2e0370734");
    aesSoftExpandKey(ptr(k), ptr(rk));
    aesSoftEncrypt(ptr(rk), ptr(b), ptr(out));
    const expectedB = toHex(ptr(out), 16);
    aesSoftEncrypt2(ptr(rk), ptr(a), ptr(a), ptr(b), ptr(b));
    expect(toHex(ptr(a), 16)).toBe("69c4e0d86a7b0430d8cdb78070b4c55a");
    expect(toHex(ptr(b), 16)).toBe(expectedB);
  });
});

describe("selected key (the as-pect HAL reports no hardware AES)", () => {
  test("aesSetKey + aesEncryptBlock, switching keys, in place", () => {
    const k1 = hex("000102030405060708090a0b0c0d0e0f");
    const k2 = hex("2b7e151628aed2a6abf7158809cf4f3c");
    const p = hex("00112233445566778899aabbccddeeff");
    aesSetKey(ptr(k1));
    aesEncryptBlock(ptr(p), ptr(out));
    expect(toHex(ptr(out), 16)).toBe("69c4e0d86a7b0430d8cdb78070b4c55a");
    const q = hex("3243f6a8885a308d313198a2e0370734");
    aesSetKey(ptr(k2));
    aesEncryptBlock(ptr(q), ptr(q));
    expect(toHex(ptr(q), 16)).toBe("3925841d02dc09fbdc118597196a0b32");
    aesSetKey(ptr(k1)); // same key again after a change
    aesSetKey(ptr(k1)); // and repeated (the cached schedule)
    const p2 = hex("00112233445566778899aabbccddeeff");
    const q2 = hex("3243f6a8885a308d313198a2e0370734");
    aesEncryptBlock2(ptr(p2), ptr(p2), ptr(q2), ptr(out));
    expect(toHex(ptr(p2), 16)).toBe("69c4e0d86a7b0430d8cdb78070b4c55a");
    aesWipe();
  });
});
