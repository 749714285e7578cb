/*
 * Bare-metal P-256 benchmark firmware for QEMU's mps2-an386 (Cortex-M4): the wasm2c
 * translation of build/kat-p256.wasm with the board's mini runtime, booted by
 * boards/qemu/startup.c inside boards/qemu/nrf52840.ld. The command line (semihosting
 * SYS_GET_CMDLINE, QEMU's -append) is "OP COUNT [SEED]": OP 0 keygen, 1 ECDH, 2 sign,
 * 3 verify. The firmware runs kat_bench_setup() (keys, a signature, every operation once:
 * the warm-up), then OP COUNT times, and exits through semihosting with 0 on success.
 * SEED (default 0: the stream of scripts/bench/p256_bench.c) changes the HAL's random stream, hence every key and nonce.
 * scripts/bench/m4/run.py counts the instructions with icount-plugin.c and takes
 * count(COUNT=1) - count(COUNT=0).
 */
#include <setjmp.h>
#include <stdint.h>

#include "board.h"
#include "kat_p256.h"
#include "wasm_rt_mini.h"

void wasm_rt_init(void);

static Z_katp256_instance_t instance;
static uint8_t wasm_memory[131072] __attribute__((aligned(8)));
static uint32_t rng = 0x2545f491u;

u32 Z_halZ_random(struct Z_hal_instance_t *hal, u32 buf, u32 len) {
  wasm_rt_memory_t *mem = Z_katp256Z_memory(&instance);
  u32 i;
  (void)hal;
  if ((uint64_t)buf + len > mem->size) return 1;
  for (i = 0; i < len; i++) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    mem->data[buf + i] = (uint8_t)rng;
  }
  return 0;
}

void board_fault(const char *what) {
  (void)what;
  board_exit(3);
}

/* Semihosting SYS_GET_CMDLINE (0x15): the -append string into buf. */
static int get_cmdline(char *buf, uint32_t len) {
  volatile uint32_t block[2];
  register uint32_t r0 __asm__("r0") = 0x15u;
  register volatile uint32_t *r1 __asm__("r1") = block;
  block[0] = (uint32_t)buf;
  block[1] = len;
  __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0 == 0 ? (int)block[1] : -1;
}

static const char *parse_uint(const char *p, uint32_t *out) {
  uint32_t v = 0;
  while (*p == ' ') p++;
  if (*p < '0' || *p > '9') return 0;
  while (*p >= '0' && *p <= '9') v = v * 10u + (uint32_t)(*p++ - '0');
  *out = v;
  return p;
}

int main(void) {
  static char cmd[64];
  static jmp_buf trap;
  uint32_t op, count, seed = 0, i;
  const char *p;
  int n = get_cmdline(cmd, sizeof cmd - 1);
  if (n < 0) return 2;
  cmd[n] = 0;
  p = cmd; /* QEMU may put the image's name first: skip words that are not numbers */
  while (*p == ' ' || (*p && (*p < '0' || *p > '9'))) {
    while (*p && *p != ' ') p++;
    while (*p == ' ') p++;
  }
  p = parse_uint(p, &op);
  if (!p || !(p = parse_uint(p, &count)) || op > 3) return 2;
  if (parse_uint(p, &seed))
    for (i = 0; i < seed; i++) rng = rng * 1664525u + 1013904223u;
  if (rng == 0) rng = 1;
  wasm_rt_mini_set_memory(wasm_memory, sizeof wasm_memory);
  wasm_rt_mini_trap_target = &trap;
  if (setjmp(trap)) return 4;
  wasm_rt_init();
  Z_katp256_init_module();
  Z_katp256_instantiate(&instance, NULL);
  if (Z_katp256Z_kat_bench_setup(&instance) != 0) return 5;
  if (Z_katp256Z_kat_bench(&instance, op, count) != 0) return 6;
  return 0;
}
