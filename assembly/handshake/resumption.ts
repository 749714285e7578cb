// Session resumption with session IDs (RFC 5246 7.3 and F.1.4, RFC 7925 section 7: "MUST
// implement session resumption"). After a full handshake whose ServerHello gave a session
// ID, the session (ID, master secret, suite, extended_master_secret) is kept in the module
// and offered by the next dtls_connect when OPT_RESUME is set. A server that accepts
// answers with the same ID: the abbreviated handshake (its ServerHello, CCS, Finished; our
// CCS, Finished) needs no key exchange. One that declines picks another ID: a full
// handshake follows, with no error. A fatal alert, a failed handshake after offering the
// session or new credentials forget it (RFC 5246 7.2.2). With OPT_TICKETS the session is
// kept too, with the server's ticket (tickets.ts), and offered by ticket when there is one.
import { MASTER_SECRET_LEN } from "./key_schedule";
import { ctEqual, wipe } from "../crypto/ct";
import { halRandom } from "../hal";
import { ticketsStart, ticketOffered, ticketReceived, ticketForget, keptTicketLen, ticketWithdraw } from "./tickets";

export const SESSION_ID_MAX: i32 = 32;

// @ts-ignore: decorator
@lazy const sessionId = memory.data(SESSION_ID_MAX);
// @ts-ignore: decorator
@lazy const sessionMaster = memory.data(MASTER_SECRET_LEN);
// @ts-ignore: decorator
@lazy const serverId = memory.data(SESSION_ID_MAX);
// @ts-ignore: decorator
@lazy const sessionPeer = memory.data(32);  // SHA-256 of the server's key (raw public keys)
let sessionPeerKnown: bool = false;
let sessionClientAuth: bool = false;        // we authenticated with our key in that session
let sessionIdLen: i32 = 0;       // 0: no session kept
let sessionSuite: i32 = 0;
let sessionEms: bool = false;
let serverIdLen: i32 = 0;        // the session ID of the last ServerHello
let offerLen: i32 = 0;           // the session_id length of this ClientHello
// The current handshake: the server accepted the offered session.
export let resumed: bool = false;

export function sessionKept(): bool { return sessionIdLen > 0 || keptTicketLen() > 0; }
export function keptSuite(): i32 { return sessionSuite; }
export function keptEms(): bool { return sessionEms; }

// What the ClientHello carries: the kept session's ID, or nothing; with tickets, the kept
// ticket, and with it the session's ID or, if it has none, 32 fresh random bytes: a server
// that accepts the ticket MUST echo a non-empty ID (RFC 5077 3.4), which is how we know.
// Called per handshake; false if the TRNG failed.
export function resumptionStart(offer: bool, tickets: bool): bool {
  resumed = false;
  serverIdLen = 0;
  ticketsStart(offer && tickets);
  offerLen = offer ? sessionIdLen : 0;
  let ok = true;
  if (ticketOffered && offerLen == 0) {
    offerLen = SESSION_ID_MAX;   // the ID buffer is free while no ID is kept
    ok = halRandom(sessionId, SESSION_ID_MAX) == 0;
  }
  return ok;
}
export function offeredIdLen(): i32 { return offerLen; }
// The ClientHello had no room for the ID (client_hello.ts): not offered after all, nor the
// ticket, whose acceptance the echoed ID would have shown.
export function resumptionWithdraw(): void { offerLen = 0; ticketWithdraw(); }
export function offeredId(): usize { return sessionId; }

// The ServerHello's session_id<0..32>: true when it resumes the offered session.
export function noteServerSessionId(id: usize, len: i32): bool {
  serverIdLen = len;
  memory.copy(serverId, id, <usize>len);
  resumed = offerLen > 0 && len == offerLen && ctEqual(id, sessionId, len);
  return resumed;
}

// The master secret of the kept session, into out (the resumed handshake's keys come from it).
export function restoreMaster(out: usize): void { memory.copy(out, sessionMaster, MASTER_SECRET_LEN); }

// A full handshake completed: keep its session when the server gave it an ID or a ticket
// (a ticket of an earlier session, not replaced by this handshake, is of no use now).
export function sessionStore(master: usize, suite: i32, ems: bool): void {
  if (!ticketReceived()) ticketForget();
  if (serverIdLen == 0 && keptTicketLen() == 0) { sessionForget(); return; }
  memory.copy(sessionId, serverId, <usize>serverIdLen);
  sessionIdLen = serverIdLen;
  memory.copy(sessionMaster, master, MASTER_SECRET_LEN);
  sessionSuite = suite;
  sessionEms = ems;
  sessionPeerKnown = false;
  sessionClientAuth = false;
}

// Who the session was with (raw public keys): reported again by resumed connections.
export function sessionStorePeer(peerHash: usize, clientAuth: bool): void {
  memory.copy(sessionPeer, peerHash, 32);
  sessionPeerKnown = true;
  sessionClientAuth = clientAuth;
}
export function keptPeerKnown(): bool { return sessionPeerKnown; }
export function keptPeerHash(): usize { return sessionPeer; }
export function keptClientAuth(): bool { return sessionClientAuth; }

export function sessionForget(): void {
  wipe(sessionMaster, MASTER_SECRET_LEN);
  wipe(sessionId, SESSION_ID_MAX);
  sessionIdLen = 0;
  sessionSuite = 0;
  sessionEms = false;
  sessionPeerKnown = false;
  sessionClientAuth = false;
  ticketForget();
}

export function keptIdLen(): i32 { return sessionIdLen; }

// A session brought back from storage (session_blob.ts has checked it); peerHash 0: none.
export function sessionRestore(id: usize, idLen: i32, master: usize, suite: i32, ems: bool,
                               peerHash: usize, clientAuth: bool): void {
  sessionForget();
  memory.copy(sessionId, id, <usize>idLen);
  sessionIdLen = idLen;
  memory.copy(sessionMaster, master, MASTER_SECRET_LEN);
  sessionSuite = suite;
  sessionEms = ems;
  if (peerHash != 0) sessionStorePeer(peerHash, clientAuth);
}
