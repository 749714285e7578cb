// Session tickets (RFC 5077; RFC 7925 section 7: "MUST implement" where the server is not
// constrained). With OPT_TICKETS the ClientHello carries the SessionTicket extension: empty,
// or the ticket kept with the session (resumption.ts chooses the session_id that goes with
// it, RFC 5077 3.4). A server that answers with the (empty) extension MUST then send
// NewSessionTicket before its ChangeCipherSpec (3.1, 3.3), which enters the transcript.
// The ticket lives in a fixed buffer: one larger than TICKET_MAX is dropped, not an error
// (the session still resumes by its ID where the server gave one).
import { TICKET_MAX } from "../config";
import { EXT_SESSION_TICKET, ALERT_DECODE_ERROR } from "../protocol";
import { REASON_DECODE } from "../errors";
import { put16 } from "../util/bytes";
import { readerInit, readerBad, readerAtEnd, readU16, readBytes } from "../util/reader";
import { verdict, ACCEPTED } from "./verdict";

// @ts-ignore: decorator
@lazy const ticket = memory.data(TICKET_MAX);
let ticketLen: i32 = 0;          // 0: no ticket kept
let ticketLifetime: u32 = 0;     // the server's ticket_lifetime_hint, seconds (0: unspecified)
// The current handshake: a non-empty ticket in the ClientHello; whether the ServerHello had
// the extension (a NewSessionTicket must follow) and that NewSessionTicket came.
export let ticketOffered: bool = false;
const NOT_ANNOUNCED: i32 = 0, ANNOUNCED: i32 = 1, RECEIVED: i32 = 2;
let newTicket: i32 = NOT_ANNOUNCED;

export function keptTicket(): usize { return ticket; }
export function keptTicketLen(): i32 { return ticketLen; }
export function keptTicketLifetime(): u32 { return ticketLifetime; }

// Keeps a ticket (from NewSessionTicket, or a stored session being restored); one that does
// not fit the buffer, or an empty one (RFC 5077 3.3: no ticket), leaves none kept.
export function ticketStore(p: usize, len: i32, lifetime: u32): void {
  ticketLen = len <= TICKET_MAX ? len : 0;
  memory.copy(ticket, p, <usize>ticketLen);
  ticketLifetime = lifetime;
}
export function ticketForget(): void { ticketLen = 0; ticketLifetime = 0; }

export function ticketsStart(offer: bool): void {
  ticketOffered = offer && ticketLen > 0;
  newTicket = NOT_ANNOUNCED;
}
export function ticketWithdraw(): void { ticketOffered = false; }
export function setTicketExpected(v: bool): void { newTicket = v ? ANNOUNCED : NOT_ANNOUNCED; }
// The server announced a NewSessionTicket that has not come yet: its ChangeCipherSpec must
// wait (dropped; the whole flight comes again if the ticket was lost).
export function ticketPending(): bool { return newTicket == ANNOUNCED; }
export function ticketReceived(): bool { return newTicket == RECEIVED; }

// The SessionTicket extension (RFC 5077 3.2) at p with at most room bytes of ticket: the kept
// one when offered and it fits (else it is left out, and the session offered by ID alone).
export function writeSessionTicket(p: usize, room: i32): usize {
  if (ticketLen > room) ticketOffered = false;
  const n = ticketOffered ? ticketLen : 0;
  put16(p, EXT_SESSION_TICKET);
  put16(p + 2, n);
  memory.copy(p + 4, ticket, <usize>n);
  return p + 4 + <usize>n;
}

// struct { uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>; } NewSessionTicket (3.3).
export function parseNewSessionTicket(body: usize, len: i32): i32 {
  readerInit(body, len);
  const hint = (<u32>readU16() << 16) | <u32>readU16();
  const n = readU16();
  const t = readBytes(n);
  if (readerBad() || !readerAtEnd()) return verdict(REASON_DECODE, ALERT_DECODE_ERROR);
  ticketStore(t, n, hint);
  newTicket = RECEIVED;
  return ACCEPTED;
}
