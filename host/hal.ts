// The HAL in TypeScript: what a board gives the module, given here by Node.js.
// Mirror of assembly/hal.ts and boards/hal/hal.h; change all three together.
import { createCipheriv, createHash, randomBytes } from "node:crypto";

export const HAL_IMPORTS = ["aes128_encrypt", "random", "clock_ms", "wall_time_s", "send", "log"] as const;

export interface HalOptions {
  /** Sends one datagram to the peer. */
  send(datagram: Uint8Array): void;
  /** Hex or text seed: random bytes come from a SHA-256 counter stream instead of the OS. */
  seed?: string;
  /** false: report "unsupported" so the core uses its software AES. */
  hardwareAes?: boolean;
  /** Milliseconds; defaults to a monotonic clock starting near 0. */
  clock?: () => number;
  /** Trusted wall-clock seconds, or undefined if the "board" does not know the time. */
  wallTime?: () => number | undefined;
  log?: (level: number, line: string) => void;
  /** Makes the TRNG fail (tests of the failure path). */
  failRandom?: () => boolean;
}

/** A deterministic byte stream: SHA-256(seed || counter) blocks. */
export function seededBytes(seed: string): (n: number) => Buffer {
  let counter = 0;
  let pool = Buffer.alloc(0);
  return (n: number) => {
    while (pool.length < n) {
      const block = createHash("sha256").update(seed).update(String(counter++)).digest();
      pool = Buffer.concat([pool, block]);
    }
    const out = pool.subarray(0, n);
    pool = pool.subarray(n);
    return Buffer.from(out);
  };
}

export function createHal(memory: () => Uint8Array, opts: HalOptions): Record<string, (...args: any[]) => any> {
  const start = performance.now();
  const clock = opts.clock ?? (() => performance.now() - start);
  const random = opts.seed !== undefined ? seededBytes(opts.seed) : (n: number) => randomBytes(n);
  const hardwareAes = opts.hardwareAes ?? true;
  return {
    aes128_encrypt(key: number, input: number, output: number): number {
      if (!hardwareAes) return -1;
      const m = memory();
      const cipher = createCipheriv("aes-128-ecb", m.subarray(key, key + 16), null);
      cipher.setAutoPadding(false);
      m.set(cipher.update(m.subarray(input, input + 16)), output);
      return 0;
    },
    random(buf: number, len: number): number {
      if (opts.failRandom?.()) return -1;
      memory().set(random(len), buf);
      return 0;
    },
    clock_ms(): number {
      return Math.floor(clock()) | 0;
    },
    wall_time_s(): bigint {
      const t = opts.wallTime?.();
      return t === undefined ? -1n : BigInt(Math.floor(t));
    },
    send(buf: number, len: number): number {
      opts.send(memory().slice(buf, buf + len));
      return 0;
    },
    log(level: number, msg: number, len: number): void {
      const line = Buffer.from(memory().subarray(msg, msg + len)).toString("latin1");
      opts.log?.(level, line);
    },
  };
}
