/*
 * Constant-time evidence for P-256 (`make ct-test`, checked by tests/ct/ct_check.py): the
 * wasm2c translation of build/kat-p256.wasm, compiled natively, runs key generation, ECDH,
 * ECDSA signing and verification on many different secrets. Each operation is exactly one
 * call of ct_measure(), the only code callgrind counts (--collect-atstart=no
 * --toggle-collect=ct_measure); after each call the count is written out and zeroed
 * (CALLGRIND_DUMP_STATS_AT) under a label "op kind index".
 *
 * Usage: ct_p256 SAMPLES SEED
 * Prints one line per measured call: "op kind index rc secret-hex", where the secret is the
 * private key (and for signing the signature's r, which differs when the nonce does).
 *
 * The HAL's random bytes come from a pool filled before each measured call, so the HAL
 * itself executes the same instructions whatever the bytes (a branch there would be
 * counted too).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <valgrind/callgrind.h>

#include "kat_p256.h"

void wasm_rt_init(void);

enum { OP_KEYGEN, OP_ECDH, OP_SIGN, OP_VERIFY };
static const char* const OP_NAMES[] = { "keygen", "ecdh", "sign", "verify" };

/* Offsets in the module's kat buffer (as in tests/kat-p256.test.ts). */
enum { PRIV = 0, HASH = 32, SIG = 64, OUT = 128, PUB = 256, PEER = 384 };

static Z_katp256_instance_t instance;
static uint8_t* buf; /* the kat buffer inside linear memory */

/* ---- random bytes: splitmix64 from the seed, handed out through a fixed pool ---- */
static uint64_t rng_state;
static uint8_t pool[64];
static uint32_t pool_pos;

static uint64_t splitmix64(void) {
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static void random_bytes(uint8_t* out, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) out[i] = (uint8_t)(splitmix64() >> 56);
}

static void pool_refill(const uint8_t* first32) {
  random_bytes(pool, sizeof pool);
  if (first32) memcpy(pool, first32, 32);
  pool_pos = 0;
}

/* The HAL import: copies the next len pool bytes (fails past the pool's end). */
u32 Z_halZ_random(struct Z_hal_instance_t* hal, u32 dst, u32 len) {
  wasm_rt_memory_t* mem = Z_katp256Z_memory(&instance);
  (void)hal;
  if ((uint64_t)dst + len > mem->size || pool_pos + len > sizeof pool) return 1;
  memcpy(mem->data + dst, pool + pool_pos, len);
  pool_pos += len;
  return 0;
}

/* ---- the measured call ---- */
__attribute__((noinline, noclone)) u32 ct_measure(int op);
__attribute__((noinline, noclone)) u32 ct_measure(int op) {
  switch (op) {
    case OP_KEYGEN: return Z_katp256Z_kat_keygen(&instance, PRIV, PUB);
    case OP_ECDH: return Z_katp256Z_kat_ecdh(&instance, PRIV, PEER, 65, OUT);
    case OP_SIGN: return Z_katp256Z_kat_sign(&instance, PRIV, HASH, SIG);
    default: return Z_katp256Z_kat_verify(&instance, PUB, HASH, SIG);
  }
}

static void hex(const uint8_t* p, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) printf("%02x", p[i]);
}

static void run(int op, const char* kind, int index) {
  char label[64];
  u32 rc = ct_measure(op);
  snprintf(label, sizeof label, "%s %s %d", OP_NAMES[op], kind, index);
  CALLGRIND_DUMP_STATS_AT(label);
  printf("%s %u ", label, (unsigned)rc);
  hex(buf + PRIV, 32);
  if (op == OP_SIGN) { printf(":"); hex(buf + SIG, 32); }
  printf("\n");
}

/* A fresh key pair in PRIV / PUB (not measured). */
static int new_key(void) {
  pool_refill(NULL);
  return Z_katp256Z_kat_keygen(&instance, PRIV, PUB) == 0;
}

/* Private keys at the edges of [1, n-1] and with long runs of equal bits. */
static const char* const EDGE[] = {
  "0000000000000000000000000000000000000000000000000000000000000001",
  "0000000000000000000000000000000000000000000000000000000000000002",
  "0000000000000000000000000000000000000000000000000000000000000003",
  "00000000000000000000000000000000000000000000000000000000000000ff",
  "00000000000000000000000000000000ffffffffffffffffffffffffffffffff",
  "8000000000000000000000000000000000000000000000000000000000000000",
  "5555555555555555555555555555555555555555555555555555555555555555",
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550", /* n - 1 */
  "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc63254f", /* n - 2 */
};
#define EDGE_COUNT ((int)(sizeof EDGE / sizeof EDGE[0]))

static void from_hex(uint8_t* out, const char* s) {
  int i;
  for (i = 0; i < 32; i++) {
    unsigned v;
    sscanf(s + 2 * i, "%2x", &v);
    out[i] = (uint8_t)v;
  }
}

int main(int argc, char** argv) {
  int samples, i;
  uint8_t edge[32];
  if (argc != 3) {
    fprintf(stderr, "usage: %s SAMPLES SEED\n", argv[0]);
    return 2;
  }
  samples = atoi(argv[1]);
  rng_state = strtoull(argv[2], NULL, 0);
  wasm_rt_init();
  Z_katp256_init_module();
  Z_katp256_instantiate(&instance, NULL);
  buf = Z_katp256Z_memory(&instance)->data + Z_katp256Z_kat_buffer(&instance);

  /* Warm-up, not measured: every operation once. */
  if (!new_key()) return 1;
  memcpy(buf + PEER, buf + PUB, 65);
  for (i = 0; i < 4; i++) { pool_refill(NULL); (void)ct_measure(i); }
  CALLGRIND_ZERO_STATS;

  /* The peer's public key stays fixed: only our secret varies. */
  if (!new_key()) return 1;
  memcpy(buf + PEER, buf + PUB, 65);

  for (i = 0; i < samples; i++) { pool_refill(NULL); run(OP_KEYGEN, "random", i); }
  for (i = 0; i < EDGE_COUNT; i++) { from_hex(edge, EDGE[i]); pool_refill(edge); run(OP_KEYGEN, "edge", i); }

  for (i = 0; i < samples; i++) { if (!new_key()) return 1; pool_refill(NULL); run(OP_ECDH, "random", i); }
  for (i = 0; i < EDGE_COUNT; i++) { from_hex(buf + PRIV, EDGE[i]); pool_refill(NULL); run(OP_ECDH, "edge", i); }

  /* Signing: a new key, message hash and hedging bytes each time (so a new nonce). */
  for (i = 0; i < samples; i++) {
    if (!new_key()) return 1;
    random_bytes(buf + HASH, 32);
    pool_refill(NULL);
    run(OP_SIGN, "random", i);
  }
  for (i = 0; i < EDGE_COUNT; i++) {
    from_hex(buf + PRIV, EDGE[i]);
    random_bytes(buf + HASH, 32);
    pool_refill(NULL);
    run(OP_SIGN, "edge", i);
  }

  /* Verification (public data): a new key, hash and valid signature each time. */
  for (i = 0; i < samples; i++) {
    if (!new_key()) return 1;
    random_bytes(buf + HASH, 32);
    pool_refill(NULL);
    if (Z_katp256Z_kat_sign(&instance, PRIV, HASH, SIG) != 0) return 1;
    pool_refill(NULL);
    run(OP_VERIFY, "random", i);
  }
  Z_katp256_free(&instance);
  return 0;
}
