import { reassemblyReset, reassemblyAdd, messageBody, FRAG_PENDING, FRAG_COMPLETE, FRAG_TOO_LARGE,
  FRAG_INCONSISTENT, reassemblyWindowed, windowContiguous, windowConsume } from "../../handshake/reassembly";
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

// The server's X.509 Certificate message (RFC 7925 s. 4.4): read through a window of
// HS_MESSAGE_MAX bytes that moves on as the reader consumes its front.
const W = HS_MESSAGE_MAX;
const TOTAL = W + W / 2;
const big = new Uint8Array(TOTAL);
for (let i = 0; i < TOTAL; i++) big[i] = <u8>(i * 7 + (i >> 8));
function byteAt(p: usize, i: i32): u8 { return load<u8>(p + <usize>i); }

describe("reassembly window (X.509 Certificate, RFC 7925 s. 4.4)", () => {
  it("takes a message over the bound when windowed; keeps only the window; moves on as it is read", () => {
    reassemblyReset();
    reassemblyWindowed();
    const p = big.dataStart;
    // The tail first: beyond the window, dropped (the server sends it again).
    expect(reassemblyAdd(11, TOTAL, 2, W, p + <usize>W, TOTAL - W)).toBe(FRAG_PENDING);
    // A fragment straddling the window's end: its first part kept.
    expect(reassemblyAdd(11, TOTAL, 2, 100, p + 100, W)).toBe(FRAG_PENDING);
    expect(windowContiguous()).toBe(0);
    expect(reassemblyAdd(11, TOTAL, 2, 0, p, 100)).toBe(FRAG_PENDING);
    expect(windowContiguous()).toBe(W);
    windowConsume(600);
    expect(byteAt(messageBody, 0)).toBe(big[600]);
    expect(byteAt(messageBody, W - 601)).toBe(big[W - 1]);
    expect(windowContiguous()).toBe(W - 600);
    // Before the window: already read, nothing happens.
    expect(reassemblyAdd(11, TOTAL, 2, 0, p, 300)).toBe(FRAG_PENDING);
    expect(windowContiguous()).toBe(W - 600);
    // The dropped tail again: kept up to the window's end (message offset 600 + W).
    expect(reassemblyAdd(11, TOTAL, 2, W, p + <usize>W, TOTAL - W)).toBe(FRAG_PENDING);
    expect(windowContiguous()).toBe(W);
    windowConsume(W);
    expect(windowContiguous()).toBe(0);
    // Once more: the rest fits, and the message is complete.
    expect(reassemblyAdd(11, TOTAL, 2, W, p + <usize>W, TOTAL - W)).toBe(FRAG_COMPLETE);
    expect(windowContiguous()).toBe(TOTAL - 600 - W);
    expect(byteAt(messageBody, 0)).toBe(big[600 + W]);
    expect(byteAt(messageBody, TOTAL - 600 - W - 1)).toBe(big[TOTAL - 1]);
  });
  it("still refuses a message over the bound when not windowed", () => {
    reassemblyReset();
    expect(reassemblyAdd(11, TOTAL, 2, 0, big.dataStart, 4)).toBe(FRAG_TOO_LARGE);
  });
});

