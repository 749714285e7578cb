/*
 * What boards/runtime/hal_accel.c offers besides the hal_p256_* functions of hal.h: AES
 * blocks for a board HAL that has no AES engine but runs the core in an interpreter (its
 * hal_aes128_encrypt may return dtls_accel_aes128_encrypt(key, in, out)), and a wipe of
 * the accelerator's AES key schedule for when a connection ends.
 */
#ifndef DTLS_ACCEL_H
#define DTLS_ACCEL_H

#include <stdint.h>

int32_t dtls_accel_aes128_encrypt(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]);
void dtls_accel_wipe(void);

#endif /* DTLS_ACCEL_H */
