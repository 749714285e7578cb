#!/usr/bin/env python3
"""Instructions per P-256 operation on the emulated Cortex-M4 (`make bench-m4`).

Usage: run.py --plugin libicount.so --elf O2=PATH --elf Os=PATH [--elf wasm3=PATH] [--doc docs/BENCHMARKS.md]

Boots each firmware (scripts/bench/m4/p256_m4.c) in qemu-system-arm -M mps2-an386 with the
instruction-counting plugin (icount-plugin.c), once with "OP 1" and once with "OP 0" on the
semihosting command line; the figure is the difference (both runs do the same set-up and
warm-up). Constant time, measured: keygen, ECDH and sign with the keys of two different random
streams (SEED 0 and 1) must cost the same number of instructions. Prints a Markdown section
and writes it into --doc between the markers below (the rest of the file is left as is).
"""
import argparse
import os
import subprocess
import sys
import tempfile

BEGIN = "<!-- m4:begin (written by `make bench-m4`, scripts/bench/m4/run.py; edit the script, not this section) -->"
END = "<!-- m4:end -->"
# The heading stays outside the markers: the other writers' sections end at the next "## ".
HEADING = "## Cortex-M4 (QEMU mps2-an386)"
OPS = ["keygen", "ECDH", "sign", "verify"]


def count(qemu, plugin, elf, op, n, seed=0):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "icount")
        cmd = [qemu, "-M", "mps2-an386", "-display", "none", "-monitor", "none", "-serial", "null",
               "-semihosting-config", "enable=on,target=native",
               "-plugin", f"{plugin},out={out}", "-kernel", elf, "-append", f"{op} {n} {seed}"]
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
        if r.returncode != 0:
            sys.exit(f"bench-m4: {elf} '{op} {n} {seed}' exited with {r.returncode}: {r.stderr.decode()[-500:]}")
        with open(out) as f:
            return int(f.read().split()[1])


def figure(qemu, plugin, elf, op, seed=0):
    return count(qemu, plugin, elf, op, 1, seed) - count(qemu, plugin, elf, op, 0, seed)


def mi(n):
    return f"{n / 1e6:.2f} M"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--elf", action="append", required=True, help="LEVEL=PATH, e.g. O2=build/...elf")
    ap.add_argument("--doc")
    ap.add_argument("--qemu", default="qemu-system-arm")
    a = ap.parse_args()
    plugin = os.path.abspath(a.plugin)
    elfs = [("-" + l if l.startswith("O") else l, p) for l, p in (e.split("=", 1) for e in a.elf)]
    res = {}
    for label, elf in elfs:
        res[label] = [figure(a.qemu, plugin, elf, i) for i in range(4)]
        print(f"bench-m4 {label}: " + ", ".join(f"{o} {n}" for o, n in zip(OPS, res[label])), flush=True)
    ct_label, ct_elf = elfs[0]
    ct = []
    for op in (0, 1, 2, 3):
        a0, a1 = figure(a.qemu, plugin, ct_elf, op, 0), figure(a.qemu, plugin, ct_elf, op, 1)
        ct.append((OPS[op], a0, a1))
    # verify handles public data only: its counts may differ, which shows the check can see it.
    verify_ct = ct.pop()

    labels = [l for l, _ in elfs]
    lines = ["Instructions executed per P-256 operation by the wasm2c translation of build/kat-p256.wasm",
             "with the board's mini runtime (boards/runtime/wasm_rt_mini.c), bare metal on QEMU's",
             "mps2-an386 (Cortex-M4), arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=soft,",
             "newlib-nano; the runtime and the driver built at each level, the rest as the board images.",
             "The translated module: at -O2 with -O2; at -Os with the boards' flags for wasm2c",
             "translations (W2C_ARM_CFLAGS in mk/boards.mk: -O2 -fno-schedule-insns, whatever the",
             "firmware's level), as the board images compile it; column plain -Os: at -Os too, as a",
             "firmware that compiles our translated file with its own -Os. The file is the one the boards",
             "ship: what it carries for GCC (boards/tools/w2c-gcc-hints.mjs: the first scheduling pass",
             "off by `#pragma GCC optimize`, wasm2c's load/store helpers always inlined) is all the -O2",
             "and plain -Os columns get. In every wasm2c column every load and store is",
             "bounds-checked (a trap beyond) against the memory's size as a compile-time constant, and",
             "wasm2c's call-depth counter is kept only in functions on a cycle of the call graph (none",
             "in kat-p256), as in the board images (boards/tools/w2c-fixed-memory.mjs, w2c-call-depth.mjs).",
             "Column wasm3: the same driver running",
             "build/kat-p256.wasm in the wasm3 0.5.0 interpreter of the board images (their libwasm3.a:",
             "our patches, boards/runtime/wasm3-patches; -Os but m3_compile.c at -O2,",
             "boards/runtime/wasm3_cflags.txt; boards/runtime/dtls_wasm3_config.h), every function",
             "compiled before the set-up.",
             "Column Mbed TLS: an independent native P-256 for comparison, Mbed TLS from Debian's source",
             "package (fetched and checked by make, not committed) at -O2 with its Thumb-2 UMAAL assembly",
             "and NIST reduction (scripts/bench/m4/mbedtls_config.h), the same driver and operations",
             "(scripts/bench/m4/mbedtls_p256.c; its counts vary with the keys: it blinds with random values).",
             "Counted exactly by a TCG plugin (scripts/bench/m4/icount-plugin.c);",
             "each figure = count(run doing the operation once) - count(same run doing it zero times),",
             "both after the same set-up and warm-up (kat_bench_setup). Instructions, not cycles.",
             "Sum = keygen + ECDH + sign + verify. Regenerate with `make bench-m4`; where one operation's",
             "instructions go, per function: `make bench-m4-profile OP=ECDH LEVEL=Os` (wasm2c's w2c_fN =",
             "function N of build/kat-p256.wasm).", "",
             "| operation | " + " | ".join(labels) + " |",
             "|---|" + "---:|" * len(labels)]
    for i, o in enumerate(OPS):
        lines.append(f"| {o} | " + " | ".join(f"{res[l][i]:,} ({mi(res[l][i])})" for l in labels) + " |")
    lines.append("| **sum** | " + " | ".join(f"**{sum(res[l]):,} ({mi(sum(res[l]))})**" for l in labels) + " |")
    lines += ["", f"Constant time, measured ({ct_label}): the same operation with the keys and nonces of two",
              "different random streams (SEED 0 and 1 on the firmware's command line).", "",
              "| operation | stream 0 | stream 1 | equal |", "|---|---:|---:|---|"]
    for o, x, y in ct:
        lines.append(f"| {o} | {x:,} | {y:,} | {'yes' if x == y else '**no**'} |")
    o, x, y = verify_ct
    lines.append(f"| {o} (public inputs only, need not be equal) | {x:,} | {y:,} | {'yes' if x == y else 'no'} |")
    section = "\n".join(lines) + "\n"
    print(HEADING + "\n\n" + section)
    if a.doc:
        with open(a.doc) as f:
            doc = f.read()
        block = BEGIN + "\n" + section + END
        if BEGIN in doc and END in doc:
            pre, rest = doc.split(BEGIN, 1)
            doc = pre + block + rest.split(END, 1)[1]
        else:
            doc = doc.rstrip("\n") + "\n\n" + HEADING + "\n\n" + block + "\n"
        with open(a.doc, "w") as f:
            f.write(doc)
    if any(x != y for _, x, y in ct):
        print("bench-m4: WARNING: instruction counts differ between keys (not constant time)", file=sys.stderr)


if __name__ == "__main__":
    main()
