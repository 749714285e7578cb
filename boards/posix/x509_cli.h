/*
 * dtls-posix's X.509 options (RFC 7925 s. 4.4; docs/X509.md): --ca, --cert, --servername,
 * --time, --accept-unknown-time, as host/cli.ts and tests/wasm3/dtls_wasm3.py have them, and
 * --cached-info, --cert-url, --trusted-ca-keys, and the --json keys server_chain, verify_result,
 * cached_info_used, cert_url_used, trusted_ca_keys_accepted, failed_certificate, client_auth.
 */
#ifndef X509_CLI_H
#define X509_CLI_H

#include <stddef.h>
#include <stdint.h>

#define X509_CLI_CA_FILES_MAX 8

/* Reads the PEM files (before the socket is opened): 0, or -1 after the message. */
int x509_cli_read(const char *const *ca_files, int n_ca, const char *cert_file);
/* The module configured as host/engine.ts configureX509 does: trust anchors, our key (NULL:
 * none) and chain, the reference name (NULL: the SNI value), the unknown-time policy.
 * 0, or -1 after the message. */
int x509_cli_configure(const uint8_t *client_key, const char *peer_name, int accept_unknown_time);
/* RFC 7925 s. 4.4's extensions (host/engine.ts configureX509): --cached-info (RFC 7924),
 * --cert-url URL (RFC 6066 s. 5: NULL for none; needs --cert), --trusted-ca-keys (RFC 6066
 * s. 6). After x509_cli_configure; 0, or -1 after the message. */
int x509_cli_configure_ext(int cached_info, const char *cert_url, int trusted_ca_keys);
/* Every datagram received (plaintext epoch 0): the server's Certificate message reassembled. */
void x509_cli_feed(const uint8_t *datagram, size_t len);
/* The seven --json keys, each followed by a comma; done: the handshake completed. */
void x509_cli_print_summary(int done);
/* Prefixes a failure message with the certificate the chain failed at, as host/engine.ts. */
void x509_cli_failure_prefix(char *msg, size_t cap);

#endif /* X509_CLI_H */
