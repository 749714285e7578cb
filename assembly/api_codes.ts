// Numbers shared with the hosts (Node, C, Python). scripts/gen-codes.mjs copies every
// `export const NAME: i32 = VALUE;` line here into host/codes.ts and boards/hal/dtls_codes.h.

// dtls_config_set options.
export const OPT_MFL: i32 = 1;                  // 0 = do not send, else 512 or 1024 (what the buffers can take)
export const OPT_RTO_INITIAL_MS: i32 = 2;       // RFC 7925 section 11: 9000 by default
export const OPT_RTO_MAX_MS: i32 = 3;           // 60000 by default
export const OPT_HANDSHAKE_BUDGET_MS: i32 = 4;  // per-flight give-up time; 0 = 7 x initial RTO
export const OPT_PMTU: i32 = 5;                 // largest datagram we send
export const OPT_REQUIRE_EMS: i32 = 6;          // 1 = abort if the server refuses RFC 7627
export const OPT_RESUME: i32 = 7;               // 1 = offer the session of the last full handshake (RFC 7925 s. 7)
export const OPT_HEARTBEAT: i32 = 10;           // RFC 6520: 0 = no extension, 1 = offer peer_allowed_to_send, 2 = peer_not_allowed_to_send
export const OPT_HEARTBEAT_INTERVAL_MS: i32 = 11; // 0 = never send our own HeartbeatRequests, else one per interval
export const OPT_CID: i32 = 9;                  // RFC 9146: -1 = no connection_id; 0..OPT_CID_MAX = our CID's length
export const OPT_FALSE_START: i32 = 12;         // 1 = dtls_write allowed after our Finished (RFC 7918, RFC 7925 s. 21), full ECDHE_ECDSA handshakes only
export const OPT_TICKETS: i32 = 8;              // 1 = session tickets (RFC 5077): keep and offer the session as OPT_RESUME does, by ticket when the server gave one
export const OPT_KEYLOG: i32 = 20;             // debugging only: 1 = keep the master secret past the handshake for dtls_info(INFO_KEYLOG) (docs/API.md)
export const OPT_CERT_UNKNOWN_TIME: i32 = 13;    // X.509: 1 = accept a chain when the HAL's wall_time_s is -1 (validity not checked), 0 (default) = refuse it
export const OPT_CACHED_INFO: i32 = 18;         // X.509: 1 = keep the server's validated chain as its hash and offer it (RFC 7924 cached_info)
export const OPT_TRUSTED_CA_KEYS: i32 = 19;     // X.509: 1 = name our trust anchors in trusted_ca_keys (RFC 6066 s. 6)

// The ranges dtls_config_set accepts; the command-line programs check the same ones
// (host/messages.json names these constants).
export const OPT_RTO_MIN_MS: i32 = 1;
export const OPT_RTO_LIMIT_MS: i32 = 3600000;   // initial and maximum RTO: one hour at most
export const OPT_BUDGET_LIMIT_MS: i32 = 86400000; // per-flight budget: one day at most (0 = default)
export const OPT_PMTU_MIN: i32 = 64;
export const OPT_PMTU_MAX: i32 = 1536;          // also the size of the datagram we build
export const OPT_HEARTBEAT_LIMIT_MS: i32 = 86400000; // heartbeat interval: one day at most
export const OPT_CID_MAX: i32 = 8;              // the longest CID we ask the server to send (config.ts CID_MAX)

// dtls_state values.
export const STATE_IDLE: i32 = 0;
export const STATE_HANDSHAKING: i32 = 1;
export const STATE_CONNECTED: i32 = 2;
export const STATE_CLOSED: i32 = 3;
export const STATE_FAILED: i32 = 4;

// dtls_info keys.
export const INFO_CIPHER_SUITE: i32 = 1;        // IANA number, 0 before ServerHello
export const INFO_MFL: i32 = 2;                 // negotiated max fragment length, 0 = none
export const INFO_EMS: i32 = 3;                 // 1 if extended master secret negotiated
export const INFO_SNI_ACCEPTED: i32 = 4;        // 1 if the server acknowledged server_name
export const INFO_RESUMED: i32 = 5;             // 1 if the session was resumed
export const INFO_FLIGHTS_RETRANSMITTED: i32 = 6;
export const INFO_FLIGHTS_SENT: i32 = 7;
export const INFO_FLIGHTS_RECEIVED: i32 = 8;
export const INFO_HANDSHAKE_MS: i32 = 9;        // connect to server Finished, by clock_ms
export const INFO_VERSION: i32 = 10;            // 0xFEFD once negotiated
export const INFO_HEAP_TOP: i32 = 11;           // allocator top: must never move after start
export const INFO_MEMORY_PAGES: i32 = 12;       // memory.size()
export const INFO_STATIC_END: i32 = 13;         // end of static data and fixed buffers
export const INFO_MAX_WRITE: i32 = 14;          // largest dtls_write length now
export const INFO_RENEGOTIATION_INFO: i32 = 15; // 1 if the server sent renegotiation_info
export const INFO_RECORDS_DROPPED: i32 = 16;    // records discarded (bad MAC, replay, epoch)
export const INFO_CLIENT_AUTH: i32 = 17;        // 1 if we authenticated with our raw public key
export const INFO_PEER_KEY_HASH: i32 = 18;      // copies SHA-256(server SPKI) to the I/O buffer: 32, or 0
export const INFO_ECDHE_SUPPORTED: i32 = 19;    // 1 in builds with the ECDHE suite
export const INFO_APP_RECORDS_LOST: i32 = 20;   // application records dropped: the read queue was full
export const INFO_DATAGRAMS_TOO_LARGE: i32 = 21;// datagrams the host reported as larger than the I/O buffer
export const INFO_HANDSHAKE_STATE: i32 = 22;    // the handshake's own state (HS_* below), for tests and traces
export const INFO_CRYPTO_FROM_HAL: i32 = 23;    // what the board's HAL must provide: CRYPTO_FROM_HAL_* bits (0 = nothing)
// Per connection, from dtls_connect until the handshake completed or failed (UDP payload bytes).
export const INFO_HANDSHAKE_BYTES_SENT: i32 = 34;
export const INFO_HANDSHAKE_BYTES_RECEIVED: i32 = 35;
export const INFO_HANDSHAKE_DATAGRAMS_SENT: i32 = 36;   // retransmissions included
export const INFO_HANDSHAKE_DATAGRAMS_RECEIVED: i32 = 37;
export const INFO_HEARTBEATS_SENT: i32 = 28;    // HeartbeatRequests we sent (new ones; retransmissions not counted)
export const INFO_HEARTBEAT_RESPONSES: i32 = 29; // HeartbeatResponses that matched our request
export const INFO_HEARTBEATS_ANSWERED: i32 = 30; // the server's HeartbeatRequests we answered
export const INFO_HEARTBEAT_PEER_MODE: i32 = 31; // the server's HeartbeatMode (1: we may send requests, 2: we may not), 0 = not negotiated
export const INFO_TICKET: i32 = 24;             // 1 if the last handshake resumed with the session ticket it offered (RFC 5077)
export const INFO_TICKET_LEN: i32 = 25;         // bytes of the session ticket kept for the next connection, 0 = none
export const CRYPTO_FROM_HAL_AES: i32 = 1;      // no software AES in this module (hal.aes128_encrypt)
export const CRYPTO_FROM_HAL_P256: i32 = 2;     // no software P-256 in this module (hal.p256_*), ECDHE builds only
export const INFO_CID_SENT_LEN: i32 = 26;      // RFC 9146: length of the server's CID, which our records carry (copied to the I/O buffer); -1 = not negotiated
export const INFO_CID_RECEIVED_LEN: i32 = 27;  // length of our CID, which the server's records carry (copied to the I/O buffer); -1 = not negotiated
export const INFO_MAX_DATAGRAM_SENT: i32 = 32; // the largest datagram this connection sent (bytes): never over OPT_PMTU
export const INFO_FALSE_START: i32 = 33;        // 1 once our Finished of a full handshake went out with False Start in force (dtls_write allowed before the server's Finished); stays until the next dtls_connect
export const INFO_KEYLOG: i32 = 46;             // with OPT_KEYLOG, once the handshake is over: client_random (32) || master secret (48) to the I/O buffer, 80, then wiped (0 = none)
// X.509 (RFC 7925 s. 4.4), reset by dtls_connect.
export const INFO_CERT_RESULT: i32 = 38;        // the server's chain: -1 not checked, 0 accepted, else the REASON_ that refused it
export const INFO_CERT_FAIL_INDEX: i32 = 39;    // the certificate that failed (0 = the server's own, leaf first), -1 none
export const INFO_CERT_COUNT: i32 = 40;         // certificates in the server's Certificate message, as far as it was read
export const INFO_CERT_TYPE: i32 = 41;          // how the server authenticated: -1 not (PSK), 0 X.509, 2 raw public key (IANA TLS Certificate Types)
export const INFO_ANCHOR_COUNT: i32 = 42;       // trust anchors configured (dtls_config_ca)
export const INFO_CLIENT_CHAIN_LEN: i32 = 43;   // bytes of our own chain configured (dtls_config_cert), as sent
// RFC 7925 s. 4.4's extensions (X.509 builds), reset by dtls_connect except INFO_CACHED_INFO_KEPT.
export const INFO_CACHED_INFO_USED: i32 = 48;   // 1 if the server's Certificate carried only the hash of our cached chain (RFC 7924)
export const INFO_CACHED_INFO_KEPT: i32 = 49;   // 1 if a validated server chain is cached for the next connection
export const INFO_CERT_URL_USED: i32 = 50;      // 1 if we sent a CertificateURL instead of our Certificate (RFC 6066 s. 5)
export const INFO_TRUSTED_CA_KEYS: i32 = 51;    // 1 if the server acknowledged our trusted_ca_keys (RFC 6066 s. 6)
export const INFO_CERT_EXT_OFFERED: i32 = 52;   // what the last ClientHello offered: CERT_EXT_* bits
export const CERT_EXT_CACHED_INFO: i32 = 1;
export const CERT_EXT_CERT_URL: i32 = 2;
export const CERT_EXT_TRUSTED_CA_KEYS: i32 = 4;
export const INFO_REGION_SIZE: i32 = 0x100;     // + REGION_*: bytes of that fixed buffer (config.ts)
export const INFO_REGION_PEAK: i32 = 0x200;     // + REGION_*: most bytes of it ever in use by this instance

// Fixed buffers whose use is tracked (INFO_REGION_SIZE / INFO_REGION_PEAK + id).
export const REGION_TX_DATAGRAM: i32 = 0;       // the datagram being built
export const REGION_FLIGHT: i32 = 1;            // our last flight, kept for retransmission
export const REGION_REASSEMBLY: i32 = 2;        // the handshake message being reassembled
export const REGION_STASH: i32 = 3;             // fragments of later messages
export const REGION_APP_QUEUE: i32 = 4;         // received application data for dtls_read
export const REGION_FUTURE_RECORD: i32 = 5;     // one epoch-1 record that overtook ChangeCipherSpec
export const REGION_CLIENT_CHAIN: i32 = 6;      // our own certificate chain (X.509 builds)
export const REGION_COUNT: i32 = 7;

// Handshake states (dtls_info(INFO_HANDSHAKE_STATE)), the flights of RFC 6347 4.2.4.
export const HS_IDLE: i32 = 0;
export const HS_WAIT_SERVER_HELLO: i32 = 1;        // ClientHello sent
export const HS_WAIT_SERVER_FLIGHT: i32 = 2;       // ServerHello received
export const HS_WAIT_CHANGE_CIPHER_SPEC: i32 = 3;  // our Finished flight sent
export const HS_WAIT_FINISHED: i32 = 4;            // the server's ChangeCipherSpec received
export const HS_DONE: i32 = 5;
