// Return codes of the P-256 API: 0 ok, negative errors.
export const P256_OK: i32 = 0;
// The HAL TRNG failed (or kept returning out-of-range values).
export const P256_ERR_RANDOM: i32 = -1;
// The private key is not in [1, n-1].
export const P256_ERR_PRIVATE: i32 = -2;
// The peer's / given public key is not a valid uncompressed P-256 point.
export const P256_ERR_POINT: i32 = -3;
// A result was the point at infinity or r/s = 0 every time (never happens for valid
// inputs; reported rather than trusted).
export const P256_ERR_INTERNAL: i32 = -4;
