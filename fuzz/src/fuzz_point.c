/*
 * libFuzzer target 3: decoding of the server's P-256 keys, differential against OpenSSL.
 * Input: a mode byte, then the bytes. With mode bit 1 set, the bytes start with a scalar
 * k and the point is k*G (libcrypto) followed by the rest: valid points the fuzzer picks,
 * so ECDH is compared on more than the seeds' keys.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static uint8_t made[26 + 65 + IN_MAX];
  Z_parsers_instance_t *m = parsers();
  size_t cap, len;
  uint8_t *buf = parsers_buf(&cap);
  uint8_t point[65], shared[32], mode;
  const uint8_t *in, *pub;
  int32_t at;
  int ours, theirs;
  if (size < 1 || size - 1 > IN_MAX) return 0;
  mode = data[0];
  in = data + 1;
  len = size - 1;
  if (mode & 2) { /* k*G for the first 32 bytes, the rest after it; an SPKI prefix before it in odd mode */
    size_t at_point = (mode & 1) ? 26 : 0;
    if (len < 32 || !ossl_public_from_private(in, made + at_point)) return 0;
    if (at_point) unhex(FUZZ_SPKI_PREFIX_HEX, made, 26);
    memcpy(made + at_point + 65, in + 32, len - 32);
    len = at_point + 65 + len - 32;
    if (len > IN_MAX) return 0;
    in = made;
  }
  memcpy(buf + IN, in, len);
  if (mode & 1) {
    int read = ossl_spki_point(in, len, point);
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
    theirs = ossl_point_valid(in, len);
    at = IN;
    pub = in;
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
