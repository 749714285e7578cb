/*
 * The operations of `make bench-m4` (keygen, ECDH, sign, verify on P-256) with Mbed TLS 2.28,
 * the independent native implementation measured beside ours: linked into p256_m4.c built with
 * -DP256_M4_MBEDTLS. Like build/kat-p256.wasm's kat_bench: the set-up makes our key pair, a
 * peer's, and a signature, and runs every operation once (the warm-up: Mbed TLS builds its
 * comb table for G on first use); then each operation as ours does it: keygen = a fresh key
 * pair (random scalar, its public point); ECDH = the peer's point checked on the curve, then
 * the x of d*Q; sign = RFC 6979 deterministic ECDSA of a SHA-256 hash; verify = ECDSA check.
 * Random bytes come from the firmware's stream (p256_m4_random).
 */
#include <stdint.h>

#include "mbedtls/ecdh.h"
#include "mbedtls/ecdsa.h"
#include "mbedtls/ecp.h"

uint32_t p256_m4_random(uint8_t *buf, uint32_t len);

static mbedtls_ecp_group grp;
static mbedtls_ecp_keypair ours, peer;
static mbedtls_mpi r, s, z;
static const unsigned char hash[32] = {
  0xa6, 0x65, 0xa4, 0x59, 0x20, 0x42, 0x2f, 0x9d, 0x41, 0x7e, 0x48, 0x67, 0xef, 0xdc, 0x4f, 0xb8,
  0xa0, 0x4a, 0x1f, 0x3f, 0xff, 0x1f, 0xa0, 0x7e, 0x99, 0x8e, 0x86, 0xf7, 0xf7, 0xa2, 0x7a, 0xe3};

static int rng(void *ctx, unsigned char *buf, size_t len) {
  (void)ctx;
  return p256_m4_random(buf, (uint32_t)len) ? -1 : 0;
}

static int run_op(uint32_t op) {
  mbedtls_ecp_keypair k;
  int rc;
  switch (op) {
    case 0:
      mbedtls_ecp_keypair_init(&k);
      rc = mbedtls_ecp_gen_keypair(&grp, &k.d, &k.Q, rng, 0);
      mbedtls_ecp_keypair_free(&k);
      return rc;
    case 1:
      rc = mbedtls_ecp_check_pubkey(&grp, &peer.Q);
      return rc ? rc : mbedtls_ecdh_compute_shared(&grp, &z, &peer.Q, &ours.d, rng, 0);
    case 2:
      return mbedtls_ecdsa_sign_det_ext(&grp, &r, &s, &ours.d, hash, sizeof hash, MBEDTLS_MD_SHA256, rng, 0);
    default:
      return mbedtls_ecdsa_verify(&grp, hash, sizeof hash, &ours.Q, &r, &s);
  }
}

int native_setup(void) {
  uint32_t op;
  mbedtls_ecp_group_init(&grp);
  mbedtls_ecp_keypair_init(&ours);
  mbedtls_ecp_keypair_init(&peer);
  mbedtls_mpi_init(&r);
  mbedtls_mpi_init(&s);
  mbedtls_mpi_init(&z);
  if (mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) ||
      mbedtls_ecp_gen_keypair(&grp, &ours.d, &ours.Q, rng, 0) ||
      mbedtls_ecp_gen_keypair(&grp, &peer.d, &peer.Q, rng, 0))
    return -1;
  for (op = 0; op < 4; op++)
    if (run_op(op)) return -1;
  return 0;
}

int native_run(uint32_t op, uint32_t count) {
  uint32_t i;
  for (i = 0; i < count; i++)
    if (run_op(op)) return -1;
  return 0;
}
