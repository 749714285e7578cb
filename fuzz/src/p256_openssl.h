/*
 * OpenSSL's libcrypto as the reference for the parser targets' differential checks:
 * what it accepts and computes for the same bytes.
 */
#ifndef P256_OPENSSL_H
#define P256_OPENSSL_H

#include <stddef.h>
#include <stdint.h>

/* 1 when der is a strict DER Ecdsa-Sig-Value (minimal, no trailing bytes) with
 * non-negative r, s of at most 32 bytes; r and s then hold them, big-endian. */
int ossl_sig_strict(const uint8_t *der, size_t len, uint8_t r[32], uint8_t s[32]);
/* 1 when (r, s) is a valid signature of hash by the uncompressed point pub65. */
int ossl_verify(const uint8_t pub65[65], const uint8_t hash[32], const uint8_t r[32], const uint8_t s[32]);
/* 1 when pub is an uncompressed (0x04) P-256 point on the curve with x, y < p. */
int ossl_point_valid(const uint8_t *pub, size_t len);
/* 1 and out = the point (uncompressed) when der is a SubjectPublicKeyInfo of a valid
 * P-256 key in any form libcrypto accepts; 2 when der is moreover the one DER encoding
 * with a named curve and an uncompressed point (what libcrypto writes back). */
int ossl_spki_point(const uint8_t *der, size_t len, uint8_t out65[65]);
/* 1 and out = x(priv * pub). */
int ossl_ecdh(const uint8_t priv[32], const uint8_t pub65[65], uint8_t out[32]);
/* 1 and out65 = priv * G, uncompressed, when priv is in [1, n-1]. */
int ossl_public_from_private(const uint8_t priv[32], uint8_t out65[65]);
void ossl_sha256(const void *data, size_t len, uint8_t out[32]);

#endif /* P256_OPENSSL_H */
