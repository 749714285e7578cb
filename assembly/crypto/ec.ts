// P-256 as the handshake uses it: the board's HAL first (hal.p256_*: a crypto engine, or
// the project's own P-256 compiled ahead of time), else the module's own code when it is
// built with it (P256_IN_MODULE, asconfig.json). Randomness is always drawn here, from
// hal.random, in the same order as the in-module code draws it, so every path gives the
// same bytes for the same random stream. Each function returns true on success.
import {
  halRandom, halP256Public, halP256Ecdh, halP256Sign, halP256Verify, halP256Validate,
  HAL_OK, HAL_UNSUPPORTED,
} from "../hal";
import { p256PublicFromPrivate, p256ValidatePublic, p256Ecdh, p256SignHedged, p256Verify } from "./p256/p256";
import { wipe } from "./ct";
import { N_WORDS } from "./p256/tables";

// Set when an operation found neither the HAL nor in-module code: the handshake then
// reports REASON_CRYPTO_UNAVAILABLE instead of a misleading protocol reason.
export let ecUnavailable: bool = false;

// @ts-ignore: decorator
@lazy const extra = memory.data(32);

// Attempts at drawing a private key before giving up on the TRNG (as p256Keygen).
const KEYGEN_ATTEMPTS: i32 = 16;

// 1 <= k < n for 32 big-endian bytes, without a branch or index on k: the borrow of
// k - n runs from the least significant word up (n as the P-256 code keeps it, N_WORDS:
// little-endian words), and k != 0 is an OR of every word.
function scalarInRange(k: usize): bool {
  let borrow: u64 = 0;
  let any: u32 = 0;
  for (let i: usize = 0; i < 8; i++) {
    const w = bswap<u32>(load<u32>(k + 28 - (i << 2)));
    const d = <u64>w - <u64>load<u32>(N_WORDS + (i << 2)) - borrow;
    borrow = d >>> 63;
    any |= w;
  }
  return (<u32>borrow & <u32>(any != 0)) != 0; // i32.ne: a comparison, not a branch
}

function unavailable(): bool {
  ecUnavailable = true;
  return false;
}

export function ecReset(): void { ecUnavailable = false; }

// pub65Out = priv32 * G; false when priv32 is not in [1, n-1].
export function ecPublicFromPrivate(priv32: usize, pub65Out: usize): bool {
  if (!scalarInRange(priv32)) return false;
  const r = halP256Public(priv32, pub65Out);
  if (r != HAL_UNSUPPORTED) return r == HAL_OK;
  if (!P256_IN_MODULE) return unavailable();
  return p256PublicFromPrivate(priv32, pub65Out) == 0;
}

// A fresh key pair: priv32Out by rejection sampling into [1, n-1] from hal.random.
export function ecKeygen(priv32Out: usize, pub65Out: usize): bool {
  for (let attempt = 0; attempt < KEYGEN_ATTEMPTS; attempt++) {
    if (halRandom(priv32Out, 32) != 0) break;
    if (scalarInRange(priv32Out)) {
      if (ecPublicFromPrivate(priv32Out, pub65Out)) return true;
      break;
    }
  }
  wipe(priv32Out, 32);
  return false;
}

// True when pub65 is a valid uncompressed P-256 point.
export function ecValidate(pub65: usize): bool {
  const r = halP256Validate(pub65);
  if (r != HAL_UNSUPPORTED) return r == HAL_OK;
  if (!P256_IN_MODULE) return unavailable();
  return p256ValidatePublic(pub65);
}

// shared32Out = x(priv32 * peer65), the peer's point validated first.
export function ecEcdh(priv32: usize, peer65: usize, shared32Out: usize): bool {
  const r = halP256Ecdh(priv32, peer65, shared32Out);
  if (r != HAL_UNSUPPORTED) {
    if (r != HAL_OK) wipe(shared32Out, 32);
    return r == HAL_OK;
  }
  if (!P256_IN_MODULE) return unavailable();
  return p256Ecdh(priv32, peer65, shared32Out) == 0;
}

// ECDSA signature (RFC 6979 nonce hedged with 32 bytes from hal.random, section 3.6).
export function ecSign(priv32: usize, hash32: usize, sig64Out: usize): bool {
  if (halRandom(extra, 32) != 0) return false;
  let ok: bool;
  const r = halP256Sign(priv32, hash32, extra, sig64Out);
  if (r != HAL_UNSUPPORTED) ok = r == HAL_OK;
  else if (!P256_IN_MODULE) ok = unavailable();
  else ok = p256SignHedged(priv32, hash32, extra, sig64Out) == 0;
  wipe(extra, 32);
  return ok;
}

// True when sig64 (r || s) is a valid signature of hash32 by pub65.
export function ecVerify(pub65: usize, hash32: usize, sig64: usize): bool {
  const r = halP256Verify(pub65, hash32, sig64);
  if (r != HAL_UNSUPPORTED) return r == HAL_OK;
  if (!P256_IN_MODULE) return unavailable();
  return p256Verify(pub65, hash32, sig64);
}
