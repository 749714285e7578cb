#!/bin/sh
# Interpreter operations per P-256 operation under wasm3 0.5.0 (see ops.c).
#   scripts/bench/wasm3-ops/run.sh [WASM=build/kat-p256.wasm] [OP=1] [SEED=12345]
# Needs build/pywasm3-sdist (unpacked by make, e.g. `make bench-m4` or `make qemu`) and cc.
set -e
cd "$(dirname "$0")/../../.."
W3=build/pywasm3-sdist/pywasm3-0.5.0/wasm3
OUT=build/wasm3-ops
mkdir -p $OUT
[ $OUT/ops -nt scripts/bench/wasm3-ops/ops.c ] || cc -std=c99 -O1 -w -Dd_m3EnableOpProfiling=1 \
  -include boards/runtime/dtls_wasm3_config.h -I$W3 scripts/bench/wasm3-ops/ops.c $W3/m3_*.c -o $OUT/ops -lm
$OUT/ops "${1:-build/kat-p256.wasm}" "${2:-1}" 1 "${3:-12345}" 2>&1 | awk '{print} {s += $1} END {printf "%13d  total\n", s}'
