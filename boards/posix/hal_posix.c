/*
 * The HAL on Linux: a connected UDP socket, getrandom(2) (or a seeded generator for
 * replayable runs), clock_gettime(CLOCK_MONOTONIC), the system clock as trusted time, and
 * AES-128 through OpenSSL's libcrypto standing in for a hardware engine (or "unsupported",
 * so the core uses its software AES).
 */
#define _GNU_SOURCE
#include "hal_posix.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>

#include "hal.h"

static int g_fd = -1;
static int g_aes_hw = 1; /* OpenSSL stands in for an AES engine unless --software-aes */
static int g_seeded;
static uint8_t g_seed_text[256];
static size_t g_seed_len;
static uint8_t g_pool[32];
static size_t g_pool_pos = 32;
static uint64_t g_seed_counter;
static int g_log_level = -1; /* silent unless --verbose, like the CLI */
static EVP_CIPHER_CTX *g_aes_ctx;
static EVP_MD *g_sha256; /* fetched once, at start-up (the first fetch costs ~0.5 M instructions) */
static uint64_t g_sent_datagrams, g_sent_bytes, g_aes_blocks;

void hal_posix_set_socket(int fd) { g_fd = fd; }
void hal_posix_set_aes_hw(int on) { g_aes_hw = on; }
void hal_posix_set_log_level(int level) { g_log_level = level; }
static int g_wall_fixed;
static int64_t g_wall_time;
void hal_posix_set_wall_time(int64_t seconds) {
  g_wall_fixed = 1;
  g_wall_time = seconds;
}

void hal_posix_set_seed(const char *seed) {
  g_seed_len = strlen(seed) < sizeof g_seed_text ? strlen(seed) : sizeof g_seed_text;
  memcpy(g_seed_text, seed, g_seed_len);
  g_seeded = 1;
  g_seed_counter = 0;
  if (!g_sha256) g_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
  g_pool_pos = 32;
}

void hal_posix_stats(uint64_t *datagrams, uint64_t *bytes, uint64_t *aes_blocks) {
  *datagrams = g_sent_datagrams;
  *bytes = g_sent_bytes;
  *aes_blocks = g_aes_blocks;
}

int32_t hal_aes128_encrypt(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]) {
  uint8_t tmp[32];
  int n = 0;
  if (!g_aes_hw) return HAL_UNSUPPORTED;
  if (g_aes_ctx == NULL && (g_aes_ctx = EVP_CIPHER_CTX_new()) == NULL) return HAL_UNSUPPORTED;
  if (EVP_EncryptInit_ex(g_aes_ctx, EVP_aes_128_ecb(), NULL, key, NULL) != 1) return HAL_UNSUPPORTED;
  EVP_CIPHER_CTX_set_padding(g_aes_ctx, 0);
  if (EVP_EncryptUpdate(g_aes_ctx, tmp, &n, in, 16) != 1 || n != 16) return HAL_UNSUPPORTED;
  memcpy(out, tmp, 16);
  g_aes_blocks++;
  return HAL_OK;
}

int32_t hal_random(uint8_t *buf, size_t len) {
  if (g_seeded) {
    /* Replayable stream, the same as the Node host's (host/hal.ts seededBytes): blocks
     * SHA-256(seed || decimal counter), consumed as one continuous byte stream. */
    while (len > 0) {
      size_t n;
      if (g_pool_pos == 32) {
        uint8_t block[sizeof g_seed_text + 24];
        int k = snprintf((char *)block + g_seed_len, 24, "%llu", (unsigned long long)g_seed_counter++);
        memcpy(block, g_seed_text, g_seed_len);
        if (!g_sha256 || EVP_Digest(block, g_seed_len + (size_t)k, g_pool, NULL, g_sha256, NULL) != 1) return -1;
        g_pool_pos = 0;
      }
      n = 32 - g_pool_pos;
      if (n > len) n = len;
      memcpy(buf, g_pool + g_pool_pos, n);
      g_pool_pos += n;
      buf += n;
      len -= n;
    }
    return HAL_OK;
  }
  while (len > 0) {
    ssize_t n = getrandom(buf, len, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    buf += n;
    len -= (size_t)n;
  }
  return HAL_OK;
}

uint32_t hal_clock_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

int64_t hal_wall_time_s(void) {
  struct timespec ts;
  if (g_wall_fixed) return g_wall_time;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return -1;
  return (int64_t)ts.tv_sec;
}

int32_t hal_send(const uint8_t *buf, size_t len) {
  ssize_t n;
  if (g_fd < 0) return -1;
  n = send(g_fd, buf, len, 0);
  if (n < 0 || (size_t)n != len) return -1;
  g_sent_datagrams++;
  g_sent_bytes += len;
  return 0;
}

void hal_log(int32_t level, const char *msg, size_t len) {
  static const char *names[] = {"error", "warn", "info", "debug"};
  if (level > g_log_level) return;
  fprintf(stderr, "[%s] %.*s\n", (level >= 0 && level <= 3) ? names[level] : "log", (int)len, msg);
}
