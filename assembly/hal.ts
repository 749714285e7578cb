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

export const HAL_OK: i32 = 0;
export const HAL_UNSUPPORTED: i32 = -1;

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
