/*
 * libFuzzer target 5: the X.509 validator (assembly/x509/, issue 11) on one certificate.
 * Input: a mode byte (bit 0: accept an unknown time, bit 1: a client chain, bit 2: the time
 * is unknown), then the DER bytes. The certificate is copied so that it ends at the last
 * byte of the module's memory (a read past it leaves the static page: ASan reports it),
 * added as a trust anchor, then validated as a one-certificate chain against that store.
 * Findings besides traps and ASan/UBSan reports:
 *  - anchorAdd answers something other than 0, ERR_BAD_ARGUMENT, ERR_TOO_LARGE;
 *  - the verdict's reason is outside REASON_CERT_* (40..52), or its alert is not the one
 *    the reason goes with (docs/X509.md);
 *  - a chain is accepted though the certificate was refused as an anchor (with an empty
 *    store only the anchor itself can be accepted);
 *  - the failing index is not 0 (or -1 when accepted).
 * Seeds: fuzz/corpus/x509 (certificates of the test PKI, tests/support/certs.ts).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers_vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME "server.example"
#define NOW_S 1893456000ull /* 2030-01-01T00:00:00Z */
enum { NAME_OFF = 0, CERT_MAX_IN = 2048 };

static void finding(const char *what) {
  fprintf(stderr, "==fuzz== x509: %s\n", what);
  abort();
}

static int alert_for(int reason) {
  switch (reason) {
    case 40: return 48;         /* unknown_ca */
    case 41: case 42: return 45; /* certificate_expired */
    case 43: case 52: return 46; /* certificate_unknown */
    case 47: case 51: return 43; /* unsupported_certificate */
    default: return 42;          /* bad_certificate */
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Z_parsers_instance_t *m = parsers();
  size_t cap;
  uint8_t *buf = parsers_buf(&cap);
  uint8_t *mem = m->w2c_memory.data;
  uint32_t mem_size = (uint32_t)m->w2c_memory.size, base = (uint32_t)(buf - mem), off, len, r;
  int mode, anchor, v, reason, alert, index;
  if (size < 1 || size - 1 > CERT_MAX_IN) return 0;
  mode = data[0];
  len = (uint32_t)(size - 1);
  off = mem_size - base - len;
  memcpy(buf + NAME_OFF, NAME, strlen(NAME));
  memcpy(mem + mem_size - len, data + 1, len);
  r = Z_parsersZ_fz_x509(m, off, len, NAME_OFF, (uint32_t)strlen(NAME),
                         (mode & 4) ? (uint64_t)-1 : NOW_S, (uint32_t)(mode & 3));
  anchor = (int8_t)(r & 0xff);
  v = (int32_t)r >> 8;
  reason = v >> 8;
  alert = v & 0xff;
  index = (int32_t)Z_parsersZ_fz_x509_fail_index(m);
  if (anchor != 0 && anchor != -2 && anchor != -5) finding("anchorAdd answered something else");
  if (v == 0) {
    if (anchor != 0) finding("a chain accepted without a trust anchor");
    if (index != -1) finding("accepted, with a failing index");
    return 0;
  }
  if (reason < 40 || reason > 52) finding("a reason outside REASON_CERT_*");
  if (alert != alert_for(reason)) finding("the alert is not the reason's");
  if (index != 0) finding("a one-certificate chain failed at another index");
  return 0;
}
