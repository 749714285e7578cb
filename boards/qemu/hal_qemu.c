/*
 * The HAL of the QEMU image. The emulated board has no TRNG: random bytes are asked of the host over the
 * link (the bridge draws them from the OS, or from a seed for replayable runs), the clock is
 * SysTick, and datagrams and log lines are SLIP frames on UART0.
 */
#include <string.h>

#include "board.h"
#include "hal.h"
#include "link.h"

uint64_t hal_wait_ticks;
int64_t hal_wall_time = -1;

/* hal_aes128_encrypt and hal_p256_*: per image, see aes_none.c / aes_accel.c and
 * boards/runtime/hal_p256_none.c / hal_accel.c (mk/boards.mk). */

int32_t hal_random(uint8_t *buf, size_t len) {
  uint64_t t0 = board_ticks();
  uint32_t deadline = board_ms + 5000u;
  uint8_t req[2];
  int32_t rc = -1;
  if (len > LINK_FRAME_MAX - 1) return -1;
  req[0] = (uint8_t)len;
  req[1] = (uint8_t)(len >> 8);
  link_send('R', req, 2, 0, 0);
  while ((int32_t)(board_ms - deadline) < 0) {
    size_t n = link_poll();
    if (n == 0) continue;
    if (link_frame[0] == 'R' && n - 1 == len) {
      memcpy(buf, link_frame + 1, len);
      memset(link_frame + 1, 0, len); /* random bytes may seed keys: no copy left behind */
      rc = HAL_OK;
      break;
    }
    if (link_frame[0] == 'D' && link_pending_len == 0) { /* keep it for the main loop */
      memcpy(link_pending, link_frame + 1, n - 1);
      link_pending_len = n - 1;
    }
  }
  hal_wait_ticks += board_ticks() - t0;
  return rc;
}

uint32_t hal_clock_ms(void) { return board_ms; }

int64_t hal_wall_time_s(void) { return hal_wall_time; }

int32_t hal_send(const uint8_t *buf, size_t len) {
  uint64_t t0 = board_ticks();
  link_send('D', buf, len, 0, 0);
  hal_wait_ticks += board_ticks() - t0;
  return 0;
}

void hal_log(int32_t level, const char *msg, size_t len) {
  uint64_t t0 = board_ticks();
  uint8_t lv = (uint8_t)level;
  link_send('L', &lv, 1, (const uint8_t *)msg, len);
  hal_wait_ticks += board_ticks() - t0;
}

void board_fault(const char *what) {
  uint8_t lv = HAL_LOG_ERROR, code = 3;
  link_send('L', &lv, 1, (const uint8_t *)what, strlen(what));
  link_send('X', &code, 1, 0, 0);
  board_exit(3);
}
