/*
 * nRF52840 demo: waits for the Thread network, runs a PSK handshake with the DTLS server
 * (build/dtls.wasm in wasm3, HAL in hal_nrf52.c), then sends a line every 10 s.
 */
#include <stdio.h>
#include <string.h>
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/net/net_if.h>
#include <zephyr/net/socket.h>

#include "dtls_port.h"
#include "dtls_session.h"
#include "hal_nrf52.h"

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

  if (dtls_port_init() != 0) {
    LOG_ERR("wasm3 could not load the module: %s", dtls_port_error_message());
    return 1;
  }
  dtls_port_config_reset();
  dtls_port_config_psk((const uint8_t *)APP_PSK_IDENTITY, strlen(APP_PSK_IDENTITY), psk, psk_len);
  state = dtls_session_handshake(&io, 120000);
  LOG_INF("handshake: state %d, alert %d, reason %d", (int)state, (int)dtls_port_last_alert(),
          (int)dtls_port_last_error());
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
