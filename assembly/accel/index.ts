// The board accelerator (build/accel.wasm): the project's own P-256 and AES, built as a
// module of its own so a board can compile it ahead of time with wasm2c and answer the
// core's hal.p256_* and hal.aes128_encrypt imports at native speed while the core runs
// in an interpreter (boards/runtime/hal_accel.c). No imports: it is pure computation.
// Every argument is an offset into the I/O area returned by accel_io(); results use the
// HAL's codes (0 ok, 1 failed). Each call wipes the scratch it used on secrets.
import { p256PublicFromPrivate, p256ValidatePublic, p256Ecdh, p256SignHedged, p256Verify } from "../crypto/p256/p256";
import { aesSoftExpandKey, aesSoftEncrypt, aesWipe, AES_ROUND_KEYS_SIZE } from "../crypto/aes";
import { ctEqual, wipe } from "../crypto/ct";

// Room for the largest call: sign (priv 32, hash 32, extra 32, sig 64).
const IO_SIZE: i32 = 256;
const io = memory.data(IO_SIZE, 16);
// The AES key schedule is kept while the key stays the same (a record layer uses one
// key for every block of a record): the key copy is compared in constant time.
const aesKey = memory.data(16);
const aesSchedule = memory.data(AES_ROUND_KEYS_SIZE);
let aesKeyed: bool = false;

// @ts-ignore: decorator
@inline function at(off: i32): usize { return io + <usize>off; }
// @ts-ignore: decorator
@inline function result(ok: bool): i32 { return ok ? 0 : 1; }

export function accel_io(): usize { return io; }
export function accel_io_size(): i32 { return IO_SIZE; }
// The end of its static data: all the memory it touches (no allocator; boards back its
// one declared page with this many bytes, boards/tools/memcap.mjs).
export function accel_static_end(): usize { return __heap_base; }

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
export function accel_aes128_encrypt(key: i32, input: i32, output: i32): i32 {
  if (!aesKeyed || !ctEqual(aesKey, at(key), 16)) {
    memory.copy(aesKey, at(key), 16);
    aesSoftExpandKey(aesKey, aesSchedule);
    aesKeyed = true;
  }
  aesSoftEncrypt(aesSchedule, at(input), at(output));
  return 0;
}
// Forgets the AES key and its schedule (the board calls it when a connection ends).
export function accel_wipe(): void {
  wipe(aesKey, 16);
  wipe(aesSchedule, AES_ROUND_KEYS_SIZE);
  aesWipe(); // the software AES's own temporaries
  aesKeyed = false;
}
