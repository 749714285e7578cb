/*
 * The HAL on ESP32 (ESP-IDF): AES-128 on the AES peripheral (ESP-IDF's AES driver),
 * esp_fill_random for random bytes, esp_timer for the millisecond clock, lwIP UDP sockets.
 *
 * Randomness: esp_fill_random() is a true RNG only while the RF subsystem (Wi-Fi or BT) is
 * on, or between bootloader_random_enable() and bootloader_random_disable(); otherwise it
 * is a pseudo-random sequence. main.c starts Wi-Fi before the first handshake, so the
 * ClientHello random and the keys come from the TRNG.
 */
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "aes/esp_aes.h"
#include "esp_log.h"
#include "esp_random.h"
#include "esp_timer.h"
#include "hal.h"
#include "hal_esp32.h"

static const char *TAG = "dtls";
static int g_sock = -1;
static int g_time_known;

void hal_esp32_set_socket(int sock) { g_sock = sock; }
void hal_esp32_set_time_known(int known) { g_time_known = known; }

int32_t hal_aes128_encrypt(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]) {
  esp_aes_context ctx;
  int rc;
  esp_aes_init(&ctx);
  rc = esp_aes_setkey(&ctx, key, 128);
  if (rc == 0) rc = esp_aes_crypt_ecb(&ctx, ESP_AES_ENCRYPT, in, out);
  esp_aes_free(&ctx);
  return rc == 0 ? HAL_OK : HAL_UNSUPPORTED;
}

int32_t hal_random(uint8_t *buf, size_t len) {
  esp_fill_random(buf, len);
  return HAL_OK;
}

uint32_t hal_clock_ms(void) { return (uint32_t)(esp_timer_get_time() / 1000); }

int64_t hal_wall_time_s(void) {
  struct timeval tv;
  if (!g_time_known || gettimeofday(&tv, NULL) != 0) return -1; /* set after SNTP sync */
  return (int64_t)tv.tv_sec;
}

int32_t hal_send(const uint8_t *buf, size_t len) {
  if (g_sock < 0) return -1;
  return send(g_sock, buf, len, 0) == (ssize_t)len ? 0 : -1;
}

void hal_log(int32_t level, const char *msg, size_t len) {
  switch (level) {
    case HAL_LOG_ERROR: ESP_LOGE(TAG, "%.*s", (int)len, msg); break;
    case HAL_LOG_WARN: ESP_LOGW(TAG, "%.*s", (int)len, msg); break;
    case HAL_LOG_INFO: ESP_LOGI(TAG, "%.*s", (int)len, msg); break;
    default: ESP_LOGD(TAG, "%.*s", (int)len, msg); break;
  }
}
