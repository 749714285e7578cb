#!/usr/bin/env python3
"""Benchmark driver for P-256 under wasm3 (PyPI pywasm3): build/kat-p256.wasm interpreted.

Usage: p256_bench_wasm3.py WASM OP COUNT [dump]
  OP 0 keygen, 1 ECDH, 2 sign, 3 verify; COUNT operations after kat_bench_setup().
`make bench` runs it under callgrind with COUNT 1 and COUNT 0 and takes the difference.
The HAL random source is the same fixed xorshift stream as the wasm2c driver's; with
"dump", prints the first 512 bytes of the buffer in hex.
"""
import sys

import wasm3


def main() -> int:
    path, op, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    with open(path, "rb") as f:
        data = f.read()
    env = wasm3.Environment()
    rt = env.new_runtime(64 * 1024)
    mod = env.parse_module(data)
    rt.load(mod)
    state = {"rng": 0x2545F491}

    def random(buf: int, length: int) -> int:
        mem = rt.get_memory(0)
        x = state["rng"]
        for i in range(length):
            x ^= (x << 13) & 0xFFFFFFFF
            x ^= x >> 17
            x ^= (x << 5) & 0xFFFFFFFF
            mem[buf + i] = x & 0xFF
        state["rng"] = x
        return 0

    mod.link_function("hal", "random", "i(ii)", random)
    setup = rt.find_function("kat_bench_setup")
    bench = rt.find_function("kat_bench")
    rc = setup()
    if rc != 0:
        print("setup failed:", rc, file=sys.stderr)
        return 1
    rc = bench(op, count)
    if rc != 0:
        print("operation", op, "failed:", rc, file=sys.stderr)
        return 1
    if len(sys.argv) > 4:
        base = rt.find_function("kat_buffer")()
        print(bytes(rt.get_memory(0)[base:base + 512]).hex())
    return 0


if __name__ == "__main__":
    sys.exit(main())
