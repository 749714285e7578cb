/*
 * ESP32 demo: joins Wi-Fi, runs a PSK handshake with the DTLS server (build/dtls.wasm in
 * wasm3, HAL in hal_esp32.c), then sends a line every 10 s and logs the reply. The server and
 * the key come from the environment at build time (CMakeLists.txt: APP_*). The session is
 * kept in NVS across deep sleep and reboots (RFC 7925 s. 7), so a restart resumes it with an
 * abbreviated handshake instead of a full one.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "dtls_codes.h"
#include "dtls_port.h"
#include "dtls_session.h"
#include "esp_event.h"
#include "esp_log.h"
#include "esp_system.h"
#include "esp_netif.h"
#include "esp_wifi.h"
#include "freertos/FreeRTOS.h"
#include "freertos/event_groups.h"
#include "freertos/task.h"
#include "hal_esp32.h"
#include "lwip/sockets.h"
#include "nvs.h"
#include "nvs_flash.h"

static const char *TAG = "app";
static EventGroupHandle_t g_net;
#define NET_UP BIT0

static void on_event(void *arg, esp_event_base_t base, int32_t id, void *data) {
  (void)arg;
  (void)data;
  if (base == WIFI_EVENT && (id == WIFI_EVENT_STA_START || id == WIFI_EVENT_STA_DISCONNECTED)) {
    esp_wifi_connect();
  } else if (base == IP_EVENT && id == IP_EVENT_STA_GOT_IP) {
    xEventGroupSetBits(g_net, NET_UP);
  }
}

static void wifi_start(void) {
  wifi_init_config_t init = WIFI_INIT_CONFIG_DEFAULT();
  wifi_config_t sta = {0};
  g_net = xEventGroupCreate();
  ESP_ERROR_CHECK(esp_netif_init());
  ESP_ERROR_CHECK(esp_event_loop_create_default());
  esp_netif_create_default_wifi_sta();
  ESP_ERROR_CHECK(esp_wifi_init(&init));
  ESP_ERROR_CHECK(esp_event_handler_register(WIFI_EVENT, ESP_EVENT_ANY_ID, on_event, NULL));
  ESP_ERROR_CHECK(esp_event_handler_register(IP_EVENT, IP_EVENT_STA_GOT_IP, on_event, NULL));
  strncpy((char *)sta.sta.ssid, APP_WIFI_SSID, sizeof sta.sta.ssid);
  strncpy((char *)sta.sta.password, APP_WIFI_PASSWORD, sizeof sta.sta.password);
  ESP_ERROR_CHECK(esp_wifi_set_mode(WIFI_MODE_STA));
  ESP_ERROR_CHECK(esp_wifi_set_config(WIFI_IF_STA, &sta));
  ESP_ERROR_CHECK(esp_wifi_start()); /* RF on: esp_fill_random() is now a TRNG */
  xEventGroupWaitBits(g_net, NET_UP, pdFALSE, pdTRUE, portMAX_DELAY);
}

static int32_t udp_recv(void *ctx, uint8_t *buf, size_t cap, int32_t timeout_ms) {
  int sock = *(int *)ctx;
  fd_set fds;
  struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  int n;
  FD_ZERO(&fds);
  FD_SET(sock, &fds);
  n = select(sock + 1, &fds, NULL, NULL, &tv);
  if (n <= 0) return n;
  return (int32_t)recv(sock, buf, cap, 0);
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

/* The session blob (docs/API.md, "Sessions across deep sleep") holds the master secret: it
 * lives in NVS next to the PSK, which a product protects with NVS encryption (and flash
 * encryption). A blob the module refuses, or a failed connection, removes it. */
#define SESSION_NS "dtls"
#define SESSION_KEY "session"

static void session_load(void) {
  static uint8_t blob[1024];
  size_t len = sizeof blob;
  nvs_handle_t h;
  if (nvs_open(SESSION_NS, NVS_READWRITE, &h) != ESP_OK) return;
  dtls_port_config_set(DTLS_OPT_RESUME, 1);
  if (nvs_get_blob(h, SESSION_KEY, blob, &len) == ESP_OK && dtls_port_session_import(blob, len) != 0) {
    ESP_LOGW(TAG, "stored session refused: full handshake");
    nvs_erase_key(h, SESSION_KEY);
    nvs_commit(h);
  }
  memset(blob, 0, sizeof blob);
  nvs_close(h);
}

static void session_save(int32_t state) {
  static uint8_t blob[1024];
  int32_t n = state == DTLS_PORT_STATE_CONNECTED ? dtls_port_session_export(blob, sizeof blob) : -1;
  nvs_handle_t h;
  if (nvs_open(SESSION_NS, NVS_READWRITE, &h) != ESP_OK) return;
  if (n > 0) nvs_set_blob(h, SESSION_KEY, blob, (size_t)n);
  else nvs_erase_key(h, SESSION_KEY);
  nvs_commit(h);
  nvs_close(h);
  memset(blob, 0, sizeof blob);
}

void app_main(void) {
  static uint8_t scratch[1536], reply[1536];
  uint8_t psk[64];
  size_t psk_len = hex_decode(APP_PSK_HEX, psk, sizeof psk);
  struct sockaddr_in server = {.sin_family = AF_INET, .sin_port = htons(APP_SERVER_PORT)};
  int sock, i;
  int32_t state;
  dtls_session_io_t io;

  ESP_ERROR_CHECK(nvs_flash_init());
  wifi_start();
  inet_pton(AF_INET, APP_SERVER_IP, &server.sin_addr);
  sock = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  connect(sock, (struct sockaddr *)&server, sizeof server);
  hal_esp32_set_socket(sock);
  io.recv = udp_recv;
  io.ctx = &sock;
  io.buf = scratch;
  io.cap = sizeof scratch;

  if (dtls_port_init() != 0) {
    ESP_LOGE(TAG, "wasm3 could not load the module: %s", dtls_port_error_message());
    return;
  }
  dtls_port_config_reset();
  dtls_port_config_psk((const uint8_t *)APP_PSK_IDENTITY, strlen(APP_PSK_IDENTITY), psk, psk_len);
  session_load();
  state = dtls_session_handshake(&io, 120000);
  session_save(state);
  ESP_LOGI(TAG, "handshake: state %d, resumed %d, alert %d, reason %d, module memory %u bytes", (int)state,
           (int)dtls_port_info(DTLS_INFO_RESUMED), (int)dtls_port_last_alert(), (int)dtls_port_last_error(),
           (unsigned)dtls_port_memory_size());
  /* The RAM this board really has to spare (sdkconfig.defaults sizes the stack). */
  ESP_LOGI(TAG, "%s: heap low-water %u bytes free, main task stack %u bytes never used", dtls_port_backend(),
           (unsigned)esp_get_minimum_free_heap_size(), (unsigned)uxTaskGetStackHighWaterMark(NULL));
  for (i = 0; state == DTLS_PORT_STATE_CONNECTED; i++) {
    char line[48];
    int32_t n;
    snprintf(line, sizeof line, "hello %d from esp32\n", i);
    n = dtls_session_request(&io, (const uint8_t *)line, strlen(line), reply, sizeof reply, 5000);
    if (n > 0) ESP_LOGI(TAG, "reply: %.*s", (int)n, (const char *)reply);
    vTaskDelay(pdMS_TO_TICKS(10000));
    state = dtls_port_state();
  }
  dtls_port_close();
}
