import { replayReset, replayFresh, replayMark } from "../../record/replay";

describe("anti-replay window (RFC 6347 4.1.2.6)", () => {
  it("accepts new numbers and refuses a number seen before", () => {
    replayReset();
    expect(replayFresh(1, 5)).toBe(true);
    replayMark(1, 5);
    expect(replayFresh(1, 5)).toBe(false);
    expect(replayFresh(1, 4)).toBe(true);
    expect(replayFresh(1, 6)).toBe(true);
  });
  it("keeps 64 numbers below the highest and refuses older ones", () => {
    replayReset();
    replayMark(1, 100);
    expect(replayFresh(1, 37)).toBe(true);   // 100 - 63
    expect(replayFresh(1, 36)).toBe(false);  // 100 - 64: outside the window
    replayMark(1, 40);
    expect(replayFresh(1, 40)).toBe(false);
  });
  it("slides the window and forgets nothing inside it", () => {
    replayReset();
    replayMark(1, 1);
    replayMark(1, 3);
    replayMark(1, 70);
    expect(replayFresh(1, 3)).toBe(false);     // 67 below the top: outside the window
    expect(replayFresh(1, 70)).toBe(false);
    expect(replayFresh(1, 69)).toBe(true);
    replayMark(1, 200);                        // a jump wider than the window
    expect(replayFresh(1, 199)).toBe(true);
    expect(replayFresh(1, 200)).toBe(false);
    expect(replayFresh(1, 70)).toBe(false);
  });
  it("keeps epochs apart", () => {
    replayReset();
    replayMark(0, 9);
    expect(replayFresh(1, 9)).toBe(true);
    expect(replayFresh(0, 9)).toBe(false);
  });
  it("handles 48-bit sequence numbers", () => {
    replayReset();
    const top: u64 = 0xffffffffffff - 1;
    replayMark(1, top);
    expect(replayFresh(1, top)).toBe(false);
    expect(replayFresh(1, top - 1)).toBe(true);
    expect(replayFresh(1, top + 1)).toBe(true);
  });
});
