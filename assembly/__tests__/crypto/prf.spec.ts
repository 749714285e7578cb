import {
  prfSha256, LABEL_MASTER_SECRET, LABEL_MASTER_SECRET_LEN, LABEL_EXTENDED_MASTER_SECRET,
  LABEL_EXTENDED_MASTER_SECRET_LEN, LABEL_KEY_EXPANSION, LABEL_KEY_EXPANSION_LEN,
  LABEL_CLIENT_FINISHED, LABEL_CLIENT_FINISHED_LEN, LABEL_SERVER_FINISHED, LABEL_SERVER_FINISHED_LEN,
} from "../../crypto/prf";
import { hex, ascii, ptr, toHex } from "../support/helpers";

// Expected outputs below were computed independently with Node's crypto.createHmac in a
// scratch script implementing RFC 5246 section 5 (P_hash) directly.
const KNOWN = "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff70187347b66";

function asciiOf(p: usize, len: i32): string {
  let s = "";
  for (let i = 0; i < len; i++) s += String.fromCharCode(load<u8>(p + <usize>i));
  return s;
}

describe("TLS 1.2 PRF SHA-256 (RFC 5246 section 5)", () => {
  test("published vector: 100 bytes of 'test label'", () => {
    const secret = hex("9bbe436ba940f017b17652849a71db35");
    const seed = hex("a0ba9f936cda311827a6f796ffd5198c");
    const label = ascii("test label");
    const out = new Uint8Array(100);
    prfSha256(ptr(secret), secret.length, ptr(label), label.length, ptr(seed), seed.length, ptr(out), 100);
    expect(toHex(ptr(out), 100)).toBe(KNOWN);
  });
  test("shorter outputs are prefixes", () => {
    const secret = hex("9bbe436ba940f017b17652849a71db35");
    const seed = hex("a0ba9f936cda311827a6f796ffd5198c");
    const label = ascii("test label");
    const lens: i32[] = [1, 12, 31, 32, 33, 64, 65];
    for (let k = 0; k < lens.length; k++) {
      const out = new Uint8Array(lens[k]);
      prfSha256(ptr(secret), secret.length, ptr(label), label.length, ptr(seed), seed.length, ptr(out), lens[k]);
      expect(toHex(ptr(out), lens[k])).toBe(KNOWN.slice(0, lens[k] * 2));
    }
  });
  test("80-byte secret (hashed) and 96-byte seed", () => {
    const secret = new Uint8Array(80);
    for (let i = 0; i < 80; i++) secret[i] = <u8>(i * 3 + 1);
    const seed = new Uint8Array(96);
    for (let i = 0; i < 96; i++) seed[i] = <u8>(255 - i);
    const out = new Uint8Array(40);
    prfSha256(ptr(secret), 80, LABEL_KEY_EXPANSION, LABEL_KEY_EXPANSION_LEN, ptr(seed), 96, ptr(out), 40);
    expect(toHex(ptr(out), 40)).toBe("52bc9b44fa5404cb880d648e36bd4adb1e00436a0252f80f12641271feba401ab928d15615701e12");
  });
  test("empty secret, extended master secret label", () => {
    const seed = new Uint8Array(32);
    seed.fill(7);
    const out = new Uint8Array(48);
    prfSha256(0, 0, LABEL_EXTENDED_MASTER_SECRET, LABEL_EXTENDED_MASTER_SECRET_LEN, ptr(seed), 32, ptr(out), 48);
    expect(toHex(ptr(out), 48)).toBe("841b8140e238cab71bf55f9fff260656b536693e1efbe3729df3116ff9a43e976ee40b49c95c64118bb31964b61b9849");
  });
  test("labels", () => {
    expect(asciiOf(LABEL_MASTER_SECRET, LABEL_MASTER_SECRET_LEN)).toBe("master secret");
    expect(asciiOf(LABEL_EXTENDED_MASTER_SECRET, LABEL_EXTENDED_MASTER_SECRET_LEN)).toBe("extended master secret");
    expect(asciiOf(LABEL_KEY_EXPANSION, LABEL_KEY_EXPANSION_LEN)).toBe("key expansion");
    expect(asciiOf(LABEL_CLIENT_FINISHED, LABEL_CLIENT_FINISHED_LEN)).toBe("client finished");
    expect(asciiOf(LABEL_SERVER_FINISHED, LABEL_SERVER_FINISHED_LEN)).toBe("server finished");
  });
});
