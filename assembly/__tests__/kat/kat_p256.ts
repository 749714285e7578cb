// Test-only entry (build/kat-p256.wasm): number-only wrappers over P-256 for the
// known-answer tests in tests/kat-p256.test.ts and for `make bench` (scripts/bench/).
// Every offset is relative to the scratch buffer returned by kat_buffer().
import {
  p256Keygen, p256PublicFromPrivate, p256ValidatePublic, p256Ecdh, p256Sign,
  p256SignDeterministic, p256Verify, ecdsaSigToDer, ecdsaSigFromDer,
} from "../../crypto/p256/p256";
import { sha256 } from "../../crypto/sha256";

const KAT_BUFFER_SIZE: i32 = 1024;
const buf = memory.data(KAT_BUFFER_SIZE);

// @ts-ignore: decorator
@inline function at(off: i32): usize { return buf + <usize>off; }

export function kat_buffer(): usize { return buf; }
export function kat_buffer_size(): i32 { return KAT_BUFFER_SIZE; }

export function kat_keygen(privOff: i32, pubOff: i32): i32 { return p256Keygen(at(privOff), at(pubOff)); }
export function kat_public(privOff: i32, pubOff: i32): i32 { return p256PublicFromPrivate(at(privOff), at(pubOff)); }
export function kat_validate(pubOff: i32, len: i32): i32 { return p256ValidatePublic(at(pubOff), len) ? 1 : 0; }
export function kat_ecdh(privOff: i32, pubOff: i32, pubLen: i32, outOff: i32): i32 {
  return p256Ecdh(at(privOff), at(pubOff), at(outOff), pubLen);
}
export function kat_sign(privOff: i32, hashOff: i32, sigOff: i32): i32 { return p256Sign(at(privOff), at(hashOff), at(sigOff)); }
export function kat_sign_det(privOff: i32, hashOff: i32, sigOff: i32): i32 {
  return p256SignDeterministic(at(privOff), at(hashOff), at(sigOff));
}
export function kat_verify(pubOff: i32, hashOff: i32, sigOff: i32): i32 {
  return p256Verify(at(pubOff), at(hashOff), at(sigOff)) ? 1 : 0;
}
export function kat_sig_to_der(sigOff: i32, outOff: i32, cap: i32): i32 { return ecdsaSigToDer(at(sigOff), at(outOff), cap); }
export function kat_sig_from_der(derOff: i32, len: i32, sigOff: i32): i32 {
  return ecdsaSigFromDer(at(derOff), len, at(sigOff)) ? 1 : 0;
}
export function kat_sha256(msgOff: i32, len: i32, outOff: i32): void { sha256(at(msgOff), len, at(outOff)); }

// ---- benchmark support (scripts/bench): fixed inputs in the buffer ----
const B_PRIV = 0, B_PUB = 32, B_PEER_PRIV = 128, B_PEER = 160, B_HASH = 256, B_SIG = 288;
const B_OUT = 384, B_OUT2 = 448;

const BENCH_KEYGEN: i32 = 0;
const BENCH_ECDH: i32 = 1;
const BENCH_SIGN: i32 = 2;
const BENCH_VERIFY: i32 = 3;

// Prepares the inputs (keys from the HAL random source, a signature) and runs every
// operation once, so that a measured run pays no first-call cost (wasm3 compiles lazily).
export function kat_bench_setup(): i32 {
  let rc = p256Keygen(at(B_PRIV), at(B_PUB));
  rc |= p256Keygen(at(B_PEER_PRIV), at(B_PEER));
  sha256(at(B_PUB), 65, at(B_HASH));
  rc |= p256Sign(at(B_PEER_PRIV), at(B_HASH), at(B_SIG));
  rc |= p256Ecdh(at(B_PRIV), at(B_PEER), at(B_OUT2));
  rc |= p256Verify(at(B_PEER), at(B_HASH), at(B_SIG)) ? 0 : -100;
  return rc;
}

// Runs one operation count times on the prepared inputs; returns 0 when all succeeded.
export function kat_bench(op: i32, count: i32): i32 {
  let rc = 0;
  for (let i = 0; i < count; i++) {
    if (op == BENCH_KEYGEN) rc |= p256Keygen(at(B_OUT), at(B_OUT2));
    else if (op == BENCH_ECDH) rc |= p256Ecdh(at(B_PRIV), at(B_PEER), at(B_OUT));
    else if (op == BENCH_SIGN) rc |= p256Sign(at(B_PRIV), at(B_HASH), at(B_OUT));
    else if (op == BENCH_VERIFY) rc |= p256Verify(at(B_PEER), at(B_HASH), at(B_SIG)) ? 0 : -100;
  }
  return rc;
}
