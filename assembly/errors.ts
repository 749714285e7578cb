// Return codes of the exports and the reasons behind dtls_last_error.
// Copied into the hosts by scripts/gen-codes.mjs.

// Negative return values.
export const ERR_WOULD_BLOCK: i32 = -1;     // dtls_read: nothing to read
export const ERR_BAD_ARGUMENT: i32 = -2;
export const ERR_BAD_STATE: i32 = -3;
export const ERR_NO_CREDENTIALS: i32 = -4;
export const ERR_TOO_LARGE: i32 = -5;
export const ERR_RANDOM: i32 = -6;
export const ERR_FAILED: i32 = -7;         // the connection failed: see dtls_last_error
export const ERR_UNSUPPORTED: i32 = -8;    // not in this build (e.g. raw public keys in the PSK-only module)
export const ERR_SESSION_REFUSED: i32 = -9; // dtls_session_import: the blob is damaged or was made with other credentials

// Reasons (dtls_last_error).
export const REASON_NONE: i32 = 0;
export const REASON_TIMEOUT: i32 = 1;            // retransmission budget spent
export const REASON_PEER_ALERT: i32 = 2;         // fatal alert received (dtls_last_alert)
export const REASON_PROTOCOL_VERSION: i32 = 3;   // server chose a version other than 1.2
export const REASON_BAD_FINISHED: i32 = 4;       // server Finished did not verify
export const REASON_DECODE: i32 = 5;             // malformed handshake message
export const REASON_UNEXPECTED_MESSAGE: i32 = 6;
export const REASON_ILLEGAL_PARAMETER: i32 = 7;  // e.g. cipher suite we did not offer
export const REASON_UNSUPPORTED_EXTENSION: i32 = 8;
export const REASON_MESSAGE_TOO_LARGE: i32 = 9;  // handshake message over HS_MESSAGE_MAX
export const REASON_RANDOM: i32 = 10;            // the TRNG failed
export const REASON_RECORD_OVERFLOW: i32 = 11;   // record over the negotiated MFL
export const REASON_EMS_REFUSED: i32 = 12;       // EMS required but not negotiated
export const REASON_RENEGOTIATION_INFO: i32 = 13;// bad renegotiation_info (RFC 5746)
export const REASON_CLOSED_BY_PEER: i32 = 14;    // close_notify received
export const REASON_TOO_MANY_HVR: i32 = 15;      // HelloVerifyRequest loop
export const REASON_BAD_PEER_KEY: i32 = 17;      // server key does not match the pin
export const REASON_BAD_SIGNATURE: i32 = 18;     // ServerKeyExchange signature invalid
export const REASON_HANDSHAKE_FAILURE: i32 = 19; // no acceptable parameters
export const REASON_INTERNAL: i32 = 20;
export const REASON_FINISHED_TIMEOUT: i32 = 21; // no answer to our Finished (rejected, or its answer lost)
export const REASON_CHANGE_CIPHER_SPEC_LOST: i32 = 23; // the server's Finished came and authenticated, its CCS never did
export const REASON_PMTU_TOO_SMALL: i32 = 22;   // a record or the ClientHello does not fit the PMTU
export const REASON_CRYPTO_UNAVAILABLE: i32 = 24; // the board's HAL has no AES / P-256 engine and this module has no software one
export const REASON_HEARTBEAT_TIMEOUT: i32 = 29; // no HeartbeatResponse to our request within the retransmission budget (RFC 6520 s. 3)
export const REASON_PEER_CID_TOO_LONG: i32 = 27; // the server's connection ID is longer than CID_PEER_MAX (config.ts)
export const REASON_TICKET_LOST: i32 = 25;      // the server announced a NewSessionTicket (RFC 5077) that never came
// Certificates (issue 11; RFC 7925 s. 4.4, RFC 5280): assembly/x509/chain.ts. The alert
// each one goes with is in x509/chain.ts (RFC 5246 7.2.2).
export const REASON_CERT_UNKNOWN_CA: i32 = 40;        // the chain does not end at a configured trust anchor
export const REASON_CERT_EXPIRED: i32 = 41;           // now is after a certificate's notAfter
export const REASON_CERT_NOT_YET_VALID: i32 = 42;     // now is before a certificate's notBefore
export const REASON_CERT_TIME_UNKNOWN: i32 = 43;      // no trusted time and the policy is not to accept that (RFC 7925 s. 12)
export const REASON_CERT_NAME_MISMATCH: i32 = 44;     // the leaf's identity is not the reference name (RFC 7925 s. 4.4.1, 4.4.2)
export const REASON_CERT_BAD_SIGNATURE: i32 = 45;     // a certificate's signature does not verify with its issuer's key
export const REASON_CERT_MALFORMED: i32 = 46;         // not a DER certificate (X.690, RFC 5280 4.1)
export const REASON_CERT_UNSUPPORTED_ALGORITHM: i32 = 47; // not v3 / ecdsa-with-SHA256 / P-256, or over CERT_MAX (RFC 7925 s. 4.4.4)
export const REASON_CERT_NOT_CA: i32 = 48;            // an issuing certificate without basicConstraints cA
export const REASON_CERT_PATH_LEN: i32 = 49;          // more CAs below a certificate than its pathLenConstraint
export const REASON_CERT_KEY_USAGE: i32 = 50;         // keyUsage / extKeyUsage do not allow the certificate's use
export const REASON_CERT_CRITICAL_EXTENSION: i32 = 51; // a critical extension this profile does not process
export const REASON_CERT_CHAIN_TOO_LONG: i32 = 52;    // more than CHAIN_DEPTH_MAX certificates (RFC 7925 s. 4.4.4)
// The server's Certificate message (X.509), beyond the chain rules of assembly/x509/ (40-52).
export const REASON_CERT_TOO_LARGE: i32 = 53;    // one certificate larger than the reassembly window (HS_MESSAGE_MAX - 3), or the message over CERT_MESSAGE_MAX
export const REASON_CERT_EMPTY: i32 = 54;        // the server sent no certificate (RFC 5246 7.4.2: it must)
// RFC 7925 s. 4.4's extensions (issue 11).
export const REASON_CACHED_INFO_MISMATCH: i32 = 58; // the server's hash-only Certificate (RFC 7924 s. 4.1) is not the hash we offered
