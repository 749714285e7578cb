import { parseNewSessionTicket, keptTicket, keptTicketLen, keptTicketLifetime, ticketForget, ticketsStart,
  ticketPending, ticketReceived, setTicketExpected, writeSessionTicket, ticketOffered } from "../../handshake/tickets";
import { verdictAlert, verdictReason } from "../../handshake/verdict";
import { TICKET_MAX } from "../../config";
import { REASON_DECODE } from "../../errors";
import { hex, toHex } from "../support/helpers";

// ticket_lifetime_hint 7200 (0x1c20), ticket<0..2^16-1> of 4 bytes.
const GOOD = "00001c20" + "0004" + "a1b2c3d4";

function parse(h: string): i32 {
  const b = hex(h);
  return parseNewSessionTicket(b.dataStart, b.length);
}
function ticketOf(len: i32): string {
  let s = "";
  for (let i = 0; i < len; i++) s += "5a";
  return s;
}
function lengthOf(len: i32): string {
  const d = "0123456789abcdef";
  return d.charAt((len >> 12) & 15) + d.charAt((len >> 8) & 15) + d.charAt((len >> 4) & 15) + d.charAt(len & 15);
}

describe("NewSessionTicket (RFC 5077 3.3)", () => {
  it("keeps the ticket and its lifetime hint", () => {
    ticketForget();
    expect(parse(GOOD)).toBe(0);
    expect(keptTicketLen()).toBe(4);
    expect(toHex(keptTicket(), 4)).toBe("a1b2c3d4");
    expect(keptTicketLifetime()).toBe(7200);
    expect(parse("ffffffff" + "0001" + "07")).toBe(0);
    expect(keptTicketLifetime()).toBe(0xffffffff);
  });
  it("refuses every truncation with decode_error", () => {
    for (let n = 0; n < GOOD.length / 2; n++) {
      const v = parse(GOOD.substr(0, n * 2));
      expect(verdictAlert(v)).toBe(50);
      expect(verdictReason(v)).toBe(REASON_DECODE);
    }
  });
  it("refuses a ticket length past the message, and bytes after the ticket", () => {
    expect(verdictAlert(parse("00001c20" + "0005" + "a1b2c3d4"))).toBe(50);
    expect(verdictAlert(parse("00001c20" + "ffff" + "a1b2c3d4"))).toBe(50);
    expect(verdictAlert(parse(GOOD + "00"))).toBe(50);
  });
  it("a zero-length ticket drops the kept one (the server issues none)", () => {
    expect(parse(GOOD)).toBe(0);
    expect(parse("00000000" + "0000")).toBe(0);
    expect(keptTicketLen()).toBe(0);
  });
  it("keeps a ticket of TICKET_MAX bytes; drops a larger one without an error", () => {
    expect(parse("00000000" + lengthOf(TICKET_MAX) + ticketOf(TICKET_MAX))).toBe(0);
    expect(keptTicketLen()).toBe(TICKET_MAX);
    expect(parse("00000000" + lengthOf(TICKET_MAX + 1) + ticketOf(TICKET_MAX + 1))).toBe(0);
    expect(keptTicketLen()).toBe(0);
  });
  it("is pending from the ServerHello's announcement until it is parsed", () => {
    ticketsStart(false);
    expect(ticketPending()).toBe(false);
    setTicketExpected(true);
    expect(ticketPending()).toBe(true);
    expect(parse(GOOD)).toBe(0);
    expect(ticketPending()).toBe(false);
    expect(ticketReceived()).toBe(true);
    ticketsStart(false);
    expect(ticketReceived()).toBe(false);
  });
});

describe("SessionTicket extension (RFC 5077 3.2)", () => {
  it("carries the kept ticket when offered and it fits, else nothing", () => {
    const out = new Uint8Array(16);
    expect(parse(GOOD)).toBe(0);
    ticketsStart(true);
    expect(ticketOffered).toBe(true);
    expect(<i32>(writeSessionTicket(out.dataStart, 4) - out.dataStart)).toBe(8);
    expect(toHex(out.dataStart, 8)).toBe("00230004a1b2c3d4");
    expect(<i32>(writeSessionTicket(out.dataStart, 3) - out.dataStart)).toBe(4);
    expect(toHex(out.dataStart, 4)).toBe("00230000");
    expect(ticketOffered).toBe(false);
    ticketsStart(false);
    expect(<i32>(writeSessionTicket(out.dataStart, 100) - out.dataStart)).toBe(4);
  });
});
