// Wire constants of DTLS 1.2 (RFC 6347, RFC 5246) and the extensions RFC 7925 uses.

export const DTLS_1_2: i32 = 0xfefd;
export const DTLS_1_0: i32 = 0xfeff;

// Record content types.
export const CT_CHANGE_CIPHER_SPEC: i32 = 20;
export const CT_ALERT: i32 = 21;
export const CT_HANDSHAKE: i32 = 22;
export const CT_APPLICATION_DATA: i32 = 23;
export const CT_HEARTBEAT: i32 = 24;          // RFC 6520
export const CT_TLS12_CID: i32 = 25;          // RFC 9146 s. 4: a record carrying a connection ID

// Handshake message types.
export const HT_HELLO_REQUEST: i32 = 0;
export const HT_CLIENT_HELLO: i32 = 1;
export const HT_SERVER_HELLO: i32 = 2;
export const HT_HELLO_VERIFY_REQUEST: i32 = 3;
export const HT_NEW_SESSION_TICKET: i32 = 4;
export const HT_CERTIFICATE: i32 = 11;
export const HT_SERVER_KEY_EXCHANGE: i32 = 12;
export const HT_CERTIFICATE_REQUEST: i32 = 13;
export const HT_SERVER_HELLO_DONE: i32 = 14;
export const HT_CERTIFICATE_VERIFY: i32 = 15;
export const HT_CLIENT_KEY_EXCHANGE: i32 = 16;
export const HT_FINISHED: i32 = 20;
export const HT_CERTIFICATE_URL: i32 = 21;     // RFC 6066 s. 5

// Cipher suites (RFC 7925 sections 4.2, 4.3; RFC 6655, RFC 7251).
export const TLS_PSK_WITH_AES_128_CCM_8: i32 = 0xc0a8;
export const TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8: i32 = 0xc0ae;
// RFC 5746 3.3: signals secure renegotiation in 2 bytes instead of the 5-byte extension.
export const TLS_EMPTY_RENEGOTIATION_INFO_SCSV: i32 = 0x00ff;

// Extensions.
export const EXT_SERVER_NAME: i32 = 0;
export const EXT_MAX_FRAGMENT_LENGTH: i32 = 1;
export const EXT_SUPPORTED_GROUPS: i32 = 10;
export const EXT_EC_POINT_FORMATS: i32 = 11;
export const EXT_SIGNATURE_ALGORITHMS: i32 = 13;
export const EXT_HEARTBEAT: i32 = 15;          // RFC 6520 s. 2
export const EXT_CLIENT_CERTIFICATE_TYPE: i32 = 19;
export const EXT_SERVER_CERTIFICATE_TYPE: i32 = 20;
export const EXT_EXTENDED_MASTER_SECRET: i32 = 23;
export const EXT_SESSION_TICKET: i32 = 35;
export const EXT_CONNECTION_ID: i32 = 54;     // RFC 9146 s. 3 (the drafts used 53)
export const EXT_RENEGOTIATION_INFO: i32 = 0xff01;
export const EXT_CLIENT_CERTIFICATE_URL: i32 = 2; // RFC 6066 s. 5
export const EXT_TRUSTED_CA_KEYS: i32 = 3;        // RFC 6066 s. 6
export const EXT_CACHED_INFO: i32 = 25;           // RFC 7924

// Alert levels and descriptions (RFC 5246 7.2, RFC 6066, RFC 5746).
export const ALERT_WARNING: i32 = 1;
export const ALERT_FATAL: i32 = 2;
export const ALERT_CLOSE_NOTIFY: i32 = 0;
export const ALERT_UNEXPECTED_MESSAGE: i32 = 10;
export const ALERT_BAD_RECORD_MAC: i32 = 20;
export const ALERT_RECORD_OVERFLOW: i32 = 22;
export const ALERT_HANDSHAKE_FAILURE: i32 = 40;
export const ALERT_BAD_CERTIFICATE: i32 = 42;
export const ALERT_UNSUPPORTED_CERTIFICATE: i32 = 43;
export const ALERT_CERTIFICATE_EXPIRED: i32 = 45;
export const ALERT_CERTIFICATE_UNKNOWN: i32 = 46;
export const ALERT_UNKNOWN_CA: i32 = 48;
export const ALERT_ILLEGAL_PARAMETER: i32 = 47;
export const ALERT_DECODE_ERROR: i32 = 50;
export const ALERT_DECRYPT_ERROR: i32 = 51;
export const ALERT_PROTOCOL_VERSION: i32 = 70;
export const ALERT_INSUFFICIENT_SECURITY: i32 = 71;
export const ALERT_INTERNAL_ERROR: i32 = 80;
export const ALERT_USER_CANCELED: i32 = 90;
export const ALERT_NO_RENEGOTIATION: i32 = 100;
export const ALERT_UNSUPPORTED_EXTENSION: i32 = 110;
export const ALERT_UNRECOGNIZED_NAME: i32 = 112;
export const ALERT_UNKNOWN_PSK_IDENTITY: i32 = 115;
export const ALERT_BAD_CERTIFICATE_HASH_VALUE: i32 = 114; // RFC 6066 s. 5, 9

// Heartbeat (RFC 6520): HeartbeatMode of the extension, HeartbeatMessageType.
export const HB_PEER_ALLOWED_TO_SEND: i32 = 1;
export const HB_PEER_NOT_ALLOWED_TO_SEND: i32 = 2;
export const HB_REQUEST: i32 = 1;
export const HB_RESPONSE: i32 = 2;
export const HB_PADDING_MIN: i32 = 16;         // s. 4: at least 16 bytes of random padding
