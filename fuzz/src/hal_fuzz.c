/*
 * boards/hal/hal.h for the fuzzers. Everything is deterministic, so a run depends only on
 * the input: hal.random is a splitmix64 stream (the same in fuzz/record-seeds.mjs),
 * hal.clock_ms a counter the input advances, no AES engine (the core's software AES is
 * fuzzed too), no trusted time.
 */
#include "hal_fuzz.h"

#include <stdio.h>
#include <string.h>

#include "hal.h"

static uint64_t g_state;
static uint8_t g_pool[8];
static unsigned g_pool_pos = 8;
static uint32_t g_clock;
static struct hal_fuzz_sent g_sent;
static uint32_t g_total_sent;
static void (*g_on_send)(const uint8_t *, size_t);
static void (*g_on_random)(const uint8_t *, size_t);
static int g_verbose;

void hal_fuzz_reset(uint64_t seed, uint32_t start_ms) {
  g_state = seed;
  g_pool_pos = 8;
  g_clock = start_ms;
  g_total_sent = 0;
  memset(&g_sent, 0, sizeof g_sent);
}

void hal_fuzz_advance(uint32_t ms) { g_clock += ms; }
uint32_t hal_fuzz_now(void) { return g_clock; }
void hal_fuzz_mark(void) { memset(&g_sent, 0, sizeof g_sent); }
const struct hal_fuzz_sent *hal_fuzz_sent(void) { return &g_sent; }
uint32_t hal_fuzz_total_sent(void) { return g_total_sent; }
void hal_fuzz_on_send(void (*fn)(const uint8_t *, size_t)) { g_on_send = fn; }
void hal_fuzz_on_random(void (*fn)(const uint8_t *, size_t)) { g_on_random = fn; }
void hal_fuzz_set_verbose(int on) { g_verbose = on; }

static uint64_t splitmix64(void) {
  uint64_t z = (g_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

int32_t hal_random(uint8_t *buf, size_t len) {
  size_t i;
  for (i = 0; i < len; i++) {
    if (g_pool_pos == 8) {
      uint64_t v = splitmix64();
      unsigned k;
      for (k = 0; k < 8; k++) g_pool[k] = (uint8_t)(v >> (8 * k));
      g_pool_pos = 0;
    }
    buf[i] = g_pool[g_pool_pos++];
  }
  if (g_on_random) g_on_random(buf, len);
  return HAL_OK;
}

int32_t hal_aes128_encrypt(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]) {
  (void)key;
  (void)in;
  (void)out;
  return HAL_UNSUPPORTED;
}

uint32_t hal_clock_ms(void) { return g_clock; }
int64_t hal_wall_time_s(void) { return -1; }

/* Counts the records of a datagram the client sent: alerts, and anything after one. */
static void count_records(const uint8_t *buf, size_t len) {
  size_t off = 0;
  while (off + 13 <= len) {
    size_t n = ((size_t)buf[off + 11] << 8) | buf[off + 12];
    if (buf[off] == 21) g_sent.alerts++;
    else if (g_sent.alerts) g_sent.after_alert++;
    off += 13 + n;
  }
}

int32_t hal_send(const uint8_t *buf, size_t len) {
  g_sent.datagrams++;
  g_sent.bytes += (uint32_t)len;
  g_total_sent++;
  count_records(buf, len);
  if (g_on_send) g_on_send(buf, len);
  return 0;
}

void hal_log(int32_t level, const char *msg, size_t len) {
  if (g_verbose) fprintf(stderr, "[core %d] %.*s\n", (int)level, (int)len, msg);
}
