/*
 * The emulated board with an "AES engine": mps2-an386 has none, so the images that model a
 * part with one (nRF52840's ECB, ESP32's AES accelerator) answer with the project's own AES
 * compiled natively (boards/runtime/hal_accel.c). Its instructions count as the board's,
 * which is more than a peripheral would cost: the figures stay on the safe side.
 */
#include "dtls_accel.h"
#include "hal.h"

int32_t hal_aes128_encrypt(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]) {
  return dtls_accel_aes128_encrypt(key, in, out);
}
