// The AES half of the board accelerator (build/accel-aes.wasm, for boards that need only an
// AES engine: the psk-hw profile). build/accel.wasm (index.ts) adds P-256. See index.ts.
import { aesSoftExpandKey, aesSoftEncrypt, aesWipe, AES_ROUND_KEYS_SIZE } from "../crypto/aes";
import { ctEqual, wipe } from "../crypto/ct";

// Room for the largest call: verify (key 65, hash 32, signature 64).
const IO_SIZE: i32 = 192;
const io = memory.data(IO_SIZE, 16);
// The AES key schedule is kept while the key stays the same (a record layer uses one
// key for every block of a record): the key copy is compared in constant time.
const aesKey = memory.data(16);
const aesSchedule = memory.data(AES_ROUND_KEYS_SIZE);
let aesKeyed: bool = false;

// @ts-ignore: decorator
@inline export function at(off: i32): usize { return io + <usize>off; }

export function accel_io(): usize { return io; }
export function accel_io_size(): i32 { return IO_SIZE; }
// The end of its static data: all the memory it touches (no allocator; boards back its
// one declared page with this many bytes, boards/tools/memcap.mjs).
export function accel_static_end(): usize { return __heap_base; }

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
