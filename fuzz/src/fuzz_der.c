/*
 * libFuzzer target 2: the DER reader of ECDSA signatures (ecdsaSigFromDer, what
 * ServerKeyExchange's signature goes through), differential against OpenSSL:
 *  - it accepts exactly the strict DER encodings libcrypto accepts and re-encodes to the
 *    same bytes, with non-negative r, s of at most 32 bytes, and reads the same r and s;
 *  - what it accepts, ecdsaSigToDer writes back byte for byte;
 *  - p256Verify and ECDSA_do_verify agree on it for the fixed key and message
 *    (fuzz_config.h), so range checks on r and s (0, n, > n) are compared too.
 * Input: the DER bytes. Seeds: fuzz/make-parser-seeds.mjs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_config.h"
#include "p256_openssl.h"
#include "parsers_vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { DER = 0, SIG = 128, BACK = 256, PUB = 384, HASH = 512, BACK_CAP = 96 };

static void finding(const char *what) {
  fprintf(stderr, "==fuzz== der: %s\n", what);
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Z_parsers_instance_t *m = parsers();
  size_t cap;
  uint8_t *buf = parsers_buf(&cap);
  uint8_t r[32], s[32];
  int ours, theirs;
  if (size > SIG - DER) return 0; /* longer than any signature the reader takes (72) */
  memcpy(buf + DER, data, size);
  memset(buf + SIG, 0xa5, 64);
  ours = (int)Z_parsersZ_fz_sig_from_der(m, DER, (uint32_t)size, SIG);
  theirs = ossl_sig_strict(data, size, r, s);
  if (ours != theirs) finding(ours ? "accepted what OpenSSL refuses as strict DER" : "refused strict DER that OpenSSL reads");
  if (!ours) return 0;
  if (memcmp(buf + SIG, r, 32) != 0 || memcmp(buf + SIG + 32, s, 32) != 0) finding("read another r or s");
  if ((int32_t)Z_parsersZ_fz_sig_to_der(m, SIG, BACK, BACK_CAP) != (int32_t)size ||
      memcmp(buf + BACK, data, size) != 0)
    finding("ecdsaSigToDer does not give the accepted encoding back");
  unhex(FUZZ_SERVER_POINT_HEX, buf + PUB, 65);
  ossl_sha256(FUZZ_SIGNED_MESSAGE, strlen(FUZZ_SIGNED_MESSAGE), buf + HASH);
  if ((int)Z_parsersZ_fz_verify(m, PUB, HASH, SIG) != ossl_verify(buf + PUB, buf + HASH, r, s))
    finding("p256Verify and OpenSSL disagree on the signature");
  return 0;
}
