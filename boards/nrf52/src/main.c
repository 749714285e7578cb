/*
 * nRF52840 demo: waits for the Thread network, runs a PSK handshake with the DTLS server
 * (build/dtls.wasm in wasm3, or its wasm2c translation: zephyr/CMakeLists.txt; HAL in
 * hal_nrf52.c), then sends a line every 10 s. The server and the key come from the
 * environment at build time (APP_*).
 */
#include <stdio.h>
#include <string.h>

#include "dtls_port.h"
#include "dtls_session.h"
#include "hal_nrf52.h"
#include "zephyr_compat.h"

LOG_MODULE_REGISTER(app, LOG_LEVEL_INF);

static int32_t udp_recv(void *ctx, uint8_t *buf, size_t cap, int32_t timeout_ms) {
  struct zsock_pollfd p = {.fd = *(int *)ctx, .events = ZSOCK_POLLIN};
  int n = zsock_poll(&p, 1, timeout_ms);
  if (n <= 0) return n;
  return (int32_t)zsock_recv(p.fd, buf, cap, 0);
}

static size_t hex_decode(const char *hex, uint8_t *out, size_t cap) {
  size_t n = 0;
  unsigned v;
  while (hex[0] && hex[1] && n < cap && sscanf(hex, "%2x", &v) == 1) {
    out[n++] = (uint8_t)v;
    hex += 2;
  }
  return n;
}

/* The main stack this board really needs (prj.conf sizes it: CONFIG_MAIN_STACK_SIZE). */
static void log_main_stack(void) {
  size_t unused = 0;
  if (k_thread_stack_space_get(k_current_get(), &unused) == 0) {
    LOG_INF("%s: main stack %u bytes never used", dtls_port_backend(), (unsigned)unused);
  }
}

int main(void) {
  static uint8_t scratch[1536], reply[1536];
  uint8_t psk[64];
  size_t psk_len = hex_decode(APP_PSK_HEX, psk, sizeof psk);
  struct sockaddr_in6 server = {.sin6_family = AF_INET6, .sin6_port = htons(APP_SERVER_PORT)};
  int sock, i;
  int32_t state;
  dtls_session_io_t io = {udp_recv, &sock, scratch, sizeof scratch};

  hal_nrf52_clock_start();
  while (!net_if_ipv6_get_global_addr(NET_ADDR_PREFERRED, NULL)) k_sleep(K_SECONDS(1)); /* joined */
  zsock_inet_pton(AF_INET6, APP_SERVER_IP6, &server.sin6_addr);
  sock = zsock_socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
  zsock_connect(sock, (struct sockaddr *)&server, sizeof server);
  hal_nrf52_set_socket(sock);

  if (dtls_port_init() != 0) { /* e.g. wasm3's heap too small: the reason, before any handshake */
    LOG_ERR("%s could not load the module: %s", dtls_port_backend(), dtls_port_error_message());
    return 1;
  }
  dtls_port_config_reset();
  dtls_port_config_psk((const uint8_t *)APP_PSK_IDENTITY, strlen(APP_PSK_IDENTITY), psk, psk_len);
  state = dtls_session_handshake(&io, 120000);
  LOG_INF("handshake: state %d, alert %d, reason %d", (int)state, (int)dtls_port_last_alert(),
          (int)dtls_port_last_error());
  log_main_stack();
  for (i = 0; state == DTLS_PORT_STATE_CONNECTED; i++) {
    char line[48];
    int32_t n;
    snprintf(line, sizeof line, "hello %d from nrf52\n", i);
    n = dtls_session_request(&io, (const uint8_t *)line, strlen(line), reply, sizeof reply, 5000);
    if (n > 0) LOG_INF("reply: %.*s", (int)n, (const char *)reply);
    k_sleep(K_SECONDS(10));
    state = dtls_port_state();
  }
  dtls_port_close();
  return 0;
}
