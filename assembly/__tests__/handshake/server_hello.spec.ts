import { parseServerHello, parseHelloVerifyRequest, cookieLen } from "../../handshake/server_hello";
import { setOffers, mflLength, emsNegotiated, renegotiationInfoSeen, chosenSuite } from "../../handshake/negotiated";
import { verdictAlert } from "../../handshake/verdict";
import { hex } from "../support/helpers";

// version, random, session_id (0), suite C0A8, null compression, extensions:
// MFL 512, EMS, renegotiation_info empty.
const RANDOM = "abababababababababababababababababababababababababababababababab";
const GOOD = "fefd" + RANDOM + "00" + "c0a8" + "00" + "000e" + "0001000101" + "00170000" + "ff01000100";

function parse(h: string): i32 {
  setOffers(true, false, 1, false);
  const b = hex(h);
  return parseServerHello(b.dataStart, b.length);
}

describe("ServerHello", () => {
  it("accepts the profile's answer and records what it chose", () => {
    expect(parse(GOOD)).toBe(0);
    expect(chosenSuite).toBe(0xc0a8);
    expect(mflLength).toBe(512);
    expect(emsNegotiated).toBe(true);
    expect(renegotiationInfoSeen).toBe(true);
  });
  it("accepts a ServerHello without extensions", () => {
    expect(parse("fefd" + RANDOM + "00c0a800")).toBe(0);
    expect(mflLength).toBe(0);
    expect(emsNegotiated).toBe(false);
  });
  it("refuses every truncation with decode_error", () => {
    for (let n = 0; n < GOOD.length / 2; n += 1) {
      const v = parse(GOOD.substr(0, n * 2));
      if (n == 38) continue;   // a ServerHello without extensions is complete
      expect(verdictAlert(v)).toBe(50);
    }
  });
  it("refuses trailing bytes", () => {
    expect(verdictAlert(parse(GOOD + "00"))).toBe(50);
  });
  it("refuses other versions with protocol_version (RFC 7925 s. 18)", () => {
    expect(verdictAlert(parse("feff" + GOOD.substr(4)))).toBe(70);
    expect(verdictAlert(parse("0303" + GOOD.substr(4)))).toBe(70);
  });
  it("refuses a session_id longer than 32", () => {
    expect(verdictAlert(parse("fefd" + RANDOM + "21" + "00".repeat(33) + "c0a800"))).toBe(50);
  });
  it("refuses unoffered extensions with unsupported_extension", () => {
    expect(verdictAlert(parse("fefd" + RANDOM + "00c0a800" + "0004" + "00160000"))).toBe(110);
  });
});

describe("HelloVerifyRequest", () => {
  it("takes the cookie", () => {
    const b = hex("feff03aabbcc");
    expect(parseHelloVerifyRequest(b.dataStart, b.length)).toBe(0);
    expect(cookieLen).toBe(3);
  });
  it("refuses a cookie longer than the message", () => {
    const b = hex("feff05aabbcc");
    expect(verdictAlert(parseHelloVerifyRequest(b.dataStart, b.length))).toBe(50);
  });
});
