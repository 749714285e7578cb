/* The emulated board without an AES engine: the core's own software AES runs. */
#include "hal.h"

int32_t hal_aes128_encrypt(const uint8_t key[16], const uint8_t in[16], uint8_t out[16]) {
  (void)key;
  (void)in;
  (void)out;
  return HAL_UNSUPPORTED;
}
