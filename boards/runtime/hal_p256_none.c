/* For boards without a P-256 engine or accelerator: the core uses its own P-256. */
#include "hal.h"

int32_t hal_p256_public(const uint8_t priv[32], uint8_t pub_out[65]) {
  (void)priv;
  (void)pub_out;
  return HAL_UNSUPPORTED;
}

int32_t hal_p256_ecdh(const uint8_t priv[32], const uint8_t peer[65], uint8_t shared_out[32]) {
  (void)priv;
  (void)peer;
  (void)shared_out;
  return HAL_UNSUPPORTED;
}

int32_t hal_p256_sign(const uint8_t priv[32], const uint8_t hash[32], const uint8_t extra[32],
                      uint8_t sig_out[64]) {
  (void)priv;
  (void)hash;
  (void)extra;
  (void)sig_out;
  return HAL_UNSUPPORTED;
}

int32_t hal_p256_verify(const uint8_t pub[65], const uint8_t hash[32], const uint8_t sig[64]) {
  (void)pub;
  (void)hash;
  (void)sig;
  return HAL_UNSUPPORTED;
}

int32_t hal_p256_validate(const uint8_t pub[65]) {
  (void)pub;
  return HAL_UNSUPPORTED;
}
