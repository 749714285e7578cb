// Shared by the known-answer tests: where the Wycheproof vectors are, and a seeded
// byte stream so a failing random case replays exactly.
import { join } from "node:path";
import { ROOT } from "./paths";

// The repository's own copy (tests/vectors/wycheproof/README.md says where it comes from):
// the tests read nothing outside the repository.
export const VECTORS = join(ROOT, "tests", "vectors", "wycheproof");

/** xorshift32 bytes from a fixed seed: deterministic, not cryptographic. */
export function seededPrng(seed: number): (n: number) => Buffer {
  let s = seed >>> 0;
  return (n: number) => {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      s ^= s << 13; s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5; s >>>= 0;
      out[i] = s & 0xff;
    }
    return out;
  };
}
