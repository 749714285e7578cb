// Sessions across deep sleep and reboots (RFC 7925 section 7: resumption is what keeps a
// sleepy device's handshakes cheap; a fresh instance after a reboot has no session). The
// kept session leaves the module as a versioned blob the board stores where the PSK lives
// (it holds the master secret), and comes back into a fresh instance configured with the
// same credentials. Layout (big-endian), SESSION_BLOB_FIXED + ticket bytes in all:
//   magic "DS" | version | flags | suite(2) | id_len | id[32] | master[48] | peer[32] |
//   ticket_lifetime(4) | ticket_len(2) | ticket | [cache] | check[16]
// X.509 builds: with flag 8 the cached server chain of RFC 7924 follows the ticket
// (cert_ext.ts, CACHE_BLOB_LEN bytes); such a blob may hold no session at all (ID and
// ticket empty: a server without resumption still sends its chain as a hash).
// check = PRF(owner, "dtls session blob", everything before it), where owner is the
// SHA-256 of the configured credentials and server name: a blob damaged, truncated, of
// another version or made with other credentials is refused, never trusted.
import { ERR_BAD_ARGUMENT, ERR_BAD_STATE, ERR_UNSUPPORTED, ERR_SESSION_REFUSED } from "../errors";
import { TICKET_MAX } from "../config";
import { TLS_PSK_WITH_AES_128_CCM_8, TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 } from "../protocol";
import { get8, get16, put8, put16 } from "../util/bytes";
import { keptTicket, keptTicketLen, keptTicketLifetime, ticketStore } from "./tickets";
import { ctEqual, wipe } from "../crypto/ct";
import { SHA256_CTX_SIZE, sha256Init, sha256Update, sha256Final } from "../crypto/sha256";
import { prfSha256 } from "../crypto/prf";
import { certsWanted, clientChain, clientChainLen } from "./certificate";
import { anchorCount, anchorKey } from "../x509/anchors";
import { cacheKept, cacheExport, cacheImport, CACHE_BLOB_LEN } from "./cert_ext";
import { pskIdentity, pskIdentityLen, psk, pskLen, serverName, serverNameLen, hasPsk, hasRpk,
  serverPin, serverPinKind, clientPublicKey, hasClientKey } from "../credentials";
import { MASTER_SECRET_LEN } from "./key_schedule";
import { SESSION_ID_MAX, sessionKept, keptSuite, keptEms, keptIdLen, offeredId, restoreMaster,
  keptPeerKnown, keptPeerHash, keptClientAuth, sessionRestore } from "./resumption";

const MAGIC: i32 = 0x4453;   // "DS"
const VERSION: i32 = 1;
const FLAG_EMS: i32 = 1, FLAG_PEER: i32 = 2, FLAG_CLIENT_AUTH: i32 = 4, FLAG_CACHED: i32 = 8;
const OFF_ID: i32 = 7, OFF_MASTER: i32 = OFF_ID + SESSION_ID_MAX, OFF_PEER: i32 = OFF_MASTER + MASTER_SECRET_LEN;
const OFF_TICKET: i32 = OFF_PEER + 32 + 6;
const CHECK_LEN: i32 = 16;
export const SESSION_BLOB_FIXED: i32 = OFF_TICKET + CHECK_LEN;   // 141: a blob without a ticket
export const SESSION_BLOB_MAX: i32 = SESSION_BLOB_FIXED + TICKET_MAX + CACHE_BLOB_LEN;

// @ts-ignore: decorator
@lazy const LABEL = memory.data<u8>([100, 116, 108, 115, 32, 115, 101, 115, 115, 105, 111, 110, 32, 98, 108, 111, 98]);
const LABEL_LEN: i32 = 17;   // "dtls session blob"
// @ts-ignore: decorator
@lazy const hashCtx = memory.data(SHA256_CTX_SIZE);
// @ts-ignore: decorator
@lazy const owner = memory.data(32);
// @ts-ignore: decorator
@lazy const check = memory.data(CHECK_LEN);

// Each field with its length, so that no two configurations hash alike.
function absorb(p: usize, len: i32): void {
  store<u8>(owner, <u8>(len >> 8)); store<u8>(owner + 1, <u8>len);
  sha256Update(hashCtx, owner, 2);
  sha256Update(hashCtx, p, len);
}

// check over blob[0..len) with the current credentials, into `check`.
function computeCheck(blob: usize, len: i32): void {
  sha256Init(hashCtx);
  absorb(pskIdentity, pskIdentityLen);
  absorb(psk, pskLen);
  absorb(serverName, serverNameLen);
  // Empty in PSK-only builds, so every build computes the same owner for the same PSK.
  absorb(serverPin, ECDHE_ENABLED ? serverPinKind : 0);
  absorb(clientPublicKey, ECDHE_ENABLED && hasClientKey ? 65 : 0);
  // X.509: the trust anchors' keys and our chain, which the session's authentication used.
  // Only when configured, so PSK and raw-key owners stay the same in every build.
  if (X509_ENABLED && (anchorCount() > 0 || clientChainLen > 0)) {
    for (let i = 0; i < anchorCount(); i++) absorb(anchorKey(i), 65);
    absorb(clientChain, clientChainLen);
  }
  sha256Final(hashCtx, owner);
  prfSha256(owner, 32, LABEL, LABEL_LEN, blob, len, check, CHECK_LEN);
  wipe(owner, 32);
}

// Writes the kept session to out (room: SESSION_BLOB_MAX); its length, or ERR_BAD_STATE
// when no session is kept (OPT_RESUME and OPT_TICKETS off, or neither ID nor ticket given).
export function sessionExport(out: usize, room: i32): i32 {
  const cached = X509_ENABLED ? cacheKept : false;
  if (!sessionKept() && !cached) return ERR_BAD_STATE;
  if (room < SESSION_BLOB_MAX) return ERR_BAD_ARGUMENT;
  memory.fill(out, 0, <usize>SESSION_BLOB_FIXED);
  put16(out, MAGIC);
  put8(out + 2, VERSION);
  put8(out + 3, (keptEms() ? FLAG_EMS : 0) | (keptPeerKnown() ? FLAG_PEER : 0) | (keptClientAuth() ? FLAG_CLIENT_AUTH : 0) | (cached ? FLAG_CACHED : 0));
  put16(out + 4, keptSuite());
  put8(out + 6, keptIdLen());
  memory.copy(out + <usize>OFF_ID, offeredId(), <usize>keptIdLen());
  restoreMaster(out + <usize>OFF_MASTER);
  if (keptPeerKnown()) memory.copy(out + <usize>OFF_PEER, keptPeerHash(), 32);
  const ticketLen = keptTicketLen();
  const lifetime = keptTicketLifetime();
  put16(out + <usize>OFF_TICKET - 6, <i32>(lifetime >> 16));
  put16(out + <usize>OFF_TICKET - 4, <i32>(lifetime & 0xffff));
  put16(out + <usize>OFF_TICKET - 2, ticketLen);
  memory.copy(out + <usize>OFF_TICKET, keptTicket(), <usize>ticketLen);
  let len = OFF_TICKET + ticketLen;
  if (X509_ENABLED) if (cached) { cacheExport(out + <usize>len); len += CACHE_BLOB_LEN; }
  computeCheck(out, len);
  memory.copy(out + <usize>len, check, CHECK_LEN);
  return len + CHECK_LEN;
}

// Reads a blob from src into the kept session: 0, or ERR_BAD_ARGUMENT (malformed or
// truncated), ERR_UNSUPPORTED (another version, or a suite this build or these
// credentials cannot resume) or ERR_SESSION_REFUSED (damaged, or other credentials).
// Nothing is kept unless every check passed.
export function sessionImport(src: usize, len: i32): i32 {
  if (len < SESSION_BLOB_FIXED || get16(src) != MAGIC) return ERR_BAD_ARGUMENT;
  if (get8(src + 2) != VERSION) return ERR_UNSUPPORTED;
  const flags = get8(src + 3);
  const suite = get16(src + 4);
  const idLen = get8(src + 6);
  const ticketLen = get16(src + <usize>OFF_TICKET - 2);
  const cached = X509_ENABLED ? (flags & FLAG_CACHED) != 0 : false;
  // A session has an ID, a ticket or both (RFC 5077 3.4: a server may give a ticket alone),
  // unless the blob carries only a cached chain.
  if ((flags & ~(FLAG_EMS | FLAG_PEER | FLAG_CLIENT_AUTH | (X509_ENABLED ? FLAG_CACHED : 0))) != 0 || idLen > SESSION_ID_MAX ||
      ticketLen > TICKET_MAX || (idLen == 0 && ticketLen == 0 && !cached) ||
      len != SESSION_BLOB_FIXED + ticketLen + (cached ? CACHE_BLOB_LEN : 0)) return ERR_BAD_ARGUMENT;
  const bodyLen = len - CHECK_LEN;
  computeCheck(src, bodyLen);
  const ok = ctEqual(check, src + <usize>bodyLen, CHECK_LEN);
  wipe(check, CHECK_LEN);
  if (!ok) return ERR_SESSION_REFUSED;
  const usable = (suite == TLS_PSK_WITH_AES_128_CCM_8 && hasPsk()) ||
    (ECDHE_ENABLED != 0 && suite == TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 && (hasRpk() || (X509_ENABLED != 0 && certsWanted())));
  if (X509_ENABLED) {
    // A cache alone needs certificates configured; a session, credentials that can resume it.
    if (idLen == 0 && ticketLen == 0 ? !certsWanted() : !usable) return ERR_UNSUPPORTED;
    if (cached) cacheImport(src + <usize>(OFF_TICKET + ticketLen));
  } else if (!usable) return ERR_UNSUPPORTED;
  sessionRestore(src + <usize>OFF_ID, idLen, src + <usize>OFF_MASTER, suite, (flags & FLAG_EMS) != 0,
    (flags & FLAG_PEER) != 0 ? src + <usize>OFF_PEER : 0, (flags & FLAG_CLIENT_AUTH) != 0);
  ticketStore(src + <usize>OFF_TICKET, ticketLen,
    (<u32>get16(src + <usize>OFF_TICKET - 6) << 16) | <u32>get16(src + <usize>OFF_TICKET - 4));
  return 0;
}
