#!/usr/bin/env python3
"""`make bench-x509`: instructions to validate a 3-certificate server chain (leaf and two
intermediates, anchored at a root) with the X.509 library (assembly/x509/), measured with
callgrind under wasm2c (build/bench/x509_bench, native x86-64 gcc -O2) and wasm3 (pywasm3
running build/kat-x509.wasm).

The chain is fixed (scripts/bench/x509/chain.pem, root.pem, made once by
tests/support/certs.ts) so the figures repeat: ECDSA verification time depends on the keys.
Each figure is Ir(COUNT=1) - Ir(COUNT=0) after a warm-up validation. Prints a table; the
lead copies it into docs/BENCHMARKS.md.

Usage: x509_bench.py [--wasm2c build/bench/x509_bench] [--wasm build/kat-x509.wasm]
"""
import argparse
import base64
import os
import re
import sys

from p256_bench import callgrind  # the same callgrind total as the P-256 bench

HERE = os.path.dirname(os.path.abspath(__file__))
NAME = b"server.example"


def ders(path):
    text = open(path).read()
    return [base64.b64decode("".join(m.split())) for m in
            re.findall(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", text, re.S)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wasm2c", default="build/bench/x509_bench")
    ap.add_argument("--wasm", default="build/kat-x509.wasm")
    ap.add_argument("--input", default="build/bench/x509_chain.bin")
    args = ap.parse_args()
    chain = ders(os.path.join(HERE, "x509", "chain.pem"))
    root = ders(os.path.join(HERE, "x509", "root.pem"))[0]
    blob = len(NAME).to_bytes(2, "big") + NAME + len(root).to_bytes(2, "big") + root + bytes([len(chain)])
    for d in chain:
        blob += len(d).to_bytes(2, "big") + d
    os.makedirs(os.path.dirname(args.input), exist_ok=True)
    with open(args.input, "wb") as f:
        f.write(blob)
    env = dict(os.environ, PYTHONHASHSEED="0")
    w3 = [sys.executable, os.path.join(HERE, "x509_bench_wasm3.py"), args.wasm, args.input]
    figures = {}
    for label, cmd in (("wasm2c", [args.wasm2c, args.input]), ("wasm3", w3)):
        figures[label] = callgrind(cmd + ["1"], env) - callgrind(cmd + ["0"], env)
    sizes = "+".join(str(len(d)) for d in chain)
    print(f"| validate a 3-certificate chain ({sizes} bytes, anchor {len(root)}) "
          f"| wasm2c {figures['wasm2c'] / 1e6:.2f} M | wasm3 {figures['wasm3'] / 1e6:.2f} M "
          f"| wasm3 / wasm2c {figures['wasm3'] / figures['wasm2c']:.1f}x |")


if __name__ == "__main__":
    main()
