/*
 * dtls-posix: the DTLS client on Linux through the C runtime glue (boards/runtime) and the
 * wasm2c translation of build/dtls.wasm. Same PSK options as the Node CLI; prints one JSON
 * summary line on stdout and exits 0 when the handshake (and the echo, with --message)
 * succeeded.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dtls_port.h"
#include "dtls_vm.h"
#include "hal.h"
#include "hal_posix.h"

#define MAX_OPTIONS 16

static const char *state_name(int32_t s) {
  switch (s) {
    case 0: return "idle";
    case 1: return "handshaking";
    case 2: return "connected";
    case 3: return "closed";
    case 4: return "failed";
    default: return "error";
  }
}

static void usage(void) {
  fprintf(stderr,
          "usage: dtls-posix HOST:PORT --psk-identity ID --psk HEX [--sni NAME]\n"
          "       [--message TEXT] [--timeout MS] [--seed HEX] [--aes hal|soft]\n"
          "       [--memory-cap BYTES] [--option NUM=VALUE]... [--verbose]\n");
}

static int hex_decode(const char *hex, uint8_t *out, size_t cap, size_t *len) {
  size_t n = strlen(hex), i;
  if (n % 2 != 0 || n / 2 > cap) return -1;
  for (i = 0; i < n / 2; i++) {
    unsigned v;
    if (sscanf(hex + 2 * i, "%2x", &v) != 1) return -1;
    out[i] = (uint8_t)v;
  }
  *len = n / 2;
  return 0;
}

static void json_string(const uint8_t *s, size_t n) {
  size_t i;
  putchar('"');
  for (i = 0; i < n; i++) {
    uint8_t c = s[i];
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c < 0x20 || c >= 0x7f) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}

static int open_socket(const char *target) {
  char host[256];
  const char *colon = strrchr(target, ':');
  struct addrinfo hints, *res = NULL, *ai;
  int fd = -1;
  if (!colon || (size_t)(colon - target) >= sizeof host) return -1;
  memcpy(host, target, (size_t)(colon - target));
  host[colon - target] = 0;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  if (getaddrinfo(host, colon + 1, &hints, &res) != 0) return -1;
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
  const char *target = NULL, *identity = NULL, *psk_hex = NULL, *sni = NULL, *message = NULL;
  uint8_t psk[64], seed[64], rx[2048], received[2048];
  size_t psk_len = 0, seed_len = 0, received_len = 0;
  int32_t opt_keys[MAX_OPTIONS], opt_values[MAX_OPTIONS];
  int n_opts = 0, i, fd, sent = 0, got = 0, aes_hw = 1, echo_ok, connected = 0;
  long timeout_ms = 30000, cap = -1;
  int32_t rc, state;
  uint32_t start, handshake_ms = 0, now;
  uint64_t datagrams, bytes, aes_blocks;

  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = (i + 1 < argc) ? argv[i + 1] : NULL;
    if (!strcmp(a, "--psk-identity") && v) identity = argv[++i];
    else if (!strcmp(a, "--psk") && v) psk_hex = argv[++i];
    else if (!strcmp(a, "--sni") && v) sni = argv[++i];
    else if (!strcmp(a, "--message") && v) message = argv[++i];
    else if (!strcmp(a, "--timeout") && v) timeout_ms = strtol(argv[++i], NULL, 10);
    else if (!strcmp(a, "--memory-cap") && v) cap = strtol(argv[++i], NULL, 0);
    else if (!strcmp(a, "--aes") && v) {
      ++i;
      if (!strcmp(argv[i], "soft")) aes_hw = 0;
      else if (!strcmp(argv[i], "hal")) aes_hw = 1;
      else { usage(); return 2; }
    } else if (!strcmp(a, "--seed") && v) {
      if (hex_decode(argv[++i], seed, sizeof seed, &seed_len) != 0) {
        fprintf(stderr, "dtls-posix: --seed must be hex (up to 64 bytes)\n");
        return 2;
      }
    } else if (!strcmp(a, "--option") && v && n_opts < MAX_OPTIONS) {
      char *eq;
      ++i;
      eq = strchr(argv[i], '=');
      if (!eq) { usage(); return 2; }
      opt_keys[n_opts] = (int32_t)strtol(argv[i], NULL, 0);
      opt_values[n_opts] = (int32_t)strtol(eq + 1, NULL, 0);
      n_opts++;
    } else if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) hal_posix_set_log_level(HAL_LOG_DEBUG);
    else if (!strcmp(a, "--help") || !strcmp(a, "-h")) { usage(); return 0; }
    else if (a[0] != '-' && !target) target = a;
    else { usage(); return 2; }
  }
  if (!target || !identity || !psk_hex) { usage(); return 2; }
  if (hex_decode(psk_hex, psk, sizeof psk, &psk_len) != 0 || psk_len == 0) {
    fprintf(stderr, "dtls-posix: --psk must be 1 to 64 bytes of hex\n");
    return 2;
  }
  if (seed_len) hal_posix_set_seed(seed, seed_len);
  hal_posix_set_aes_hw(aes_hw);

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
  for (i = 0; i < n_opts; i++) {
    rc = dtls_port_config_set(opt_keys[i], opt_values[i]);
    if (rc != 0) {
      fprintf(stderr, "dtls-posix: option %d=%d refused (%d)\n", opt_keys[i], opt_values[i], rc);
      return 2;
    }
  }
  rc = dtls_port_config_psk((const uint8_t *)identity, strlen(identity), psk, psk_len);
  if (rc != 0) {
    fprintf(stderr, "dtls-posix: PSK refused (%d)\n", rc);
    return 2;
  }
  if (sni && (rc = dtls_port_config_sni(sni)) != 0) {
    fprintf(stderr, "dtls-posix: SNI refused (%d)\n", rc);
    return 2;
  }

  start = hal_clock_ms();
  rc = dtls_port_connect();
  for (;;) {
    int32_t wait, n;
    long remaining;
    struct pollfd pfd;
    if (rc < 0) break;
    state = dtls_port_state();
    if (state < 0) break;
    if (state == DTLS_PORT_STATE_CONNECTED) {
      if (!connected) {
        connected = 1;
        handshake_ms = hal_clock_ms() - start;
      }
      if (!message) break;
      if (!sent) {
        rc = dtls_port_write((const uint8_t *)message, strlen(message));
        if (rc < 0) break;
        sent = 1;
      }
      while ((n = dtls_port_read(rx, sizeof rx)) >= 0) {
        if (received_len + (size_t)n <= sizeof received) {
          memcpy(received + received_len, rx, (size_t)n);
          received_len += (size_t)n;
        }
        got = 1;
      }
      if (got) break;
    } else if (state != DTLS_PORT_STATE_HANDSHAKING) {
      break;
    }
    now = hal_clock_ms();
    remaining = timeout_ms - (long)(now - start);
    if (remaining <= 0) break;
    wait = dtls_port_poll();
    if (wait < 0 || wait > remaining) wait = (int32_t)remaining;
    pfd.fd = fd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    if (poll(&pfd, 1, wait) > 0 && (pfd.revents & POLLIN)) {
      ssize_t len = recv(fd, rx, sizeof rx, 0);
      if (len > 0) dtls_port_on_datagram(rx, (size_t)len);
    }
  }
  state = dtls_port_state();
  echo_ok = !message || (got && received_len == strlen(message) &&
                         memcmp(received, message, received_len) == 0);

  printf("{\"backend\":\"%s\",\"peer\":", dtls_port_backend());
  json_string((const uint8_t *)target, strlen(target));
  printf(",\"state\":\"%s\",\"handshake_ms\":%u,\"last_alert\":%d,\"last_error\":%d",
         state_name(state), handshake_ms, dtls_port_last_alert(), dtls_port_last_error());
  if (message) {
    printf(",\"sent\":");
    json_string((const uint8_t *)message, strlen(message));
    printf(",\"received\":");
    if (got) json_string(received, received_len);
    else printf("null");
  }
  hal_posix_stats(&datagrams, &bytes, &aes_blocks);
  printf(",\"datagrams_sent\":%llu,\"aes_hal_blocks\":%llu,\"memory_cap\":%u",
         (unsigned long long)datagrams, (unsigned long long)aes_blocks, dtls_port_memory_size());
  if (rc == DTLS_PORT_ETRAP || state < 0) {
    printf(",\"trap\":");
    json_string((const uint8_t *)dtls_port_error_message(), strlen(dtls_port_error_message()));
  }
  printf(",\"ok\":%s}\n", (connected && echo_ok) ? "true" : "false");
  if (state == DTLS_PORT_STATE_CONNECTED) dtls_port_close();
  close(fd);
  return (connected && echo_ok) ? 0 : 1;
}
