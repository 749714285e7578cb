/* The application API over one backend (dtls_vm.h). Portable C99. */
#include "dtls_port.h"

#include <limits.h>
#include <string.h>

#include "dtls_codes.h"
#include "dtls_vm.h"

static int g_ready;   /* 1 after a successful init, 0 before and after a trap */
static int g_trapped; /* the module trapped: every call fails until dtls_port_init() */
static uint32_t g_buf; /* offset of the module's I/O buffer */
static uint32_t g_buf_size;
static const char *g_port_error; /* a failure of this layer, else the backend's */

static int32_t call(dtls_vm_export_t fn, int32_t a, int32_t b) {
  int32_t r = 0;
  int rc;
  if (!g_ready) return g_trapped ? DTLS_PORT_ETRAP : DTLS_PORT_ESTATE;
  rc = dtls_vm_call(fn, a, b, &r);
  if (rc != 0) {
    if (rc == DTLS_PORT_ETRAP) {
      g_ready = 0;
      g_trapped = 1;
    }
    return rc;
  }
  return r;
}

/* The I/O buffer as a host pointer, or NULL when [0, len) does not fit in it. */
static uint8_t *io_buffer(size_t len) {
  uint32_t size = 0;
  uint8_t *mem = dtls_vm_memory(&size);
  if (len > g_buf_size) return 0;
  return dtls_vm_ptr(mem, size, g_buf, (uint32_t)len);
}

int32_t dtls_port_init(void) {
  int32_t off, size;
  uint32_t mem_size = 0;
  g_ready = 0;
  g_trapped = 0;
  g_port_error = 0;
  if (dtls_vm_init() != 0) return DTLS_PORT_EINIT;
  g_ready = 1;
  off = call(DTLS_X_BUFFER, 0, 0);
  size = call(DTLS_X_BUFFER_SIZE, 0, 0);
  dtls_vm_memory(&mem_size);
  if (off <= 0 || size <= 0 || dtls_vm_ptr(dtls_vm_memory(&mem_size), mem_size, (uint32_t)off,
                                           (uint32_t)size) == 0) {
    g_ready = 0;
    g_port_error = "the I/O buffer lies outside the capped memory";
    return DTLS_PORT_EINIT;
  }
  g_buf = (uint32_t)off;
  g_buf_size = (uint32_t)size;
  return 0;
}

void dtls_port_free(void) {
  g_ready = 0;
  dtls_vm_free();
}

int32_t dtls_port_config_reset(void) {
  int32_t r = call(DTLS_X_CONFIG_RESET, 0, 0);
  return r < 0 ? r : 0;
}

int32_t dtls_port_config_set(int32_t option, int32_t value) {
  return call(DTLS_X_CONFIG_SET, option, value);
}

int32_t dtls_port_config_psk(const uint8_t *identity, size_t identity_len, const uint8_t *psk,
                             size_t psk_len) {
  uint8_t *p;
  if (!g_ready) return DTLS_PORT_ESTATE;
  p = io_buffer(identity_len + psk_len);
  if (p == 0 || identity_len + psk_len < identity_len) return DTLS_PORT_ETOOBIG;
  if (identity_len) memcpy(p, identity, identity_len);
  if (psk_len) memcpy(p + identity_len, psk, psk_len);
  return call(DTLS_X_CONFIG_PSK, (int32_t)identity_len, (int32_t)psk_len);
}

int32_t dtls_port_config_rpk(const uint8_t *private_key, size_t private_len, const uint8_t *server_pin,
                             size_t pin_len) {
  uint8_t *p;
  int32_t r;
  if (!g_ready) return DTLS_PORT_ESTATE;
  p = io_buffer(private_len + pin_len);
  if (p == 0 || private_len + pin_len < private_len) return DTLS_PORT_ETOOBIG;
  if (private_len) memcpy(p, private_key, private_len);
  if (pin_len) memcpy(p + private_len, server_pin, pin_len);
  r = call(DTLS_X_CONFIG_RPK, (int32_t)private_len, (int32_t)pin_len);
  p = io_buffer(private_len); /* wipe the private key from the I/O buffer */
  if (p && private_len) memset(p, 0, private_len);
  return r;
}

int32_t dtls_port_config_sni(const char *host_name) {
  size_t n = host_name ? strlen(host_name) : 0;
  uint8_t *p;
  if (!g_ready) return DTLS_PORT_ESTATE;
  p = io_buffer(n);
  if (p == 0) return DTLS_PORT_ETOOBIG;
  if (n) memcpy(p, host_name, n);
  return call(DTLS_X_CONFIG_SNI, (int32_t)n, 0);
}

int dtls_port_has_x509(void) { return g_ready && dtls_vm_has(DTLS_X_CONFIG_CA); }

/* One export taking len bytes from the I/O buffer. */
static int32_t call_bytes(dtls_vm_export_t fn, const uint8_t *data, size_t len) {
  uint8_t *p;
  if (!g_ready) return DTLS_PORT_ESTATE;
  p = io_buffer(len);
  if (p == 0) return DTLS_PORT_ETOOBIG;
  if (len) memcpy(p, data, len);
  return call(fn, (int32_t)len, 0);
}

int32_t dtls_port_config_ca(const uint8_t *der, size_t len) { return call_bytes(DTLS_X_CONFIG_CA, der, len); }
int32_t dtls_port_config_cert(const uint8_t *der, size_t len) { return call_bytes(DTLS_X_CONFIG_CERT, der, len); }
int32_t dtls_port_config_peer_name(const char *name) {
  return call_bytes(DTLS_X_CONFIG_PEER_NAME, (const uint8_t *)name, name ? strlen(name) : 0);
}

int32_t dtls_port_config_cert_url(const uint8_t *sha1_and_url, size_t len) {
  return call_bytes(DTLS_X_CONFIG_CERT_URL, sha1_and_url, len);
}

int32_t dtls_port_connect(void) { return call(DTLS_X_CONNECT, 0, 0); }

int32_t dtls_port_on_datagram(const uint8_t *data, size_t len) {
  uint8_t *p;
  if (!g_ready) return DTLS_PORT_ESTATE;
  /* Too large for the I/O buffer: nothing is copied, but the module is told its length so
   * the loss is counted (dtls_info(INFO_DATAGRAMS_TOO_LARGE)). */
  if (len > g_buf_size) return call(DTLS_X_ON_DATAGRAM, len > INT32_MAX ? INT32_MAX : (int32_t)len, 0);
  p = io_buffer(len);
  if (p == 0) return DTLS_PORT_ETOOBIG;
  if (len) memcpy(p, data, len);
  return call(DTLS_X_ON_DATAGRAM, (int32_t)len, 0);
}

int32_t dtls_port_poll(void) { return call(DTLS_X_POLL, 0, 0); }

int32_t dtls_port_write(const uint8_t *data, size_t len) {
  uint8_t *p;
  if (!g_ready) return DTLS_PORT_ESTATE;
  p = io_buffer(len);
  if (p == 0) return DTLS_PORT_ETOOBIG;
  if (len) memcpy(p, data, len);
  return call(DTLS_X_WRITE, (int32_t)len, 0);
}

int32_t dtls_port_read(uint8_t *out, size_t cap) {
  int32_t n = call(DTLS_X_READ, 0, 0);
  uint8_t *p;
  if (n < 0) return n;
  p = io_buffer((size_t)n);
  if (p == 0) return DTLS_PORT_ETOOBIG;
  if ((size_t)n > cap) return DTLS_PORT_ESMALL;
  if (n) memcpy(out, p, (size_t)n);
  return n;
}

int32_t dtls_port_close(void) { return call(DTLS_X_CLOSE, 0, 0); }
int32_t dtls_port_state(void) { return call(DTLS_X_STATE, 0, 0); }
int32_t dtls_port_last_alert(void) { return call(DTLS_X_LAST_ALERT, 0, 0); }
int32_t dtls_port_last_error(void) { return call(DTLS_X_LAST_ERROR, 0, 0); }
int32_t dtls_port_info(int32_t key) { return call(DTLS_X_INFO, key, 0); }

int32_t dtls_port_peer_key_hash(uint8_t out[32]) {
  int32_t n = call(DTLS_X_INFO, DTLS_INFO_PEER_KEY_HASH, 0);
  uint8_t *p;
  if (n != 32) return n < 0 ? n : -1;
  p = io_buffer(32);
  if (p == 0) return DTLS_PORT_ETOOBIG;
  memcpy(out, p, 32);
  return 0;
}

int32_t dtls_port_session_export(uint8_t *out, size_t cap) {
  int32_t n;
  uint8_t *p;
  if (!g_ready) return DTLS_PORT_ESTATE;
  n = call(DTLS_X_SESSION_EXPORT, 0, 0);
  if (n < 0) return n;
  p = io_buffer((size_t)n);
  if (p == 0) return DTLS_PORT_ETOOBIG;
  if ((size_t)n > cap) { memset(p, 0, (size_t)n); return DTLS_PORT_ESMALL; }
  memcpy(out, p, (size_t)n);
  memset(p, 0, (size_t)n); /* the master secret does not stay in the shared buffer */
  return n;
}

int32_t dtls_port_session_import(const uint8_t *blob, size_t len) {
  uint8_t *p;
  if (!g_ready) return DTLS_PORT_ESTATE;
  p = io_buffer(len);
  if (p == 0) return DTLS_PORT_ETOOBIG;
  memcpy(p, blob, len);
  return call(DTLS_X_SESSION_IMPORT, (int32_t)len, 0); /* the module wipes its copy */
}

int32_t dtls_port_info_bytes(int32_t key, uint8_t *out, size_t cap) {
  int32_t n = call(DTLS_X_INFO, key, 0);
  uint8_t *p;
  if (n <= 0) return n;
  if ((size_t)n > cap) return DTLS_PORT_ESMALL;
  p = io_buffer((size_t)n);
  if (p == 0) return DTLS_PORT_ETOOBIG;
  memcpy(out, p, (size_t)n);
  return n;
}

const char *dtls_port_error_message(void) { return g_port_error ? g_port_error : dtls_vm_error(); }
const char *dtls_port_backend(void) { return dtls_vm_name(); }

uint32_t dtls_port_memory_size(void) {
  uint32_t size = 0;
  dtls_vm_memory(&size);
  return size;
}

uint32_t dtls_port_buffer_size(void) { return g_buf_size; }
