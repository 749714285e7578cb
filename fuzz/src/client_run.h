/*
 * One run of the client over a fuzz input (client_input.h): a fresh module instance,
 * configured from the flags byte, connect, then the ops in order. Shared by the libFuzzer
 * target (fuzz_client.c) and the replay program (replay_client.c).
 */
#ifndef CLIENT_RUN_H
#define CLIENT_RUN_H

#include <stddef.h>
#include <stdint.h>

struct client_result {
  int32_t state;            /* dtls_state after the last op */
  int32_t last_error;       /* dtls_last_error then */
  int32_t last_alert;       /* dtls_last_alert then */
  int32_t cipher_suite;     /* dtls_info(INFO_CIPHER_SUITE) */
  int reached_connected;    /* CONNECTED after some op */
  uint32_t ops;             /* ops run */
  uint32_t datagrams_in;    /* DATAGRAM ops */
  uint32_t datagrams_out;   /* datagrams the client sent */
  uint32_t app_records;     /* records dtls_read returned */
  uint32_t app_bytes;
  uint8_t first_app[64];    /* the start of the first one */
  uint32_t first_app_len;
  int keys_confirmed;       /* the harness's keys (shadow.h) opened the client's Finished */
};

/* Runs in; aborts on a trap (trap_abort.c) or a broken invariant (a finding either way).
 * Returns 0, or -1 when the module could not even be set up (a harness bug). */
int client_run(const uint8_t *in, size_t len, struct client_result *out);

/* The next client_run also writes its input to buf, with every epoch-1 record of the
 * server that the harness's keys open turned into a SEAL op of its plaintext, and a sealed
 * close_notify from the server at the end: the form in which the fuzzer can change what
 * is inside those records. client_run_rewritten() returns its length (0: none). */
void client_run_rewrite(uint8_t *buf, size_t cap);
size_t client_run_rewritten(void);

/* dtls_session_import of in under the harness's PSK configuration (FLAG_SESSION_FEATURES),
 * then dtls_connect: aborts on a trap or a broken promise (an accepted blob that is not
 * well-formed, or that exports differently; a connect that does not start). */
int session_run(const uint8_t *in, size_t len);

#endif /* CLIENT_RUN_H */
