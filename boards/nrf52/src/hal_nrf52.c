/*
 * The HAL on nRF52 (registers from Nordic's MDK, as in the nRF Connect SDK):
 *  - AES-128 through the ECB peripheral. Only ECB: the CCM peripheral uses 13-byte nonces
 *    and DTLS CCM-8 needs 12 (RFC 7925 section 19), so the core builds CCM on this block.
 *  - random bytes from the RNG peripheral with its bias correction (CONFIG.DERCEN) on.
 *  - a millisecond clock from RTC2 (32.768 kHz LFCLK, overflows counted in its interrupt).
 *  - datagrams through Zephyr's socket API (OpenThread on the nRF52840).
 */
#include <string.h>

#include "zephyr_compat.h" /* before nrf.h, as Zephyr's own headers come first */
#include <nrf.h>

#include "hal.h"
#include "hal_nrf52.h"

LOG_MODULE_REGISTER(dtls, LOG_LEVEL_INF);

static int g_sock = -1;
static volatile uint32_t g_rtc_overflows;

void hal_nrf52_set_socket(int sock) { g_sock = sock; }

/* ---- AES-128: ECB peripheral ---- */
static struct {
  uint8_t key[16];
  uint8_t clear[16];
  uint8_t cipher[16];
} g_ecb __aligned(4);

int32_t hal_aes128_encrypt(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]) {
  int32_t rc = HAL_OK;
  memcpy(g_ecb.key, key, 16);
  memcpy(g_ecb.clear, in, 16);
  NRF_ECB->ECBDATAPTR = (uint32_t)&g_ecb;
  NRF_ECB->EVENTS_ENDECB = 0;
  NRF_ECB->EVENTS_ERRORECB = 0;
  NRF_ECB->TASKS_STARTECB = 1;
  while (!NRF_ECB->EVENTS_ENDECB && !NRF_ECB->EVENTS_ERRORECB) {
  }
  if (NRF_ECB->EVENTS_ERRORECB) rc = HAL_UNSUPPORTED; /* e.g. the radio took ECB: use software AES */
  else memcpy(out, g_ecb.cipher, 16);
  NRF_ECB->EVENTS_ENDECB = 0;
  NRF_ECB->EVENTS_ERRORECB = 0;
  memset(g_ecb.key, 0, sizeof g_ecb.key);
  return rc;
}

/* ---- TRNG: RNG peripheral, bias-corrected ---- */
int32_t hal_random(uint8_t *buf, size_t len) {
  NRF_RNG->CONFIG = RNG_CONFIG_DERCEN_Enabled << RNG_CONFIG_DERCEN_Pos;
  NRF_RNG->EVENTS_VALRDY = 0;
  NRF_RNG->TASKS_START = 1;
  while (len--) {
    while (!NRF_RNG->EVENTS_VALRDY) {
    }
    NRF_RNG->EVENTS_VALRDY = 0;
    *buf++ = (uint8_t)NRF_RNG->VALUE;
  }
  NRF_RNG->TASKS_STOP = 1;
  return HAL_OK;
}

/* ---- clock: RTC2 ---- */
static void rtc2_isr(const void *arg) {
  (void)arg;
  if (NRF_RTC2->EVENTS_OVRFLW) {
    NRF_RTC2->EVENTS_OVRFLW = 0;
    g_rtc_overflows++;
  }
}

void hal_nrf52_clock_start(void) {
  /* LFCLK is already running (Zephyr's system timer uses RTC1). */
  NRF_RTC2->PRESCALER = 0; /* 32768 Hz, 24-bit counter: overflows every 512 s */
  NRF_RTC2->EVTENSET = RTC_EVTEN_OVRFLW_Msk;
  NRF_RTC2->INTENSET = RTC_INTENSET_OVRFLW_Msk;
  IRQ_CONNECT(RTC2_IRQn, 3, rtc2_isr, NULL, 0);
  irq_enable(RTC2_IRQn);
  NRF_RTC2->TASKS_START = 1;
}

uint32_t hal_clock_ms(void) {
  uint32_t hi, lo;
  do {
    hi = g_rtc_overflows;
    lo = NRF_RTC2->COUNTER;
  } while (hi != g_rtc_overflows || NRF_RTC2->EVENTS_OVRFLW);
  return (uint32_t)((((uint64_t)hi << 24) | lo) * 1000u / 32768u);
}

int64_t hal_wall_time_s(void) { return -1; /* no trusted time source on the DK */ }

/* ---- network and log ---- */
int32_t hal_send(const uint8_t *buf, size_t len) {
  if (g_sock < 0) return -1;
  return zsock_send(g_sock, buf, len, 0) == (ssize_t)len ? 0 : -1;
}

void hal_log(int32_t level, const char *msg, size_t len) {
  switch (level) {
    case HAL_LOG_ERROR: LOG_ERR("%.*s", (int)len, msg); break;
    case HAL_LOG_WARN: LOG_WRN("%.*s", (int)len, msg); break;
    case HAL_LOG_INFO: LOG_INF("%.*s", (int)len, msg); break;
    default: LOG_DBG("%.*s", (int)len, msg); break;
  }
}
