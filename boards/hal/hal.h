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
/* The P-256 functions only: the input was invalid or the operation failed. */
#define HAL_FAILED 1

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

/*
 * P-256 (secp256r1) by the board: a crypto engine (nRF52840 CryptoCell-310, ESP32 MPI), or
 * the project's own P-256 compiled ahead of time (boards/runtime/hal_accel.c). A board
 * without either links boards/runtime/hal_p256_none.c: every call answers HAL_UNSUPPORTED
 * and the core uses its own P-256 (build/dtls.wasm; build/dtls-full-hw.wasm has none and
 * then refuses ECDHE with REASON_CRYPTO_UNAVAILABLE).
 * Points are 0x04 || X || Y (65 bytes); scalars, hashes and coordinates 32 big-endian
 * bytes; signatures r || s (64 bytes). Each returns HAL_OK, HAL_FAILED or HAL_UNSUPPORTED.
 * An engine must keep no copy of a private key or shared secret after it returns.
 */

/* import hal.p256_public: (priv i32, pub_out i32) -> i32. pub = priv * G; priv is already
 * checked to be in [1, n-1]. */
int32_t hal_p256_public(const uint8_t priv[32], uint8_t pub_out[65]);

/* import hal.p256_ecdh: (priv i32, peer i32, shared_out i32) -> i32. Validates the peer's
 * point (HAL_FAILED if it is not on the curve), then shared = x(priv * peer). */
int32_t hal_p256_ecdh(const uint8_t priv[32], const uint8_t peer[65], uint8_t shared_out[32]);

/* import hal.p256_sign: (priv i32, hash i32, extra i32, sig_out i32) -> i32. ECDSA over
 * hash with an RFC 6979 nonce hedged with the 32 random bytes extra (section 3.6); an
 * engine with its own nonce generation may ignore extra (the handshake stays valid, only
 * the byte-for-byte equality with the core's own code is lost). */
int32_t hal_p256_sign(const uint8_t priv[32], const uint8_t hash[32], const uint8_t extra[32],
                      uint8_t sig_out[64]);

/* import hal.p256_verify: (pub i32, hash i32, sig i32) -> i32. HAL_OK when sig is a valid
 * signature of hash by the (validated) key pub, HAL_FAILED otherwise. */
int32_t hal_p256_verify(const uint8_t pub[65], const uint8_t hash[32], const uint8_t sig[64]);

/* import hal.p256_validate: (pub i32) -> i32. HAL_OK when pub is a valid uncompressed
 * point on the curve, HAL_FAILED otherwise. */
int32_t hal_p256_validate(const uint8_t pub[65]);

#ifdef __cplusplus
}
#endif

#endif /* DTLS_HAL_H */
