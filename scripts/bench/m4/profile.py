#!/usr/bin/env python3
"""Per-function instruction profile of one P-256 operation on the emulated Cortex-M4.

Usage: profile.py --plugin libicount.so --elf p256-m4.elf --op keygen|ECDH|sign|verify [--top 25]

Runs the firmware of `make bench-m4` with "OP 1" and "OP 0" under icount-plugin.c's prof=
mode, maps every executed block's address to the function containing it (arm-none-eabi-nm),
and prints the difference per function, largest first. wasm2c names the module's functions
w2c_fN (N = the function's index in build/kat-p256.wasm: `wasm2wat` shows it as (;N;)).
`make bench-m4-profile OP=ECDH LEVEL=O2` runs it.
"""
import argparse
import bisect
import collections
import os
import subprocess
import sys
import tempfile

OPS = ["keygen", "ecdh", "sign", "verify"]


def symbols(elf):
    out = subprocess.run(["arm-none-eabi-nm", "-n", "--defined-only", elf], check=True,
                         capture_output=True, text=True).stdout
    addrs, names = [], []
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "tTwW":
            addrs.append(int(f[0], 16) & ~1)
            names.append(f[2])
    return addrs, names


def profile(plugin, elf, op, n, syms):
    addrs, names = syms
    with tempfile.TemporaryDirectory() as tmp:
        prof = os.path.join(tmp, "prof")
        cmd = ["qemu-system-arm", "-M", "mps2-an386", "-display", "none", "-monitor", "none",
               "-serial", "null", "-semihosting-config", "enable=on,target=native",
               "-plugin", f"{plugin},prof={prof}", "-kernel", elf, "-append", f"{op} {n}"]
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
        if r.returncode != 0:
            sys.exit(f"profile: '{op} {n}' exited with {r.returncode}")
        per = collections.Counter()
        with open(prof) as f:
            for line in f:
                a, insns, execs = line.split()
                i = bisect.bisect_right(addrs, int(a, 16)) - 1
                per[names[i] if i >= 0 else "?"] += int(insns) * int(execs)
        return per


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--elf", required=True)
    ap.add_argument("--op", required=True)
    ap.add_argument("--top", type=int, default=25)
    a = ap.parse_args()
    op = OPS.index(a.op.lower())
    plugin = os.path.abspath(a.plugin)
    syms = symbols(a.elf)
    one, zero = profile(plugin, a.elf, op, 1, syms), profile(plugin, a.elf, op, 0, syms)
    diff = {k: one[k] - zero.get(k, 0) for k in one}
    total = sum(diff.values())
    print(f"{a.op} on {a.elf}: {total:,} instructions")
    print("| function | instructions | share |\n|---|---:|---:|")
    for k, v in sorted(diff.items(), key=lambda kv: -kv[1])[:a.top]:
        if v:
            print(f"| {k} | {v:,} | {100 * v / total:.1f} % |")


if __name__ == "__main__":
    main()
