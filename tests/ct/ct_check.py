#!/usr/bin/env python3
"""Constant time, measured (`make ct-test`): P-256 key generation, ECDH and ECDSA signing
must execute exactly the same number of instructions whatever the secret.

Runs tests/ct/ct_p256.c (the wasm2c translation of build/kat-p256.wasm, compiled natively)
under callgrind, counting only the instructions inside ct_measure(), which makes exactly one
call into the module per sample, and dumping the count after each call. SAMPLES random
secrets per operation (private keys; for signing also the message hash and the hedging
bytes, so the nonce) plus ten edge private keys (1, 2, 3, 255, 2^128 - 1, 2^255, 0x55..,
0xaa.., n - 1, n - 2). Fails when an operation on secrets has two different counts.
Verification works on public data only; its spread is reported, not checked.

Usage: ct_check.py --driver build/ct/ct_p256 [--samples 100] [--seed 0x5eed]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

CONSTANT_TIME = ["keygen", "ecdh", "sign"]
REPORTED = ["verify"]
NAMES = {"keygen": "key generation", "ecdh": "ECDH shared secret", "sign": "ECDSA sign",
         "verify": "ECDSA verify (public data)"}


def run_driver(driver, samples, seed):
    """Returns [(op, kind, index, rc, secret, instructions)] in the order of the calls."""
    with tempfile.TemporaryDirectory(prefix="ct-") as tmp:
        out = os.path.join(tmp, "ct.out")
        cmd = ["valgrind", "--tool=callgrind", "--collect-atstart=no", "--toggle-collect=ct_measure",
               f"--callgrind-out-file={out}", driver, str(samples), str(seed)]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            sys.stderr.write(p.stderr[-3000:])
            raise SystemExit(f"ct: the driver failed (exit {p.returncode})")
        counts = {}
        for name in os.listdir(tmp):
            if not re.fullmatch(r"ct\.out\.\d+", name):
                continue
            text = open(os.path.join(tmp, name)).read()
            label = re.search(r"^desc: Trigger: Client Request: (.+)$", text, re.M)
            total = re.search(r"^summary: (\d+)$", text, re.M)
            if not label or not total:
                raise SystemExit(f"ct: unreadable callgrind dump {name}")
            counts[label.group(1)] = int(total.group(1))
    rows = []
    for line in p.stdout.splitlines():
        op, kind, index, rc, secret = line.split()
        label = f"{op} {kind} {index}"
        if label not in counts:
            raise SystemExit(f"ct: no instruction count for {label}")
        rows.append((op, kind, int(index), int(rc), secret, counts.pop(label)))
    if counts:
        raise SystemExit(f"ct: counts without a call: {sorted(counts)[:5]}")
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--driver", default="build/ct/ct_p256")
    ap.add_argument("--samples", type=int, default=100)
    ap.add_argument("--seed", default=os.environ.get("CT_SEED", "0x5eed"))
    args = ap.parse_args()

    rows = run_driver(args.driver, args.samples, args.seed)
    failures = []
    print(f"ct: {args.samples} random secrets per operation + edge private keys, seed {args.seed}; "
          "x86-64 instructions per operation (callgrind, wasm2c translation of build/kat-p256.wasm)")
    print("| operation | calls | min | max | max - min |")
    print("|---|---:|---:|---:|---:|")
    for op in CONSTANT_TIME + REPORTED:
        mine = [r for r in rows if r[0] == op]
        randoms = [r for r in mine if r[1] == "random"]
        if len(randoms) != args.samples:
            raise SystemExit(f"ct: {len(randoms)} {op} calls, expected {args.samples}")
        expected_rc = 1 if op == "verify" else 0  # kat_verify: 1 = valid signature
        bad = [r for r in mine if r[3] != expected_rc]
        if bad:
            failures.append(f"{op}: {len(bad)} calls failed (first: {bad[0][:4]})")
        secrets = [r[4] for r in randoms]
        if len(set(secrets)) != len(secrets):
            failures.append(f"{op}: the random secrets repeat")
        counts = [r[5] for r in mine]
        lo, hi = min(counts), max(counts)
        if lo < 100_000:
            failures.append(f"{op}: {lo} instructions, too few for a P-256 operation (is ct_measure counted?)")
        print(f"| {NAMES[op]} | {len(mine)} | {lo:,} | {hi:,} | {hi - lo:,} |")
        if op in CONSTANT_TIME and lo != hi:
            at_lo = next(r for r in mine if r[5] == lo)
            at_hi = next(r for r in mine if r[5] == hi)
            failures.append(f"{op}: NOT constant time: {lo:,} instructions for {at_lo[1]} {at_lo[2]} "
                            f"(secret {at_lo[4]}), {hi:,} for {at_hi[1]} {at_hi[2]} (secret {at_hi[4]}); "
                            f"{len(set(counts))} different counts")
    if failures:
        for f in failures:
            print("FAIL " + f)
        raise SystemExit(1)
    print("ct: key generation, ECDH and ECDSA signing execute the same instructions for every secret")


if __name__ == "__main__":
    main()
