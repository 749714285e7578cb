/*
 * Mbed TLS 2.28 configuration of the independent P-256 measured beside ours by `make bench-m4`
 * (scripts/bench/m4/mbedtls_p256.c): ECDH and ECDSA on secp256r1 only, with the library's
 * defaults for speed (NIST fast reduction, Thumb-2 UMAAL multiply-accumulate assembly,
 * fixed-point comb for k*G, window 6) and nothing else. Mbed TLS itself is fetched by make
 * from Debian's source package (mk/m4bench.mk), never committed.
 */
#ifndef P256_M4_MBEDTLS_CONFIG_H
#define P256_M4_MBEDTLS_CONFIG_H

#define MBEDTLS_HAVE_ASM
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECDSA_DETERMINISTIC
#define MBEDTLS_HMAC_DRBG_C
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C

#include "mbedtls/check_config.h"

#endif
