// The HAL in TypeScript: what a board gives the module, given here by Node.js.
// Mirror of assembly/hal.ts and boards/hal/hal.h; change all three together.
import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { Accelerator, loadAccelerator } from "./accel";

export const HAL_IMPORTS = ["aes128_encrypt", "random", "clock_ms", "wall_time_s", "send", "log",
  "p256_public", "p256_ecdh", "p256_sign", "p256_verify", "p256_validate"] as const;

const HAL_UNSUPPORTED = -1;

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
  /** Makes the AES engine fail (tests of the failure path). */
  failAes?: () => boolean;
  /** true (or an instance, to count its calls): answer hal.p256_* with build/accel.wasm, as
   * boards do; false (default): "unsupported". */
  p256?: boolean | Accelerator;
  /** With an accelerator (p256): it answers hal.aes128_encrypt too, as on the -hw boards. */
  accelAes?: boolean;
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
  const accel = opts.p256 instanceof Accelerator ? opts.p256 : opts.p256 ? loadAccelerator() : undefined;
  // Runs one accelerator call: inputs copied in, outputs copied back (lengths in bytes).
  const p256 = (ins: Array<[number, number]>, outs: Array<[number, number]>,
                call: (a: Accelerator, offs: number[]) => number): number => {
    if (!accel) return HAL_UNSUPPORTED;
    return accel.run(memory(), ins, outs, call);
  };
  return {
    aes128_encrypt(key: number, input: number, output: number): number {
      if (opts.failAes?.()) return 1;
      if (accel && opts.accelAes) {
        return p256([[key, 16], [input, 16]], [[output, 16]], (a, [k, i, o]) => a.exports.accel_aes128_encrypt(k, i, o));
      }
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
    p256_public(priv: number, pubOut: number): number {
      return p256([[priv, 32]], [[pubOut, 65]], (a, [k, p]) => a.exports.accel_p256_public(k, p));
    },
    p256_ecdh(priv: number, peer: number, sharedOut: number): number {
      return p256([[priv, 32], [peer, 65]], [[sharedOut, 32]], (a, [k, q, s]) => a.exports.accel_p256_ecdh(k, q, s));
    },
    p256_sign(priv: number, hash: number, extra: number, sigOut: number): number {
      return p256([[priv, 32], [hash, 32], [extra, 32]], [[sigOut, 64]],
        (a, [k, h, e, s]) => a.exports.accel_p256_sign(k, h, e, s));
    },
    p256_verify(pub: number, hash: number, sig: number): number {
      return p256([[pub, 65], [hash, 32], [sig, 64]], [], (a, [q, h, s]) => a.exports.accel_p256_verify(q, h, s));
    },
    p256_validate(pub: number): number {
      return p256([[pub, 65]], [], (a, [q]) => a.exports.accel_p256_validate(q));
    },
  };
}
