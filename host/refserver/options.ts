// The reference server's public types: its options and hooks, its I/O, what it reports.
import { KeyObject } from "node:crypto";

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
