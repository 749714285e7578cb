// Profile constants: the one source of truth for sizes and timer defaults.
// Buffers are fixed regions sized here; nothing is allocated after start-up.
import { OPT_PMTU_MIN, OPT_PMTU_MAX, OPT_CID_MAX } from "./api_codes";

// RFC 7925 section 15: max_fragment_length 2^9 is what we offer by default.
export const MFL_DEFAULT: i32 = 512;
// RFC 7925 Appendix B: CCM-8 record overhead = 13 header + 8 explicit nonce + 8 tag.
export const RECORD_HEADER_LEN: i32 = 13;
export const AEAD_EXPLICIT_NONCE_LEN: i32 = 8;
export const AEAD_TAG_LEN: i32 = 8;
export const AEAD_OVERHEAD: i32 = AEAD_EXPLICIT_NONCE_LEN + AEAD_TAG_LEN;
export const RECORD_OVERHEAD: i32 = RECORD_HEADER_LEN + AEAD_OVERHEAD; // 29
export const HANDSHAKE_HEADER_LEN: i32 = 12;

// The largest plaintext a peer may send us before MFL is in force (RFC 6347: 2^14).
export const MAX_PLAINTEXT_UNNEGOTIATED: i32 = 16384;

// Datagram buffers. A received datagram larger than RX_DATAGRAM_MAX is dropped.
export const RX_DATAGRAM_MAX: i32 = 1536;
export const TX_DATAGRAM_MAX: i32 = OPT_PMTU_MAX;
// The shared I/O buffer through which the host passes datagrams, keys and app data.
export const IO_BUFFER_SIZE: i32 = 1536;

// PMTU (RFC 6347 4.1.1.1): default sized for IPv6's minimum MTU minus IP/UDP headers.
export const PMTU_DEFAULT: i32 = 1232;
export const PMTU_MIN: i32 = OPT_PMTU_MIN;
export const PMTU_MAX: i32 = OPT_PMTU_MAX;

// Handshake reassembly: the largest handshake message we accept (RFC 7925 App. C).
export const HS_MESSAGE_MAX: i32 = 1536;
// Fragments of later messages that overtake the one being reassembled (RFC 6347 4.2.2).
export const HS_STASH_SIZE: i32 = 512;
// Our own certificate chain (X.509 builds, RFC 7925 s. 4.4.2), as our Certificate message
// carries it: each certificate with its 3-byte length, leaf first (dtls_config_cert).
export const CLIENT_CHAIN_MAX: i32 = 1024;
// Our last flight, kept as plaintext handshake messages for retransmission; in X.509 builds
// with room for our chain in the Certificate message of flight 5.
export const FLIGHT_BUFFER_SIZE: i32 = 1024 + (X509_ENABLED ? CLIENT_CHAIN_MAX : 0);
// The server's Certificate message (X.509, RFC 7925 s. 4.4) is not kept whole: it goes through
// the reassembly buffer (HS_MESSAGE_MAX) as a window, each certificate validated and dropped as
// soon as it is complete, so RAM does not grow with the chain. A certificate must fit the
// window with its 3-byte length; fragments beyond the window are dropped (the server resends
// them). Measured with openssl s_server, a root + 3 intermediates + leaf chain of ~2 KB:
// see docs/API.md (REGION_REASSEMBLY peak). The whole message is bounded by CERT_MESSAGE_MAX
// (a server sending more is refused before any byte is kept).
export const CERT_MESSAGE_MAX: i32 = 16384;
export const FLIGHT_MAX_ENTRIES: i32 = 8;
// The largest record plaintext that fits a datagram we can receive. We never offer a
// max_fragment_length above it (RFC 6066 s. 4), so every record the server may send
// under the negotiated length reaches the queue below.
export const RX_RECORD_PLAINTEXT_MAX: i32 = RX_DATAGRAM_MAX - RECORD_OVERHEAD;
// Received application data waiting for dtls_read: room for one largest record and its
// 2-byte length, so a record is lost only when dtls_read falls behind (counted, then
// reported by dtls_info(INFO_APP_RECORDS_LOST)).
export const APP_RX_BUFFER_SIZE: i32 = RX_DATAGRAM_MAX;
// One record of the next epoch (e.g. Finished overtaking CCS) kept until CCS arrives.
export const FUTURE_RECORD_MAX: i32 = 128;

// Credentials (RFC 7925 section 4.2 leaves sizes to us; RFC 4279 allows 2^16).
export const PSK_IDENTITY_MAX: i32 = 128;
export const PSK_MAX: i32 = 64;
export const SNI_MAX: i32 = 255;
export const COOKIE_MAX: i32 = 255;
export const HELLO_VERIFY_MAX: i32 = 4; // HelloVerifyRequests accepted per handshake
// Session tickets (RFC 5077), kept for the next ClientHello. Measured: openssl s_server 3.0
// sends 192 bytes (PSK); gnutls-serv 3.7 326 (PSK) and 454 (raw public keys), 64 more with
// a 45-byte server_name. A larger ticket is dropped. The ClientHello leaves the ticket out
// when it would not fit the flight buffer or the PMTU with it.
export const TICKET_MAX: i32 = 512;

// RFC 7925 section 11: initial timer 9 s, doubling, capped at (no less than) 60 s;
// worst-case wait 63 s. Sleepy nodes may configure smaller values.
export const RTO_INITIAL_MS: i32 = 9000;
export const RTO_MAX_MS: i32 = 60000;
export const HANDSHAKE_BUDGET_MS: i32 = 63000;

// Anti-replay window (RFC 6347 4.1.2.6).
export const REPLAY_WINDOW_BITS: i32 = 64;

// Connection IDs (RFC 9146; the CID format allows 0..255 bytes). Ours (OPT_CID) is at most
// 8 bytes: 2^64 random values tell a server's connections apart, and every record the server
// sends us carries it, so on a constrained link (RFC 7925) each byte of it is paid per record.
// The server's CID, which our records carry, is its choice: we keep up to 32 bytes (mbed TLS's
// default maximum, MBEDTLS_SSL_CID_OUT_LEN_MAX), and refuse a longer one
// (REASON_PEER_CID_TOO_LONG) rather than reserve 255 bytes of RAM for it.
export const CID_MAX: i32 = OPT_CID_MAX;
export const CID_PEER_MAX: i32 = 32;

// X.509 certificates (issue 11, assembly/x509/). The largest single DER certificate the
// validator accepts (a P-256 certificate with a few extensions is 400..700 bytes).
export const CERT_MAX: i32 = 1024;
// Certificates a server chain may have, not counting the trust anchor. RFC 7925 s. 4.4.4:
// at least 3 MUST be processed, longer chains MAY be refused. 4 lets a leaf come with three
// intermediates (issue 11's tests); the validator keeps the same few hundred bytes
// whatever the length, so the bound is about time (one signature check per certificate).
export const CHAIN_DEPTH_MAX: i32 = 4;
// Trust anchors kept (subject DN and P-256 key of each, not the certificate), and the
// largest anchor subject DN (the DER Name) stored.
export const TRUST_ANCHOR_MAX: i32 = 4;
export const ANCHOR_NAME_MAX: i32 = 160;
// DER nesting the certificate reader follows (a certificate needs 7: Certificate,
// TBSCertificate, [3] extensions, Extensions, Extension, extnValue, its SEQUENCE).
export const DER_DEPTH_MAX: i32 = 8;
// client_certificate_url (RFC 6066 s. 5, RFC 7925 s. 4.4.5): the URL of our certificate kept
// for the CertificateURL message (url<1..2^16-1> allows more; a device's URL is short).
export const CERT_URL_MAX: i32 = 255;
