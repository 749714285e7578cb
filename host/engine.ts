// One DTLS client instance: the wasm module plus its configuration, driven by calls.
// Transport-free: the UDP client, the tests' emulated links and the QEMU bridge all
// reuse it.
import * as codes from "./codes";
import { loadModule, DtlsExports } from "./module";
import { HalOptions } from "./hal";
import { Accelerator } from "./accel";
import { describeAlert, describeReason, reasonName, stateName, CIPHER_NAMES } from "./names";
import { SUMMARY_COUNTERS, MSG } from "./messages";
import { KEYLOG_MASTER_LEN, KEYLOG_RANDOM_LEN } from "./keylog";
import { ChainObserver } from "./certs";
import { createHash } from "node:crypto";

export interface EngineOptions {
  psk?: { identity: Buffer; key: Buffer };
  /** Raw public keys (RFC 7250): our P-256 private key (32 bytes, optional) and the
   *  server's pin: its uncompressed point (65 bytes) or SHA-256 of its SPKI (32 bytes). */
  rpk?: { privateKey?: Buffer; serverPin: Buffer };
  sni?: string;
  /** X.509 (RFC 7925 s. 4.4): trust anchors (DER CA certificates); our chain (DER, leaf
   *  first) and its P-256 private key (32 bytes), sent when the server asks; the name the
   *  server's certificate must carry (default: sni); whether a chain is accepted when the
   *  board does not know the time (wallTime null). */
  x509?: { anchors: Buffer[]; chain?: Buffer[]; privateKey?: Buffer; peerName?: string; acceptUnknownTime?: boolean;
    /** RFC 7925 s. 4.4's extensions: cached_info (RFC 7924; the cache goes with exportSession),
     *  client_certificate_url (RFC 6066 s. 5: the URL of chain[0], whose SHA-1 the host
     *  computes), trusted_ca_keys (RFC 6066 s. 6: the anchors' names). */
    cachedInfo?: boolean; certUrl?: string; trustedCaKeys?: boolean };
  /** The board's trusted wall clock (hal wall_time_s): seconds since 1970, or null = unknown;
   *  undefined: unknown, except with x509, where the host's clock is used. */
  wallTime?: number | null;
  mfl?: number;            // 0 = do not send max_fragment_length
  rtoMs?: number;
  rtoMaxMs?: number;
  budgetMs?: number;
  pmtu?: number;
  requireEms?: boolean;
  /** Offer the session of the last full handshake on the next connect (RFC 7925 s. 7). */
  resume?: boolean;
  /** A session blob saved by exportSession() (another process, before a reboot): offered
   *  by the first connect. Implies resume. */
  session?: Buffer;
  /** RFC 6520: the HeartbeatMode to offer (1 peer_allowed_to_send: the server's requests are
   *  answered; 2 peer_not_allowed_to_send), 0 or undefined = no extension. */
  heartbeat?: number;
  /** ms between our HeartbeatRequests (sent when the server's mode allows them), 0 = none. */
  heartbeatIntervalMs?: number;
  /** RFC 9146: offer a connection ID of this many bytes (0 = ask for none); undefined = no. */
  cid?: number;
  /** False Start (RFC 7918, RFC 7925 s. 21): writing allowed after our Finished of a full
   *  ECDHE_ECDSA handshake, before the server's. */
  falseStart?: boolean;
  /** Session tickets (RFC 5077): the SessionTicket extension; the session is kept and offered
   *  on the next connect as with resume, by ticket when the server gave one. */
  tickets?: boolean;
  /** --keylog: OPT_KEYLOG on, and each handshake's client_random and master secret handed
   *  here once it is over (NSS key log lines, host/keylog.ts); the master secret's buffer is
   *  wiped when the callback returns (copy to keep). A debugging aid: docs/API.md. */
  keylog?: (clientRandom: Buffer, masterSecret: Buffer) => void;
  seed?: string;
  hardwareAes?: boolean;
  /** The HAL answers P-256 with build/accel.wasm (boards/runtime/hal_accel.c in C). */
  p256?: boolean | Accelerator;
  /** With p256: the accelerator answers AES too (boards/qemu/aes_accel.c in C). */
  accelAes?: boolean;
  wasmPath?: string;
  clock?: () => number;
  log?: (level: number, line: string) => void;
  failRandom?: () => boolean;
  failAes?: () => boolean;
}

/** Bad configuration: the CLI turns it into exit code 2. */
export class ConfigError extends Error {}

/** Why dtls_session_import refused a blob, in host/messages.json's words. */
export function sessionRefusal(rc: number): string {
  return rc === codes.ERR_SESSION_REFUSED ? MSG.session_why_refused
    : rc === codes.ERR_UNSUPPORTED ? MSG.session_why_unsupported : MSG.session_why_malformed;
}

/** A session blob the module refused (dtls_session_import). */
export class SessionError extends ConfigError {}

/** The connection failed; reason and alert say why. */
export class DtlsError extends Error {
  constructor(message: string, readonly reason: string, readonly alert: string | null) { super(message); }
}

export type FlightEvent = "flight-sent" | "flight-received" | "flight-retransmitted";

export class DtlsEngine {
  readonly wasm: DtlsExports;
  private counters = { sent: 0, received: 0, retransmitted: 0 };
  onFlight: (event: FlightEvent) => void = () => {};

  private sendTo: (datagram: Uint8Array) => void;
  /** The server's Certificate message as received (X.509): names the certificates. */
  readonly serverChain = new ChainObserver();

  constructor(readonly options: EngineOptions, send: (datagram: Uint8Array) => void) {
    this.sendTo = send;
    const hal: HalOptions = {
      send: (d) => this.sendTo(d), seed: options.seed, hardwareAes: options.hardwareAes, p256: options.p256, accelAes: options.accelAes, clock: options.clock,
      log: options.log, failRandom: options.failRandom, failAes: options.failAes,
      wallTime: options.wallTime === null ? () => undefined : options.wallTime !== undefined ? () => options.wallTime as number
        : options.x509 ? () => Date.now() / 1000 : undefined,
    };
    this.wasm = loadModule(hal, options.wasmPath);
    this.configure();
  }

  /** Where datagrams go from now on (a new socket for the next connection of this instance,
   *  which keeps its session for resumption). */
  rebind(send: (datagram: Uint8Array) => void): void { this.sendTo = send; }

  private buffer(): Uint8Array {
    return new Uint8Array(this.wasm.memory.buffer, this.wasm.dtls_buffer(), this.wasm.dtls_buffer_size());
  }

  private set(option: number, value: number | undefined, what: string): void {
    if (value === undefined) return;
    if (!Number.isInteger(value) || this.wasm.dtls_config_set(option, value) !== 0) {
      throw new ConfigError(`invalid ${what}: ${value}`);
    }
  }

  private configure(): void {
    const o = this.options;
    const w = this.wasm;
    w.dtls_config_reset();
    if (!o.psk && !o.rpk && !o.x509) throw new ConfigError("no credentials: a PSK, raw public keys or trust anchors are needed");
    const buf = this.buffer();
    if (o.psk) {
      if (o.psk.identity.length < 1 || o.psk.identity.length > 128) {
        throw new ConfigError(`PSK identity must be 1 to 128 bytes, not ${o.psk.identity.length}`);
      }
      if (o.psk.key.length < 1 || o.psk.key.length > 64) {
        throw new ConfigError(`PSK must be 1 to 64 bytes, not ${o.psk.key.length}`);
      }
      buf.set(o.psk.identity, 0);
      buf.set(o.psk.key, o.psk.identity.length);
      const r = w.dtls_config_psk(o.psk.identity.length, o.psk.key.length);
      buf.fill(0, 0, o.psk.identity.length + o.psk.key.length);
      if (r !== 0) throw new ConfigError("the module refused the PSK");
    }
    if (o.rpk) {
      const priv = o.rpk.privateKey ?? Buffer.alloc(0);
      if (priv.length !== 0 && priv.length !== 32) throw new ConfigError("the client key must be a P-256 private key (32 bytes)");
      if (o.rpk.serverPin.length !== 65 && o.rpk.serverPin.length !== 32) {
        throw new ConfigError("the server key must be a P-256 public key or the SHA-256 of its SubjectPublicKeyInfo");
      }
      buf.set(priv, 0);
      buf.set(o.rpk.serverPin, priv.length);
      const r = w.dtls_config_rpk(priv.length, o.rpk.serverPin.length);
      buf.fill(0, 0, priv.length + o.rpk.serverPin.length);
      if (r === codes.ERR_UNSUPPORTED && (w.dtls_info(codes.INFO_CRYPTO_FROM_HAL) & codes.CRYPTO_FROM_HAL_P256) !== 0) {
        throw new ConfigError(MSG.rpk_needs_hal_p256);
      }
      if (r === codes.ERR_UNSUPPORTED) throw new ConfigError("this module was built without raw public keys (PSK only)");
      if (r !== 0) throw new ConfigError("the module refused the raw public keys (not a valid P-256 key?)");
    }
    if (o.x509) this.configureX509(o.x509);
    if (o.sni !== undefined) {
      const name = Buffer.from(o.sni, "ascii");
      buf.set(name, 0);
      if (w.dtls_config_sni(name.length) !== 0) throw new ConfigError(`invalid server name: ${o.sni}`);
    }
    this.set(codes.OPT_MFL, o.mfl, "max fragment length (512, 1024, 2048, 4096 or off)");
    this.set(codes.OPT_RTO_INITIAL_MS, o.rtoMs, "retransmission timeout");
    this.set(codes.OPT_RTO_MAX_MS, o.rtoMaxMs, "maximum retransmission timeout");
    this.set(codes.OPT_HANDSHAKE_BUDGET_MS, o.budgetMs, "handshake budget");
    this.set(codes.OPT_PMTU, o.pmtu, "PMTU");
    this.set(codes.OPT_REQUIRE_EMS, o.requireEms === undefined ? undefined : o.requireEms ? 1 : 0, "EMS option");
    this.set(codes.OPT_RESUME, o.resume === undefined && o.session === undefined ? undefined : o.resume !== false ? 1 : 0, "resumption option");
    this.set(codes.OPT_HEARTBEAT, o.heartbeat, "heartbeat mode");
    this.set(codes.OPT_HEARTBEAT_INTERVAL_MS, o.heartbeatIntervalMs, "heartbeat interval");
    this.set(codes.OPT_CID, o.cid, "connection ID length (0 to 8)");
    this.set(codes.OPT_TICKETS, o.tickets === undefined ? undefined : o.tickets ? 1 : 0, "session ticket option");
    this.set(codes.OPT_FALSE_START, o.falseStart === undefined ? undefined : o.falseStart ? 1 : 0, "False Start option");
    this.set(codes.OPT_KEYLOG, o.keylog ? 1 : undefined, "key log option");
    if (o.session !== undefined) this.importSession(o.session);
  }

  private configureX509(x: NonNullable<EngineOptions["x509"]>): void {
    const w = this.wasm;
    const buf = this.buffer();
    if (!w.dtls_config_ca || !w.dtls_config_cert || !w.dtls_config_peer_name) throw new ConfigError(MSG.x509_unsupported);
    x.anchors.forEach((der, i) => {
      if (der.length > buf.length) throw new ConfigError(`trust anchor ${i + 1} is larger than the I/O buffer (${der.length} bytes)`);
      buf.set(der, 0);
      const r = w.dtls_config_ca!(der.length);
      if (r !== 0) throw new ConfigError(`the module refused trust anchor ${i + 1} (${r === codes.ERR_TOO_LARGE ? "too many, or too large" : "not a P-256 CA certificate it can use"})`);
    });
    if (x.privateKey) {
      buf.set(x.privateKey, 0);
      const r = w.dtls_config_rpk(x.privateKey.length, 0);
      buf.fill(0, 0, x.privateKey.length);
      if (r !== 0) throw new ConfigError("the module refused the client key (not a valid P-256 key?)");
    }
    (x.chain ?? []).forEach((der, i) => {
      if (der.length > buf.length) throw new ConfigError(`certificate ${i + 1} of our chain is larger than the I/O buffer`);
      buf.set(der, 0);
      if (w.dtls_config_cert!(der.length) !== 0) throw new ConfigError(`our chain does not fit the module's ${w.dtls_info(codes.INFO_REGION_SIZE + codes.REGION_CLIENT_CHAIN)} bytes (at certificate ${i + 1})`);
    });
    if (x.peerName !== undefined) {
      const name = Buffer.from(x.peerName, "ascii");
      buf.set(name, 0);
      if (w.dtls_config_peer_name!(name.length) !== 0) throw new ConfigError(`invalid server name: ${x.peerName}`);
    }
    this.set(codes.OPT_CERT_UNKNOWN_TIME, x.acceptUnknownTime ? 1 : undefined, "unknown-time option");
    this.set(codes.OPT_CACHED_INFO, x.cachedInfo ? 1 : undefined, "cached_info option");
    this.set(codes.OPT_TRUSTED_CA_KEYS, x.trustedCaKeys ? 1 : undefined, "trusted_ca_keys option");
    if (x.certUrl !== undefined) {
      if (!x.chain?.length || !w.dtls_config_cert_url) throw new ConfigError(MSG.cert_url_needs_cert);
      const url = Buffer.from(x.certUrl, "latin1");
      buf.set(createHash("sha1").update(x.chain[0]).digest(), 0);
      buf.set(url, 20);
      if (w.dtls_config_cert_url(20 + url.length) !== 0) throw new ConfigError(`invalid certificate URL (printable ASCII, at most 255 bytes): ${x.certUrl}`);
    }
  }

  /** The kept session as a blob (docs/API.md, dtls_session_export), or null when there is
   *  none. It holds the master secret: store it like the key. */
  exportSession(): Buffer | null {
    const n = this.wasm.dtls_session_export();
    if (n < 0) return null;
    const blob = Buffer.from(this.buffer().subarray(0, n));
    this.buffer().fill(0, 0, n);
    return blob;
  }

  /** Makes a blob of exportSession() the kept session; a SessionError says why not. */
  importSession(blob: Buffer): void {
    if (blob.length > this.wasm.dtls_buffer_size()) throw new SessionError(MSG.session_why_malformed);
    this.buffer().set(blob, 0);
    const r = this.wasm.dtls_session_import(blob.length);
    if (r === 0) return;
    throw new SessionError(r === codes.ERR_BAD_STATE ? "a connection is running" : sessionRefusal(r));
  }

  /** Reports flights that the last call sent, received or retransmitted. */
  private track(): void {
    const w = this.wasm;
    const now = {
      sent: w.dtls_info(codes.INFO_FLIGHTS_SENT),
      received: w.dtls_info(codes.INFO_FLIGHTS_RECEIVED),
      retransmitted: w.dtls_info(codes.INFO_FLIGHTS_RETRANSMITTED),
    };
    for (let i = this.counters.received; i < now.received; i++) this.onFlight("flight-received");
    for (let i = this.counters.sent; i < now.sent; i++) this.onFlight("flight-sent");
    for (let i = this.counters.retransmitted; i < now.retransmitted; i++) this.onFlight("flight-retransmitted");
    this.counters = now;
    this.takeKeylog();
  }

  /** OPT_KEYLOG: the secrets of a handshake that is over, once (the module wipes its copy). */
  private takeKeylog(): void {
    if (!this.options.keylog || this.state === codes.STATE_HANDSHAKING) return;
    const n = KEYLOG_RANDOM_LEN + KEYLOG_MASTER_LEN;
    if (this.info(codes.INFO_KEYLOG) !== n) return;
    const b = this.buffer();
    const random = Buffer.from(b.subarray(0, KEYLOG_RANDOM_LEN));
    const master = Buffer.from(b.subarray(KEYLOG_RANDOM_LEN, n));
    b.fill(0, 0, n);
    this.options.keylog(random, master);
    master.fill(0);
  }

  connect(): void {
    this.counters = { sent: 0, received: 0, retransmitted: 0 };
    this.serverChain.reset();
    const r = this.wasm.dtls_connect();
    this.track();
    if (r === codes.ERR_NO_CREDENTIALS) throw new ConfigError("no credentials configured");
    if (r !== 0 && r !== codes.ERR_FAILED) throw new DtlsError(`connect refused (${r})`, "bad_state", null);
  }

  /** Feeds one received datagram; returns the state after it. */
  receive(datagram: Uint8Array): number {
    const size = this.wasm.dtls_buffer_size();
    // Too large to copy in: the module drops it and counts it (INFO_DATAGRAMS_TOO_LARGE).
    if (datagram.length > size) return this.wasm.dtls_on_datagram(datagram.length);
    if (this.options.x509) this.serverChain.feed(datagram);
    this.buffer().set(datagram, 0);
    const s = this.wasm.dtls_on_datagram(datagram.length);
    this.track();
    return s;
  }

  /** Runs timers; returns ms until the next poll is due, or -1. */
  poll(): number {
    const r = this.wasm.dtls_poll();
    this.track();
    return r;
  }

  write(data: Uint8Array): number {
    if (data.length > this.wasm.dtls_buffer_size()) return codes.ERR_TOO_LARGE;
    this.buffer().set(data, 0);
    return this.wasm.dtls_write(data.length);
  }

  read(): Buffer | null {
    const n = this.wasm.dtls_read();
    if (n < 0) return null;
    return Buffer.from(this.buffer().subarray(0, n));
  }

  /** SHA-256 of the server's SubjectPublicKeyInfo as seen in the handshake (hex), or null. */
  peerKeyHash(): string | null {
    const n = this.info(codes.INFO_PEER_KEY_HASH);
    return n === 32 ? Buffer.from(this.buffer().subarray(0, 32)).toString("hex") : null;
  }

  /** RFC 9146: the connection IDs in hex ("" for an empty one), sent = the server's (in our
   *  records), received = ours (in the server's records); null when not negotiated. */
  connectionIds(): { sent: string; received: string } | null {
    const hex = (key: number) => {
      const n = this.info(key);
      return n < 0 ? null : Buffer.from(this.buffer().subarray(0, n)).toString("hex");
    };
    const sent = hex(codes.INFO_CID_SENT_LEN);
    const received = hex(codes.INFO_CID_RECEIVED_LEN);
    return sent === null || received === null ? null : { sent, received };
  }

  close(): void { this.wasm.dtls_close(); this.takeKeylog(); }
  get state(): number { return this.wasm.dtls_state(); }
  info(key: number): number { return this.wasm.dtls_info(key); }

  /** The failure in words (for errors and the CLI). */
  failure(): DtlsError {
    const reason = this.wasm.dtls_last_error();
    const alert = describeAlert(this.wasm.dtls_last_alert());
    let message = describeReason(reason);
    const failed = this.certificateFailed();
    if (failed) message = `the server's certificate ${failed}: ${message}`;
    if (alert && (reason === codes.REASON_PEER_ALERT || alert.includes("sent"))) message += ` (${alert})`;
    return new DtlsError(message, reasonName(reason), alert);
  }

  /** X.509: the certificate the chain failed at, in words ("1 of 3 (CN=...)"; "of N" only
   *  when the whole Certificate message arrived), or null. */
  private certificateFailed(): string | null {
    if (!this.options.x509 || this.info(codes.INFO_CERT_RESULT) <= 0) return null;
    const i = this.info(codes.INFO_CERT_FAIL_INDEX);
    if (i < 0) return null;
    const subjects = this.serverChain.subjects() ?? [];
    const of = this.serverChain.complete() ? ` of ${subjects.length}` : "";
    return `${i}${of}${subjects[i] !== undefined ? ` (${subjects[i]})` : ""}`;
  }

  /** X.509: the chain's verdict: null (not checked), "ok", or the rule (a reason name). */
  verifyResult(): string | null {
    const r = this.info(codes.INFO_CERT_RESULT);
    return r < 0 ? null : r === 0 ? "ok" : reasonName(r);
  }

  /** RFC 6520 counters, or null when the handshake did not complete with the extension. */
  heartbeats(done = this.info(codes.INFO_HANDSHAKE_MS) >= 0): { sent: number; responses: number; answered: number } | null {
    if (!done || this.info(codes.INFO_HEARTBEAT_PEER_MODE) === 0) return null;
    return { sent: this.info(codes.INFO_HEARTBEATS_SENT), responses: this.info(codes.INFO_HEARTBEAT_RESPONSES),
      answered: this.info(codes.INFO_HEARTBEATS_ANSWERED) };
  }

  /** The --json summary (the same keys as boards/posix/main.c and tests/wasm3/dtls_wasm3.py).
   *  What the handshake negotiated is reported only once it completed (the core sets
   *  INFO_HANDSHAKE_MS when the server's Finished verified), null otherwise: a ServerHello
   *  alone proves nothing. server_key_sha256 is the key as seen, also on failure (to compare
   *  with the pin). The counters are host/messages.json's summary_counters. */
  summary(): Record<string, unknown> {
    const handshakeMs = this.info(codes.INFO_HANDSHAKE_MS);
    const done = handshakeMs >= 0;
    const negotiated = <T>(value: T): T | null => (done ? value : null);
    const suite = this.info(codes.INFO_CIPHER_SUITE);
    const mfl = this.info(codes.INFO_MFL);
    return {
      protocol: negotiated(this.info(codes.INFO_VERSION) === codes.DTLS_1_2 ? "DTLSv1.2" : null),
      cipher: negotiated(CIPHER_NAMES[suite] ?? (suite ? `0x${suite.toString(16)}` : null)),
      mfl: negotiated(mfl === 0 ? null : mfl),
      ems: negotiated(this.info(codes.INFO_EMS) === 1),
      sni: this.options.sni ?? null,
      sni_accepted: negotiated(this.info(codes.INFO_SNI_ACCEPTED) === 1),
      resumed: negotiated(this.info(codes.INFO_RESUMED) === 1),
      heartbeats: this.heartbeats(done),
      cid: negotiated(this.connectionIds()),
      // --false-start: whether dtls_write was allowed before the server's Finished (also on failure).
      false_start: this.options.falseStart ? this.info(codes.INFO_FALSE_START) === 1 : null,
      ticket: negotiated(this.info(codes.INFO_TICKET) === 1),
      handshake_ms: negotiated(handshakeMs),
      ...Object.fromEntries(SUMMARY_COUNTERS.map(([key, info]) => [key, this.info(info)])),
      ...(this.options.rpk ? { server_key_sha256: this.peerKeyHash(), client_auth: negotiated(this.info(codes.INFO_CLIENT_AUTH) === 1) } : {}),
      ...(this.options.x509 && !this.options.rpk ? {
        // With cached_info the Certificate carried only the hash: the chain is the one cached.
        server_chain: this.info(codes.INFO_CACHED_INFO_USED) === 1 ? null : this.serverChain.subjects(), verify_result: this.verifyResult(),
        cached_info_used: this.options.x509.cachedInfo ? negotiated(this.info(codes.INFO_CACHED_INFO_USED) === 1) : null,
        cert_url_used: this.options.x509.certUrl !== undefined ? negotiated(this.info(codes.INFO_CERT_URL_USED) === 1) : null,
        trusted_ca_keys_accepted: this.options.x509.trustedCaKeys ? negotiated(this.info(codes.INFO_TRUSTED_CA_KEYS) === 1) : null,
        failed_certificate: this.info(codes.INFO_CERT_RESULT) > 0 && this.info(codes.INFO_CERT_FAIL_INDEX) >= 0 ? this.info(codes.INFO_CERT_FAIL_INDEX) : null,
        client_auth: negotiated(this.info(codes.INFO_CLIENT_AUTH) === 1) } : {}),
      state: stateName(this.state),
    };
  }
}
