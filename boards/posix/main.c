/*
 * dtls-posix: the DTLS client on Linux through the C runtime glue (boards/runtime) and the
 * wasm2c translation of build/dtls.wasm. It behaves as the Node CLI (host/cli.ts) does: the
 * same options, checks, messages, exit codes and --json summary, all from host/messages.json
 * (cli_messages.h, written by scripts/gen-codes.mjs). Raw public keys (RFC 7250) are read
 * from PEM files with OpenSSL's libcrypto.
 * Exit codes: 0 done, 1 the connection failed (handshake or later), 2 bad usage or
 * configuration, 3 --expect-reply and no reply within --wait.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli_messages.h"
#include "dtls_codes.h"
#include "dtls_names.h"
#include "dtls_port.h"
#include "dtls_vm.h"
#include "hal.h"
#include "hal_posix.h"
#include "x509_cli.h"

/* "dtls-posix: " and a message of cli_messages.h on stderr. */
__attribute__((format(printf, 1, 2))) static void complain(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs(CLI_PROGRAM ": ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

/* A usage error: the message (already printed by complain), then the usage text. */
static int usage_error(void) {
  fputs(CLI_USAGE, stderr);
  return CLI_EXIT_USAGE;
}

/* Whole numbers as the other two programs read them: ASCII digits only, then the range. */
static int digits_value(const char *s, long long *out) {
  size_t i, n = strlen(s);
  if (n == 0) return -1;
  for (i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return -1;
  while (n > 1 && *s == '0') s++, n--;
  if (n > 12) { /* far above every range: no overflow to worry about */
    *out = 999999999999LL + 1;
    return 0;
  }
  *out = strtoll(s, NULL, 10);
  return 0;
}

/* An option's whole number within its range (host/messages.json "numbers"); -1 after the message. */
static int whole_number(const char *option, const char *text, long *out) {
  size_t i;
  long long v;
  for (i = 0; i < sizeof CLI_NUMBERS / sizeof CLI_NUMBERS[0]; i++) {
    const struct cli_number *r = &CLI_NUMBERS[i];
    if (strcmp(r->option, option) != 0) continue;
    if (digits_value(text, &v) != 0 || v < r->min || v > r->max) {
      complain(CLI_MSG_BAD_NUMBER, option, r->min_text, r->max_text, r->unit, text);
      return -1;
    }
    *out = (long)v;
    return 0;
  }
  return -1; /* not a number option: cannot be */
}

static int hex_decode(const char *hex, uint8_t *out, size_t cap, size_t *len) {
  size_t n = strlen(hex), i;
  if (n == 0 || n % 2 != 0 || n / 2 > cap) return -1;
  for (i = 0; i < n; i++)
    if (!strchr("0123456789abcdefABCDEF", hex[i])) return -1;
  for (i = 0; i < n / 2; i++) {
    unsigned v;
    sscanf(hex + 2 * i, "%2x", &v);
    out[i] = (uint8_t)v;
  }
  *len = n / 2;
  return 0;
}

/* The 26-byte DER prefix of a P-256 SubjectPublicKeyInfo; the 65-byte point follows. */
static const uint8_t P256_SPKI_PREFIX[26] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
                                             0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                             0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};

/* A PEM key from file: a public key, or else a private key (whose public half is then used
 * by i2d_PUBKEY). NULL with a message on stderr. */
static EVP_PKEY *read_pem_key(const char *file, int want_private) {
  EVP_PKEY *key = NULL;
  BIO *bio = BIO_new_file(file, "r");
  if (!bio) {
    complain("cannot read %s", file);
    return NULL;
  }
  if (!want_private) key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
  if (!key) {
    (void)BIO_reset(bio);
    key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
  }
  BIO_free(bio);
  if (!key)
    complain("%s: not a PEM %s key", file, want_private ? "private" : "public or private");
  return key;
}

/* The uncompressed point of a P-256 key (its SubjectPublicKeyInfo must be P-256's). */
static int p256_point(EVP_PKEY *key, const char *file, uint8_t point[65]) {
  uint8_t der[128], *p = der;
  int n = i2d_PUBKEY(key, NULL);
  if (n != 91 || i2d_PUBKEY(key, &p) != 91 || memcmp(der, P256_SPKI_PREFIX, sizeof P256_SPKI_PREFIX) != 0) {
    complain("%s is not a P-256 (prime256v1) key", file);
    return -1;
  }
  memcpy(point, der + 26, 65);
  return 0;
}

/* --key FILE: the 32-byte private scalar of a PEM (PKCS#8 or SEC1) P-256 private key. */
static int read_private_key(const char *file, uint8_t out[32]) {
  uint8_t point[65];
  BIGNUM *d = NULL;
  int rc = -1;
  EVP_PKEY *key = read_pem_key(file, 1);
  if (!key) return -1;
  if (p256_point(key, file, point) == 0) {
    if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1 && BN_bn2binpad(d, out, 32) == 32) rc = 0;
    else complain("%s: no P-256 private key in it", file);
  }
  BN_clear_free(d);
  EVP_PKEY_free(key);
  return rc;
}

/* --server-key KEY: 64 hex digits (SHA-256 of the SPKI, 32 bytes) or a PEM file (the point,
 * 65 bytes). Returns the pin's length, or -1. */
static int read_server_pin(const char *value, uint8_t pin[65]) {
  size_t len = 0;
  EVP_PKEY *key;
  int rc;
  if (strlen(value) == 64 && hex_decode(value, pin, 32, &len) == 0) return 32;
  key = read_pem_key(value, 0);
  if (!key) return -1;
  rc = p256_point(key, value, pin) == 0 ? 65 : -1;
  EVP_PKEY_free(key);
  return rc;
}

static void json_string(const char *key, const uint8_t *s, size_t n) {
  size_t i;
  printf("\"%s\":\"", key);
  for (i = 0; i < n; i++) {
    uint8_t c = s[i];
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c == '\n') printf("\\n");
    else if (c < 0x20 || c == 0x7f) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}


struct args {
  const char *target, *identity, *psk_hex, *sni, *send_text, *key_file, *server_key, *stop_before;
  const char *session_in, *session_out;
  const char *keylog;                         /* --keylog FILE (docs/API.md OPT_KEYLOG: debugging only) */
  char host[256], port[8];
  int rpk, json, expect_reply, require_ems, mfl_given, false_start, tickets;
  long mfl, rto, timeout, pmtu, wait_ms, cap; /* -1: not given */
  long heartbeat;                             /* --heartbeat SECONDS, -1: not given */
  int heartbeat_mode;                         /* --heartbeat-mode: 1 allow, 2 deny, 0 not given */
  long cid;                                   /* --cid LEN, -1: not given */
  /* X.509 (RFC 7925 s. 4.4; x509_cli.c): --ca (repeatable), --cert, --servername, --time */
  const char *ca[X509_CLI_CA_FILES_MAX], *cert_file, *servername, *time;
  int n_ca, accept_unknown_time;
  /* RFC 7925 s. 4.4's extensions: --cached-info, --cert-url URL, --trusted-ca-keys */
  const char *cert_url;
  int cached_info, trusted_ca_keys;
};

/* HOST:PORT or [IPV6]:PORT (as host/cli.ts's parseTarget); -1 after the message. */
static int parse_target(struct args *a) {
  const char *t = a->target, *host, *port;
  size_t host_len;
  long long v;
  if (t[0] == '[') {
    const char *close = strchr(t, ']');
    host = t + 1;
    if (!close || close == host || close[1] != ':' || memchr(host, '[', (size_t)(close - host))) goto bad;
    host_len = (size_t)(close - host);
    port = close + 2;
  } else {
    const char *colon = strchr(t, ':');
    host = t;
    if (!colon || colon == t || strcspn(t, "[]") < (size_t)(colon - t)) goto bad;
    host_len = (size_t)(colon - t);
    port = colon + 1;
  }
  if (strchr(port, ':')) goto bad;
  if (digits_value(port, &v) != 0 || v < 1 || v > 65535) {
    complain(CLI_MSG_BAD_PORT, port);
    return -1;
  }
  snprintf(a->port, sizeof a->port, "%d", (int)v);
  /* A name longer than DNS allows is left for the resolver to refuse, as the others do. */
  if (host_len >= sizeof a->host) host_len = sizeof a->host - 1;
  memcpy(a->host, host, host_len);
  a->host[host_len] = 0;
  if (!strcmp(a->host, "localhost")) strcpy(a->host, "127.0.0.1");
  return 0;
bad:
  complain(CLI_MSG_BAD_TARGET, t);
  return -1;
}

static int takes_value(const char *a) {
  static const char *const with_value[] = {"--psk-identity", "--psk", "--sni", "--mfl", "--rto", "--timeout",
                                           "--pmtu", "--send", "--wait", "--seed", "--memory-cap", "--key",
                                           "--server-key", "--stop-before", "--session-in", "--session-out",
                                           "--heartbeat", "--heartbeat-mode", "--cid", "--keylog",
                                           "--ca", "--cert", "--servername", "--time", "--cert-url"};
  size_t i;
  for (i = 0; i < sizeof with_value / sizeof with_value[0]; i++)
    if (!strcmp(a, with_value[i])) return 1;
  return 0;
}

/* The options, checked in host/cli.ts's order. 0, CLI_EXIT_* to exit with, or -1 for --help. */
static int parse_args(int argc, char **argv, struct args *a) {
  int i;
  memset(a, 0, sizeof *a);
  a->mfl = a->rto = a->timeout = a->pmtu = a->cap = a->heartbeat = a->cid = -1;
  a->wait_ms = 5000;
  for (i = 1; i < argc; i++) {
    const char *o = argv[i], *val = NULL;
    if (takes_value(o)) {
      if (i + 1 >= argc) {
        complain(CLI_MSG_NEEDS_VALUE, o);
        return usage_error();
      }
      val = argv[++i];
    }
    if (!strcmp(o, "--psk-identity")) a->identity = val;
    else if (!strcmp(o, "--psk")) a->psk_hex = val;
    else if (!strcmp(o, "--sni")) {
      if (!*val) {
        complain(CLI_MSG_SNI_EMPTY);
        return usage_error();
      }
      a->sni = val;
    } else if (!strcmp(o, "--mfl")) {
      if (!strcmp(val, "off")) a->mfl = 0;
      else if (!strcmp(val, "512") || !strcmp(val, "1024"))
        a->mfl = atol(val);
      else {
        complain(CLI_MSG_BAD_MFL, val);
        return usage_error();
      }
      a->mfl_given = 1;
    } else if (!strcmp(o, "--rto") || !strcmp(o, "--timeout") || !strcmp(o, "--pmtu") || !strcmp(o, "--wait") ||
               !strcmp(o, "--memory-cap") || !strcmp(o, "--heartbeat") || !strcmp(o, "--cid")) {
      long *slot = !strcmp(o, "--rto") ? &a->rto : !strcmp(o, "--timeout") ? &a->timeout
                 : !strcmp(o, "--pmtu") ? &a->pmtu : !strcmp(o, "--wait") ? &a->wait_ms
                 : !strcmp(o, "--heartbeat") ? &a->heartbeat : !strcmp(o, "--cid") ? &a->cid : &a->cap;
      if (whole_number(o, val, slot) != 0) return usage_error();
    } else if (!strcmp(o, "--stop-before")) {
      if (strcmp(val, "init") && strcmp(val, "connect")) {
        complain(CLI_MSG_BAD_STOP_BEFORE, val);
        return usage_error();
      }
      a->stop_before = val;
    } else if (!strcmp(o, "--heartbeat-mode")) {
      if (strcmp(val, "allow") && strcmp(val, "deny")) {
        complain(CLI_MSG_BAD_HEARTBEAT_MODE, val);
        return usage_error();
      }
      a->heartbeat_mode = !strcmp(val, "allow") ? 1 : 2;
    } else if (!strcmp(o, "--key")) a->key_file = val;
    else if (!strcmp(o, "--server-key")) a->server_key = val;
    else if (!strcmp(o, "--send")) a->send_text = val;
    else if (!strcmp(o, "--seed")) hal_posix_set_seed(val);
    else if (!strcmp(o, "--session-in")) a->session_in = val;
    else if (!strcmp(o, "--session-out")) a->session_out = val;
    else if (!strcmp(o, "--keylog")) a->keylog = val;
    else if (!strcmp(o, "--ca") && a->n_ca < X509_CLI_CA_FILES_MAX) a->ca[a->n_ca++] = val;
    else if (!strcmp(o, "--cert")) a->cert_file = val;
    else if (!strcmp(o, "--servername")) a->servername = val;
    else if (!strcmp(o, "--time")) a->time = val;
    else if (!strcmp(o, "--accept-unknown-time")) a->accept_unknown_time = 1;
    else if (!strcmp(o, "--cached-info")) a->cached_info = 1;
    else if (!strcmp(o, "--cert-url")) a->cert_url = val;
    else if (!strcmp(o, "--trusted-ca-keys")) a->trusted_ca_keys = 1;
    else if (!strcmp(o, "--require-ems")) a->require_ems = 1;
    else if (!strcmp(o, "--tickets")) a->tickets = 1;
    else if (!strcmp(o, "--false-start")) a->false_start = 1;
    else if (!strcmp(o, "--rpk")) a->rpk = 1;
    else if (!strcmp(o, "--expect-reply")) a->expect_reply = 1;
    else if (!strcmp(o, "--json")) a->json = 1;
    else if (!strcmp(o, "--verbose")) hal_posix_set_log_level(HAL_LOG_DEBUG);
    else if (!strcmp(o, "--software-aes")) hal_posix_set_aes_hw(0);
    else if (!strcmp(o, "-h") || !strcmp(o, "--help")) return -1;
    else if (o[0] == '-') {
      complain(CLI_MSG_UNKNOWN_OPTION, o);
      return usage_error();
    } else if (a->target) {
      complain(CLI_MSG_UNEXPECTED_ARGUMENT, o);
      return usage_error();
    } else a->target = o;
  }
  if (!a->target) {
    complain(CLI_MSG_MISSING_TARGET);
    return usage_error();
  }
  if (parse_target(a) != 0) return usage_error();
#define REFUSE_IF(cond, msg) \
  if (cond) {                \
    complain(msg);           \
    return usage_error();    \
  }
  REFUSE_IF(!a->identity != !a->psk_hex, CLI_MSG_PSK_PAIR)
  REFUSE_IF(!a->rpk && (a->server_key || (a->key_file && !a->n_ca)), CLI_MSG_RPK_ONLY)
  REFUSE_IF(a->rpk && !a->server_key, CLI_MSG_RPK_NEEDS_SERVER_KEY)
  REFUSE_IF(!a->rpk && !a->n_ca && !a->identity, CLI_MSG_CREDENTIALS_REQUIRED)
  REFUSE_IF(!a->n_ca && (a->cert_file || a->servername || a->time || a->accept_unknown_time || a->cached_info ||
                         a->trusted_ca_keys || a->cert_url), CLI_MSG_X509_ONLY)
  REFUSE_IF(a->cert_url && !a->cert_file, CLI_MSG_CERT_URL_NEEDS_CERT)
  REFUSE_IF(a->n_ca && a->rpk, CLI_MSG_X509_WITH_RPK)
  REFUSE_IF(a->cert_file && !a->key_file, CLI_MSG_CERT_NEEDS_KEY)
  if (a->time && strcmp(a->time, "now") && strcmp(a->time, "unknown") && a->time[strspn(a->time, "0123456789")]) {
    complain(CLI_MSG_BAD_TIME, a->time);
    return usage_error();
  }
  REFUSE_IF(a->expect_reply && !a->send_text, CLI_MSG_EXPECT_REPLY_NEEDS_SEND)
  REFUSE_IF(a->identity && !*a->identity, CLI_MSG_IDENTITY_EMPTY)
#undef REFUSE_IF
  if (a->identity) {
    char n[24];
    size_t len = strlen(a->psk_hex), i;
    int hex = len > 0 && len % 2 == 0;
    if (strlen(a->identity) > 128) {
      snprintf(n, sizeof n, "%zu", strlen(a->identity));
      complain(CLI_MSG_IDENTITY_TOO_LONG, n);
      return usage_error();
    }
    for (i = 0; i < len; i++)
      if (!strchr("0123456789abcdefABCDEF", a->psk_hex[i])) hex = 0;
    if (!hex) {
      complain(CLI_MSG_PSK_NOT_HEX, a->psk_hex);
      return usage_error();
    }
    if (len / 2 > 64) {
      snprintf(n, sizeof n, "%zu", len / 2);
      complain(CLI_MSG_PSK_TOO_LONG, n);
      return usage_error();
    }
  }
  return 0;
}

/* The first address of host that takes a connected UDP socket; -1 after the message. */
static int open_socket(const struct args *a) {
  struct addrinfo hints, *res = NULL, *ai;
  int fd = -1;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICSERV;
  if (getaddrinfo(a->host, a->port, &hints, &res) != 0) {
    complain(CLI_MSG_CANNOT_RESOLVE, a->host);
    return -1;
  }
  for (ai = res; ai; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) complain(CLI_MSG_CANNOT_REACH, a->target);
  return fd;
}

/* --session-in: the blob read before anything else, as dtls-client does. */
static uint8_t g_session[1536];
static size_t g_session_len;

static int read_session(const char *file) {
  FILE *f = fopen(file, "rb");
  if (f) {
    g_session_len = fread(g_session, 1, sizeof g_session, f);
    if (ferror(f)) g_session_len = 0, fclose(f), f = NULL;
    else fclose(f);
  }
  if (!f) {
    complain(CLI_MSG_SESSION_UNREADABLE, file);
    return CLI_EXIT_USAGE;
  }
  return 0;
}

/* --session-out: the kept session, readable by its owner only (it holds the master secret). */
static void save_session(const struct args *a) {
  static uint8_t blob[1536];
  FILE *out = a->json ? stderr : stdout, *f;
  int32_t n = dtls_port_session_export(blob, sizeof blob);
  int fd;
  if (n < 0) {
    fprintf(out, CLI_MSG_SESSION_NONE "\n", a->session_out);
    return;
  }
  fd = open(a->session_out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  f = fd < 0 ? NULL : fdopen(fd, "wb");
  if (!f || fwrite(blob, 1, (size_t)n, f) != (size_t)n) fprintf(out, CLI_MSG_SESSION_UNWRITABLE "\n", a->session_out);
  if (f) fclose(f);
  else if (fd >= 0) close(fd);
  memset(blob, 0, sizeof blob);
}

/* --keylog FILE: created (mode 0600) or appended to; 0, or -1 when it cannot be written. */
static int open_keylog(const char *file, FILE **f) {
  int fd = open(file, O_WRONLY | O_CREAT | O_APPEND, 0600);
  *f = fd < 0 ? NULL : fdopen(fd, "a");
  if (!*f && fd >= 0) close(fd);
  return *f ? 0 : -1;
}

/* --keylog: this connection's NSS key log line, CLIENT_RANDOM <client_random> <master secret>
 * (dtls_info(INFO_KEYLOG): 32 + 48 bytes, once the handshake is over), for Wireshark. */
static void save_keylog(const struct args *a) {
  uint8_t k[80];
  FILE *f;
  int i;
  if (dtls_port_info_bytes(DTLS_INFO_KEYLOG, k, sizeof k) != (int32_t)sizeof k) return;
  if (open_keylog(a->keylog, &f) != 0) {
    complain(CLI_MSG_KEYLOG_UNWRITABLE, a->keylog);
  } else {
    fputs("CLIENT_RANDOM ", f);
    for (i = 0; i < 80; i++) fprintf(f, i == 32 ? " %02x" : "%02x", k[i]);
    fputc('\n', f);
    fclose(f);
  }
  memset(k, 0, sizeof k);
}

/* The module configured as the options say; 0 or CLI_EXIT_USAGE after the message. */
static int configure(const struct args *a, const uint8_t *psk, size_t psk_len, uint8_t client_key[32], int has_key,
                     const uint8_t *server_pin, int pin_len) {
  const struct { const char *option; int32_t key; long value; } numbers[] = {
      {"--mfl", DTLS_OPT_MFL, a->mfl}, {"--rto", DTLS_OPT_RTO_INITIAL_MS, a->rto},
      {"--timeout", DTLS_OPT_HANDSHAKE_BUDGET_MS, a->timeout}, {"--pmtu", DTLS_OPT_PMTU, a->pmtu},
      {"--require-ems", DTLS_OPT_REQUIRE_EMS, a->require_ems ? 1 : -1},
      {"--tickets", DTLS_OPT_TICKETS, a->tickets ? 1 : -1},
      /* RFC 6520: --heartbeat alone offers peer_allowed_to_send (as host/cli.ts) */
      {"--heartbeat-mode", DTLS_OPT_HEARTBEAT, a->heartbeat_mode ? a->heartbeat_mode : a->heartbeat > 0 ? 1 : -1},
      {"--heartbeat", DTLS_OPT_HEARTBEAT_INTERVAL_MS, a->heartbeat > 0 ? a->heartbeat * 1000 : -1},
      {"--cid", DTLS_OPT_CID, a->cid}, {"--false-start", DTLS_OPT_FALSE_START, a->false_start ? 1 : -1},
      {"--keylog", DTLS_OPT_KEYLOG, a->keylog ? 1 : -1}};
  int32_t rc;
  size_t i;
  dtls_port_config_reset();
  if (a->n_ca && (x509_cli_configure(has_key ? client_key : NULL, a->servername, a->accept_unknown_time) != 0 ||
                  x509_cli_configure_ext(a->cached_info, a->cert_url, a->trusted_ca_keys) != 0)) {
    memset(client_key, 0, 32);
    return CLI_EXIT_USAGE;
  }
  if (a->identity && dtls_port_config_psk((const uint8_t *)a->identity, strlen(a->identity), psk, psk_len) != 0) {
    complain(CLI_MSG_PSK_REFUSED);
    return CLI_EXIT_USAGE;
  }
  if (a->rpk) {
    rc = dtls_port_config_rpk(has_key ? client_key : NULL, has_key ? 32 : 0, server_pin, (size_t)pin_len);
    memset(client_key, 0, 32);
    if (rc != 0) {
      complain(rc == DTLS_ERR_UNSUPPORTED ? CLI_MSG_RPK_UNSUPPORTED : CLI_MSG_RPK_REFUSED);
      return CLI_EXIT_USAGE;
    }
  }
  if (a->sni && dtls_port_config_sni(a->sni) != 0) {
    complain(CLI_MSG_SNI_INVALID, a->sni);
    return CLI_EXIT_USAGE;
  }
  for (i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
    char text[24];
    if (numbers[i].value < 0) continue;
    if (dtls_port_config_set(numbers[i].key, (int32_t)numbers[i].value) != 0) {
      snprintf(text, sizeof text, "%ld", numbers[i].value);
      complain(CLI_MSG_OPTION_REFUSED, numbers[i].option, text);
      return CLI_EXIT_USAGE;
    }
  }
  if (a->session_in || a->session_out) dtls_port_config_set(DTLS_OPT_RESUME, 1);
  if (a->session_in) {
    rc = dtls_port_session_import(g_session, g_session_len);
    memset(g_session, 0, sizeof g_session);
    if (rc != 0) {
      complain(CLI_MSG_SESSION_REFUSED, a->session_in,
               rc == DTLS_ERR_SESSION_REFUSED ? CLI_MSG_SESSION_WHY_REFUSED
               : rc == DTLS_ERR_UNSUPPORTED ? CLI_MSG_SESSION_WHY_UNSUPPORTED : CLI_MSG_SESSION_WHY_MALFORMED);
      return CLI_EXIT_USAGE;
    }
  }
  return 0;
}

/* "-> flight N sent" lines as host/cli.ts prints them: stdout, or stderr under --json. */
static void report_flights(int json) {
  static int32_t sent, received, retransmitted;
  FILE *out = json ? stderr : stdout;
  int32_t s, r, x;
  if (dtls_port_state() < 0) return;
  s = dtls_port_info(DTLS_INFO_FLIGHTS_SENT);
  r = dtls_port_info(DTLS_INFO_FLIGHTS_RECEIVED);
  x = dtls_port_info(DTLS_INFO_FLIGHTS_RETRANSMITTED);
  while (received < r) fprintf(out, "<- flight %d received\n", (int)++received);
  while (sent < s) fprintf(out, "-> flight %d sent\n", (int)++sent);
  for (; retransmitted < x; retransmitted++) fprintf(out, "-> flight %d retransmitted\n", (int)sent);
}

/* A datagram or record of any size UDP carries, so nothing is cut short here. */
#define DATAGRAM_MAX 65536

struct session {
  uint8_t received[DATAGRAM_MAX];
  size_t received_len;
  int connected, sent, replies, too_large;
  int32_t max_write;
};

/* Every application record the module holds: printed (without --json) and kept. */
static void drain(struct session *s, int json) {
  static uint8_t rx[DATAGRAM_MAX];
  int32_t n;
  while ((n = dtls_port_read(rx, sizeof rx)) >= 0) {
    if (s->received_len + (size_t)n <= sizeof s->received) {
      memcpy(s->received + s->received_len, rx, (size_t)n);
      s->received_len += (size_t)n;
    }
    if (s->sent) s->replies++;
    if (!json) fwrite(rx, 1, (size_t)n, stdout);
  }
}

/* Handshake, --send and the wait for its reply: returns when the session is over. */
static void run_session(const struct args *a, int fd, struct session *s) {
  static uint8_t rx[DATAGRAM_MAX];
  uint32_t connected_at = 0;
  /* With heartbeats the session lasts the whole --wait, a reply or not, so they can run. */
  int hold = a->heartbeat_mode != 0 || a->heartbeat > 0;
  int32_t rc = dtls_port_connect();
  report_flights(a->json);
  if (rc < 0 && rc != DTLS_ERR_FAILED) return;
  for (;;) {
    int32_t wait, state = dtls_port_state();
    struct pollfd pfd;
    if (state == DTLS_PORT_STATE_CONNECTED) {
      long left;
      if (!s->connected) {
        int32_t mfl = dtls_port_info(DTLS_INFO_MFL);
        char mfl_text[16];
        s->connected = 1;
        connected_at = hal_clock_ms();
        snprintf(mfl_text, sizeof mfl_text, mfl ? "%d" : "none", (int)mfl);
        fprintf(a->json ? stderr : stdout, CLI_MSG_CONNECTED "\n", cipher_name(dtls_port_info(DTLS_INFO_CIPHER_SUITE)),
                mfl_text);
        if (!a->send_text && !hold) return;
        if (a->send_text) {
          s->max_write = dtls_port_info(DTLS_INFO_MAX_WRITE);
          if (strlen(a->send_text) > (size_t)s->max_write) {
            s->too_large = 1;
            return;
          }
          if (!s->sent && dtls_port_write((const uint8_t *)a->send_text, strlen(a->send_text)) < 0) return;
          s->sent = 1;
        }
      }
      drain(s, a->json);
      left = a->wait_ms - (long)(uint32_t)(hal_clock_ms() - connected_at);
      if ((s->replies > 0 && !hold) || left <= 0) return;
      wait = left < 10 ? (int32_t)left : 10;
      /* Timers run while connected too (heartbeats): -1 when there are none. */
      if ((rc = dtls_port_poll()) >= 0 && rc < wait) wait = rc;
      if (dtls_port_state() != DTLS_PORT_STATE_CONNECTED) continue;
    } else if (state == DTLS_PORT_STATE_HANDSHAKING) {
      /* --false-start: --send goes as soon as the module allows, before the server's Finished. */
      if (a->false_start && a->send_text && !s->sent &&
          strlen(a->send_text) <= (size_t)dtls_port_info(DTLS_INFO_MAX_WRITE) &&
          dtls_port_write((const uint8_t *)a->send_text, strlen(a->send_text)) >= 0)
        s->sent = 1;
      wait = dtls_port_poll();
      report_flights(a->json);
      if (wait < 0) wait = 1000;
    } else {
      return; /* failed, closed by the server, or trapped */
    }
    pfd.fd = fd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    if (poll(&pfd, 1, wait) > 0 && (pfd.revents & (POLLIN | POLLERR))) {
      /* POLLERR: an ICMP error (port unreachable) pending on the connected socket; recv
       * consumes it (ECONNREFUSED), otherwise poll would return at once until the timeout.
       * MSG_TRUNC: the real length, so the module counts a datagram too large for it. */
      ssize_t len = recv(fd, rx, sizeof rx, MSG_TRUNC);
      if (len > 0) {
        if (a->n_ca) x509_cli_feed(rx, (size_t)len);
        dtls_port_on_datagram(rx, (size_t)len);
        report_flights(a->json);
        drain(s, a->json);
      }
    }
  }
}

/* "cid": RFC 9146's connection IDs in hex ("" for an empty one), sent = the server's (in our
 * records), received = ours (in its records); null unless negotiated (host/engine.ts). */
static void print_cid(int32_t done) {
  static const int32_t keys[2] = {DTLS_INFO_CID_SENT_LEN, DTLS_INFO_CID_RECEIVED_LEN};
  uint8_t cid[256];
  int32_t k, n, i;
  if (!done || dtls_port_info(DTLS_INFO_CID_SENT_LEN) < 0) {
    printf("\"cid\":null,");
    return;
  }
  printf("\"cid\":{");
  for (k = 0; k < 2; k++) {
    n = dtls_port_info_bytes(keys[k], cid, sizeof cid);
    printf("%s\"%s\":\"", k ? "," : "", k ? "received" : "sent");
    for (i = 0; i < n; i++) printf("%02x", cid[i]);
    putchar('"');
  }
  printf("},");
}

/* The --json summary: host/engine.ts summary() plus received, reply and the failure. */
static void print_summary(const struct args *a, const struct session *s, int32_t state) {
  int32_t done = state >= 0 && dtls_port_info(DTLS_INFO_HANDSHAKE_MS) >= 0; /* negotiated results only then */
  int32_t suite = dtls_port_info(DTLS_INFO_CIPHER_SUITE), mfl = dtls_port_info(DTLS_INFO_MFL);
  uint8_t hash[32];
  size_t i;
#define NEGOTIATED(cond) (!done ? "null" : (cond) ? "true" : "false")
  printf("{\"protocol\":%s,", !done ? "null" : dtls_port_info(DTLS_INFO_VERSION) == DTLS_DTLS_1_2 ? "\"DTLSv1.2\"" : "null");
  if (done && suite) printf("\"cipher\":\"%s\",", cipher_name(suite));
  else printf("\"cipher\":null,");
  if (done && mfl) printf("\"mfl\":%d,", (int)mfl);
  else printf("\"mfl\":null,");
  printf("\"ems\":%s,", NEGOTIATED(dtls_port_info(DTLS_INFO_EMS) == 1));
  if (a->sni) {
    json_string("sni", (const uint8_t *)a->sni, strlen(a->sni));
    putchar(',');
  } else printf("\"sni\":null,");
  printf("\"sni_accepted\":%s,", NEGOTIATED(dtls_port_info(DTLS_INFO_SNI_ACCEPTED) == 1));
  printf("\"resumed\":%s,", NEGOTIATED(dtls_port_info(DTLS_INFO_RESUMED) == 1));
  if (done && dtls_port_info(DTLS_INFO_HEARTBEAT_PEER_MODE) != 0)
    printf("\"heartbeats\":{\"sent\":%d,\"responses\":%d,\"answered\":%d},", (int)dtls_port_info(DTLS_INFO_HEARTBEATS_SENT),
           (int)dtls_port_info(DTLS_INFO_HEARTBEAT_RESPONSES), (int)dtls_port_info(DTLS_INFO_HEARTBEATS_ANSWERED));
  else printf("\"heartbeats\":null,");
  print_cid(done);
  printf("\"false_start\":%s,", !a->false_start ? "null" : dtls_port_info(DTLS_INFO_FALSE_START) == 1 ? "true" : "false");
  printf("\"ticket\":%s,", NEGOTIATED(dtls_port_info(DTLS_INFO_TICKET) == 1));
  if (done) printf("\"handshake_ms\":%d,", (int)dtls_port_info(DTLS_INFO_HANDSHAKE_MS));
  else printf("\"handshake_ms\":null,");
  for (i = 0; i < sizeof CLI_SUMMARY_COUNTERS / sizeof CLI_SUMMARY_COUNTERS[0]; i++)
    printf("\"%s\":%d,", CLI_SUMMARY_COUNTERS[i].key, (int)dtls_port_info(CLI_SUMMARY_COUNTERS[i].info));
  if (a->rpk) { /* the server key's SHA-256 as seen in the handshake (also on failure), client auth */
    if (dtls_port_peer_key_hash(hash) == 0) {
      printf("\"server_key_sha256\":\"");
      for (i = 0; i < 32; i++) printf("%02x", hash[i]);
      printf("\",");
    } else printf("\"server_key_sha256\":null,");
    printf("\"client_auth\":%s,", NEGOTIATED(dtls_port_info(DTLS_INFO_CLIENT_AUTH) == 1));
  }
  if (a->n_ca) x509_cli_print_summary(done);
#undef NEGOTIATED
  printf("\"state\":\"%s\",", state_name(state));
  json_string("received", s->received, s->received_len);
  printf(",\"reply\":%s", !a->send_text || s->too_large ? "null" : s->replies ? "true" : "false");
  if (state == DTLS_PORT_STATE_FAILED || state < 0) {
    int32_t reason = dtls_port_last_error(), packed = dtls_port_last_alert();
    char msg[1024], alert[64];
    int has_alert = describe_alert(packed, alert, sizeof alert);
    if (state < 0) snprintf(msg, sizeof msg, "the module trapped: %s", dtls_port_error_message());
    else describe_failure(reason, packed, msg, sizeof msg);
    if (state >= 0 && a->n_ca) x509_cli_failure_prefix(msg, sizeof msg);
    printf(",");
    json_string("error", (const uint8_t *)msg, strlen(msg));
    printf(",\"reason\":\"%s\",", reason_name(reason));
    if (has_alert) json_string("alert", (const uint8_t *)alert, strlen(alert));
    else printf("\"alert\":null");
  }
  printf("}\n");
}

int main(int argc, char **argv) {
  struct args a;
  static struct session s;
  uint8_t psk[64], client_key[32], server_pin[65];
  size_t psk_len = 0;
  int pin_len = 0, has_key = 0, fd, rc;
  int32_t state;

  rc = parse_args(argc, argv, &a);
  if (rc < 0) {
    fputs(CLI_USAGE, stdout);
    return CLI_EXIT_DONE;
  }
  if (rc != 0) return rc;
  if (a.identity) hex_decode(a.psk_hex, psk, sizeof psk, &psk_len);
  if (a.n_ca && x509_cli_read(a.ca, a.n_ca, a.cert_file) != 0) return CLI_EXIT_USAGE;
  if (a.n_ca && a.key_file) {
    if (read_private_key(a.key_file, client_key) != 0) return CLI_EXIT_USAGE;
    has_key = 1;
  }
  /* --time: the HAL's trusted clock (RFC 7925 s. 12): the host's, fixed seconds, or unknown. */
  if (a.time && strcmp(a.time, "now")) hal_posix_set_wall_time(strcmp(a.time, "unknown") ? atoll(a.time) : -1);
  if (a.rpk) {
    pin_len = read_server_pin(a.server_key, server_pin);
    if (pin_len < 0) return CLI_EXIT_USAGE;
    if (a.key_file) {
      if (read_private_key(a.key_file, client_key) != 0) return CLI_EXIT_USAGE;
      has_key = 1;
    }
  }
  if (a.keylog) { /* refused before anything is sent, as dtls-client does */
    FILE *f;
    if (open_keylog(a.keylog, &f) != 0) {
      complain(CLI_MSG_KEYLOG_UNWRITABLE, a.keylog);
      return CLI_EXIT_USAGE;
    }
    fclose(f);
  }
  if (a.session_in && read_session(a.session_in) != 0) return CLI_EXIT_USAGE;
  if (a.stop_before && !strcmp(a.stop_before, "init")) return CLI_EXIT_DONE;

  fd = open_socket(&a);
  if (fd < 0) return CLI_EXIT_USAGE;
  hal_posix_set_socket(fd);
  if (a.cap > 0) dtls_vm_set_memory_cap((uint32_t)a.cap);
  if (dtls_port_init() != 0) {
    fprintf(stderr, CLI_PROGRAM ": module init failed: %s\n", dtls_port_error_message());
    return CLI_EXIT_FAILED;
  }
  rc = configure(&a, psk, psk_len, client_key, has_key, server_pin, pin_len);
  memset(psk, 0, sizeof psk);
  if (rc != 0 || a.stop_before) { /* --stop-before connect: configured, nothing sent */
    dtls_port_free();
    close(fd);
    return rc;
  }

  memset(&s, 0, sizeof s);
  run_session(&a, fd, &s);
  /* Our close_notify when still connected: the summary's state is then "closed". */
  if (dtls_port_state() == DTLS_PORT_STATE_CONNECTED) dtls_port_close();
  state = dtls_port_state();
  if (a.session_out) save_session(&a);
  if (a.keylog) save_keylog(&a);
  if (a.json) print_summary(&a, &s, state);
  fflush(stdout);
  close(fd);
  if (!s.connected || state == DTLS_PORT_STATE_FAILED || state < 0) {
    char msg[1024];
    describe_failure(dtls_port_last_error(), dtls_port_last_alert(), msg, sizeof msg);
    if (a.n_ca) x509_cli_failure_prefix(msg, sizeof msg);
    complain(s.connected ? CLI_MSG_CONNECTION_FAILED : CLI_MSG_HANDSHAKE_FAILED,
             state < 0 ? dtls_port_error_message() : msg);
    return CLI_EXIT_FAILED;
  }
  if (s.too_large) {
    char n[24], max[24];
    snprintf(n, sizeof n, "%zu", strlen(a.send_text));
    snprintf(max, sizeof max, "%d", (int)s.max_write);
    complain(CLI_MSG_SEND_TOO_LARGE, n, max);
    return CLI_EXIT_USAGE;
  }
  if (a.expect_reply && !s.replies) {
    char ms[24];
    snprintf(ms, sizeof ms, "%ld", a.wait_ms);
    complain(CLI_MSG_NO_REPLY, ms);
    return CLI_EXIT_NO_REPLY;
  }
  return CLI_EXIT_DONE;
}
