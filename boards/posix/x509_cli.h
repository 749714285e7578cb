/*
 * dtls-posix's X.509 options (RFC 7925 s. 4.4; docs/X509.md): --ca, --cert, --servername,
 * --time, --accept-unknown-time, as host/cli.ts and tests/wasm3/dtls_wasm3.py have them, and
 * the --json keys server_chain, verify_result, failed_certificate, client_auth.
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
/* Every datagram received (plaintext epoch 0): the server's Certificate message reassembled. */
void x509_cli_feed(const uint8_t *datagram, size_t len);
/* The four --json keys, each followed by a comma; done: the handshake completed. */
void x509_cli_print_summary(int done);
/* Prefixes a failure message with the certificate the chain failed at, as host/engine.ts. */
void x509_cli_failure_prefix(char *msg, size_t cap);

#endif /* X509_CLI_H */
