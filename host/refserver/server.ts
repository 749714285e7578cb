// A reference DTLS 1.2 server (RFC 6347) for the test harness: PSK and ECDHE-ECDSA with
// AES-128-CCM-8, X.509 chains or raw public keys (RFC 7250), HelloVerifyRequest, fragmentation
// to an MTU, flight retransmission, and the extensions of RFC 7925 s. 4.4 that no common
// server speaks (cached_info, client_certificate_url, trusted_ca_keys). Transport-free: it is
// driven by receive()/onTimer() and talks through RefServerIo, so it runs on real UDP
// (udp.ts) or in virtual time. Test equipment: hooks let a test make it misbehave.
import { EventEmitter } from "node:events";
import { createECDH, createPrivateKey, createPublicKey, KeyObject, sign, verify, timingSafeEqual, X509Certificate } from "node:crypto";
import { request } from "node:http";
import { ccmOpen, ccmSeal, CcmKey, hmac256, prf, sha1, sha256 } from "./crypto";
import { certSpki, certSubject, pkiPathCerts, spkiKeyBits } from "./der";

export const TLS_PSK_WITH_AES_128_CCM_8 = 0xc0a8;
export const TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 = 0xc0ae;

// Handshake types (RFC 5246 s. 7.4, RFC 6347 s. 4.2.2, RFC 6066 s. 5).
export const HT = { CLIENT_HELLO: 1, SERVER_HELLO: 2, HELLO_VERIFY_REQUEST: 3, CERTIFICATE: 11, SERVER_KEY_EXCHANGE: 12,
  CERTIFICATE_REQUEST: 13, SERVER_HELLO_DONE: 14, CERTIFICATE_VERIFY: 15, CLIENT_KEY_EXCHANGE: 16, FINISHED: 20,
  CERTIFICATE_URL: 21 } as const;
// Extensions.
export const EXT = { SERVER_NAME: 0, MAX_FRAGMENT_LENGTH: 1, CLIENT_CERTIFICATE_URL: 2, TRUSTED_CA_KEYS: 3,
  SUPPORTED_GROUPS: 10, EC_POINT_FORMATS: 11, SIGNATURE_ALGORITHMS: 13, CLIENT_CERTIFICATE_TYPE: 19,
  SERVER_CERTIFICATE_TYPE: 20, EXTENDED_MASTER_SECRET: 23, CACHED_INFO: 25, RENEGOTIATION_INFO: 0xff01 } as const;
// Alerts (RFC 5246 s. 7.2, RFC 6066 s. 5, RFC 4279 s. 2).
export const ALERT = { CLOSE_NOTIFY: 0, UNEXPECTED_MESSAGE: 10, BAD_RECORD_MAC: 20, HANDSHAKE_FAILURE: 40, BAD_CERTIFICATE: 42,
  UNSUPPORTED_CERTIFICATE: 43, CERTIFICATE_EXPIRED: 45, CERTIFICATE_UNKNOWN: 46, ILLEGAL_PARAMETER: 47, UNKNOWN_CA: 48,
  DECODE_ERROR: 50, DECRYPT_ERROR: 51, PROTOCOL_VERSION: 70, INTERNAL_ERROR: 80, NO_RENEGOTIATION: 100,
  UNSUPPORTED_EXTENSION: 110, CERTIFICATE_UNOBTAINABLE: 111, BAD_CERTIFICATE_HASH_VALUE: 114, UNKNOWN_PSK_IDENTITY: 115 } as const;
const CT = { CCS: 20, ALERT: 21, HANDSHAKE: 22, APPLICATION_DATA: 23 } as const;
const CERT_TYPE_X509 = 0, CERT_TYPE_RPK = 2;
const MFL_SIZES: Record<number, number> = { 1: 512, 2: 1024, 3: 2048, 4: 4096 };

/** One certificate chain the server can present, with its private key. */
export interface ServerChain {
  /** DER certificates, end-entity first (RFC 5246 s. 7.4.2 order), as sent. */
  chain: Buffer[];
  /** The end-entity's P-256 private key (PEM text or a KeyObject). */
  key: string | Buffer | KeyObject;
  /** The trust anchor this chain leads to, matched against trusted_ca_keys (RFC 6066 s. 6);
   *  default: the last certificate of chain. */
  root?: Buffer;
  /** This chain answers a pre_agreed TrustedAuthority (default: the first chain does). */
  preAgreed?: boolean;
}

export interface RefServerHooks {
  /** Each handshake message the server is about to send (before the transcript): return a new
   *  body, null to leave the message out, undefined to keep it. */
  message?(type: number, body: Buffer, peer: string): Buffer | null | undefined;
  /** Each flight (or single datagram: HelloVerifyRequest, alerts, application data), as the
   *  datagrams about to go out: return them dropped, altered, reordered or duplicated. */
  flight?(datagrams: Buffer[], peer: string, info: { what: string; retransmission: boolean }): Buffer[];
  /** Each datagram received, before anything else: return null to drop it. */
  incoming?(datagram: Buffer, peer: string): Buffer | null;
}

export interface RefServerOptions {
  /** PSK table (RFC 4279): identity (text) -> key. */
  psk?: Record<string, Buffer> | ((identity: Buffer) => Buffer | null);
  /** psk_identity_hint sent in a ServerKeyExchange (RFC 4279 s. 2); none = no ServerKeyExchange. */
  pskHint?: Buffer;
  /** X.509 chains (ECDHE-ECDSA); several for trusted_ca_keys. */
  chains?: ServerChain[];
  /** Our P-256 key as a raw public key (RFC 7250): used when the client's server_certificate_type
   *  offers RawPublicKey. Default: the first chain's key. */
  rawKey?: string | Buffer | KeyObject;
  /** Offer our raw public key when the client asks for one (default true when rawKey is set). */
  rpk?: boolean;
  /** Client authentication: none (default), request (empty Certificate accepted), require. */
  clientAuth?: "none" | "request" | "require";
  /** Trust anchors (DER) for X.509 client chains; their subjects go in certificate_authorities. */
  clientCa?: Buffer[];
  /** Raw client keys accepted (RFC 7250): SubjectPublicKeyInfo DER or its SHA-256; "any" accepts
   *  every P-256 key; undefined: raw client keys are not accepted. */
  clientKeys?: Buffer[] | "any";
  /** Cipher suites in preference order (default ECDHE-ECDSA first when a key is configured). */
  suites?: number[];
  /** HelloVerifyRequest with a stateless cookie (RFC 6347 s. 4.2.1); default true. */
  hvr?: boolean;
  /** Largest datagram sent (default 1400); handshake messages are fragmented to it. */
  mtu?: number;
  /** Initial retransmission timer (default 1000 ms, RFC 6347 s. 4.2.4.1), doubled up to rtoMaxMs
   *  (default 60000), at most maxRetransmissions times (default 6) before the peer is dropped. */
  rtoMs?: number;
  rtoMaxMs?: number;
  maxRetransmissions?: number;
  /** Refuse clients without extended_master_secret (RFC 7627 s. 5.3); default false. */
  requireEms?: boolean;
  /** Accept max_fragment_length (RFC 6066 s. 4); default true. */
  mfl?: boolean;
  /** RFC 7924 cached_info: answer a matching cert CachedObject with the hash only. */
  cachedInfo?: boolean;
  /** What the cert hash covers (RFC 7924 s. 3, s. 5: SHA-256 of the Certificate message's
   *  certificate_list): "certificate_list" (default) the vector as encoded, its 3-byte length
   *  included, i.e. the whole Certificate body; "certificates" the certificates without that
   *  length; "either" accepts both (HandshakeInfo.cachedInfoForm says which matched). */
  cachedInfoHash?: "certificate_list" | "certificates" | "either";
  /** RFC 6066 s. 5 client_certificate_url: echo it and accept CertificateURL. */
  certUrl?: boolean;
  /** RFC 6066 s. 6 trusted_ca_keys: pick the chain whose root the client names. */
  trustedCaKeys?: boolean;
  /** Echo application data back (default true). */
  echo?: boolean;
  /** Most peers with state at once (default 64); a new one evicts the least recently active. */
  maxPeers?: number;
  hooks?: RefServerHooks;
}

export interface RefServerIo {
  send(datagram: Uint8Array, peer: string): void;
  /** Milliseconds, real or virtual. */
  now(): number;
  /** All randomness (server random, cookie secret, ephemeral ECDH keys). ECDSA signatures by
   *  node:crypto are randomized anyway: byte-for-byte repeatable runs are guaranteed with PSK only. */
  random(n: number): Uint8Array;
  /** GET a URL for client_certificate_url (default: node:http). */
  fetch?(url: string): Promise<Buffer>;
  /** Called when state changed outside receive()/onTimer() (a fetch finished): the driver
   *  should look at nextTimerMs() again. */
  wake?(): void;
}

/** What a completed handshake negotiated (the 'handshake' event). */
export interface HandshakeInfo {
  peer: string;
  suite: number;
  ems: boolean;
  sni: string | null;
  mfl: number | null;
  serverCertType: "x509" | "rpk" | null;
  clientCertType: "x509" | "rpk" | null;
  /** Client chain (DER) or [SPKI] for a raw key; [] when the client sent an empty Certificate. */
  clientCertificates: Buffer[] | null;
  pskIdentity: string | null;
  cookieExchanged: boolean;
  cachedInfoUsed: boolean;
  /** Which reading of the cert hash matched (see RefServerOptions.cachedInfoHash). */
  cachedInfoForm: "certificate_list" | "certificates" | null;
  certUrlUsed: boolean;
  /** Index of the chain sent (in chains), null without X.509. */
  chainIndex: number | null;
  trustedCaMatched: boolean;
}

export interface AlertEvent { peer: string; level: number; description: number; sent: boolean; reason?: string }

interface Ext { type: number; data: Buffer }
interface ClientHello { random: Buffer; sessionId: Buffer; cookie: Buffer; suites: number[]; exts: Ext[]; cookieFree: Buffer }

class Fatal extends Error { constructor(readonly alert: number, message: string) { super(message); } }

/** A bounded reader over one message: every overrun is a decode_error (RFC 5246 s. 7.2.2). */
class Reader {
  p = 0;
  constructor(readonly b: Buffer, private end = b.length) {}
  private need(n: number) { if (this.p + n > this.end) throw new Fatal(ALERT.DECODE_ERROR, "message truncated"); }
  u8() { this.need(1); return this.b[this.p++]; }
  u16() { this.need(2); const v = this.b.readUInt16BE(this.p); this.p += 2; return v; }
  u24() { this.need(3); const v = this.b.readUIntBE(this.p, 3); this.p += 3; return v; }
  bytes(n: number) { this.need(n); const v = this.b.subarray(this.p, this.p + n); this.p += n; return v; }
  vec8() { return this.bytes(this.u8()); }
  vec16() { return this.bytes(this.u16()); }
  vec24() { return this.bytes(this.u24()); }
  left() { return this.end - this.p; }
  done() { if (this.p !== this.end) throw new Fatal(ALERT.DECODE_ERROR, "trailing bytes in a message"); }
}

const u8 = (n: number) => Buffer.from([n]);
const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const u24 = (n: number) => Buffer.from([n >> 16, (n >> 8) & 0xff, n & 0xff]);
const v8 = (b: Uint8Array) => Buffer.concat([u8(b.length), b]);
const v16 = (b: Uint8Array) => Buffer.concat([u16(b.length), b]);
const v24 = (b: Uint8Array) => Buffer.concat([u24(b.length), b]);
const ext = (type: number, data: Uint8Array) => Buffer.concat([u16(type), v16(data)]);
const epochSeq = (epoch: number, seq: number) => { const b = Buffer.alloc(8); b.writeUInt16BE(epoch, 0); b.writeUIntBE(seq, 2, 6); return b; };

function hsHeader(type: number, seq: number, total: number, offset: number, length: number): Buffer {
  const h = Buffer.alloc(12);
  h[0] = type; h.writeUIntBE(total, 1, 3); h.writeUInt16BE(seq, 4); h.writeUIntBE(offset, 6, 3); h.writeUIntBE(length, 9, 3);
  return h;
}

function parseExtensions(r: Reader): Ext[] {
  if (r.left() === 0) return [];
  const block = r.vec16();
  r.done();
  const e = new Reader(block);
  const out: Ext[] = [];
  while (e.left() > 0) {
    const type = e.u16();
    if (out.some((x) => x.type === type)) throw new Fatal(ALERT.ILLEGAL_PARAMETER, `extension ${type} twice`);
    out.push({ type, data: e.vec16() });
  }
  return out;
}

function parseClientHello(body: Buffer): ClientHello {
  const r = new Reader(body);
  const version = r.u16();
  if (version > 0xfefd) throw new Fatal(ALERT.PROTOCOL_VERSION, "client offers no DTLS 1.2"); // DTLS versions count down
  const random = r.bytes(32);
  const sessionId = r.vec8();
  const cookieStart = r.p;
  const cookie = r.vec8();
  const cookieEnd = r.p;
  const suiteBytes = r.vec16();
  const suites: number[] = [];
  for (let i = 0; i + 1 < suiteBytes.length; i += 2) suites.push(suiteBytes.readUInt16BE(i));
  const compression = r.vec8();
  if (!compression.includes(0)) throw new Fatal(ALERT.ILLEGAL_PARAMETER, "no null compression");
  const exts = parseExtensions(r);
  const cookieFree = Buffer.concat([body.subarray(0, cookieStart), body.subarray(cookieEnd)]);
  return { random, sessionId, cookie, suites, exts, cookieFree };
}

const keyOf = (k: string | Buffer | KeyObject): KeyObject => (k instanceof KeyObject ? k : createPrivateKey(k));
const spkiOf = (k: KeyObject): Buffer => (k.type === "private" ? createPublicKey(k) : k).export({ type: "spki", format: "der" }) as Buffer;
const isP256 = (k: KeyObject) => k.asymmetricKeyType === "ec" && k.asymmetricKeyDetails?.namedCurve === "prime256v1";

/** A flight item: rebuilt into fresh records on every (re)transmission (RFC 6347 s. 4.2.4). */
type FlightItem = { kind: "hs"; type: number; seq: number; body: Buffer; epoch: number } | { kind: "ccs" };

interface Fragments { type: number; length: number; buf: Buffer; have: Uint8Array; missing: number }

/** One client's association. */
class Connection {
  // Record layer.
  readEpoch = 0;
  writeEpoch = 0;
  writeSeq = [0, 0];
  readKey: CcmKey | null = null;
  writeKey: CcmKey | null = null;
  pendingRead: CcmKey | null = null;
  pendingWrite: CcmKey | null = null;
  replayMax = -1;
  replayMask = 0n;
  early: Array<{ type: number; epoch: number; seq: number; payload: Buffer }> = [];
  // Handshake.
  sendMsgSeq = 0;
  recvMsgSeq = 0;
  frags = new Map<number, Fragments>();
  transcript: Buffer[] = [];
  flight: FlightItem[] = [];
  flightName = "";
  timerAt: number | null = null;
  rto: number;
  retransmissions = 0;
  blocked = false;
  ccsPending = false;
  expect: number[] = [];
  done = false;
  closed = false;
  clientRandom: Buffer = Buffer.alloc(0);
  serverRandom: Buffer = Buffer.alloc(0);
  masterSecret: Buffer | null = null;
  ecdh: ReturnType<typeof createECDH> | null = null;
  chain: ServerChain | null = null;
  signKey: KeyObject | null = null;
  clientKey: KeyObject | null = null;
  plainMax = 16384;
  info: HandshakeInfo;
  constructor(readonly peer: string, rto: number) {
    this.rto = rto;
    this.info = { peer, suite: 0, ems: false, sni: null, mfl: null, serverCertType: null, clientCertType: null,
      clientCertificates: null, pskIdentity: null, cookieExchanged: false, cachedInfoUsed: false, cachedInfoForm: null, certUrlUsed: false,
      chainIndex: null, trustedCaMatched: false };
  }
}

export declare interface RefServer {
  on(event: "handshake", l: (info: HandshakeInfo) => void): this;
  on(event: "data", l: (peer: string, data: Buffer) => void): this;
  on(event: "alert", l: (a: AlertEvent) => void): this;
  on(event: "close", l: (peer: string) => void): this;
}

export class RefServer extends EventEmitter {
  private conns = new Map<string, Connection>();
  private cookieSecret: Buffer;
  private chains: Array<ServerChain & { keyObj: KeyObject; certBody: Buffer; rootDer: Buffer }>;
  private rawKey: KeyObject | null;
  /** Every event in order, for tests that look after the fact. */
  readonly log: Array<{ event: string; peer: string; detail: unknown }> = [];
  /** Datagrams sent and received, counted. */
  readonly stats = { datagramsIn: 0, datagramsOut: 0, bytesOut: 0, retransmissions: 0, handshakes: 0, hvr: 0 };

  constructor(readonly opts: RefServerOptions, private io: RefServerIo) {
    super();
    this.cookieSecret = Buffer.from(io.random(32));
    this.chains = (opts.chains ?? []).map((c) => {
      const keyObj = keyOf(c.key);
      if (!isP256(keyObj)) throw new Error("a chain's key is not a P-256 key");
      return { ...c, keyObj, certBody: v24(Buffer.concat(c.chain.map(v24))), rootDer: c.root ?? c.chain[c.chain.length - 1] };
    });
    this.rawKey = opts.rawKey ? keyOf(opts.rawKey) : this.chains[0]?.keyObj ?? null;
    if (this.rawKey && !isP256(this.rawKey)) throw new Error("rawKey is not a P-256 key");
  }

  /** The peers with state. */
  peers(): string[] { return [...this.conns.keys()]; }
  /** What the peer's handshake negotiated so far. */
  peerInfo(peer: string): HandshakeInfo | null { return this.conns.get(peer)?.info ?? null; }
  isConnected(peer: string): boolean { return this.conns.get(peer)?.done === true; }

  nextTimerMs(): number | null {
    let next: number | null = null;
    for (const c of this.conns.values()) if (c.timerAt !== null && (next === null || c.timerAt < next)) next = c.timerAt;
    return next;
  }

  /** RFC 6347 s. 4.2.4: a flight not answered in time is sent again, the timer doubled. */
  onTimer(): void {
    const now = this.io.now();
    for (const c of [...this.conns.values()]) {
      if (c.timerAt === null || c.timerAt > now) continue;
      if (c.retransmissions >= (this.opts.maxRetransmissions ?? 6)) {
        this.drop(c, "retransmissions exhausted");
        continue;
      }
      c.retransmissions++;
      c.rto = Math.min(c.rto * 2, this.opts.rtoMaxMs ?? 60000);
      this.transmitFlight(c, true);
      c.timerAt = now + c.rto;
    }
  }

  /** Application data to a connected peer, in records of at most its plaintext limit. */
  write(peer: string, data: Uint8Array): void {
    const c = this.conns.get(peer);
    if (!c?.done) throw new Error(`no connection with ${peer}`);
    const room = Math.min(c.plainMax, (this.opts.mtu ?? 1400) - 13 - 16);
    const records: Buffer[] = [];
    let p = 0;
    do {
      records.push(this.record(c, CT.APPLICATION_DATA, c.writeEpoch, Buffer.from(data.subarray(p, p + room))));
      p += room;
    } while (p < data.length);
    this.output(c.peer, this.pack(c, records), "data", false);
  }

  /** close_notify to the peer, and its state forgotten. */
  close(peer: string): void {
    const c = this.conns.get(peer);
    if (!c) return;
    this.sendAlert(c, 1, ALERT.CLOSE_NOTIFY);
    this.forget(c);
  }

  receive(datagram: Uint8Array, peer: string): void {
    let d: Buffer | null = Buffer.from(datagram);
    this.stats.datagramsIn++;
    if (this.opts.hooks?.incoming) d = this.opts.hooks.incoming(d, peer);
    if (!d) return;
    let retransmitted = false;
    for (let p = 0; p + 13 <= d.length;) {
      const type = d[p], version = d.readUInt16BE(p + 1), epoch = d.readUInt16BE(p + 3), seq = d.readUIntBE(p + 5, 6);
      const len = d.readUInt16BE(p + 11);
      if (p + 13 + len > d.length) break; // RFC 6347 s. 4.1.2.7: a bad record is dropped (here the rest too)
      const payload = d.subarray(p + 13, p + 13 + len);
      p += 13 + len;
      if ((version >> 8) !== 0xfe) continue;
      try {
        if (type === CT.HANDSHAKE && epoch === 0 && payload[0] === HT.CLIENT_HELLO) {
          this.clientHello(payload, seq, peer);
          continue;
        }
        const c = this.conns.get(peer);
        if (!c || c.closed) continue;
        this.conns.delete(peer); this.conns.set(peer, c); // most recently active last (eviction order)
        const r = this.recordIn(c, type, epoch, seq, payload, retransmitted);
        retransmitted ||= r;
      } catch (e) {
        const c = this.conns.get(peer);
        if (c && e instanceof Fatal) this.fail(c, e.alert, e.message);
        else if (!(e instanceof Fatal)) throw e;
        return;
      }
    }
  }

  // ---------------------------------------------------------------- ClientHello

  private clientHello(payload: Buffer, recordSeq: number, peer: string): void {
    if (payload.length < 12) return;
    const total = payload.readUIntBE(1, 3), msgSeq = payload.readUInt16BE(4), offset = payload.readUIntBE(6, 3), fragLen = payload.readUIntBE(9, 3);
    // A fragmented ClientHello is not reassembled (statelessness before the cookie, RFC 6347 s. 4.2.1).
    if (offset !== 0 || fragLen !== total || payload.length < 12 + total) return;
    const body = payload.subarray(12, 12 + total);
    let ch: ClientHello;
    try { ch = parseClientHello(body); } catch { return; }
    const existing = this.conns.get(peer);
    if (existing && existing.clientRandom.equals(ch.random)) {
      // The same ClientHello again: our flight was lost (RFC 6347 s. 4.2.4).
      if (!existing.done) this.transmitFlight(existing, true);
      return;
    }
    const hvr = this.opts.hvr !== false;
    if (hvr) {
      // RFC 6347 s. 4.2.1: Cookie = HMAC(Secret, Client-IP, Client-Parameters), no state kept.
      const cookie = hmac256(this.cookieSecret, Buffer.from(peer), ch.cookieFree).subarray(0, 16);
      if (ch.cookie.length !== cookie.length || !timingSafeEqual(ch.cookie, cookie)) {
        const hv = Buffer.concat([u16(0xfefd), v8(cookie)]);
        // The HelloVerifyRequest reuses the ClientHello's record sequence number (s. 4.2.1).
        const rec = this.rawRecord(CT.HANDSHAKE, 0, recordSeq, Buffer.concat([hsHeader(HT.HELLO_VERIFY_REQUEST, msgSeq, hv.length, 0, hv.length), hv]));
        this.stats.hvr++;
        this.output(peer, [rec], "HelloVerifyRequest", false);
        return;
      }
    }
    // RFC 6347 s. 4.2.8: a new handshake from a known address (a client that lost its state),
    // once the cookie proves the address, replaces the old association.
    if (existing) this.forget(existing);
    if (this.conns.size >= (this.opts.maxPeers ?? 64)) {
      // Bounded state: the least recently active peer makes room (its cookie proved this one).
      const [oldest] = this.conns.values();
      this.drop(oldest, "evicted: too many peers");
    }
    const c = new Connection(peer, this.opts.rtoMs ?? 1000);
    this.conns.set(peer, c);
    c.info.cookieExchanged = hvr;
    c.writeSeq[0] = recordSeq;  // above the HelloVerifyRequest's
    c.recvMsgSeq = msgSeq + 1;
    c.sendMsgSeq = msgSeq;      // RFC 6347 s. 4.2.2: our message_seq follows the client's
    c.clientRandom = Buffer.from(ch.random);
    c.transcript.push(hsHeader(HT.CLIENT_HELLO, msgSeq, total, 0, total), Buffer.from(body));
    try {
      this.serverFlight(c, ch);
    } catch (e) {
      if (e instanceof Fatal) this.fail(c, e.alert, e.message); else throw e;
    }
  }

  private pickSuite(c: Connection, ch: ClientHello): number {
    const exts = new Map(ch.exts.map((e) => [e.type, e.data]));
    const ecdheOk = (): boolean => {
      if (!this.chains.length && !this.rawKey) return false;
      const groups = exts.get(EXT.SUPPORTED_GROUPS);
      if (groups && !new Reader(groups).vec16().toString("hex").match(/^(....)*0017/)) return false;
      const formats = exts.get(EXT.EC_POINT_FORMATS);
      if (formats && !new Reader(formats).vec8().includes(0)) return false;
      const algs = exts.get(EXT.SIGNATURE_ALGORITHMS);
      if (algs && !new Reader(algs).vec16().toString("hex").match(/^(....)*0403/)) return false;
      return true;
    };
    const order = this.opts.suites ?? [TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, TLS_PSK_WITH_AES_128_CCM_8];
    for (const s of order) {
      if (!ch.suites.includes(s)) continue;
      if (s === TLS_PSK_WITH_AES_128_CCM_8 && this.opts.psk) return s;
      if (s === TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 && ecdheOk()) return s;
    }
    throw new Fatal(ALERT.HANDSHAKE_FAILURE, "no cipher suite in common");
  }

  /** Which configured chain to send: the one whose root matches a TrustedAuthority. */
  private pickChain(c: Connection, data: Buffer | undefined): number {
    if (!data || !this.opts.trustedCaKeys) return 0;
    const r = new Reader(new Reader(data).vec16());
    while (r.left() > 0) {
      const type = r.u8();
      let match: (ch: (typeof this.chains)[number]) => boolean;
      if (type === 0) match = (ch) => ch.preAgreed ?? ch === this.chains[0];
      else if (type === 1) { const h = r.bytes(20); match = (ch) => sha1(spkiKeyBits(certSpki(ch.rootDer))).equals(h); }
      else if (type === 2) { const n = r.vec16(); match = (ch) => certSubject(ch.rootDer).equals(n); }
      else if (type === 3) { const h = r.bytes(20); match = (ch) => sha1(ch.rootDer).equals(h); }
      else throw new Fatal(ALERT.ILLEGAL_PARAMETER, `TrustedAuthority type ${type}`);
      const i = this.chains.findIndex(match);
      if (i >= 0) { c.info.trustedCaMatched = true; return i; }
    }
    return 0;
  }

  /** Flight 4: ServerHello .. ServerHelloDone. */
  private serverFlight(c: Connection, ch: ClientHello): void {
    const o = this.opts;
    const exts = new Map(ch.exts.map((e) => [e.type, e.data]));
    const suite = this.pickSuite(c, ch);
    c.info.suite = suite;
    const ecdhe = suite === TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8;
    const reply: Buffer[] = [];
    // RFC 5746 s. 3.6: the SCSV or an empty renegotiation_info gets an empty one back.
    const reneg = exts.get(EXT.RENEGOTIATION_INFO);
    if (reneg && !(reneg.length === 1 && reneg[0] === 0)) throw new Fatal(ALERT.HANDSHAKE_FAILURE, "renegotiation_info not empty");
    if (reneg || ch.suites.includes(0x00ff)) reply.push(ext(EXT.RENEGOTIATION_INFO, u8(0)));
    // RFC 7627 s. 5.1.
    if (exts.has(EXT.EXTENDED_MASTER_SECRET)) { c.info.ems = true; reply.push(ext(EXT.EXTENDED_MASTER_SECRET, Buffer.alloc(0))); }
    else if (o.requireEms) throw new Fatal(ALERT.HANDSHAKE_FAILURE, "no extended_master_secret");
    // RFC 6066 s. 3: the name is accepted (recorded) and acknowledged with an empty extension.
    const sni = exts.get(EXT.SERVER_NAME);
    if (sni) {
      const list = new Reader(new Reader(sni).vec16());
      while (list.left() > 0) { const t = list.u8(); const n = list.vec16(); if (t === 0) c.info.sni = n.toString("latin1"); }
      reply.push(ext(EXT.SERVER_NAME, Buffer.alloc(0)));
    }
    // RFC 6066 s. 4: max_fragment_length echoed; records and fragments kept within it.
    const mfl = exts.get(EXT.MAX_FRAGMENT_LENGTH);
    if (mfl && o.mfl !== false) {
      if (mfl.length !== 1 || !MFL_SIZES[mfl[0]]) throw new Fatal(ALERT.ILLEGAL_PARAMETER, "bad max_fragment_length");
      c.info.mfl = MFL_SIZES[mfl[0]];
      c.plainMax = c.info.mfl;
      reply.push(ext(EXT.MAX_FRAGMENT_LENGTH, mfl));
    }
    let chainIndex = -1, certType = -1, clientType = -1;
    if (ecdhe) {
      if (exts.has(EXT.EC_POINT_FORMATS)) reply.push(ext(EXT.EC_POINT_FORMATS, v8(u8(0)))); // RFC 4492 s. 5.2
      // RFC 7250 s. 4.2: the certificate type the client accepts from us.
      const offered = exts.get(EXT.SERVER_CERTIFICATE_TYPE);
      const types = offered ? [...new Reader(offered).vec8()] : [CERT_TYPE_X509];
      const rpkOk = this.rawKey !== null && (o.rpk ?? (o.rawKey !== undefined || !this.chains.length));
      if (rpkOk && types.includes(CERT_TYPE_RPK)) certType = CERT_TYPE_RPK;
      else if (this.chains.length && types.includes(CERT_TYPE_X509)) certType = CERT_TYPE_X509;
      else throw new Fatal(ALERT.UNSUPPORTED_CERTIFICATE, "no server certificate type in common");
      if (offered) reply.push(ext(EXT.SERVER_CERTIFICATE_TYPE, u8(certType)));
      c.info.serverCertType = certType === CERT_TYPE_RPK ? "rpk" : "x509";
      if (certType === CERT_TYPE_X509) {
        chainIndex = this.pickChain(c, exts.get(EXT.TRUSTED_CA_KEYS));
        if (c.info.trustedCaMatched) reply.push(ext(EXT.TRUSTED_CA_KEYS, Buffer.alloc(0))); // RFC 6066 s. 6
        c.info.chainIndex = chainIndex;
        c.signKey = this.chains[chainIndex].keyObj;
      } else {
        c.signKey = this.rawKey;
      }
      if ((o.clientAuth ?? "none") !== "none") {
        const offeredClient = exts.get(EXT.CLIENT_CERTIFICATE_TYPE);
        const ctypes = offeredClient ? [...new Reader(offeredClient).vec8()] : [CERT_TYPE_X509];
        clientType = ctypes.find((t) => (t === CERT_TYPE_RPK && o.clientKeys !== undefined) || (t === CERT_TYPE_X509 && !!o.clientCa?.length)) ?? -1;
        if (clientType < 0 && o.clientAuth === "require") throw new Fatal(ALERT.UNSUPPORTED_CERTIFICATE, "no client certificate type in common");
        if (clientType >= 0 && offeredClient) reply.push(ext(EXT.CLIENT_CERTIFICATE_TYPE, u8(clientType)));
        if (clientType >= 0) c.info.clientCertType = clientType === CERT_TYPE_RPK ? "rpk" : "x509";
      }
    }
    // RFC 7924 s. 4: a cert CachedObject whose hash is our chain's is answered with the type.
    let cached: Buffer | null = null;
    const ci = exts.get(EXT.CACHED_INFO);
    if (ci && o.cachedInfo && certType === CERT_TYPE_X509) {
      const r = new Reader(new Reader(ci).vec16());
      const body = this.chains[chainIndex].certBody;
      const form = o.cachedInfoHash ?? "certificate_list";
      const forms: Array<["certificate_list" | "certificates", Buffer]> = [];
      if (form !== "certificates") forms.push(["certificate_list", sha256(body)]);
      if (form !== "certificate_list") forms.push(["certificates", sha256(body.subarray(3))]);
      while (r.left() > 0 && !cached) {
        const t = r.u8(), h = r.vec8();
        const hit = t === 1 ? forms.find(([, want]) => h.equals(want)) : undefined;
        if (hit) { cached = Buffer.from(h); c.info.cachedInfoForm = hit[0]; }
      }
      if (cached) { reply.push(ext(EXT.CACHED_INFO, v16(u8(1)))); c.info.cachedInfoUsed = true; }
    }
    // RFC 6066 s. 5: client_certificate_url acknowledged (empty) when we may ask for a certificate.
    const certUrl = exts.has(EXT.CLIENT_CERTIFICATE_URL) && !!o.certUrl && clientType === CERT_TYPE_X509;
    if (certUrl) reply.push(ext(EXT.CLIENT_CERTIFICATE_URL, Buffer.alloc(0)));

    c.serverRandom = Buffer.from(this.io.random(32));
    const sh = Buffer.concat([u16(0xfefd), c.serverRandom, v8(Buffer.alloc(0)), u16(suite), u8(0),
      ...(reply.length ? [v16(Buffer.concat(reply))] : [])]);
    const msgs: Array<[number, Buffer]> = [[HT.SERVER_HELLO, sh]];
    if (ecdhe) {
      if (certType === CERT_TYPE_RPK) {
        msgs.push([HT.CERTIFICATE, v24(spkiOf(this.rawKey!))]); // RFC 7250 s. 3
      } else if (cached) {
        msgs.push([HT.CERTIFICATE, v8(cached)]); // RFC 7924 s. 4.1: the hash the client sent
      } else {
        msgs.push([HT.CERTIFICATE, this.chains[chainIndex].certBody]);
      }
      c.ecdh = createECDH("prime256v1");
      for (;;) { try { c.ecdh.setPrivateKey(Buffer.from(this.io.random(32))); break; } catch { /* scalar out of range: draw again */ } }
      const params = Buffer.concat([u8(3), u16(23), v8(c.ecdh.getPublicKey())]); // named_curve secp256r1 (RFC 4492 s. 5.4)
      const sig = sign("sha256", Buffer.concat([c.clientRandom, c.serverRandom, params]), c.signKey!);
      msgs.push([HT.SERVER_KEY_EXCHANGE, Buffer.concat([params, u8(4), u8(3), v16(sig)])]);
      if (clientType >= 0) {
        // RFC 5246 s. 7.4.4: ecdsa_sign, ecdsa_secp256r1_sha256, our client CAs' names.
        const names = Buffer.concat((clientType === CERT_TYPE_X509 ? o.clientCa ?? [] : []).map((ca) => v16(certSubject(ca))));
        msgs.push([HT.CERTIFICATE_REQUEST, Buffer.concat([v8(u8(64)), v16(Buffer.from([4, 3])), v16(names)])]);
        c.expect.push(certUrl ? -HT.CERTIFICATE : HT.CERTIFICATE);
      }
    } else if (o.pskHint) {
      msgs.push([HT.SERVER_KEY_EXCHANGE, v16(o.pskHint)]); // RFC 4279 s. 2
    }
    msgs.push([HT.SERVER_HELLO_DONE, Buffer.alloc(0)]);
    c.expect.push(HT.CLIENT_KEY_EXCHANGE);
    this.sendFlight(c, msgs, "flight 4", true);
  }

  // ---------------------------------------------------------------- flights and records

  private sendFlight(c: Connection, msgs: Array<[number, Buffer] | "ccs">, name: string, timer: boolean): void {
    c.flight = [];
    for (const m of msgs) {
      if (m === "ccs") { c.flight.push({ kind: "ccs" }); continue; }
      const [type, original] = m;
      const body = this.opts.hooks?.message ? this.opts.hooks.message(type, original, c.peer) : original;
      if (body === null) continue;
      const b = body ?? original;
      const seq = c.sendMsgSeq++;
      const epoch = c.flight.some((f) => f.kind === "ccs") ? 1 : 0;
      c.flight.push({ kind: "hs", type, seq, body: b, epoch });
      c.transcript.push(hsHeader(type, seq, b.length, 0, b.length), b);
    }
    c.flightName = name;
    c.retransmissions = 0;
    c.rto = this.opts.rtoMs ?? 1000;
    c.timerAt = timer ? this.io.now() + c.rto : null;
    this.transmitFlight(c, false);
  }

  /** The flight as records, fragmented to the MTU and to max_fragment_length (RFC 6347 s. 4.2.3). */
  private transmitFlight(c: Connection, retransmission: boolean): void {
    if (retransmission) this.stats.retransmissions++;
    const mtu = this.opts.mtu ?? 1400;
    const records: Buffer[] = [];
    let epoch = 0;
    for (const f of c.flight) {
      if (f.kind === "ccs") {
        records.push(this.record(c, CT.CCS, 0, u8(1)));
        epoch = 1;
        continue;
      }
      const overhead = 13 + 12 + (epoch ? 16 : 0);
      const room = Math.max(1, Math.min(mtu - overhead, c.plainMax - 12));
      for (let off = 0; off < f.body.length || off === 0; off += room) {
        const n = Math.min(room, f.body.length - off);
        records.push(this.record(c, CT.HANDSHAKE, epoch, Buffer.concat([hsHeader(f.type, f.seq, f.body.length, off, n), f.body.subarray(off, off + n)])));
        if (off + n >= f.body.length) break;
      }
    }
    this.output(c.peer, this.pack(c, records), c.flightName, retransmission);
  }

  /** Records into datagrams of at most the MTU. */
  private pack(c: Connection, records: Buffer[]): Buffer[] {
    const mtu = this.opts.mtu ?? 1400;
    const out: Buffer[] = [];
    let cur: Buffer[] = [], size = 0;
    for (const r of records) {
      if (size && size + r.length > mtu) { out.push(Buffer.concat(cur)); cur = []; size = 0; }
      cur.push(r); size += r.length;
    }
    if (cur.length) out.push(Buffer.concat(cur));
    return out;
  }

  private rawRecord(type: number, epoch: number, seq: number, payload: Buffer): Buffer {
    const h = Buffer.alloc(13);
    h[0] = type; h.writeUInt16BE(0xfefd, 1); h.writeUInt16BE(epoch, 3); h.writeUIntBE(seq, 5, 6); h.writeUInt16BE(payload.length, 11);
    return Buffer.concat([h, payload]);
  }

  /** One record at the epoch, with its next sequence number, protected from epoch 1 on. */
  private record(c: Connection, type: number, epoch: number, plaintext: Buffer): Buffer {
    const seq = c.writeSeq[epoch]++;
    if (epoch === 0) return this.rawRecord(type, 0, seq, plaintext);
    return this.rawRecord(type, epoch, seq, ccmSeal(c.writeKey!, epochSeq(epoch, seq), type, plaintext));
  }

  private output(peer: string, datagrams: Buffer[], what: string, retransmission: boolean): void {
    const out = this.opts.hooks?.flight ? this.opts.hooks.flight(datagrams, peer, { what, retransmission }) : datagrams;
    for (const d of out) {
      this.stats.datagramsOut++;
      this.stats.bytesOut += d.length;
      this.io.send(d, peer);
    }
  }

  private sendAlert(c: Connection, level: number, description: number): void {
    this.output(c.peer, [this.record(c, CT.ALERT, c.writeEpoch, Buffer.from([level, description]))], "alert", false);
  }

  private event(name: string, peer: string, detail: unknown): void {
    this.log.push({ event: name, peer, detail });
    this.emit(name, ...(name === "data" ? [peer, detail] : name === "close" ? [peer] : [detail]));
  }

  private fail(c: Connection, alert: number, reason: string): void {
    if (c.closed) return;
    this.sendAlert(c, 2, alert);
    this.event("alert", c.peer, { peer: c.peer, level: 2, description: alert, sent: true, reason } satisfies AlertEvent);
    this.forget(c);
  }

  private drop(c: Connection, reason: string): void {
    this.log.push({ event: "drop", peer: c.peer, detail: reason });
    this.forget(c);
  }

  private forget(c: Connection): void {
    c.closed = true;
    c.timerAt = null;
    if (this.conns.get(c.peer) === c) this.conns.delete(c.peer);
    this.event("close", c.peer, null);
  }

  /** One record of a known peer. Returns true when it made us retransmit our last flight. */
  private recordIn(c: Connection, type: number, epoch: number, seq: number, payload: Buffer, alreadyRetransmitted: boolean): boolean {
    if (epoch === c.readEpoch + 1 && c.readEpoch === 0) {
      if (c.early.length < 16) c.early.push({ type, epoch, seq, payload }); // before the client's CCS reached us
      return false;
    }
    if (epoch !== c.readEpoch) {
      // Epoch-0 handshake after our epoch changed: the client repeats flight 5 (RFC 6347 s. 4.2.4).
      if (epoch === 0 && c.done && (type === CT.HANDSHAKE || type === CT.CCS) && !alreadyRetransmitted) { this.transmitFlight(c, true); return true; }
      return false;
    }
    let plain = payload;
    if (epoch > 0) {
      // RFC 6347 s. 4.1.2.6: the replay window, updated only for records that authenticate.
      if (seq <= c.replayMax - 64 || (seq <= c.replayMax && (c.replayMask >> BigInt(c.replayMax - seq)) & 1n)) return false;
      const p = ccmOpen(c.readKey!, epochSeq(epoch, seq), type, payload);
      if (!p) return false; // s. 4.1.2.7: invalid records are dropped silently
      if (seq > c.replayMax) { c.replayMask = seq - c.replayMax >= 64 ? 1n : ((c.replayMask << BigInt(seq - c.replayMax)) | 1n) & ((1n << 64n) - 1n); c.replayMax = seq; }
      else c.replayMask |= 1n << BigInt(c.replayMax - seq);
      plain = p;
    }
    switch (type) {
      case CT.HANDSHAKE: return this.handshakeIn(c, plain, alreadyRetransmitted);
      case CT.CCS:
        if (plain.length !== 1 || plain[0] !== 1) throw new Fatal(ALERT.DECODE_ERROR, "bad ChangeCipherSpec");
        if (c.done) return false;
        c.ccsPending = true;
        this.advance(c);
        return false;
      case CT.ALERT: {
        if (plain.length < 2) return false;
        this.event("alert", c.peer, { peer: c.peer, level: plain[0], description: plain[1], sent: false } satisfies AlertEvent);
        if (plain[1] === ALERT.CLOSE_NOTIFY) { if (c.done) this.sendAlert(c, 1, ALERT.CLOSE_NOTIFY); this.forget(c); }
        else if (plain[0] === 2) this.forget(c);
        return false;
      }
      case CT.APPLICATION_DATA:
        if (!c.done || epoch === 0) return false;
        this.event("data", c.peer, Buffer.from(plain));
        if (this.opts.echo !== false && !c.closed) this.write(c.peer, plain);
        return false;
      default: return false;
    }
  }

  private handshakeIn(c: Connection, payload: Buffer, alreadyRetransmitted: boolean): boolean {
    let retransmit = false;
    for (let p = 0; p + 12 <= payload.length;) {
      const type = payload[p], length = payload.readUIntBE(p + 1, 3), seq = payload.readUInt16BE(p + 4);
      const offset = payload.readUIntBE(p + 6, 3), fragLen = payload.readUIntBE(p + 9, 3);
      if (p + 12 + fragLen > payload.length || offset + fragLen > length || length > 65536) throw new Fatal(ALERT.DECODE_ERROR, "bad handshake fragment");
      const data = payload.subarray(p + 12, p + 12 + fragLen);
      p += 12 + fragLen;
      if (seq < c.recvMsgSeq) {
        // Part of a flight we already have: the client did not get our answer (RFC 6347 s. 4.2.4).
        if (c.done && type === HT.CLIENT_HELLO) throw new Fatal(ALERT.NO_RENEGOTIATION, "renegotiation");
        if (c.done && !alreadyRetransmitted && !retransmit) { this.transmitFlight(c, true); retransmit = true; }
        continue;
      }
      if (c.done && type === HT.CLIENT_HELLO) {
        // RFC 5746 s. 4: we do not renegotiate; a warning, the connection stays.
        this.sendAlert(c, 1, ALERT.NO_RENEGOTIATION);
        continue;
      }
      if (seq > c.recvMsgSeq + 8) continue;
      let f = c.frags.get(seq);
      if (!f) { f = { type, length, buf: Buffer.alloc(length), have: new Uint8Array(length), missing: length }; c.frags.set(seq, f); }
      if (f.type !== type || f.length !== length) throw new Fatal(ALERT.ILLEGAL_PARAMETER, "fragments disagree");
      data.copy(f.buf, offset);
      for (let i = offset; i < offset + fragLen; i++) if (!f.have[i]) { f.have[i] = 1; f.missing--; }
      // The peer's next flight is arriving: the timer restarts (not counted as a retransmission),
      // so a flight left half-delivered still ends in a retransmission (RFC 6347 s. 4.2.4).
      if (c.timerAt !== null) c.timerAt = this.io.now() + c.rto;
    }
    this.advance(c);
    return retransmit;
  }

  /** Processes complete messages in order, and the CCS when its turn comes. */
  private advance(c: Connection): void {
    try {
      while (!c.blocked && !c.closed) {
        const f = c.frags.get(c.recvMsgSeq);
        if (c.expect.length === 0 && c.readEpoch === 0 && c.ccsPending && c.pendingRead) {
          // The client's ChangeCipherSpec, in order: its records are now read with the new keys.
          c.readEpoch = 1; c.readKey = c.pendingRead; c.ccsPending = false;
          c.expect.push(HT.FINISHED);
          const early = c.early; c.early = [];
          for (const r of early) this.recordIn(c, r.type, r.epoch, r.seq, r.payload, true);
          continue;
        }
        if (!f || f.missing > 0) return;
        c.frags.delete(c.recvMsgSeq);
        const seq = c.recvMsgSeq++;
        const header = hsHeader(f.type, seq, f.length, 0, f.length);
        this.message(c, f.type, f.buf, header);
      }
    } catch (e) {
      if (e instanceof Fatal) this.fail(c, e.alert, e.message); else throw e;
    }
  }

  private message(c: Connection, type: number, body: Buffer, header: Buffer): void {
    const want = c.expect.shift();
    if (want === undefined || (type !== want && !(want === -HT.CERTIFICATE && (type === HT.CERTIFICATE || type === HT.CERTIFICATE_URL)))) {
      throw new Fatal(ALERT.UNEXPECTED_MESSAGE, `unexpected handshake message ${type}`);
    }
    const before = Buffer.concat(c.transcript);
    if (type !== HT.FINISHED) c.transcript.push(header, body);
    switch (type) {
      case HT.CERTIFICATE: return this.clientCertificate(c, body);
      case HT.CERTIFICATE_URL: return this.certificateUrl(c, body);
      case HT.CLIENT_KEY_EXCHANGE: return this.clientKeyExchange(c, body);
      case HT.CERTIFICATE_VERIFY: {
        // RFC 5246 s. 7.4.8: the signature covers every message before this one.
        const r = new Reader(body);
        const hash = r.u8(), alg = r.u8(), sig = r.vec16();
        r.done();
        if (hash !== 4 || alg !== 3) throw new Fatal(ALERT.ILLEGAL_PARAMETER, "CertificateVerify not ecdsa_secp256r1_sha256");
        if (!verify("sha256", before, c.clientKey!, sig)) throw new Fatal(ALERT.DECRYPT_ERROR, "CertificateVerify does not verify");
        return;
      }
      case HT.FINISHED: return this.finished(c, body, before, header);
    }
  }

  private clientCertificate(c: Connection, body: Buffer): void {
    const r = new Reader(body);
    let certs: Buffer[] = [];
    if (c.info.clientCertType === "rpk") {
      const spki = r.vec24();
      r.done();
      if (spki.length) certs = [Buffer.from(spki)];
    } else {
      const list = new Reader(r.vec24());
      r.done();
      while (list.left() > 0) certs.push(Buffer.from(list.vec24()));
    }
    this.acceptClientChain(c, certs);
  }

  private acceptClientChain(c: Connection, certs: Buffer[]): void {
    c.info.clientCertificates = certs;
    if (!certs.length) {
      // RFC 5246 s. 7.4.6: an empty list; fatal only when we require one.
      if (this.opts.clientAuth === "require") throw new Fatal(ALERT.HANDSHAKE_FAILURE, "client sent no certificate");
      return;
    }
    if (c.info.clientCertType === "rpk") {
      let key: KeyObject;
      try { key = createPublicKey({ key: certs[0], format: "der", type: "spki" }); } catch { throw new Fatal(ALERT.BAD_CERTIFICATE, "client raw key does not parse"); }
      if (!isP256(key)) throw new Fatal(ALERT.UNSUPPORTED_CERTIFICATE, "client raw key is not P-256");
      const pins = this.opts.clientKeys;
      if (pins !== "any" && !(pins ?? []).some((p) => p.equals(certs[0]) || p.equals(sha256(certs[0])))) throw new Fatal(ALERT.CERTIFICATE_UNKNOWN, "client raw key not pinned");
      c.clientKey = key;
    } else {
      c.clientKey = this.verifyClientChain(certs);
    }
    c.expect.splice(1, 0, HT.CERTIFICATE_VERIFY); // after the ClientKeyExchange
  }

  /** The client's X.509 chain against clientCa (node:crypto X509Certificate); its leaf key. */
  private verifyClientChain(certs: Buffer[]): KeyObject {
    let xs: X509Certificate[];
    try { xs = certs.map((d) => new X509Certificate(d)); } catch { throw new Fatal(ALERT.BAD_CERTIFICATE, "client certificate does not parse"); }
    const now = new Date(this.io.now() > 1e12 ? this.io.now() : Date.now());
    for (const x of xs) {
      if (new Date(x.validFrom) > now || new Date(x.validTo) < now) throw new Fatal(ALERT.CERTIFICATE_EXPIRED, `client certificate ${x.subject} out of its validity`);
    }
    for (let i = 0; i + 1 < xs.length; i++) {
      if (!xs[i].checkIssued(xs[i + 1]) || !xs[i].verify(xs[i + 1].publicKey)) throw new Fatal(ALERT.BAD_CERTIFICATE, `client certificate ${i} not signed by the next`);
    }
    const last = xs[xs.length - 1];
    const anchors = (this.opts.clientCa ?? []).map((d) => new X509Certificate(d));
    const ok = anchors.some((a) => a.raw.equals(last.raw) || (last.checkIssued(a) && last.verify(a.publicKey)));
    if (!ok) throw new Fatal(ALERT.UNKNOWN_CA, "client chain does not reach a configured CA");
    const key = xs[0].publicKey;
    if (!isP256(key)) throw new Fatal(ALERT.UNSUPPORTED_CERTIFICATE, "client key is not P-256");
    return key;
  }

  /** RFC 6066 s. 5: CertificateURL: fetch each URL, check its SHA-1, then as a Certificate. */
  private certificateUrl(c: Connection, body: Buffer): void {
    const r = new Reader(body);
    const chainType = r.u8();
    const list = new Reader(r.vec16());
    r.done();
    const entries: Array<{ url: string; hash: Buffer | null }> = [];
    while (list.left() > 0) {
      const url = list.vec16().toString("latin1");
      const padding = list.u8();
      if (padding !== 1) throw new Fatal(ALERT.DECODE_ERROR, "URLAndHash padding is not 0x01");
      entries.push({ url, hash: Buffer.from(list.bytes(20)) });
    }
    if (chainType > 1 || !entries.length || (chainType === 1 && entries.length !== 1)) throw new Fatal(ALERT.ILLEGAL_PARAMETER, "bad CertificateURL");
    c.info.certUrlUsed = true;
    c.blocked = true;
    const get = this.io.fetch ?? httpGet;
    Promise.all(entries.map((e) => get(e.url))).then((bodies) => {
      if (c.closed) return;
      c.blocked = false;
      try {
        bodies.forEach((b, i) => { if (!sha1(b).equals(entries[i].hash!)) throw new Fatal(ALERT.BAD_CERTIFICATE_HASH_VALUE, `hash of ${entries[i].url} differs`); });
        // individual_certs: one certificate per URL, end-entity first; pkipath: one SEQUENCE OF
        // Certificate, the end-entity last.
        const certs = chainType === 0 ? bodies : pkiPathCerts(bodies[0]).reverse();
        this.acceptClientChain(c, certs);
      } catch (e) {
        if (e instanceof Fatal) this.fail(c, e.alert, e.message);
        else this.fail(c, ALERT.BAD_CERTIFICATE, String(e));
        this.io.wake?.();
        return;
      }
      this.advance(c);
      this.io.wake?.();
    }, (err) => {
      if (c.closed) return;
      this.fail(c, ALERT.CERTIFICATE_UNOBTAINABLE, `fetch failed: ${err}`);
      this.io.wake?.();
    });
  }

  private clientKeyExchange(c: Connection, body: Buffer): void {
    const r = new Reader(body);
    let pms: Buffer;
    if (c.info.suite === TLS_PSK_WITH_AES_128_CCM_8) {
      const identity = Buffer.from(r.vec16());
      r.done();
      const table = this.opts.psk!;
      const key = typeof table === "function" ? table(identity) : table[identity.toString("latin1")] ?? null;
      if (!key) throw new Fatal(ALERT.UNKNOWN_PSK_IDENTITY, "unknown PSK identity"); // RFC 4279 s. 2
      c.info.pskIdentity = identity.toString("latin1");
      // RFC 4279 s. 2: uint16 N, N zero octets, uint16 N, the PSK.
      pms = Buffer.concat([u16(key.length), Buffer.alloc(key.length), v16(key)]);
    } else {
      const point = r.vec8();
      r.done();
      try { pms = c.ecdh!.computeSecret(point); } catch { throw new Fatal(ALERT.ILLEGAL_PARAMETER, "client ECDH point invalid"); }
    }
    // RFC 7627 s. 4: session_hash covers the handshake up to and including this message.
    c.masterSecret = c.info.ems
      ? prf(pms, "extended master secret", sha256(Buffer.concat(c.transcript)), 48)
      : prf(pms, "master secret", Buffer.concat([c.clientRandom, c.serverRandom]), 48);
    pms.fill(0);
    // RFC 5246 s. 6.3; AES-128-CCM-8: no MAC keys, 16-byte keys, 4-byte implicit IVs.
    const kb = prf(c.masterSecret, "key expansion", Buffer.concat([c.serverRandom, c.clientRandom]), 40);
    c.pendingRead = { key: kb.subarray(0, 16), salt: kb.subarray(32, 36) };
    c.pendingWrite = { key: kb.subarray(16, 32), salt: kb.subarray(36, 40) };
  }

  private finished(c: Connection, body: Buffer, before: Buffer, header: Buffer): void {
    const expected = prf(c.masterSecret!, "client finished", sha256(before), 12);
    if (body.length !== 12 || !timingSafeEqual(body, expected)) throw new Fatal(ALERT.DECRYPT_ERROR, "client Finished does not verify");
    c.transcript.push(header, body);
    const ours = prf(c.masterSecret!, "server finished", sha256(Buffer.concat(c.transcript)), 12);
    c.writeKey = c.pendingWrite;
    c.writeEpoch = 1;
    c.done = true;
    this.sendFlight(c, ["ccs", [HT.FINISHED, ours]], "flight 6", false);
    this.stats.handshakes++;
    this.event("handshake", c.peer, { ...c.info });
  }
}

/** GET over http (the test's local server), the whole body. */
export function httpGet(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (d: Buffer) => parts.push(d));
      res.on("end", () => (res.statusCode === 200 ? resolve(Buffer.concat(parts)) : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on("error", reject);
    });
    req.setTimeout(5000, () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}
