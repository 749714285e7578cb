// The board accelerator (build/accel.wasm): the project's own P-256 and AES, built as a
// module of its own so a board can compile it ahead of time with wasm2c and answer the
// core's hal.p256_* and hal.aes128_encrypt imports at native speed while the core runs
// in an interpreter (boards/runtime/hal_accel.c). No imports: it is pure computation.
// Every argument is an offset into the I/O area returned by accel_io(); results use the
// HAL's codes (0 ok, 1 failed). Each call wipes the scratch it used on secrets.
import { p256PublicFromPrivate, p256ValidatePublic, p256Ecdh, p256SignHedged, p256Verify } from "../crypto/p256/p256";
import { at } from "./aes_engine";
export * from "./aes_engine";

// @ts-ignore: decorator
@inline function result(ok: bool): i32 { return ok ? 0 : 1; }

export function accel_p256_public(priv: i32, pubOut: i32): i32 {
  return result(p256PublicFromPrivate(at(priv), at(pubOut)) == 0);
}
export function accel_p256_ecdh(priv: i32, peer: i32, sharedOut: i32): i32 {
  return result(p256Ecdh(at(priv), at(peer), at(sharedOut)) == 0);
}
export function accel_p256_sign(priv: i32, hash: i32, extra: i32, sigOut: i32): i32 {
  return result(p256SignHedged(at(priv), at(hash), at(extra), at(sigOut)) == 0);
}
export function accel_p256_verify(pub: i32, hash: i32, sig: i32): i32 {
  return result(p256Verify(at(pub), at(hash), at(sig)));
}
export function accel_p256_validate(pub: i32): i32 {
  return result(p256ValidatePublic(at(pub)));
}
