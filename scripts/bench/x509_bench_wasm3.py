#!/usr/bin/env python3
"""X.509 chain validation under wasm3 (PyPI pywasm3): build/kat-x509.wasm interpreted.

Usage: x509_bench_wasm3.py WASM INPUT COUNT, INPUT as for scripts/bench/x509_bench.c: the
anchor is added, the chain validated once (warm-up, wasm3 compiles lazily), then COUNT times.
"""
import sys

import wasm3

NAME_OFF, ANCHOR_OFF, CHAIN_OFF = 0, 512, 2048
NOW_S = 1893456000  # 2030-01-01T00:00:00Z


def main() -> int:
    path, inp, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    data = open(path, "rb").read()
    blob = open(inp, "rb").read()
    env = wasm3.Environment()
    rt = env.new_runtime(64 * 1024)
    mod = env.parse_module(data)
    rt.load(mod)
    mod.link_function("hal", "p256_validate", "i(i)", lambda pub: -1)
    mod.link_function("hal", "p256_verify", "i(iii)", lambda pub, h, s: -1)
    base = rt.find_function("kat_buffer")()
    mem = rt.get_memory(0)
    n = int.from_bytes(blob[0:2], "big")
    name = blob[2:2 + n]
    p = 2 + n
    a = int.from_bytes(blob[p:p + 2], "big")
    anchor = blob[p + 2:p + 2 + a]
    p += 2 + a
    certs = blob[p]
    rest = blob[p + 1:]
    mem[base + NAME_OFF:base + NAME_OFF + n] = name
    mem[base + ANCHOR_OFF:base + ANCHOR_OFF + a] = anchor
    mem[base + CHAIN_OFF:base + CHAIN_OFF + len(rest)] = rest
    rc = rt.find_function("x509_anchor_add")(ANCHOR_OFF, a)
    if rc != 0:
        print("anchor refused:", rc, file=sys.stderr)
        return 1
    validate = rt.find_function("x509_validate")
    for _ in range(count + 1):
        rc = validate(NAME_OFF, n, NOW_S, CHAIN_OFF, certs)
        if rc != 0:
            print("chain refused: reason", rc >> 8, "alert", rc & 0xFF, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
