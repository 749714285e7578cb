/*
 * Instantiates the parser module with the small wasm2c runtime of the boards
 * (boards/runtime/wasm_rt_mini.c) over a static full page. Traps abort (trap_abort.c).
 */
#include "parsers_vm.h"

#include <stdio.h>
#include <stdlib.h>

#include "wasm_rt_mini.h"

static uint8_t g_memory[65536] __attribute__((aligned(16)));
static Z_parsers_instance_t g_instance;
static int g_ready;

Z_parsers_instance_t *parsers(void) {
  if (!g_ready) {
    wasm_rt_init();
    Z_parsers_init_module();
    wasm_rt_mini_set_memory(g_memory, sizeof g_memory);
    Z_parsers_instantiate(&g_instance, NULL);
    g_ready = 1;
  }
  return &g_instance;
}

/* The x509 target's P-256 goes through crypto/ec.ts, which asks the HAL first: no engine
 * here, so the module's own P-256 runs (as boards/runtime/hal_p256_none.c). */
uint32_t Z_halZ_p256_verify(struct Z_hal_instance_t *hal, uint32_t pub, uint32_t hash, uint32_t sig) {
  (void)hal; (void)pub; (void)hash; (void)sig;
  return (uint32_t)-1;
}
uint32_t Z_halZ_p256_validate(struct Z_hal_instance_t *hal, uint32_t pub) {
  (void)hal; (void)pub;
  return (uint32_t)-1;
}

uint8_t *parsers_buf(size_t *size) {
  Z_parsers_instance_t *m = parsers();
  uint32_t off = Z_parsersZ_fz_buffer(m), n = Z_parsersZ_fz_buffer_size(m);
  if (off > m->w2c_memory.size || n > m->w2c_memory.size - off) abort();
  *size = n;
  return m->w2c_memory.data + off;
}

void unhex(const char *hex, uint8_t *out, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    unsigned v;
    if (sscanf(hex + 2 * i, "%2x", &v) != 1) abort();
    out[i] = (uint8_t)v;
  }
}
