// RFC 6520 s. 4: the HeartbeatMessage parser never lets payload_length reach past the
// received bytes, and insists on 16 bytes of padding (the Heartbleed class).
import { parseHeartbeat } from "../../heartbeat";
import { hex } from "../support/helpers";

const PAD = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"; // 16 bytes

describe("HeartbeatMessage parser (RFC 6520 s. 4)", () => {
  it("accepts a request with its payload and 16 bytes of padding: its payload_length", () => {
    const b = hex("010003616263" + PAD);
    expect(parseHeartbeat(b.dataStart, b.length)).toBe(3);
  });
  it("accepts an empty payload and more padding", () => {
    const b = hex("020000" + PAD + "00");
    expect(parseHeartbeat(b.dataStart, b.length)).toBe(0);
  });
  it("refuses a payload_length past the message (Heartbleed)", () => {
    const b = hex("014000616263" + PAD);
    expect(parseHeartbeat(b.dataStart, b.length)).toBe(-1);
    const max = hex("01ffff" + PAD);
    expect(parseHeartbeat(max.dataStart, max.length)).toBe(-1);
  });
  it("refuses a payload_length that leaves less than 16 bytes of padding", () => {
    const b = hex("010004616263" + PAD);            // 15 bytes would be left
    expect(parseHeartbeat(b.dataStart, b.length)).toBe(-1);
    const short = hex("010003616263" + PAD.substr(2)); // 15 bytes of padding
    expect(parseHeartbeat(short.dataStart, short.length)).toBe(-1);
  });
  it("refuses messages too short for the header and padding, and the length limits the read", () => {
    const b = hex("010003616263" + PAD);
    for (let len = 0; len < b.length; len++) expect(parseHeartbeat(b.dataStart, len)).toBe(-1);
    expect(parseHeartbeat(b.dataStart, -1)).toBe(-1);
  });
});
