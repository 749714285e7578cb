/*
 * The execution backend under dtls_port.c: one instance of build/dtls.wasm, run either
 * by wasm2c's translation (vm_wasm2c.c) or by the wasm3 interpreter (vm_wasm3.c).
 * Exactly one backend is linked into a program.
 */
#ifndef DTLS_VM_H
#define DTLS_VM_H

#include <stdint.h>

/* The module's exports (docs/API.md), in one list: X(id, name, number of i32 params, returns a value). */
#define DTLS_VM_EXPORTS(X)                       \
  X(DTLS_X_BUFFER, "dtls_buffer", 0, 1)           \
  X(DTLS_X_BUFFER_SIZE, "dtls_buffer_size", 0, 1) \
  X(DTLS_X_CONFIG_RESET, "dtls_config_reset", 0, 0) \
  X(DTLS_X_CONFIG_SET, "dtls_config_set", 2, 1)   \
  X(DTLS_X_CONFIG_PSK, "dtls_config_psk", 2, 1)   \
  X(DTLS_X_CONFIG_SNI, "dtls_config_sni", 1, 1)   \
  X(DTLS_X_CONFIG_RPK, "dtls_config_rpk", 2, 1)   \
  X(DTLS_X_CONNECT, "dtls_connect", 0, 1)         \
  X(DTLS_X_ON_DATAGRAM, "dtls_on_datagram", 1, 1) \
  X(DTLS_X_POLL, "dtls_poll", 0, 1)               \
  X(DTLS_X_WRITE, "dtls_write", 1, 1)             \
  X(DTLS_X_READ, "dtls_read", 0, 1)               \
  X(DTLS_X_SESSION_EXPORT, "dtls_session_export", 0, 1) \
  X(DTLS_X_SESSION_IMPORT, "dtls_session_import", 1, 1) \
  X(DTLS_X_CLOSE, "dtls_close", 0, 1)             \
  X(DTLS_X_STATE, "dtls_state", 0, 1)             \
  X(DTLS_X_LAST_ALERT, "dtls_last_alert", 0, 1)   \
  X(DTLS_X_LAST_ERROR, "dtls_last_error", 0, 1)   \
  X(DTLS_X_INFO, "dtls_info", 1, 1)               \
  X(DTLS_X_CONFIG_CA, "dtls_config_ca", 1, 1)     \
  X(DTLS_X_CONFIG_CERT, "dtls_config_cert", 1, 1) \
  X(DTLS_X_CONFIG_PEER_NAME, "dtls_config_peer_name", 1, 1) \
  X(DTLS_X_CONFIG_CERT_URL, "dtls_config_cert_url", 1, 1)

typedef enum {
#define DTLS_VM_ENUM(id, name, nparams, nresults) id,
  DTLS_VM_EXPORTS(DTLS_VM_ENUM)
#undef DTLS_VM_ENUM
  DTLS_X_COUNT
} dtls_vm_export_t;

/* The exports from here to the end of the list are optional: only the X.509 builds
 * (build/dtls.wasm, build/dtls-cert-hw.wasm) have them; a module without them loads and runs
 * as before, and dtls_vm_call answers DTLS_PORT_EABSENT for them. */
#define DTLS_X_FIRST_OPTIONAL DTLS_X_CONFIG_CA

/* Instantiates the module (data segments loaded, memory capped). 0 or a DTLS_PORT_E* code. */
int dtls_vm_init(void);
/* Drops the instance (after a trap, dtls_vm_init() makes a fresh one). */
void dtls_vm_free(void);
/* The module's linear memory as the backend backs it: *size is the cap, not 64 KiB. */
uint8_t *dtls_vm_memory(uint32_t *size);
/* Calls one export with up to two i32 arguments. 0 and *result set, or a DTLS_PORT_E* code
 * (DTLS_PORT_EABSENT: an optional export this module does not have). */
int dtls_vm_call(dtls_vm_export_t fn, int32_t a, int32_t b, int32_t *result);
/* 1 when the instantiated module has that export (always for the required ones). */
int dtls_vm_has(dtls_vm_export_t fn);
/* A readable reason for the last failure of dtls_vm_init or dtls_vm_call. */
const char *dtls_vm_error(void);
/* Caps the memory the next dtls_vm_init() provides (never above DTLS_MEMORY_CAP); used to
 * measure the smallest cap a handshake needs. */
void dtls_vm_set_memory_cap(uint32_t bytes);
/* Name of the backend: "wasm2c" or "wasm3". */
const char *dtls_vm_name(void);

/* Shared by the backends: checks that [off, off+len) lies in the module's memory and
 * returns the pointer, or NULL. */
static inline uint8_t *dtls_vm_ptr(uint8_t *mem, uint32_t mem_size, uint32_t off, uint32_t len) {
  if (mem == 0 || off > mem_size || len > mem_size - off) return 0;
  return mem + off;
}

#endif /* DTLS_VM_H */
