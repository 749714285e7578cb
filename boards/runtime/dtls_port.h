/*
 * The application's C API to the DTLS core, the same on every board and backend.
 *
 * One DTLS client per program (the module instance is a singleton). Event-driven and
 * non-blocking, like the module's exports (docs/API.md): the application owns the socket
 * and the main loop; it passes each received datagram to dtls_port_on_datagram(), and
 * calls dtls_port_poll() when the delay it returned has passed. Datagrams leave through
 * hal_send() (boards/hal/hal.h), called from inside these functions.
 *
 * Return values are the module's (codes in dtls_codes.h) or, for failures of the glue
 * itself, DTLS_PORT_E* below. After a trap (a bug in the core, never caused by network
 * input) every call returns DTLS_PORT_ETRAP until dtls_port_init() is called again.
 */
#ifndef DTLS_PORT_H
#define DTLS_PORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Errors of the glue, outside the module's error range. */
#define DTLS_PORT_ETRAP (-1000)    /* the module trapped; dtls_port_init() again */
#define DTLS_PORT_EINIT (-1001)    /* the module could not be instantiated/linked */
#define DTLS_PORT_ETOOBIG (-1002)  /* input larger than the module's I/O buffer */
#define DTLS_PORT_ESMALL (-1003)   /* output buffer too small for the received record */
#define DTLS_PORT_ESTATE (-1004)   /* dtls_port_init() not called (or failed) */
#define DTLS_PORT_EABSENT (-1005)  /* the module has no such export (X.509 in a build without it) */

/* States (dtls_state). */
#define DTLS_PORT_STATE_IDLE 0
#define DTLS_PORT_STATE_HANDSHAKING 1
#define DTLS_PORT_STATE_CONNECTED 2
#define DTLS_PORT_STATE_CLOSED 3
#define DTLS_PORT_STATE_FAILED 4

/* Instantiates the module with its memory capped to DTLS_MEMORY_CAP. 0 or DTLS_PORT_EINIT. */
int32_t dtls_port_init(void);
void dtls_port_free(void);

/* Configuration (before dtls_port_connect). */
int32_t dtls_port_config_reset(void);
int32_t dtls_port_config_set(int32_t option, int32_t value);
int32_t dtls_port_config_psk(const uint8_t *identity, size_t identity_len, const uint8_t *psk,
                             size_t psk_len);
/* Raw public keys (RFC 7250) for TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8: our P-256 private key
 * (32 bytes, big-endian; NULL/0 for none: no client authentication) and the server's pin:
 * its uncompressed point (65 bytes) or the SHA-256 of its SubjectPublicKeyInfo (32 bytes).
 * 0, DTLS_ERR_UNSUPPORTED (a PSK-only module) or another negative error. */
int32_t dtls_port_config_rpk(const uint8_t *private_key, size_t private_len, const uint8_t *server_pin,
                             size_t pin_len);
/* NUL-terminated host name, or NULL for none. */
int32_t dtls_port_config_sni(const char *host_name);

/* X.509 certificates (RFC 7925 s. 4.4; docs/X509.md), in modules built with them
 * (build/dtls.wasm, build/dtls-cert-hw.wasm; dtls_port_has_x509() says): one trust anchor
 * (a CA certificate, DER) per call, up to TRUST_ANCHOR_MAX (assembly/config.ts); one certificate of our own
 * chain per call, leaf first (its key is dtls_port_config_rpk's private key, with no pin); the
 * name the server's certificate must carry when not the SNI value (NULL: the SNI value).
 * 0, DTLS_PORT_EABSENT (a module without X.509) or the module's negative error. The time
 * policy: hal_wall_time_s() and DTLS_OPT_CERT_UNKNOWN_TIME. */
int dtls_port_has_x509(void);
int32_t dtls_port_config_ca(const uint8_t *der, size_t len);
int32_t dtls_port_config_cert(const uint8_t *der, size_t len);
int32_t dtls_port_config_peer_name(const char *name);
/* client_certificate_url (RFC 6066 s. 5; docs/API.md dtls_config_cert_url): the SHA-1 of our
 * leaf certificate (20 bytes), then the URL (printable ASCII, 1 to 255 bytes). 0,
 * DTLS_PORT_EABSENT (a module without it) or the module's negative error. */
int32_t dtls_port_config_cert_url(const uint8_t *sha1_and_url, size_t len);

/* Sessions across deep sleep and reboots (docs/API.md "Sessions"): the kept session as a
 * versioned, checked blob of at most dtls_port_buffer_size() bytes. It holds the master
 * secret: store it where the PSK lives (secure storage), never in plain flash. Export: its
 * length, DTLS_ERR_BAD_STATE when no session is kept, DTLS_PORT_ESMALL when cap is too
 * small. Import (after configuring the same credentials, before dtls_port_connect with
 * DTLS_OPT_RESUME 1): 0, or DTLS_ERR_BAD_ARGUMENT (malformed, truncated), DTLS_ERR_UNSUPPORTED
 * (another version, or a suite these credentials cannot resume), DTLS_ERR_SESSION_REFUSED
 * (damaged, or made with other credentials). */
int32_t dtls_port_session_export(uint8_t *out, size_t cap);
int32_t dtls_port_session_import(const uint8_t *blob, size_t len);

/* Starts the handshake (the ClientHello goes out through hal_send). 0 or negative error. */
int32_t dtls_port_connect(void);
/* One received datagram; returns the state (DTLS_PORT_STATE_*) or a negative error. A
 * datagram longer than the I/O buffer is not copied; pass its real length (e.g. recv with
 * MSG_TRUNC) and the module counts it as lost (DTLS_INFO_DATAGRAMS_TOO_LARGE). */
int32_t dtls_port_on_datagram(const uint8_t *data, size_t len);
/* Runs due timers; milliseconds until it must be called again, or -1 if no timer runs. */
int32_t dtls_port_poll(void);
/* Sends application data; len or a negative error. */
int32_t dtls_port_write(const uint8_t *data, size_t len);
/* Next received application record into out: its length, -1 if none, or a negative error.
 * Give cap >= dtls_port_buffer_size(): a record that does not fit is dropped (ESMALL). */
int32_t dtls_port_read(uint8_t *out, size_t cap);
/* Sends close_notify and closes. */
int32_t dtls_port_close(void);

int32_t dtls_port_state(void);
/* -1 none, else sent<<16 | level<<8 | description. */
int32_t dtls_port_last_alert(void);
int32_t dtls_port_last_error(void);
int32_t dtls_port_info(int32_t key);
/* SHA-256 of the server's SubjectPublicKeyInfo as seen in the handshake (raw public keys):
 * 0 and out filled, or a negative value when there is none. */
int32_t dtls_port_peer_key_hash(uint8_t out[32]);

/* An info key whose answer is a length with that many bytes in the I/O buffer
 * (DTLS_INFO_CID_SENT_LEN, DTLS_INFO_CID_RECEIVED_LEN): the length (negative: none) and the
 * bytes in out, or DTLS_PORT_ESMALL when cap is too small. */
int32_t dtls_port_info_bytes(int32_t key, uint8_t *out, size_t cap);

/* Readable reason of the last glue failure (trap, link error). */
const char *dtls_port_error_message(void);
/* "wasm2c" or "wasm3". */
const char *dtls_port_backend(void);
/* Bytes of linear memory the backend provides (the cap). */
uint32_t dtls_port_memory_size(void);
/* Size of the module's I/O buffer (largest datagram / write). */
uint32_t dtls_port_buffer_size(void);

#ifdef __cplusplus
}
#endif

#endif /* DTLS_PORT_H */
