# `make bench`: P-256 instruction counts under wasm2c and wasm3, measured with callgrind,
# written to docs/BENCHMARKS.md (section "P-256"). Not part of `make test`.
# Installs what it needs: valgrind and wabt (apt-get, only when the command is missing),
# pywasm3 (pip).
.PHONY: bench bench-deps

BENCH_OUT := build/bench

bench-deps:
	@need=""; \
	  command -v valgrind >/dev/null || need="$$need valgrind"; \
	  command -v wasm2c >/dev/null || need="$$need wabt"; \
	  if [ -n "$$need" ]; then echo "bench: apt-get install$$need"; \
	    SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$need >/dev/null; fi
	@python3 -c "import wasm3" 2>/dev/null || python3 -m pip install -q pywasm3 \
	  || python3 -m pip install -q --break-system-packages pywasm3

$(BENCH_OUT)/kat_p256.c: build/kat-p256.wasm | bench-deps
	@mkdir -p $(@D)
	wasm2c $< -n katp256 -o $@

$(BENCH_OUT)/p256_bench: scripts/bench/p256_bench.c scripts/bench/w2c_rt.c $(BENCH_OUT)/kat_p256.c
	$(CC) -O2 -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0 -I/usr/src/wasm2c -I$(BENCH_OUT) \
	  -Wno-unused-value -Wno-unused-function -Wno-unused-parameter \
	  scripts/bench/p256_bench.c scripts/bench/w2c_rt.c $(BENCH_OUT)/kat_p256.c -o $@

bench: build/kat-p256.wasm $(BENCH_OUT)/p256_bench | bench-deps
	python3 scripts/bench/p256_bench.py --doc docs/BENCHMARKS.md \
	  --wasm2c $(BENCH_OUT)/p256_bench --wasm build/kat-p256.wasm
