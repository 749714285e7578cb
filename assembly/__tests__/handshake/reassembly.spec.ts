import { reassemblyReset, reassemblyAdd, messageBody, FRAG_PENDING, FRAG_COMPLETE, FRAG_TOO_LARGE,
  FRAG_INCONSISTENT } from "../../handshake/reassembly";
import { HS_MESSAGE_MAX } from "../../config";
import { hex, toHex } from "../support/helpers";

const msg = hex("000102030405060708090a0b0c0d0e0f1011121314");

describe("handshake reassembly (RFC 7925 Appendix C)", () => {
  it("completes from out-of-order, duplicated and overlapping fragments", () => {
    reassemblyReset();
    const p = msg.dataStart;
    expect(reassemblyAdd(2, 21, 1, 15, p + 15, 6)).toBe(FRAG_PENDING);
    expect(reassemblyAdd(2, 21, 1, 0, p, 5)).toBe(FRAG_PENDING);
    expect(reassemblyAdd(2, 21, 1, 0, p, 5)).toBe(FRAG_PENDING);
    expect(reassemblyAdd(2, 21, 1, 3, p + 3, 10)).toBe(FRAG_PENDING);
    expect(reassemblyAdd(2, 21, 1, 12, p + 12, 4)).toBe(FRAG_COMPLETE);
    expect(toHex(messageBody, 21)).toBe("000102030405060708090a0b0c0d0e0f1011121314");
  });
  it("completes a message with no body", () => {
    reassemblyReset();
    expect(reassemblyAdd(14, 0, 2, 0, msg.dataStart, 0)).toBe(FRAG_COMPLETE);
  });
  it("refuses a message over the bound", () => {
    reassemblyReset();
    expect(reassemblyAdd(11, HS_MESSAGE_MAX + 1, 2, 0, msg.dataStart, 4)).toBe(FRAG_TOO_LARGE);
  });
  it("refuses a fragment whose type, length or sequence disagrees", () => {
    reassemblyReset();
    expect(reassemblyAdd(2, 21, 1, 0, msg.dataStart, 4)).toBe(FRAG_PENDING);
    expect(reassemblyAdd(12, 21, 1, 4, msg.dataStart, 4)).toBe(FRAG_INCONSISTENT);
    expect(reassemblyAdd(2, 22, 1, 4, msg.dataStart, 4)).toBe(FRAG_INCONSISTENT);
    expect(reassemblyAdd(2, 21, 2, 4, msg.dataStart, 4)).toBe(FRAG_INCONSISTENT);
  });
});
