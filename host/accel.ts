// build/accel.wasm in Node: the project's own P-256 and AES as a board accelerator answers
// the core's hal.p256_* imports (boards/runtime/hal_accel.c does the same in C, after
// wasm2c). Used by `--hal-p256` and by the tests that check every path gives the same bytes.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface AccelExports {
  memory: WebAssembly.Memory;
  accel_io(): number;
  accel_io_size(): number;
  accel_p256_public(priv: number, pubOut: number): number;
  accel_p256_ecdh(priv: number, peer: number, sharedOut: number): number;
  accel_p256_sign(priv: number, hash: number, extra: number, sigOut: number): number;
  accel_p256_verify(pub: number, hash: number, sig: number): number;
  accel_p256_validate(pub: number): number;
  accel_aes128_encrypt(key: number, input: number, output: number): number;
  accel_wipe(): void;
}

export const ACCEL_WASM = join(__dirname, "..", "..", "build", "accel.wasm");

export class Accelerator {
  /** Calls made, for tests that must see the accelerator used. */
  calls = 0;
  constructor(readonly exports: AccelExports) {}

  /** Copies ins from the core's memory into the I/O area (in order), runs call with the
   * offsets of ins then outs, copies outs back on success and wipes the I/O area. */
  run(core: Uint8Array, ins: Array<[number, number]>, outs: Array<[number, number]>,
      call: (a: Accelerator, offs: number[]) => number): number {
    const io = this.exports.accel_io();
    const size = this.exports.accel_io_size();
    const mem = () => new Uint8Array(this.exports.memory.buffer);
    const offs: number[] = [];
    let at = 0;
    for (const [ptr, len] of ins) {
      mem().set(core.subarray(ptr, ptr + len), io + at);
      offs.push(at);
      at += len;
    }
    for (const [, len] of outs) { offs.push(at); at += len; }
    if (at > size) throw new Error("accelerator I/O area too small");
    this.calls++;
    const rc = call(this, offs);
    if (rc === 0) {
      outs.forEach(([ptr, len], i) => core.set(mem().subarray(io + offs[ins.length + i], io + offs[ins.length + i] + len), ptr));
    }
    mem().fill(0, io, io + size);
    return rc;
  }
}

let compiled: WebAssembly.Module | undefined;

export function loadAccelerator(path = ACCEL_WASM): Accelerator {
  compiled ??= new WebAssembly.Module(new Uint8Array(readFileSync(path)));
  const instance = new WebAssembly.Instance(compiled, {});
  return new Accelerator(instance.exports as unknown as AccelExports);
}
