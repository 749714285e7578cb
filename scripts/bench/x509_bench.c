/*
 * Benchmark driver for X.509 chain validation under wasm2c: the wasm2c translation of
 * build/kat-x509.wasm, run natively. Usage: x509_bench INPUT COUNT
 *   INPUT (written by scripts/bench/x509_bench.py): u16 name length, the reference name,
 *   u16 anchor length, the anchor's DER, u8 certificate count, then [u16 length, DER] per
 *   certificate, leaf first (all lengths big-endian).
 * Adds the anchor, validates the chain once (warm-up), then COUNT more times; each
 * validation must be accepted. `make bench-x509` runs it under callgrind with COUNT 1 and
 * COUNT 0 and takes the difference. P-256 is the module's own (the HAL answers
 * "unsupported"), as in build/dtls.wasm.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kat_x509.h"

void wasm_rt_init(void);

static Z_katx509_instance_t instance;

u32 Z_halZ_p256_validate(struct Z_hal_instance_t* hal, u32 pub) { (void)hal; (void)pub; return (u32)-1; }
u32 Z_halZ_p256_verify(struct Z_hal_instance_t* hal, u32 pub, u32 hash, u32 sig) {
  (void)hal; (void)pub; (void)hash; (void)sig;
  return (u32)-1;
}

#define NAME_OFF 0u
#define ANCHOR_OFF 512u
#define CHAIN_OFF 2048u
#define NOW_S 1893456000ull /* 2030-01-01T00:00:00Z */

int main(int argc, char** argv) {
  static unsigned char in[16384];
  size_t n, p = 0;
  unsigned name_len, anchor_len, count, i;
  int runs;
  u32 base, rc;
  wasm_rt_memory_t* mem;
  FILE* f;
  if (argc != 3) { fprintf(stderr, "usage: %s INPUT COUNT\n", argv[0]); return 2; }
  f = fopen(argv[1], "rb");
  if (!f) { perror(argv[1]); return 2; }
  n = fread(in, 1, sizeof in, f);
  fclose(f);
  runs = atoi(argv[2]);
  wasm_rt_init();
  Z_katx509_init_module();
  Z_katx509_instantiate(&instance, NULL);
  mem = Z_katx509Z_memory(&instance);
  base = Z_katx509Z_kat_buffer(&instance);
  if (n < 2) return 2;
  name_len = (unsigned)(in[0] << 8 | in[1]); p = 2;
  if (p + name_len + 2 > n || name_len > ANCHOR_OFF) return 2;
  memcpy(mem->data + base + NAME_OFF, in + p, name_len); p += name_len;
  anchor_len = (unsigned)(in[p] << 8 | in[p + 1]); p += 2;
  if (p + anchor_len + 1 > n || anchor_len > CHAIN_OFF - ANCHOR_OFF) return 2;
  memcpy(mem->data + base + ANCHOR_OFF, in + p, anchor_len); p += anchor_len;
  count = in[p++];
  if (n - p > 16384 - CHAIN_OFF) return 2;
  memcpy(mem->data + base + CHAIN_OFF, in + p, n - p);
  rc = Z_katx509Z_x509_anchor_add(&instance, ANCHOR_OFF, anchor_len);
  if (rc != 0) { fprintf(stderr, "anchor refused: %d\n", (int)rc); return 1; }
  for (i = 0; i <= (unsigned)runs; i++) {
    rc = Z_katx509Z_x509_validate(&instance, NAME_OFF, name_len, NOW_S, CHAIN_OFF, count);
    if (rc != 0) { fprintf(stderr, "chain refused: reason %d alert %d\n", (int)(rc >> 8), (int)(rc & 0xff)); return 1; }
  }
  Z_katx509_free(&instance);
  return 0;
}
