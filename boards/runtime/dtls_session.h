/*
 * A blocking convenience layer over dtls_port.h for simple applications (the ESP32 and
 * nRF52 demos): run the handshake, then send a request and wait for the reply. The board
 * gives one function that waits for a datagram; timers run through dtls_port_poll().
 */
#ifndef DTLS_SESSION_H
#define DTLS_SESSION_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  /* Waits up to timeout_ms for one datagram from the server into buf. Returns its length,
   * 0 on timeout, or a negative value on a socket error. */
  int32_t (*recv)(void *ctx, uint8_t *buf, size_t cap, int32_t timeout_ms);
  void *ctx;
  uint8_t *buf; /* scratch for one datagram, at least dtls_port_buffer_size() bytes */
  size_t cap;
} dtls_session_io_t;

/* Connects and runs the handshake until connected, failed, or timeout_ms passed.
 * Returns the state (DTLS_PORT_STATE_*) or a negative glue error. */
int32_t dtls_session_handshake(const dtls_session_io_t *io, uint32_t timeout_ms);

/* Sends `len` bytes and waits up to wait_ms for one application record into reply.
 * Returns the reply's length, 0 when none came in time, or a negative error. */
int32_t dtls_session_request(const dtls_session_io_t *io, const uint8_t *data, size_t len,
                             uint8_t *reply, size_t cap, uint32_t wait_ms);

#endif
