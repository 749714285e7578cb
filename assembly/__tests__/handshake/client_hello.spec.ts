// The ClientHello on small PMTUs (RFC 7925 s. 11): which parts remain at which PMTU, in
// the order of client_hello.ts (ec_point_formats, max_fragment_length; in the first
// ClientHello renegotiation_info -> SCSV and the session ID until a 32-byte cookie fits).
import { fitClientHello, helloLeftOut, LEAVE_OUT_POINT_FORMATS, LEAVE_OUT_MFL, LEAVE_OUT_RENEGOTIATION_INFO,
  LEAVE_OUT_SESSION_ID } from "../../handshake/client_hello";
import { flightEntryData, flightEntryLength } from "../../handshake/flight";
import { credentialsReset, setPsk, setServerPin, setServerName } from "../../credentials";
import { optionsReset, optionSet } from "../../options";
import { OPT_PMTU, OPT_MFL } from "../../api_codes";
import { REASON_NONE, REASON_PMTU_TOO_SMALL } from "../../errors";
import { sessionForget, sessionStore, noteServerSessionId, resumptionStart, offeredIdLen } from "../../handshake/resumption";
import { ascii } from "../support/helpers";

const cookie = new Uint8Array(255);
const PSK = 1, RPK = 2;

function configure(cred: i32, pmtu: i32, session: bool): void {
  optionsReset();
  credentialsReset();
  sessionForget();
  optionSet(OPT_PMTU, pmtu);
  if (cred & PSK) {
    const b = ascii("device-0001kkkkkkkkkkkkkkkk");   // 11-byte identity, 16-byte key
    setPsk(b.dataStart, 11, 16);
  }
  if (cred & RPK) setServerPin(new Uint8Array(32).dataStart, 32);
  if (session) {
    const id = new Uint8Array(32);
    resumptionStart(false, false);
    noteServerSessionId(id.dataStart, 32);
    sessionStore(new Uint8Array(48).dataStart, 0xc0a8, true);
  }
  resumptionStart(session, false);
}

// The record of the ClientHello just built: 13-byte header + its message.
function wireLength(): i32 { return 13 + flightEntryLength(0); }

// Extension types of the ClientHello in the flight buffer, as one string ("0001,0017,...").
function extensions(): string {
  const m = flightEntryData(0) + 12;
  let p: usize = m + 34;
  p += 1 + <usize>load<u8>(p);                      // session_id
  p += 1 + <usize>load<u8>(p);                      // cookie
  p += 2 + <usize>((<i32>load<u8>(p) << 8) | load<u8>(p + 1));   // suites
  p += 1 + <usize>load<u8>(p);                      // compression
  const end = p + 2 + <usize>((<i32>load<u8>(p) << 8) | load<u8>(p + 1));
  let s = "";
  for (p += 2; p < end;) {
    const t = (<i32>load<u8>(p) << 8) | load<u8>(p + 1);
    s += (s.length > 0 ? "," : "") + t.toString(16);
    p += 4 + <usize>((<i32>load<u8>(p + 2) << 8) | load<u8>(p + 3));
  }
  return s;
}
function suiteCount(): i32 {
  const m = flightEntryData(0) + 12;
  let p: usize = m + 34;
  p += 1 + <usize>load<u8>(p);
  p += 1 + <usize>load<u8>(p);
  return ((<i32>load<u8>(p) << 8) | load<u8>(p + 1)) / 2;
}
function sessionIdLength(): i32 { return <i32>load<u8>(flightEntryData(0) + 12 + 34); }

describe("ClientHello at small PMTUs", () => {
  it("sends everything when it fits with room for a cookie (PSK: 83 bytes, at 127)", () => {
    configure(PSK, 127, false);
    expect(fitClientHello(0, cookie.dataStart, 0, false)).toBe(REASON_NONE);
    expect(helloLeftOut).toBe(0);
    expect(wireLength()).toBe(83);
    expect(extensions()).toBe("1,17,ff01");   // max_fragment_length, extended_master_secret, renegotiation_info
  });
  it("ECDHE at 140: all of it (117 bytes; 106 at its shortest, room for a 32-byte cookie)", () => {
    configure(RPK, 140, false);
    expect(fitClientHello(0, cookie.dataStart, 0, false)).toBe(REASON_NONE);
    expect(helloLeftOut).toBe(0);
    expect(wireLength()).toBe(117);
    expect(extensions()).toBe("1,17,ff01,a,d,13,14,b");
  });
  it("ECDHE at 127: renegotiation_info becomes the SCSV first, the extensions stay", () => {
    configure(RPK, 127, false);
    expect(fitClientHello(0, cookie.dataStart, 0, false)).toBe(REASON_NONE);
    expect(helloLeftOut).toBe(LEAVE_OUT_RENEGOTIATION_INFO | LEAVE_OUT_SESSION_ID);   // no session: nothing to drop
    expect(wireLength()).toBe(114);
    expect(suiteCount()).toBe(2);                    // ECDHE_ECDSA and the SCSV
    expect(extensions()).toBe("1,17,a,d,13,14,b");
    // The cookie ClientHello: ec_point_formats goes first, then max_fragment_length.
    expect(fitClientHello(1, cookie.dataStart, 16, true)).toBe(REASON_NONE);
    expect(wireLength()).toBe(124);
    expect(suiteCount()).toBe(2);
    expect(extensions()).toBe("1,17,a,d,13,14");
    expect(fitClientHello(1, cookie.dataStart, 21, true)).toBe(REASON_NONE);
    expect(wireLength()).toBe(124);
    expect(extensions()).toBe("17,a,d,13,14");
    expect(helloLeftOut).toBe(LEAVE_OUT_RENEGOTIATION_INFO | LEAVE_OUT_SESSION_ID | LEAVE_OUT_POINT_FORMATS | LEAVE_OUT_MFL);
    expect(fitClientHello(1, cookie.dataStart, 25, true)).toBe(REASON_PMTU_TOO_SMALL);
  });
  it("a kept session at 140 (PSK): offered, with the SCSV", () => {
    configure(PSK, 140, true);
    expect(fitClientHello(0, cookie.dataStart, 0, false)).toBe(REASON_NONE);
    expect(helloLeftOut).toBe(LEAVE_OUT_RENEGOTIATION_INFO);
    expect(sessionIdLength()).toBe(32);
    expect(offeredIdLen() > 0).toBe(true);
    expect(wireLength()).toBe(112);
  });
  it("a kept session at 127 (PSK): not offered, so that a cookie fits (a full handshake follows)", () => {
    configure(PSK, 127, true);
    expect(fitClientHello(0, cookie.dataStart, 0, false)).toBe(REASON_NONE);
    expect(helloLeftOut).toBe(LEAVE_OUT_RENEGOTIATION_INFO | LEAVE_OUT_SESSION_ID);
    expect(sessionIdLength()).toBe(0);
    expect(offeredIdLen()).toBe(0);
    expect(wireLength()).toBe(80);
  });
  it("max_fragment_length goes only when the PMTU keeps our records under it anyway (PMTU < MFL + 29)", () => {
    const name = ascii("a".repeat(255));
    for (let mfl = 512; mfl <= 1024; mfl += 512) {
      configure(PSK, 600, false);
      optionSet(OPT_MFL, mfl);
      setServerName(name.dataStart, name.length);
      expect(fitClientHello(0, cookie.dataStart, 0, false)).toBe(REASON_NONE);
      expect(wireLength()).toBe(347);
      // With a 255-byte cookie: 602 bytes, 597 without max_fragment_length.
      expect(fitClientHello(1, cookie.dataStart, 255, true)).toBe(mfl == 512 ? REASON_PMTU_TOO_SMALL : REASON_NONE);
    }
    configure(PSK, 140, false);
    expect(fitClientHello(0, cookie.dataStart, 0, false)).toBe(REASON_NONE);
    expect(fitClientHello(1, cookie.dataStart, 60, true)).toBe(REASON_NONE);   // 143, then 138
    expect(wireLength()).toBe(138);
    expect(extensions()).toBe("17,ff01");
    expect(helloLeftOut).toBe(LEAVE_OUT_POINT_FORMATS | LEAVE_OUT_MFL);   // PSK: there were no point formats to drop
  });
  it("a server name too long for the PMTU: pmtu_too_small", () => {
    configure(PSK, 127, false);
    const name = ascii("a-rather-long-server-name-for-an-ieee-802-15-4-link.example.com");
    setServerName(name.dataStart, name.length);
    expect(fitClientHello(0, cookie.dataStart, 0, false)).toBe(REASON_PMTU_TOO_SMALL);
  });
});
