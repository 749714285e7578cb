/*
 * libFuzzer target 3: decoding of the server's P-256 keys, differential against OpenSSL.
 * Input: a mode byte, then the bytes.
 *  - even mode: an uncompressed point, as in ServerKeyExchange (p256ValidatePublic): valid
 *    exactly when libcrypto finds it on the curve with x, y < p;
 *  - odd mode: a SubjectPublicKeyInfo, as in the server's raw-public-key Certificate
 *    (spkiPoint, then p256ValidatePublic): the core takes exactly the SPKIs that libcrypto
 *    reads as a valid P-256 key and writes back byte for byte with an uncompressed point
 *    (libcrypto reads more encodings: explicit curves, compressed points), and finds the
 *    same point in them.
 * For every valid point, p256Ecdh with the fixed client key (fuzz_config.h) gives
 * libcrypto's shared secret. Seeds: fuzz/make-parser-seeds.mjs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_config.h"
#include "p256_openssl.h"
#include "parsers_vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { IN = 0, PRIV = 256, OUT = 320, IN_MAX = 256 };

static void finding(const char *what) {
  fprintf(stderr, "==fuzz== point: %s\n", what);
  abort();
}

static void unhex(const char *hex, uint8_t *out, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    unsigned v;
    if (sscanf(hex + 2 * i, "%2x", &v) != 1) abort();
    out[i] = (uint8_t)v;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Z_parsers_instance_t *m = parsers();
  size_t cap, len;
  uint8_t *buf = parsers_buf(&cap);
  uint8_t point[65], shared[32];
  const uint8_t *pub;
  int32_t at;
  int ours, theirs;
  if (size < 1 || size - 1 > IN_MAX) return 0;
  len = size - 1;
  memcpy(buf + IN, data + 1, len);
  if (data[0] & 1) {
    int read = ossl_spki_point(data + 1, len, point);
    at = (int32_t)Z_parsersZ_fz_spki_point(m, IN, (uint32_t)len);
    if (at < 0) {
      if (read == 2) finding("spkiPoint refused the DER SPKI of a valid P-256 key");
      return 0;
    }
    if (at != IN + 26) finding("spkiPoint points elsewhere than after the 26-byte prefix");
    pub = buf + at;
    ours = (int)Z_parsersZ_fz_validate(m, (uint32_t)at, 65);
    theirs = read == 2;
    if (theirs && memcmp(point, pub, 65) != 0) finding("spkiPoint found another point than OpenSSL");
  } else {
    ours = (int)Z_parsersZ_fz_validate(m, IN, (uint32_t)len);
    theirs = ossl_point_valid(data + 1, len);
    at = IN;
    pub = data + 1;
  }
  if (ours != theirs) finding(ours ? "p256ValidatePublic accepted an invalid point" : "p256ValidatePublic refused a valid point");
  if (!ours) return 0;
  memcpy(point, pub, 65);
  unhex(FUZZ_CLIENT_PRIVATE_HEX, buf + PRIV, 32);
  if ((int32_t)Z_parsersZ_fz_ecdh(m, PRIV, (uint32_t)at, 65, OUT) != 0) finding("p256Ecdh failed on a valid point");
  if (!ossl_ecdh(buf + PRIV, point, shared) || memcmp(shared, buf + OUT, 32) != 0)
    finding("p256Ecdh and OpenSSL computed another shared secret");
  return 0;
}
