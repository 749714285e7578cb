import { recordsBegin, recordNext, recType, recEpoch, recSeq, recPayloadLen, resetDropCount,
  recordsDropped } from "../../record/receive";
import { hex } from "../support/helpers";

describe("splitting a datagram into records", () => {
  it("reads two records in one datagram", () => {
    const d = hex("16fefd000000000000000500020a0b" + "15fefd0001000000000007000101");
    recordsBegin(d.dataStart, d.length);
    expect(recordNext()).toBe(true);
    expect(recType).toBe(22);
    expect(recEpoch).toBe(0);
    expect(recSeq).toBe(5);
    expect(recPayloadLen).toBe(2);
    expect(recordNext()).toBe(true);
    expect(recType).toBe(21);
    expect(recEpoch).toBe(1);
    expect(recSeq).toBe(7);
    expect(recordNext()).toBe(false);
  });
  it("drops a record whose length runs past the datagram, and what follows", () => {
    resetDropCount();
    const d = hex("16fefd00000000000000050009aabb");
    recordsBegin(d.dataStart, d.length);
    expect(recordNext()).toBe(false);
    expect(recordsDropped()).toBe(1);
  });
  it("drops a trailing partial header", () => {
    resetDropCount();
    const d = hex("16fefd000000000000000500010a16fefd00");
    recordsBegin(d.dataStart, d.length);
    expect(recordNext()).toBe(true);
    expect(recordNext()).toBe(false);
    expect(recordsDropped()).toBe(1);
  });
  it("never reads outside the datagram for any truncation", () => {
    const d = hex("16fefd000000000000000500020a0b15fefd0001000000000007000101");
    for (let n = 0; n <= d.length; n++) {
      recordsBegin(d.dataStart, n);
      let count = 0;
      while (recordNext()) count++;
      expect(count).toBe(n >= 29 ? 2 : n >= 15 ? 1 : 0);
    }
  });
});
