#include "dtls_session.h"

#include "dtls_port.h"
#include "hal.h"

/* One step: wait for a datagram or the next timer, whichever comes first. */
static int32_t step(const dtls_session_io_t *io, int32_t max_wait) {
  int32_t wait = dtls_port_poll(), n;
  if (wait < 0 || wait > max_wait) wait = max_wait;
  if (wait < 0) wait = 0;
  n = io->recv(io->ctx, io->buf, io->cap, wait);
  if (n > 0) return dtls_port_on_datagram(io->buf, (size_t)n);
  return n < 0 ? n : 0;
}

int32_t dtls_session_handshake(const dtls_session_io_t *io, uint32_t timeout_ms) {
  uint32_t start = hal_clock_ms();
  int32_t rc = dtls_port_connect(), state;
  if (rc < 0 && dtls_port_state() != DTLS_PORT_STATE_FAILED) return rc;
  for (;;) {
    uint32_t spent = hal_clock_ms() - start;
    state = dtls_port_state();
    if (state != DTLS_PORT_STATE_HANDSHAKING || spent >= timeout_ms) return state;
    rc = step(io, (int32_t)(timeout_ms - spent));
    if (rc < 0 && rc <= DTLS_PORT_ETRAP) return rc;
  }
}

int32_t dtls_session_request(const dtls_session_io_t *io, const uint8_t *data, size_t len,
                             uint8_t *reply, size_t cap, uint32_t wait_ms) {
  uint32_t start = hal_clock_ms();
  int32_t rc = dtls_port_write(data, len);
  if (rc < 0) return rc;
  for (;;) {
    uint32_t spent = hal_clock_ms() - start;
    rc = dtls_port_read(reply, cap);
    if (rc >= 0) return rc;
    if (rc != -1) return rc; /* -1: nothing yet */
    if (dtls_port_state() != DTLS_PORT_STATE_CONNECTED || spent >= wait_ms) return 0;
    rc = step(io, (int32_t)(wait_ms - spent));
    if (rc < 0 && rc <= DTLS_PORT_ETRAP) return rc;
  }
}
