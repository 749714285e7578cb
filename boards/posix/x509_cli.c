/* dtls-posix's X.509 options and summary keys (x509_cli.h). C99 over OpenSSL's libcrypto
 * (PEM files, subject names: the words node's X509Certificate prints). */
#include "x509_cli.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

#include "cli_messages.h"
#include "dtls_codes.h"
#include "dtls_names.h"
#include "dtls_port.h"
#include "dtls_vm.h"

#define ANCHORS_MAX 16
#define CHAIN_MAX 8
#define DER_MAX 4096
#define MESSAGE_MAX 65536

static uint8_t g_anchor[ANCHORS_MAX][DER_MAX], g_cert[CHAIN_MAX][DER_MAX];
static size_t g_anchor_len[ANCHORS_MAX], g_cert_len[CHAIN_MAX];
static int g_anchors, g_certs;
static int g_ext[3]; /* --cached-info, --cert-url, --trusted-ca-keys given */

/* The server's Certificate message as it crossed the wire (host/certs.ts ChainObserver). */
static uint8_t g_body[MESSAGE_MAX], g_have[MESSAGE_MAX];
static size_t g_total;
static long g_seq = -1;

static void say(const char *fmt, const char *a, int n) {
  fprintf(stderr, "%s: ", CLI_PROGRAM);
  fprintf(stderr, fmt, a, n);
  fputc('\n', stderr);
}

/* Every CERTIFICATE block of a PEM file, as DER, appended to out. -1 after the message. */
static int read_pem(const char *file, uint8_t (*out)[DER_MAX], size_t *lens, int *count, int max) {
  BIO *bio = BIO_new_file(file, "r");
  X509 *x;
  int before = *count;
  if (!bio) {
    say("cannot read %s", file, 0);
    return -1;
  }
  while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
    int n = i2d_X509(x, NULL);
    uint8_t *p = out[*count];
    if (*count >= max || n <= 0 || n > DER_MAX) {
      X509_free(x);
      BIO_free(bio);
      say("%s: too many or too large certificates (this program keeps %d)", file, max);
      return -1;
    }
    lens[*count] = (size_t)i2d_X509(x, &p);
    (*count)++;
    X509_free(x);
  }
  BIO_free(bio);
  if (*count == before) {
    say("%s: no PEM certificate in it", file, 0);
    return -1;
  }
  return 0;
}

int x509_cli_read(const char *const *ca_files, int n_ca, const char *cert_file) {
  int i;
  for (i = 0; i < n_ca; i++)
    if (read_pem(ca_files[i], g_anchor, g_anchor_len, &g_anchors, ANCHORS_MAX) != 0) return -1;
  if (cert_file && read_pem(cert_file, g_cert, g_cert_len, &g_certs, CHAIN_MAX) != 0) return -1;
  return 0;
}

int x509_cli_configure(const uint8_t *client_key, const char *peer_name, int accept_unknown_time) {
  int i;
  int32_t r;
  char region[16];
  if (!dtls_port_has_x509()) {
    fprintf(stderr, "%s: %s\n", CLI_PROGRAM, CLI_MSG_X509_UNSUPPORTED);
    return -1;
  }
  for (i = 0; i < g_anchors; i++)
    if ((r = dtls_port_config_ca(g_anchor[i], g_anchor_len[i])) != 0) {
      fprintf(stderr, "%s: the module refused trust anchor %d (%s)\n", CLI_PROGRAM, i + 1,
              r == DTLS_ERR_TOO_LARGE ? "too many, or too large" : "not a P-256 CA certificate it can use");
      return -1;
    }
  if (client_key && dtls_port_config_rpk(client_key, 32, NULL, 0) != 0) {
    fprintf(stderr, "%s: the module refused the client key (not a valid P-256 key?)\n", CLI_PROGRAM);
    return -1;
  }
  snprintf(region, sizeof region, "%d", (int)dtls_port_info(DTLS_INFO_REGION_SIZE + DTLS_REGION_CLIENT_CHAIN));
  for (i = 0; i < g_certs; i++)
    if (dtls_port_config_cert(g_cert[i], g_cert_len[i]) != 0) {
      fprintf(stderr, "%s: our chain does not fit the module's %s bytes (at certificate %d)\n", CLI_PROGRAM, region, i + 1);
      return -1;
    }
  if (peer_name && dtls_port_config_peer_name(peer_name) != 0) {
    say(CLI_MSG_SNI_INVALID, peer_name, 0);
    return -1;
  }
  if (accept_unknown_time && dtls_port_config_set(DTLS_OPT_CERT_UNKNOWN_TIME, 1) != 0) {
    fprintf(stderr, "%s: ", CLI_PROGRAM);
    fprintf(stderr, CLI_MSG_OPTION_REFUSED, "--accept-unknown-time", "1");
    fputc('\n', stderr);
    return -1;
  }
  return 0;
}

int x509_cli_configure_ext(int cached_info, const char *cert_url, int trusted_ca_keys) {
  static const char *const flags[2] = {"--cached-info", "--trusted-ca-keys"};
  const int32_t options[2] = {DTLS_OPT_CACHED_INFO, DTLS_OPT_TRUSTED_CA_KEYS};
  uint8_t data[20 + 256];
  size_t n;
  int i;
  g_ext[0] = cached_info;
  g_ext[1] = cert_url != NULL;
  g_ext[2] = trusted_ca_keys;
  for (i = 0; i < 2; i++)
    if (g_ext[2 * i] && dtls_port_config_set(options[i], 1) != 0) {
      fprintf(stderr, "%s: ", CLI_PROGRAM);
      fprintf(stderr, CLI_MSG_OPTION_REFUSED, flags[i], "1");
      fputc('\n', stderr);
      return -1;
    }
  if (!cert_url) return 0;
  if (g_certs == 0 || !dtls_vm_has(DTLS_X_CONFIG_CERT_URL)) {
    fprintf(stderr, "%s: %s\n", CLI_PROGRAM, CLI_MSG_CERT_URL_NEEDS_CERT);
    return -1;
  }
  /* URLAndHash's hash: the SHA-1 of our leaf certificate (RFC 6066 s. 5). A URL longer than
   * the module takes (255 bytes) goes in cut at 256, so the module refuses it as it refuses the
   * others' whole URL. */
  n = strlen(cert_url) < 256 ? strlen(cert_url) : 256;
  memcpy(data + 20, cert_url, n);
  if (EVP_Digest(g_cert[0], g_cert_len[0], data, NULL, EVP_sha1(), NULL) != 1 ||
      dtls_port_config_cert_url(data, 20 + n) != 0) {
    fprintf(stderr, "%s: invalid certificate URL (printable ASCII, at most 255 bytes): %s\n", CLI_PROGRAM, cert_url);
    return -1;
  }
  return 0;
}

static size_t be(const uint8_t *p, int n) {
  size_t v = 0;
  while (n--) v = v << 8 | *p++;
  return v;
}

void x509_cli_feed(const uint8_t *d, size_t n) {
  size_t p = 0;
  while (p + 13 <= n) {
    size_t len = be(d + p + 11, 2), end = p + 13 + len > n ? n : p + 13 + len, q = p + 13;
    int handshake = d[p] == 22 && be(d + p + 3, 2) == 0;
    p += 13 + len;
    if (!handshake) continue;
    while (q + 12 <= end) {
      size_t total = be(d + q + 1, 3), seq = be(d + q + 4, 2), off = be(d + q + 6, 3), m = be(d + q + 9, 3);
      if (d[q] == 11 && total <= MESSAGE_MAX && off + m <= total && q + 12 + m <= end) {
        if (g_seq != (long)seq || g_total != total) {
          memset(g_have, 0, sizeof g_have);
          g_total = total;
          g_seq = (long)seq;
        }
        memcpy(g_body + off, d + q + 12, m);
        memset(g_have + off, 1, m);
      }
      q += 12 + m;
    }
  }
}

/* Bytes of the message that arrived without a gap from its start. */
static size_t arrived(void) {
  size_t i;
  for (i = 0; i < g_total && g_have[i]; i++) continue;
  return i;
}

/* The i-th certificate that arrived whole (-1 when there is none, or the count with i < 0). */
static int certificate(int i, const uint8_t **der, size_t *len) {
  size_t p = 3, end = arrived();
  int k = 0;
  if (g_seq < 0 || g_total < 3) return -1;
  while (p + 3 <= end) {
    size_t n = be(g_body + p, 3);
    if (p + 3 + n > end) break;
    if (k == i) {
      *der = g_body + p + 3;
      *len = n;
      return 0;
    }
    k++;
    p += 3 + n;
  }
  return i < 0 ? k : -1;
}

/* A certificate's subject in one line, as node's X509Certificate.subject joined with ", ". */
static void subject_of(const uint8_t *der, size_t len, char *out, size_t cap) {
  const unsigned char *p = der;
  X509 *x = d2i_X509(NULL, &p, (long)len);
  BIO *bio;
  size_t n = 0, i, k = 0;
  char *text;
  snprintf(out, cap, "(unparsable)");
  if (!x) return;
  bio = BIO_new(BIO_s_mem());
  if (bio && X509_NAME_print_ex(bio, X509_get_subject_name(x), 0,
                                ASN1_STRFLGS_ESC_2253 | ASN1_STRFLGS_ESC_CTRL | ASN1_STRFLGS_UTF8_CONVERT |
                                    XN_FLAG_SEP_MULTILINE | XN_FLAG_FN_SN) >= 0) {
    n = (size_t)BIO_get_mem_data(bio, &text);
    for (i = 0; i < n && k + 3 < cap; i++) {
      if (text[i] == '\n') {
        out[k++] = ',';
        out[k++] = ' ';
      } else out[k++] = text[i];
    }
    out[k] = 0;
  }
  BIO_free(bio);
  X509_free(x);
}

static void json_text(const char *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c < 0x20 || c == 0x7f) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}

void x509_cli_print_summary(int done) {
  int32_t result = dtls_port_info(DTLS_INFO_CERT_RESULT), fail = dtls_port_info(DTLS_INFO_CERT_FAIL_INDEX);
  int i, count = certificate(-1, NULL, NULL);
  const uint8_t *der;
  size_t len;
  char subject[512];
  int32_t cached = dtls_port_info(DTLS_INFO_CACHED_INFO_USED);
  static const int32_t ext_info[3] = {DTLS_INFO_CACHED_INFO_USED, DTLS_INFO_CERT_URL_USED, DTLS_INFO_TRUSTED_CA_KEYS};
  static const char *const ext_key[3] = {"cached_info_used", "cert_url_used", "trusted_ca_keys_accepted"};
  printf("\"server_chain\":");
  /* With cached_info the Certificate carried only the hash: the chain is the one cached. */
  if (count < 0 || cached == 1) printf("null");
  else {
    putchar('[');
    for (i = 0; certificate(i, &der, &len) == 0; i++) {
      subject_of(der, len, subject, sizeof subject);
      if (i) putchar(',');
      json_text(subject);
    }
    putchar(']');
  }
  if (result < 0) printf(",\"verify_result\":null,");
  else printf(",\"verify_result\":\"%s\",", result == 0 ? "ok" : reason_name(result));
  for (i = 0; i < 3; i++)
    printf("\"%s\":%s,", ext_key[i], !g_ext[i] || !done ? "null" : dtls_port_info(ext_info[i]) == 1 ? "true" : "false");
  if (result > 0 && fail >= 0) printf("\"failed_certificate\":%d,", (int)fail);
  else printf("\"failed_certificate\":null,");
  printf("\"client_auth\":%s,", !done ? "null" : dtls_port_info(DTLS_INFO_CLIENT_AUTH) == 1 ? "true" : "false");
}

void x509_cli_failure_prefix(char *msg, size_t cap) {
  int32_t i = dtls_port_info(DTLS_INFO_CERT_FAIL_INDEX);
  char head[640], subject[512], rest[1024];
  const uint8_t *der;
  size_t len, k;
  if (g_anchors == 0 || dtls_port_info(DTLS_INFO_CERT_RESULT) <= 0 || i < 0) return;
  k = (size_t)snprintf(head, sizeof head, "the server's certificate %d", (int)i);
  if (g_seq >= 0 && arrived() == g_total && k < sizeof head)
    k += (size_t)snprintf(head + k, sizeof head - k, " of %d", certificate(-1, NULL, NULL));
  if (certificate(i, &der, &len) == 0 && k < sizeof head) {
    subject_of(der, len, subject, sizeof subject);
    snprintf(head + k, sizeof head - k, " (%s)", subject);
  }
  snprintf(rest, sizeof rest, "%s", msg);
  snprintf(msg, cap, "%s: %s", head, rest);
}
