import {
  FE_SIZE, fmul, fsqr, fadd, fsub, fneg, fmulSmall, fcanon, fisZero, fequal, finv,
  ftoMont, ffromMont, limbsFromBytes, limbsToBytes, limbsLess, limbsIsZero,
} from "../../crypto/p256/field";
import { nmul, ninv, ncanon, nfromBytes, naddCanon, nisValid, ntoMont } from "../../crypto/p256/scalar";
import { P_LIMBS, N_LIMBS } from "../../crypto/p256/tables";
import { hex, ptr, toHex } from "../support/helpers";

const P_HEX = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
const N_HEX = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
const a = new Uint8Array(36), b = new Uint8Array(36), c = new Uint8Array(36), d = new Uint8Array(36);
const bytes = new Uint8Array(32);

// plain hex -> Montgomery element in e
function mont(e: Uint8Array, h: string): void {
  limbsFromBytes(ptr(e), ptr(hex(h)));
  ftoMont(ptr(e), ptr(e));
}
// Montgomery element -> canonical plain hex
function plain(e: Uint8Array): string {
  ffromMont(ptr(c), ptr(e));
  limbsToBytes(ptr(bytes), ptr(c));
  return toHex(ptr(bytes), 32);
}
function nplain(e: Uint8Array): string {
  ncanon(ptr(c), ptr(e));
  limbsToBytes(ptr(bytes), ptr(c));
  return toHex(ptr(bytes), 32);
}

describe("p256 field", () => {
  test("limbs round trip and comparisons", () => {
    limbsFromBytes(ptr(a), ptr(hex(P_HEX)));
    limbsToBytes(ptr(bytes), ptr(a));
    expect(toHex(ptr(bytes), 32)).toBe(P_HEX);
    expect(limbsLess(ptr(a), P_LIMBS)).toBe(0);
    expect(limbsLess(ptr(a), N_LIMBS)).toBe(0);
    expect(limbsLess(N_LIMBS, ptr(a))).toBe(1);
    expect(limbsIsZero(ptr(a))).toBe(0);
    limbsFromBytes(ptr(a), ptr(new Uint8Array(32)));
    expect(limbsIsZero(ptr(a))).toBe(1);
  });

  test("Montgomery round trip, (p-1)^2 = 1, p = 0", () => {
    const h = "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";
    mont(a, h);
    expect(plain(a)).toBe(h);
    mont(a, "ffffffff00000001000000000000000000000000fffffffffffffffffffffffe");
    fsqr(ptr(b), ptr(a));
    expect(plain(b)).toBe("0000000000000000000000000000000000000000000000000000000000000001");
    fmul(ptr(b), ptr(a), ptr(a));
    expect(plain(b)).toBe("0000000000000000000000000000000000000000000000000000000000000001");
    limbsFromBytes(ptr(a), ptr(hex(P_HEX)));
    expect(fisZero(ptr(a))).toBe(1);
    fcanon(ptr(b), ptr(a));
    expect(limbsIsZero(ptr(b))).toBe(1);
  });

  test("add, sub, neg, small multiples wrap modulo p", () => {
    mont(a, "ffffffff00000001000000000000000000000000fffffffffffffffffffffffe"); // -1
    mont(b, "0000000000000000000000000000000000000000000000000000000000000002");
    fadd(ptr(d), ptr(a), ptr(b));
    expect(plain(d)).toBe("0000000000000000000000000000000000000000000000000000000000000001");
    fsub(ptr(d), ptr(b), ptr(a));
    expect(plain(d)).toBe("0000000000000000000000000000000000000000000000000000000000000003");
    fsub(ptr(d), ptr(a), ptr(b));
    expect(plain(d)).toBe("ffffffff00000001000000000000000000000000fffffffffffffffffffffffc");
    fneg(ptr(d), ptr(b));
    expect(plain(d)).toBe("ffffffff00000001000000000000000000000000fffffffffffffffffffffffd");
    fmulSmall(ptr(d), ptr(a), 8);
    expect(plain(d)).toBe("ffffffff00000001000000000000000000000000fffffffffffffffffffffff7");
    fadd(ptr(d), ptr(a), ptr(a));
    fmulSmall(ptr(c), ptr(a), 2);
    expect(fequal(ptr(d), ptr(c))).toBe(1);
    expect(fequal(ptr(d), ptr(a))).toBe(0);
  });

  test("inversion", () => {
    mont(a, "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
    finv(ptr(b), ptr(a));
    fmul(ptr(d), ptr(a), ptr(b));
    expect(plain(d)).toBe("0000000000000000000000000000000000000000000000000000000000000001");
    finv(ptr(a), ptr(a)); // aliasing
    expect(fequal(ptr(a), ptr(b))).toBe(1);
  });
});

describe("p256 scalars mod n", () => {
  test("range check", () => {
    limbsFromBytes(ptr(a), ptr(hex(N_HEX)));
    expect(nisValid(ptr(a))).toBe(0);
    limbsFromBytes(ptr(a), ptr(hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550")));
    expect(nisValid(ptr(a))).toBe(1);
    limbsFromBytes(ptr(a), ptr(new Uint8Array(32)));
    expect(nisValid(ptr(a))).toBe(0);
    limbsFromBytes(ptr(a), ptr(hex("0000000000000000000000000000000000000000000000000000000000000001")));
    expect(nisValid(ptr(a))).toBe(1);
  });

  test("reduction, addition, inversion", () => {
    nfromBytes(ptr(a), ptr(hex("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")));
    expect(nplain(a)).toBe("00000000ffffffff00000000000000004319055258e8617b0c46353d039cdaae");
    nfromBytes(ptr(b), ptr(hex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550")));
    naddCanon(ptr(d), ptr(b), ptr(b));
    expect(nplain(d)).toBe("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc63254f");
    // (n-1)^-1 = n-1
    ntoMont(ptr(d), ptr(b));
    ninv(ptr(d), ptr(d));
    nmul(ptr(d), ptr(d), ptr(hex("010000000000000000000000000000000000000000000000000000000000000000000000")));
    expect(nplain(d)).toBe("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550");
  });
});
