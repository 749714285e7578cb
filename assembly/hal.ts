// The imports from module "hal": the whole contract a board provides.
// Mirror of boards/hal/hal.h and of host/hal.ts; change all three together.

// AES-128 encryption of one 16-byte block. 0 = done, HAL_UNSUPPORTED = no hardware AES
// (the core then uses its software AES).
@external("hal", "aes128_encrypt")
export declare function halAes128Encrypt(key: usize, input: usize, output: usize): i32;

// Fills len bytes with true random bytes. 0 = done, anything else = failure.
@external("hal", "random")
export declare function halRandom(buf: usize, len: i32): i32;

// Monotonic milliseconds; wraps at 2^32 (compare with wrapping subtraction).
@external("hal", "clock_ms")
export declare function halClockMs(): i32;

// Trusted wall-clock seconds since 1970, or -1 when the board does not know the time.
@external("hal", "wall_time_s")
export declare function halWallTimeS(): i64;

// Sends one datagram. 0 = handed to the network, negative = failed (treated as lost).
@external("hal", "send")
export declare function halSend(buf: usize, len: i32): i32;

// Logs one line (ASCII, no newline). Levels: 0 error, 1 warning, 2 info, 3 debug.
@external("hal", "log")
export declare function halLog(level: i32, msg: usize, len: i32): void;

// P-256 (secp256r1) by the board: a crypto engine, or the project's own P-256 compiled
// ahead of time (boards/runtime/hal_accel.c). Points are 0x04 || X || Y (65 bytes),
// scalars and hashes 32 big-endian bytes, signatures r || s (64 bytes). Each returns
// HAL_OK, HAL_FAILED (invalid input, or the operation failed) or HAL_UNSUPPORTED (the
// core then uses its own P-256, when the module has one; see crypto/ec.ts).
// pub65 = priv * G; priv is in [1, n-1] (the core draws and checks it).
@external("hal", "p256_public")
export declare function halP256Public(priv: usize, pubOut: usize): i32;
// shared32 = x(priv * peer); the peer point is validated first (HAL_FAILED if invalid).
@external("hal", "p256_ecdh")
export declare function halP256Ecdh(priv: usize, peer: usize, sharedOut: usize): i32;
// ECDSA signature of hash32, nonce by RFC 6979 hedged with the 32 random bytes extra32
// (section 3.6): the same bytes as the core's own code for the same extra32.
@external("hal", "p256_sign")
export declare function halP256Sign(priv: usize, hash: usize, extra: usize, sigOut: usize): i32;
// HAL_OK when sig64 is a valid signature of hash32 by the (validated) key pub65.
@external("hal", "p256_verify")
export declare function halP256Verify(pub: usize, hash: usize, sig: usize): i32;
// HAL_OK when pub65 is a valid uncompressed point on the curve.
@external("hal", "p256_validate")
export declare function halP256Validate(pub: usize): i32;

export const HAL_OK: i32 = 0;
export const HAL_UNSUPPORTED: i32 = -1;
export const HAL_FAILED: i32 = 1;

export const LOG_ERROR: i32 = 0;
export const LOG_WARN: i32 = 1;
export const LOG_INFO: i32 = 2;
export const LOG_DEBUG: i32 = 3;

const LOG_LINE_MAX: i32 = 96;
const logLine = memory.data(LOG_LINE_MAX);

// Logs a static ASCII string without allocating: string literals live in the data
// segment as UTF-16, so copy their low bytes into a fixed line buffer.
export function logText(level: i32, text: string): void {
  let n = text.length;
  if (n > LOG_LINE_MAX) n = LOG_LINE_MAX;
  const src = changetype<usize>(text);
  for (let i = 0; i < n; i++) store<u8>(logLine + <usize>i, load<u16>(src + (<usize>i << 1)) as u8);
  halLog(level, logLine, n);
}

// Replaces AssemblyScript's env.abort (asconfig: --use abort=assembly/hal/coreAbort).
// Only a bug in the core can get here; it never runs because of network input.
export function coreAbort(message: usize, fileName: usize, line: u32, column: u32): void {
  logText(LOG_ERROR, "core abort");
  unreachable();
}
