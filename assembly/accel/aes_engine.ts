// The AES half of the board accelerator (build/accel-aes.wasm, for boards that need only an
// AES engine: the psk-hw profile). build/accel.wasm (index.ts) adds P-256. See index.ts.
import { aesSoftExpandKey, aesSoftEncrypt, aesWipe, AES_ROUND_KEYS_SIZE } from "../crypto/aes";
import { wipe } from "../crypto/ct";

// Room for the largest call: verify (key 65, hash 32, signature 64).
const IO_SIZE: i32 = 192;
const io = memory.data(IO_SIZE, 16);
// The key schedule lives only during a call: nothing derived from a key stays in the
// accelerator's memory once it returns (the core wipes its own copies when a session ends;
// the accelerator has no such moment, so it keeps nothing).
const aesSchedule = memory.data(AES_ROUND_KEYS_SIZE);

// @ts-ignore: decorator
@inline export function at(off: i32): usize { return io + <usize>off; }

export function accel_io(): usize { return io; }
export function accel_io_size(): i32 { return IO_SIZE; }
// The end of its static data: all the memory it touches (no allocator; boards back its
// one declared page with this many bytes, boards/tools/memcap.mjs).
export function accel_static_end(): usize { return __heap_base; }

export function accel_aes128_encrypt(key: i32, input: i32, output: i32): i32 {
  aesSoftExpandKey(at(key), aesSchedule);
  aesSoftEncrypt(aesSchedule, at(input), at(output));
  accel_wipe();
  return 0;
}
// Wipes the key schedule and the software AES's temporaries (after every block).
export function accel_wipe(): void {
  wipe(aesSchedule, AES_ROUND_KEYS_SIZE);
  aesWipe();
}
