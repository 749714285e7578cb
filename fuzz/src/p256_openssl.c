/* The reference side of the parser targets, on libcrypto's EC_KEY API (deprecated in
 * OpenSSL 3 but the shortest path from raw bytes to a key). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "p256_openssl.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

static EC_GROUP *group(void) {
  static EC_GROUP *g;
  if (!g && (g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1)) == NULL) abort();
  return g;
}

int ossl_sig_strict(const uint8_t *der, size_t len, uint8_t r[32], uint8_t s[32]) {
  const unsigned char *p = der;
  unsigned char *again = NULL;
  const BIGNUM *br, *bs;
  int n, ok = 0;
  ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
  if (!sig) return 0;
  ECDSA_SIG_get0(sig, &br, &bs);
  n = i2d_ECDSA_SIG(sig, &again);
  if (p == der + len && n == (int)len && memcmp(again, der, len) == 0 && !BN_is_negative(br) &&
      !BN_is_negative(bs) && BN_num_bytes(br) <= 32 && BN_num_bytes(bs) <= 32) {
    ok = BN_bn2binpad(br, r, 32) == 32 && BN_bn2binpad(bs, s, 32) == 32;
  }
  OPENSSL_free(again);
  ECDSA_SIG_free(sig);
  return ok;
}

static EC_KEY *key_from_point(const uint8_t *pub, size_t len) {
  EC_KEY *k = EC_KEY_new();
  EC_POINT *pt = EC_POINT_new(group());
  int ok = k && pt && EC_KEY_set_group(k, group()) == 1 &&
           EC_POINT_oct2point(group(), pt, pub, len, NULL) == 1 && EC_KEY_set_public_key(k, pt) == 1;
  EC_POINT_free(pt);
  if (!ok) {
    EC_KEY_free(k);
    return NULL;
  }
  return k;
}

int ossl_point_valid(const uint8_t *pub, size_t len) {
  EC_KEY *k;
  int ok;
  if (len != 65 || pub[0] != 0x04) return 0;
  k = key_from_point(pub, len);
  ok = k != NULL && EC_KEY_check_key(k) == 1;
  EC_KEY_free(k);
  return ok;
}

int ossl_verify(const uint8_t pub65[65], const uint8_t hash[32], const uint8_t r[32], const uint8_t s[32]) {
  EC_KEY *k = key_from_point(pub65, 65);
  ECDSA_SIG *sig = ECDSA_SIG_new();
  BIGNUM *br = BN_bin2bn(r, 32, NULL), *bs = BN_bin2bn(s, 32, NULL);
  int ok = 0;
  if (!k || !sig || !br || !bs || ECDSA_SIG_set0(sig, br, bs) != 1) abort();
  ok = ECDSA_do_verify(hash, 32, sig, k) == 1;
  ECDSA_SIG_free(sig);
  EC_KEY_free(k);
  return ok;
}

int ossl_spki_point(const uint8_t *der, size_t len, uint8_t out65[65]) {
  const unsigned char *p = der;
  unsigned char *again = NULL;
  EC_KEY *k = d2i_EC_PUBKEY(NULL, &p, (long)len);
  int ok = 0, n;
  if (!k) return 0;
  if (p == der + len && EC_GROUP_get_curve_name(EC_KEY_get0_group(k)) == NID_X9_62_prime256v1 &&
      EC_KEY_check_key(k) == 1)
    ok = EC_POINT_point2oct(EC_KEY_get0_group(k), EC_KEY_get0_public_key(k), POINT_CONVERSION_UNCOMPRESSED, out65,
                            65, NULL) == 65;
  if (ok) {
    EC_KEY_set_conv_form(k, POINT_CONVERSION_UNCOMPRESSED);
    n = i2d_EC_PUBKEY(k, &again);
    if (n == (int)len && memcmp(again, der, len) == 0) ok = 2;
  }
  OPENSSL_free(again);
  EC_KEY_free(k);
  return ok;
}

int ossl_ecdh(const uint8_t priv[32], const uint8_t pub65[65], uint8_t out[32]) {
  EC_KEY *peer = key_from_point(pub65, 65), *me = EC_KEY_new();
  BIGNUM *d = BN_bin2bn(priv, 32, NULL);
  int ok;
  if (!me || !d || EC_KEY_set_group(me, group()) != 1 || EC_KEY_set_private_key(me, d) != 1) abort();
  ok = peer != NULL && ECDH_compute_key(out, 32, EC_KEY_get0_public_key(peer), me, NULL) == 32;
  BN_free(d);
  EC_KEY_free(me);
  EC_KEY_free(peer);
  return ok;
}

int ossl_public_from_private(const uint8_t priv[32], uint8_t out65[65]) {
  BIGNUM *d = BN_bin2bn(priv, 32, NULL);
  EC_POINT *pt = EC_POINT_new(group());
  int ok = d && pt && !BN_is_zero(d) && BN_cmp(d, EC_GROUP_get0_order(group())) < 0 &&
           EC_POINT_mul(group(), pt, d, NULL, NULL, NULL) == 1 &&
           EC_POINT_point2oct(group(), pt, POINT_CONVERSION_UNCOMPRESSED, out65, 65, NULL) == 65;
  BN_free(d);
  EC_POINT_free(pt);
  return ok;
}

/* The low-level calls: SHA256() goes through EVP and its name lookups (strcmp). */
void ossl_sha256(const void *data, size_t len, uint8_t out[32]) {
  SHA256_CTX c;
  SHA256_Init(&c);
  SHA256_Update(&c, data, len);
  SHA256_Final(out, &c);
}
