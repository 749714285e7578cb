/*
 * The HAL contract in C: what a board provides to the DTLS core.
 *
 * One function per import of module "hal" in build/dtls.wasm, with the same name after
 * the "hal_" prefix, in the same order as assembly/hal.ts (and host/hal.ts). Change all
 * three in the same commit; tests/boards.test.ts checks this header against the module's
 * import list.
 *
 * The runtime glue (boards/runtime/) turns the module's i32 offsets into pointers into its
 * linear memory, after checking that each buffer lies inside that memory, so a HAL
 * implementation only ever sees valid pointers and lengths. No pointer is kept after a
 * call returns. None of these functions may call back into the core.
 */
#ifndef DTLS_HAL_H
#define DTLS_HAL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes shared by the HAL functions (assembly/hal.ts: HAL_OK, HAL_UNSUPPORTED). */
#define HAL_OK 0
#define HAL_UNSUPPORTED (-1)

/* Log levels (assembly/hal.ts: LOG_ERROR ... LOG_DEBUG). */
#define HAL_LOG_ERROR 0
#define HAL_LOG_WARN 1
#define HAL_LOG_INFO 2
#define HAL_LOG_DEBUG 3

/*
 * import hal.aes128_encrypt: (key i32, in i32, out i32) -> i32
 * Encrypts one 16-byte block with AES-128 under a 16-byte key. `out` may equal `in`.
 * Returns HAL_OK when done, HAL_UNSUPPORTED when the board has no AES engine (the core
 * then uses its own software AES; this answer may be given on every call).
 */
int32_t hal_aes128_encrypt(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]);

/*
 * import hal.random: (buf i32, len i32) -> i32
 * Fills buf[0..len) with true random bytes (TRNG, bias-corrected). Returns HAL_OK, or any
 * other value on failure: the core then fails the handshake and sends nothing.
 */
int32_t hal_random(uint8_t *buf, size_t len);

/*
 * import hal.clock_ms: () -> i32
 * Monotonic milliseconds since an arbitrary origin, wrapping at 2^32 (the core compares
 * with wrapping subtraction).
 */
uint32_t hal_clock_ms(void);

/*
 * import hal.wall_time_s: () -> i64
 * Trusted wall-clock seconds since 1970-01-01 UTC, or -1 when the board does not know the
 * time (the core then skips checks that need it).
 */
int64_t hal_wall_time_s(void);

/*
 * import hal.send: (buf i32, len i32) -> i32
 * Sends buf[0..len) as one datagram to the peer. Returns 0 when handed to the network,
 * a negative value on failure (the core treats it as loss and retransmits on its timer).
 */
int32_t hal_send(const uint8_t *buf, size_t len);

/*
 * import hal.log: (level i32, msg i32, len i32) -> void
 * One ASCII line, without newline and not NUL-terminated. Levels HAL_LOG_*.
 */
void hal_log(int32_t level, const char *msg, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* DTLS_HAL_H */
