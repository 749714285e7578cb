#!/bin/sh
# Interpreter operations per P-256 operation under the boards' wasm3 (see ops.c).
#   scripts/bench/wasm3-ops/run.sh [MODULE [OP [SEED]]]
#   defaults: MODULE build/kat-p256.wasm (`make build`), OP 1 (0 keygen, 1 ECDH, 2 sign,
#   3 verify), SEED 12345 (the HAL random source's; equal totals for two seeds: constant time)
# Needs the wasm3 source make unpacks to build/pywasm3-sdist (e.g. by `make bench-m4`) and cc.
set -e
cd "$(dirname "$0")/../../.."
W3=build/pywasm3-sdist/pywasm3-0.5.0/wasm3
OUT=build/wasm3-ops
mkdir -p $OUT
[ $OUT/ops -nt scripts/bench/wasm3-ops/ops.c ] || cc -std=c99 -O1 -w -Dd_m3EnableOpProfiling=1 \
  -include boards/runtime/dtls_wasm3_config.h -I$W3 scripts/bench/wasm3-ops/ops.c $W3/m3_*.c -o $OUT/ops -lm
$OUT/ops "${1:-build/kat-p256.wasm}" "${2:-1}" 1 "${3:-12345}" 2>&1 | awk '{print} {s += $1} END {printf "%13d  total\n", s}'
