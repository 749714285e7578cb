/*
 * Benchmark driver for P-256 under wasm2c: the wasm2c translation of build/kat-p256.wasm,
 * run natively. Usage: p256_bench OP COUNT [dump]
 *   OP 0 keygen, 1 ECDH, 2 sign, 3 verify; COUNT operations after kat_bench_setup().
 * `make bench` runs it under callgrind with COUNT 1 and COUNT 0 and takes the difference.
 * The HAL's random source is a fixed xorshift stream, so every run executes the same
 * instructions. With "dump", prints the first 512 bytes of the buffer in hex.
 */
#include <stdio.h>
#include <stdlib.h>

#include "kat_p256.h"

void wasm_rt_init(void);

static Z_katp256_instance_t instance;
static uint32_t rng = 0x2545f491u;

u32 Z_halZ_random(struct Z_hal_instance_t* hal, u32 buf, u32 len) {
  wasm_rt_memory_t* mem = Z_katp256Z_memory(&instance);
  u32 i;
  (void)hal;
  if ((uint64_t)buf + len > mem->size) return 1;
  for (i = 0; i < len; i++) {
    rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5;
    mem->data[buf + i] = (uint8_t)rng;
  }
  return 0;
}

int main(int argc, char** argv) {
  int op, count;
  u32 rc;
  if (argc != 3 && argc != 4) {
    fprintf(stderr, "usage: %s OP COUNT [dump]\n", argv[0]);
    return 2;
  }
  op = atoi(argv[1]);
  count = atoi(argv[2]);
  wasm_rt_init();
  Z_katp256_init_module();
  Z_katp256_instantiate(&instance, NULL);
  rc = Z_katp256Z_kat_bench_setup(&instance);
  if (rc != 0) { fprintf(stderr, "setup failed: %d\n", (int)rc); return 1; }
  rc = Z_katp256Z_kat_bench(&instance, (u32)op, (u32)count);
  if (rc != 0) { fprintf(stderr, "operation %d failed: %d\n", op, (int)rc); return 1; }
  if (argc == 4) { /* print the buffer (keys, signature, results) to compare backends */
    wasm_rt_memory_t* mem = Z_katp256Z_memory(&instance);
    u32 base = Z_katp256Z_kat_buffer(&instance), i;
    for (i = 0; i < 512; i++) printf("%02x", mem->data[base + i]);
    printf("\n");
  }
  Z_katp256_free(&instance);
  return 0;
}
