import { PT_SIZE, pdouble, paddAffine, mulBaseCT, mulCT, ptoAffineBytes, ponCurve } from "../../crypto/p256/point";
import { FE_SIZE, fcopy, limbsFromBytes } from "../../crypto/p256/field";
import { GX_MONT, GY_MONT, ONE_P, N_WORDS } from "../../crypto/p256/tables";
import { hex, ptr, toHex } from "../support/helpers";

const G_X = "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";
const G_Y = "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
const G2_X = "7cf27b188d034f7e8a52380304b51ac3c08969e277f21b35a60b48fc47669978";
const G2_Y = "07775510db8ed040293d9ac69f7430dbba7dade63ce982299e04b79d227873d1";
const G3_X = "5ecbe4d1a6330a44c8f7ef951d4bf165e6c6b721efada985fb41661bc6e7fd6c";
const G3_Y = "8734640c4998ff7e374b06ce1a64a2ecd82ab036384fb83d9a79b127a27d5032";
const NEG_G_Y = "b01cbd1c01e58065711814b583f061e9d431cca994cea1313449bf97c840ae0a";

const p = new Uint8Array(<i32>PT_SIZE), q = new Uint8Array(<i32>PT_SIZE), r = new Uint8Array(<i32>PT_SIZE);
const gAff = new Uint8Array(72);
const xb = new Uint8Array(32), yb = new Uint8Array(32);
const words = new Uint8Array(32);

function setG(pt: Uint8Array): void {
  fcopy(ptr(pt), GX_MONT); fcopy(ptr(pt) + 36, GY_MONT); fcopy(ptr(pt) + 72, ONE_P);
}
function affine(pt: Uint8Array): string {
  expect(ptoAffineBytes(ptr(pt), ptr(xb), ptr(yb))).toBe(0);
  return toHex(ptr(xb), 32) + toHex(ptr(yb), 32);
}
// little-endian words of a big-endian hex scalar
function scalar(h: string): usize {
  const b = hex(h);
  for (let i = 0; i < 8; i++) {
    const o = 28 - 4 * i;
    store<u32>(ptr(words) + 4 * i, (<u32>b[o] << 24) | (<u32>b[o + 1] << 16) | (<u32>b[o + 2] << 8) | <u32>b[o + 3]);
  }
  return ptr(words);
}

describe("p256 points", () => {
  test("G is on the curve, a modified G is not", () => {
    const x = new Uint8Array(36), y = new Uint8Array(36), xm = new Uint8Array(36), ym = new Uint8Array(36);
    limbsFromBytes(ptr(x), ptr(hex(G_X)));
    limbsFromBytes(ptr(y), ptr(hex(G_Y)));
    expect(ponCurve(ptr(xm), ptr(ym), ptr(x), ptr(y))).toBe(1);
    store<u32>(ptr(y), load<u32>(ptr(y)) ^ 1);
    expect(ponCurve(ptr(xm), ptr(ym), ptr(x), ptr(y))).toBe(0);
  });

  test("doubling and a mixed addition give 2G and 3G", () => {
    setG(p);
    pdouble(ptr(q), ptr(p));
    expect(affine(q)).toBe(G2_X + G2_Y);
    fcopy(ptr(gAff), GX_MONT); fcopy(ptr(gAff) + 36, GY_MONT);
    paddAffine(ptr(r), ptr(q), ptr(gAff));
    expect(affine(r)).toBe(G3_X + G3_Y);
  });

  test("fixed-base comb: 1, 2, 3, n-1, and agreement with the window method", () => {
    mulBaseCT(ptr(r), scalar("0000000000000000000000000000000000000000000000000000000000000001"));
    expect(affine(r)).toBe(G_X + G_Y);
    mulBaseCT(ptr(r), scalar("0000000000000000000000000000000000000000000000000000000000000002"));
    expect(affine(r)).toBe(G2_X + G2_Y);
    mulBaseCT(ptr(r), scalar("0000000000000000000000000000000000000000000000000000000000000003"));
    expect(affine(r)).toBe(G3_X + G3_Y);
    mulBaseCT(ptr(r), scalar("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550"));
    expect(affine(r)).toBe(G_X + NEG_G_Y);
    // the comb's blocks: several teeth in one column (mulCT takes odd scalars)
    fcopy(ptr(gAff), GX_MONT); fcopy(ptr(gAff) + 36, GY_MONT);
    const ks: string[] = [
      "0000000000000000000000000000000000000000000000010000000000000001",
      "0000000000000000000000000000000100000000000000030000000000000001",
      "8000000000000000000000000000000000000000000000000000000000000001",
      "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
    ];
    for (let i = 0; i < ks.length; i++) {
      mulBaseCT(ptr(r), scalar(ks[i]));
      const viaComb = affine(r);
      mulCT(ptr(q), ptr(gAff), scalar(ks[i]));
      expect(affine(q)).toBe(viaComb);
    }
    expect(affine(r)).toBe("60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
      + "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299");
  });

  test("window method near n: (n-2) G = -2G", () => {
    fcopy(ptr(gAff), GX_MONT); fcopy(ptr(gAff) + 36, GY_MONT);
    // (n-2) G = -2G
    mulCT(ptr(q), ptr(gAff), scalar("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc63254f"));
    expect(affine(q)).toBe(G2_X + "f888aaee24712fc0d6c26539608bcf244582521ac3167dd661fb4862dd878c2e");
  });
});
