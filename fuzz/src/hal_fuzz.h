/*
 * The HAL the fuzzers give the core (boards/hal/hal.h): replayable random bytes, a fake
 * clock that only the input moves, and a send that records instead of sending.
 */
#ifndef HAL_FUZZ_H
#define HAL_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* What the client sent during one call into the module (reset by hal_fuzz_mark()). */
struct hal_fuzz_sent {
  uint32_t datagrams;
  uint32_t bytes;
  uint32_t alerts;          /* records of content type 21 */
  uint32_t after_alert;     /* records of another type sent after an alert */
};

/* Starts a run: the random stream from its seed, the clock at start_ms, counters zero. */
void hal_fuzz_reset(uint64_t seed, uint32_t start_ms);
/* Moves the fake clock forward. */
void hal_fuzz_advance(uint32_t ms);
uint32_t hal_fuzz_now(void);
/* Starts counting sends for one call. */
void hal_fuzz_mark(void);
const struct hal_fuzz_sent *hal_fuzz_sent(void);
/* Total datagrams sent since hal_fuzz_reset. */
uint32_t hal_fuzz_total_sent(void);
/* Called with every datagram the client sends, and with every random draw (NULL: none). */
void hal_fuzz_on_send(void (*fn)(const uint8_t *buf, size_t len));
void hal_fuzz_on_random(void (*fn)(const uint8_t *buf, size_t len));
/* 1: hal_log lines go to stderr. */
void hal_fuzz_set_verbose(int on);

#endif /* HAL_FUZZ_H */
