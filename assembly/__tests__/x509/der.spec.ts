// The certificate DER reader (x509/der.ts) and validity times (x509/time.ts): every
// malformed encoding X.690 section 10 rules out is refused, never read past.
import {
  derInit, derBad, derAtEnd, derNext, derExpect, derEnterTag, derLeave, derUint, derBool, derPeek,
  derTag, derLen, derPtr,
} from "../../x509/der";
import { derTimeToSeconds, TIME_BAD, daysFromCivil } from "../../x509/time";
import { hex, ascii, ptr } from "../support/helpers";

// Reads every element of a flat input; true when all of it was DER.
function flat(s: string): bool {
  const b = hex(s);
  derInit(ptr(b), b.length);
  while (!derAtEnd()) if (!derNext()) break;
  return !derBad();
}

// Reads one SEQUENCE and the elements in it.
function seq(s: string): bool {
  const b = hex(s);
  derInit(ptr(b), b.length);
  if (!derEnterTag(0x30)) return false;
  while (!derAtEnd()) if (!derNext()) break;
  derLeave();
  return !derBad() && derAtEnd();
}

describe("DER lengths (X.690 8.1.3, 10.1)", () => {
  it("short and minimal long forms are read", () => {
    expect(flat("0400")).toBe(true);
    expect(flat("04027f7f")).toBe(true);
    const long = "0481" + "80" + "00".repeat(128);
    expect(flat(long)).toBe(true);
    expect(derLen).toBe(128);
    const two = "048201" + "00" + "00".repeat(256);
    expect(flat(two)).toBe(true);
    expect(derLen).toBe(256);
  });
  it("non-minimal long forms are refused", () => {
    expect(flat("048105" + "0000000000")).toBe(false); // 5 fits the short form
    expect(flat("0482007f" + "00".repeat(127))).toBe(false);
    expect(flat("048200ff" + "00".repeat(255))).toBe(false); // fits one length byte
  });
  it("indefinite lengths (BER) are refused", () => {
    expect(flat("30800000")).toBe(false);
  });
  it("more than two length bytes are refused", () => {
    expect(flat("0483000100" + "00".repeat(256))).toBe(false);
  });
  it("lengths past the end are refused, without reading there", () => {
    expect(flat("0405000000")).toBe(false);
    expect(flat("0481")).toBe(false);
    expect(flat("04")).toBe(false);
    expect(flat("048201")).toBe(false);
  });
  it("high tag numbers are refused", () => {
    expect(flat("1f0100")).toBe(false);
    expect(flat("bf2200")).toBe(false);
  });
  it("an inner length past its SEQUENCE is refused", () => {
    expect(seq("3003040300" + "0000")).toBe(false);
  });
  it("trailing bytes inside a SEQUENCE are refused when leaving it", () => {
    const b = hex("30030400ff");
    derInit(ptr(b), b.length);
    derEnterTag(0x30);
    derExpect(0x04);
    derLeave();
    expect(derBad()).toBe(true);
  });
  it("a failure latches: later reads fail too", () => {
    const b = hex("0481" + "0400");
    derInit(ptr(b), b.length);
    expect(derNext()).toBe(false);
    expect(derNext()).toBe(false);
    expect(derBad()).toBe(true);
    expect(derPeek()).toBe(-1);
  });
  it("a negative length is refused at once", () => {
    const b = hex("0400");
    derInit(ptr(b), -1);
    expect(derNext()).toBe(false);
  });
});

describe("DER nesting (DER_DEPTH_MAX = 8)", () => {
  it("8 levels are followed, a 9th is refused", () => {
    let s = "0400";
    for (let i = 0; i < 9; i++) {
      const n = s.length / 2;
      s = "30" + (n < 16 ? "0" : "") + n.toString(16) + s;
    }
    const b = hex(s);
    derInit(ptr(b), b.length);
    let ok = true;
    for (let i = 0; i < 8; i++) ok = ok && derEnterTag(0x30);
    expect(ok).toBe(true);
    expect(derEnterTag(0x30)).toBe(false);
    expect(derBad()).toBe(true);
  });
});

describe("DER INTEGER and BOOLEAN (X.690 8.3.2, 11.1)", () => {
  it("minimal integers are read", () => {
    const b = hex("020100" + "02020080" + "02017f" + "020400ffffff");
    derInit(ptr(b), b.length);
    derNext(); expect(derUint()).toBe(0);
    derNext(); expect(derUint()).toBe(128);
    derNext(); expect(derUint()).toBe(127);
    derNext(); expect(derUint()).toBe(0xffffff);
    expect(derBad()).toBe(false);
  });
  it("non-minimal integers are refused", () => {
    let b = hex("0202007f");
    derInit(ptr(b), b.length); derNext(); derUint();
    expect(derBad()).toBe(true);
    b = hex("0202ff80");
    derInit(ptr(b), b.length); derNext(); derUint();
    expect(derBad()).toBe(true);
    b = hex("0200");
    derInit(ptr(b), b.length); derNext(); derUint();
    expect(derBad()).toBe(true);
  });
  it("negative or too large values are -1 (not a DER error)", () => {
    const b = hex("0201ff" + "02050100000000");
    derInit(ptr(b), b.length);
    derNext(); expect(derUint()).toBe(-1);
    derNext(); expect(derUint()).toBe(-1);
    expect(derBad()).toBe(false);
  });
  it("BOOLEAN is 00 or ff only", () => {
    let b = hex("0101ff" + "010100");
    derInit(ptr(b), b.length);
    expect(derBool()).toBe(true);
    expect(derBool()).toBe(false);
    expect(derBad()).toBe(false);
    b = hex("010101");
    derInit(ptr(b), b.length); derBool();
    expect(derBad()).toBe(true);
    b = hex("01020000");
    derInit(ptr(b), b.length); derBool();
    expect(derBad()).toBe(true);
  });
});

function t(tag: i32, s: string): i64 {
  const a = ascii(s);
  return derTimeToSeconds(tag, ptr(a), a.length);
}

describe("validity times (RFC 5280 4.1.2.5)", () => {
  it("UTCTime: YY >= 50 is 19YY, else 20YY", () => {
    expect(t(0x17, "700101000000Z")).toBe(0);
    expect(t(0x17, "500101000000Z")).toBe(-631152000);
    expect(t(0x17, "491231235959Z")).toBe(2524607999);
    expect(t(0x17, "200229120000Z")).toBe(1582977600); // a leap day
  });
  it("GeneralizedTime", () => {
    expect(t(0x18, "19700101000000Z")).toBe(0);
    expect(t(0x18, "20500101000000Z")).toBe(2524608000);
    expect(t(0x18, "99991231235959Z")).toBe(253402300799);
    expect(t(0x18, "20000229000000Z")).toBe(951782400); // 2000 is a leap year
  });
  it("malformed times are refused", () => {
    expect(t(0x17, "700101000000")).toBe(TIME_BAD);     // no Z
    expect(t(0x17, "7001010000Z")).toBe(TIME_BAD);      // no seconds
    expect(t(0x17, "700101000000+0100")).toBe(TIME_BAD);
    expect(t(0x18, "19700101000000.5Z")).toBe(TIME_BAD); // fractions
    expect(t(0x17, "701301000000Z")).toBe(TIME_BAD);    // month 13
    expect(t(0x17, "700132000000Z")).toBe(TIME_BAD);
    expect(t(0x17, "210229000000Z")).toBe(TIME_BAD);    // 2021 is not a leap year
    expect(t(0x18, "19000229000000Z")).toBe(TIME_BAD);  // nor 1900
    expect(t(0x17, "700431000000Z")).toBe(TIME_BAD);
    expect(t(0x17, "700101240000Z")).toBe(TIME_BAD);
    expect(t(0x17, "700101006000Z")).toBe(TIME_BAD);
    expect(t(0x17, "700101000060Z")).toBe(TIME_BAD);
    expect(t(0x17, "7a0101000000Z")).toBe(TIME_BAD);
    expect(t(0x17, "70010100000 Z")).toBe(TIME_BAD);
    expect(t(0x04, "700101000000Z")).toBe(TIME_BAD);    // not a time tag
    expect(t(0x18, "700101000000Z")).toBe(TIME_BAD);    // UTCTime length, GeneralizedTime tag
  });
  it("days from the civil date", () => {
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(1969, 12, 31)).toBe(-1);
    expect(daysFromCivil(2000, 3, 1)).toBe(11017);
  });
});
