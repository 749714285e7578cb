/*
 * dtls-posix: the DTLS client on Linux through the C runtime glue (boards/runtime) and the
 * wasm2c translation of build/dtls.wasm. It takes the options of the Node CLI (host/cli.ts):
 * PSK, or raw public keys (RFC 7250) read from PEM files with OpenSSL's libcrypto, and
 * prints the same JSON summary with --json.
 * Exit codes: 0 done, 1 the connection failed, 2 bad usage or configuration.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dtls_codes.h"
#include "dtls_port.h"
#include "dtls_vm.h"
#include "hal.h"
#include "hal_posix.h"
#include "dtls_names.h"

static const char USAGE[] =
    "usage: dtls-posix HOST:PORT (--psk-identity ID --psk HEX | --rpk --server-key KEY [--key FILE])\n"
    "                  [options]\n"
    "  --psk-identity ID   PSK identity (1 to 128 bytes)\n"
    "  --psk HEX           pre-shared key in hex (1 to 64 bytes)\n"
    "  --rpk               raw public keys (RFC 7250) with TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8\n"
    "  --server-key KEY    the server's P-256 public key: a PEM file, or the hex SHA-256 of its\n"
    "                      SubjectPublicKeyInfo\n"
    "  --key FILE          our P-256 private key (PEM), sent when the server asks for client\n"
    "                      authentication\n"
    "  --sni NAME          send server_name (RFC 6066)\n"
    "  --mfl N|off         max_fragment_length to offer: 512 (default), 1024, 2048, 4096, off\n"
    "  --rto MS            initial retransmission timeout (default 9000, RFC 7925 s. 11)\n"
    "  --timeout MS        give up on a flight after MS (default 7 x the initial timeout)\n"
    "  --pmtu BYTES        largest datagram to send (default 1232)\n"
    "  --require-ems       refuse servers without extended master secret (RFC 7627)\n"
    "  --send TEXT         send TEXT once connected, print the reply, close\n"
    "  --wait MS           how long to wait for replies after sending (default 5000)\n"
    "  --json              print one JSON summary at the end\n"
    "  --verbose           log the core's messages to stderr\n"
    "  --seed TEXT         deterministic \"random\" bytes (tests only: never in production)\n"
    "  --software-aes      make the HAL report no hardware AES (exercise the core's AES)\n"
    "  --memory-cap BYTES  back the module with fewer bytes than built for (measurements)\n"
    "  --stop-before STAGE exit 0 before a stage (measurements: the baseline of `make bench`):\n"
    "                      init (options parsed, keys read: before the socket and the module)\n"
    "                      or connect (module instantiated and configured: before the\n"
    "                      ClientHello)\n";

#define MAX_OPTIONS 8

static int usage_error(const char *msg) {
  if (msg) fprintf(stderr, "dtls-posix: %s\n", msg);
  fputs(USAGE, stderr);
  return 2;
}

static int parse_uint(const char *s, long *out) {
  char *end;
  if (!*s) return -1;
  errno = 0;
  *out = strtol(s, &end, 10);
  return (*end || errno || *out < 0) ? -1 : 0;
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
    fprintf(stderr, "dtls-posix: cannot read %s\n", file);
    return NULL;
  }
  if (!want_private) key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
  if (!key) {
    (void)BIO_reset(bio);
    key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
  }
  BIO_free(bio);
  if (!key)
    fprintf(stderr, "dtls-posix: %s: not a PEM %s key\n", file, want_private ? "private" : "public or private");
  return key;
}

/* The uncompressed point of a P-256 key (its SubjectPublicKeyInfo must be P-256's). */
static int p256_point(EVP_PKEY *key, const char *file, uint8_t point[65]) {
  uint8_t der[128], *p = der;
  int n = i2d_PUBKEY(key, NULL);
  if (n != 91 || i2d_PUBKEY(key, &p) != 91 || memcmp(der, P256_SPKI_PREFIX, sizeof P256_SPKI_PREFIX) != 0) {
    fprintf(stderr, "dtls-posix: %s is not a P-256 (prime256v1) key\n", file);
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
    else fprintf(stderr, "dtls-posix: %s: no P-256 private key in it\n", file);
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

static int open_socket(const char *target) {
  char host[256], port[16];
  const char *colon = strrchr(target, ':');
  struct addrinfo hints, *res = NULL, *ai;
  size_t hl;
  int fd = -1;
  if (!colon || strlen(colon + 1) >= sizeof port) return -1;
  hl = (size_t)(colon - target);
  if (hl >= sizeof host) return -1;
  memcpy(host, target, hl);
  host[hl] = 0;
  if (hl > 1 && host[0] == '[' && host[hl - 1] == ']') { /* [::1]:port */
    memmove(host, host + 1, hl - 2);
    host[hl - 2] = 0;
  }
  strcpy(port, colon + 1);
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  if (getaddrinfo(strcmp(host, "localhost") ? host : "127.0.0.1", port, &hints, &res) != 0) return -1;
  for (ai = res; ai; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  return fd;
}

int main(int argc, char **argv) {
  const char *target = NULL, *identity = NULL, *psk_hex = NULL, *sni = NULL, *send_text = NULL;
  const char *key_file = NULL, *server_key = NULL, *stop_before = NULL;
  uint8_t psk[64], rx[2048], received[4096], client_key[32], server_pin[65];
  size_t psk_len = 0, received_len = 0;
  int rpk = 0, pin_len = 0, has_key = 0;
  int32_t opt_key[MAX_OPTIONS], opt_val[MAX_OPTIONS];
  int n_opts = 0, i, fd, json = 0, sent = 0, connected = 0;
  long wait_ms = 5000, cap = -1, v;
  int32_t rc, state;
  uint32_t connected_at = 0;

  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *val = (i + 1 < argc) ? argv[i + 1] : NULL;
    int takes = !strcmp(a, "--psk-identity") || !strcmp(a, "--psk") || !strcmp(a, "--sni") ||
                !strcmp(a, "--mfl") || !strcmp(a, "--rto") || !strcmp(a, "--timeout") ||
                !strcmp(a, "--pmtu") || !strcmp(a, "--send") || !strcmp(a, "--wait") ||
                !strcmp(a, "--seed") || !strcmp(a, "--memory-cap") || !strcmp(a, "--key") ||
                !strcmp(a, "--server-key") || !strcmp(a, "--stop-before");
    if (takes && !val) {
      fprintf(stderr, "dtls-posix: %s needs a value\n", a);
      return usage_error(NULL);
    }
    if (takes) i++;
    if (!strcmp(a, "--psk-identity")) identity = val;
    else if (!strcmp(a, "--psk")) psk_hex = val;
    else if (!strcmp(a, "--sni")) sni = val;
    else if (!strcmp(a, "--key")) key_file = val;
    else if (!strcmp(a, "--server-key")) server_key = val;
    else if (!strcmp(a, "--stop-before")) {
      if (strcmp(val, "init") && strcmp(val, "connect")) return usage_error("--stop-before must be init or connect");
      stop_before = val;
    }
    else if (!strcmp(a, "--send")) send_text = val;
    else if (!strcmp(a, "--seed")) hal_posix_set_seed(val);
    else if (!strcmp(a, "--mfl")) {
      if (!strcmp(val, "off")) v = 0;
      else if (parse_uint(val, &v) || (v != 512 && v != 1024 && v != 2048 && v != 4096))
        return usage_error("--mfl must be 512, 1024, 2048, 4096 or off");
      opt_key[n_opts] = DTLS_OPT_MFL;
      opt_val[n_opts++] = (int32_t)v;
    } else if (!strcmp(a, "--rto") || !strcmp(a, "--timeout") || !strcmp(a, "--pmtu")) {
      if (parse_uint(val, &v) || v > 0x7fffffff) return usage_error("needs a whole number");
      opt_key[n_opts] = !strcmp(a, "--rto") ? DTLS_OPT_RTO_INITIAL_MS
                        : !strcmp(a, "--pmtu") ? DTLS_OPT_PMTU
                                               : DTLS_OPT_HANDSHAKE_BUDGET_MS;
      opt_val[n_opts++] = (int32_t)v;
    } else if (!strcmp(a, "--wait")) {
      if (parse_uint(val, &wait_ms)) return usage_error("--wait needs a whole number");
    } else if (!strcmp(a, "--memory-cap")) {
      if (parse_uint(val, &cap)) return usage_error("--memory-cap needs a whole number");
    } else if (!strcmp(a, "--require-ems")) {
      opt_key[n_opts] = DTLS_OPT_REQUIRE_EMS;
      opt_val[n_opts++] = 1;
    } else if (!strcmp(a, "--rpk")) rpk = 1;
    else if (!strcmp(a, "--json")) json = 1;
    else if (!strcmp(a, "--verbose")) hal_posix_set_log_level(HAL_LOG_DEBUG);
    else if (!strcmp(a, "--software-aes")) hal_posix_set_aes_hw(0);
    else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(USAGE, stdout);
      return 0;
    } else if (a[0] != '-' && !target) target = a;
    else {
      fprintf(stderr, "dtls-posix: unknown option %s\n", a);
      return usage_error(NULL);
    }
    if (n_opts >= MAX_OPTIONS) return usage_error("too many options");
  }
  if (!target) return usage_error("expected HOST:PORT");
  if (!identity != !psk_hex) return usage_error("--psk-identity and --psk go together");
  if (!rpk && (key_file || server_key)) return usage_error("--key and --server-key need --rpk");
  if (rpk && !server_key) return usage_error("--rpk needs --server-key (the server's key is pinned, RFC 7925 s. 4.3)");
  if (!rpk && !identity) return usage_error("--psk-identity and --psk are required (or --rpk)");
  if (identity) {
    if (strlen(identity) < 1 || strlen(identity) > 128)
      return usage_error("--psk-identity must be 1 to 128 bytes");
    if (hex_decode(psk_hex, psk, sizeof psk, &psk_len) != 0)
      return usage_error("--psk must be 1 to 64 bytes of hex digits");
  }
  if (rpk) {
    pin_len = read_server_pin(server_key, server_pin);
    if (pin_len < 0) return 2;
    if (key_file) {
      if (read_private_key(key_file, client_key) != 0) return 2;
      has_key = 1;
    }
  }
  if (stop_before && !strcmp(stop_before, "init")) return 0;

  fd = open_socket(target);
  if (fd < 0) {
    fprintf(stderr, "dtls-posix: cannot reach %s\n", target);
    return 2;
  }
  hal_posix_set_socket(fd);
  if (cap > 0) dtls_vm_set_memory_cap((uint32_t)cap);
  if (dtls_port_init() != 0) {
    fprintf(stderr, "dtls-posix: module init failed: %s\n", dtls_port_error_message());
    return 1;
  }
  dtls_port_config_reset();
  if (identity) {
    rc = dtls_port_config_psk((const uint8_t *)identity, strlen(identity), psk, psk_len);
    if (rc != 0) {
      fprintf(stderr, "dtls-posix: the module refused the PSK (%d)\n", rc);
      return 2;
    }
  }
  if (rpk) {
    rc = dtls_port_config_rpk(has_key ? client_key : NULL, has_key ? 32 : 0, server_pin, (size_t)pin_len);
    memset(client_key, 0, sizeof client_key);
    if (rc == DTLS_ERR_UNSUPPORTED) {
      fprintf(stderr, "dtls-posix: this module was built without raw public keys (PSK only)\n");
      return 2;
    }
    if (rc != 0) {
      fprintf(stderr, "dtls-posix: the module refused the raw public keys (not a valid P-256 key?) (%d)\n", rc);
      return 2;
    }
  }
  if (sni && dtls_port_config_sni(sni) != 0) {
    fprintf(stderr, "dtls-posix: invalid server name: %s\n", sni);
    return 2;
  }
  for (i = 0; i < n_opts; i++) {
    if (dtls_port_config_set(opt_key[i], opt_val[i]) != 0) {
      fprintf(stderr, "dtls-posix: option %d=%d refused\n", opt_key[i], opt_val[i]);
      return 2;
    }
  }

  if (stop_before) { /* "connect" */
    dtls_port_free();
    close(fd);
    return 0;
  }
  rc = dtls_port_connect();
  while (rc >= 0 || rc == DTLS_ERR_FAILED) {
    int32_t wait, n;
    struct pollfd pfd;
    state = dtls_port_state();
    if (state == DTLS_PORT_STATE_CONNECTED) {
      if (!connected) {
        connected = 1;
        connected_at = hal_clock_ms();
        if (!json)
          printf("connected: \"%s\", mfl %d\n", cipher_name(dtls_port_info(DTLS_INFO_CIPHER_SUITE)),
                 dtls_port_info(DTLS_INFO_MFL));
        if (!send_text) break;
      }
      if (!sent) {
        rc = dtls_port_write((const uint8_t *)send_text, strlen(send_text));
        if (rc < 0) break;
        sent = 1;
      }
      while ((n = dtls_port_read(rx, sizeof rx)) >= 0) {
        if (received_len + (size_t)n <= sizeof received) {
          memcpy(received + received_len, rx, (size_t)n);
          received_len += (size_t)n;
        }
        if (!json) fwrite(rx, 1, (size_t)n, stdout);
      }
      if (received_len > 0 || (long)(hal_clock_ms() - connected_at) >= wait_ms) break;
      wait = 10;
    } else if (state == DTLS_PORT_STATE_HANDSHAKING) {
      wait = dtls_port_poll();
      if (wait < 0) wait = 1000;
    } else {
      break;
    }
    pfd.fd = fd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    if (poll(&pfd, 1, wait) > 0 && (pfd.revents & (POLLIN | POLLERR))) {
      /* POLLERR: an ICMP error (port unreachable) pending on the connected socket; recv
       * consumes it (ECONNREFUSED), otherwise poll would return at once until the timeout. */
      ssize_t len = recv(fd, rx, sizeof rx, 0);
      if (len > 0) dtls_port_on_datagram(rx, (size_t)len);
    }
  }
  state = dtls_port_state();
  if (json) {
    int32_t suite = dtls_port_info(DTLS_INFO_CIPHER_SUITE), mfl = dtls_port_info(DTLS_INFO_MFL);
    printf("{\"protocol\":%s,", dtls_port_info(DTLS_INFO_VERSION) == DTLS_DTLS_1_2 ? "\"DTLSv1.2\"" : "null");
    if (suite) printf("\"cipher\":\"%s\",", cipher_name(suite));
    else printf("\"cipher\":null,");
    if (mfl) printf("\"mfl\":%d,", mfl);
    else printf("\"mfl\":null,");
    printf("\"ems\":%s,", dtls_port_info(DTLS_INFO_EMS) == 1 ? "true" : "false");
    if (sni) {
      json_string("sni", (const uint8_t *)sni, strlen(sni));
      putchar(',');
    } else printf("\"sni\":null,");
    printf("\"sni_accepted\":%s,\"resumed\":%s,\"handshake_ms\":%d,\"flights_sent\":%d,"
           "\"flights_received\":%d,\"flights_retransmitted\":%d,\"records_dropped\":%d,",
           dtls_port_info(DTLS_INFO_SNI_ACCEPTED) == 1 ? "true" : "false",
           dtls_port_info(DTLS_INFO_RESUMED) == 1 ? "true" : "false",
           dtls_port_info(DTLS_INFO_HANDSHAKE_MS), dtls_port_info(DTLS_INFO_FLIGHTS_SENT),
           dtls_port_info(DTLS_INFO_FLIGHTS_RECEIVED), dtls_port_info(DTLS_INFO_FLIGHTS_RETRANSMITTED),
           dtls_port_info(DTLS_INFO_RECORDS_DROPPED));
    if (rpk) { /* like the CLI: the server key's SHA-256 as seen in the handshake, client auth */
      if (dtls_port_peer_key_hash(rx) == 0) {
        printf("\"server_key_sha256\":\"");
        for (i = 0; i < 32; i++) printf("%02x", rx[i]);
        printf("\",");
      } else printf("\"server_key_sha256\":null,");
      printf("\"client_auth\":%s,", dtls_port_info(DTLS_INFO_CLIENT_AUTH) == 1 ? "true" : "false");
    }
    printf("\"state\":\"%s\",", state_name(state));
    json_string("received", received, received_len);
    if (state != DTLS_PORT_STATE_CONNECTED && state != DTLS_PORT_STATE_CLOSED) {
      int32_t reason = dtls_port_last_error(), packed = dtls_port_last_alert();
      char msg[256], alert[64];
      int has_alert = describe_alert(packed, alert, sizeof alert);
      if (state < 0) snprintf(msg, sizeof msg, "the module trapped: %s", dtls_port_error_message());
      else describe_failure(reason, packed, msg, sizeof msg);
      printf(",");
      json_string("error", (const uint8_t *)msg, strlen(msg));
      printf(",\"reason\":\"%s\",", reason_name(reason));
      if (has_alert) json_string("alert", (const uint8_t *)alert, strlen(alert));
      else printf("\"alert\":null");
    }
    printf("}\n");
  }
  if (state == DTLS_PORT_STATE_CONNECTED) dtls_port_close();
  close(fd);
  if (!connected) {
    char msg[256];
    describe_failure(dtls_port_last_error(), dtls_port_last_alert(), msg, sizeof msg);
    fprintf(stderr, "dtls-posix: handshake failed: %s\n", state < 0 ? dtls_port_error_message() : msg);
    return 1;
  }
  return 0;
}
