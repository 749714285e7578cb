// A seeded pseudo-random generator (xoshiro128**, 32-bit state words), so an emulated run
// repeats exactly. Each decision of the link (loss, delay, duplicate, ...) draws from its own
// stream, derived from the run's seed and a label: changing one parameter does not shift the
// draws of the others, and a stream is consumed whether or not its parameter is 0.
import { createHash } from "node:crypto";

export class Prng {
  private s: Uint32Array;

  constructor(seed: string, label: string) {
    const h = createHash("sha256").update(seed).update("\0").update(label).digest();
    this.s = new Uint32Array([h.readUInt32LE(0), h.readUInt32LE(4), h.readUInt32LE(8), h.readUInt32LE(12)]);
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1; // the all-zero state is a fixed point
  }

  /** The next 32 random bits, unsigned. */
  next32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1). */
  float(): number { return this.next32() / 4294967296; }

  /** true with probability p (one draw, always). */
  chance(p: number): boolean { return this.float() < p; }

  /** An integer in [0, n). */
  below(n: number): number { return Math.floor(this.float() * n); }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.next32();
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
    }
    return out;
  }
}

function rotl(x: number, k: number): number { return ((x << k) | (x >>> (32 - k))) >>> 0; }
