import { readerInit, readerBad, readerAtEnd, readU8, readU16, readU24, readBytes, readerEnter,
  readerLeave, readerLeft } from "../../util/reader";
import { hex } from "../support/helpers";

describe("reader", () => {
  it("reads big-endian fields in order", () => {
    const b = hex("0102030405060708");
    readerInit(b.dataStart, b.length);
    expect(readU8()).toBe(1);
    expect(readU16()).toBe(0x0203);
    expect(readU24()).toBe(0x040506);
    expect(readerLeft()).toBe(2);
    expect(readerBad()).toBe(false);
  });
  it("latches failure on a read past the end and returns zeros", () => {
    const b = hex("0102");
    readerInit(b.dataStart, b.length);
    expect(readU24()).toBe(0);
    expect(readerBad()).toBe(true);
    expect(readU8()).toBe(0);
    expect(readerLeft()).toBe(0);
    expect(readerAtEnd()).toBe(false);
  });
  it("refuses a vector longer than what is left", () => {
    const b = hex("05aabb");
    readerInit(b.dataStart, b.length);
    expect(readBytes(readU8())).toBe(0);
    expect(readerBad()).toBe(true);
  });
  it("insists a nested vector is consumed exactly", () => {
    const b = hex("0003aabbcc");
    readerInit(b.dataStart, b.length);
    const outer = readerEnter(readU16());
    readU16();
    readerLeave(outer);
    expect(readerBad()).toBe(true);
    readerInit(b.dataStart, b.length);
    const o2 = readerEnter(readU16());
    readU24();
    readerLeave(o2);
    expect(readerBad()).toBe(false);
    expect(readerAtEnd()).toBe(true);
  });
  it("a negative length is a failure, not a wild read", () => {
    const b = hex("00");
    readerInit(b.dataStart, -1);
    expect(readerBad()).toBe(true);
    readerInit(b.dataStart, 1);
    expect(readBytes(-5)).toBe(0);
    expect(readerBad()).toBe(true);
  });
});
