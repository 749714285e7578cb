# `make bench`: instruction counts under wasm2c and wasm3, measured with callgrind, written
# to docs/BENCHMARKS.md. Not part of `make test`.
#   bench-p256       each P-256 operation (section "P-256")
#   bench-handshake  the client's whole handshake against a local gnutls-serv: ECDHE-ECDSA
#                    with raw public keys and mutual authentication, and PSK (section
#                    "Whole handshake"); the posix program and the pywasm3 harness
# `make bench` runs both, one after the other (both rewrite docs/BENCHMARKS.md).
# Installs what it needs: valgrind and wabt (apt-get, only when the command is missing),
# pywasm3 (pip); openssl, gnutls-serv and libssl-dev through boards-deps (mk/boards.mk).
.PHONY: bench bench-deps bench-p256 bench-handshake

BENCH_OUT := build/bench

bench-deps:
	@need=""; \
	  command -v valgrind >/dev/null || need="$$need valgrind"; \
	  command -v wasm2c >/dev/null || need="$$need wabt"; \
	  command -v curl >/dev/null || need="$$need curl"; \
	  if [ -n "$$need" ]; then echo "bench: apt-get install$$need"; \
	    SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$need >/dev/null; fi
	@python3 -c "import wasm3" 2>/dev/null || python3 -m pip install -q pywasm3 \
	  || python3 -m pip install -q --break-system-packages pywasm3

$(BENCH_OUT)/kat_p256.c: build/kat-p256.wasm boards/tools/w2c-fixed-memory.mjs boards/tools/w2c-call-depth.mjs \
    boards/tools/w2c-gcc-hints.mjs | bench-deps
	@mkdir -p $(@D)
	wasm2c $< -n katp256 -o $@
	node boards/tools/w2c-fixed-memory.mjs $@ KATP256_MEMORY_CAP
	node boards/tools/w2c-call-depth.mjs $@ KATP256_MEMORY_CAP
	node boards/tools/w2c-gcc-hints.mjs $@

$(BENCH_OUT)/p256_bench: scripts/bench/p256_bench.c scripts/bench/w2c_rt.c $(BENCH_OUT)/kat_p256.c
	$(CC) -O2 -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0 -I/usr/src/wasm2c -I$(BENCH_OUT) \
	  -Wno-unused-value -Wno-unused-function -Wno-unused-parameter \
	  scripts/bench/p256_bench.c scripts/bench/w2c_rt.c $(BENCH_OUT)/kat_p256.c -o $@

BENCH_P256 = python3 scripts/bench/p256_bench.py --doc docs/BENCHMARKS.md \
	  --wasm2c $(BENCH_OUT)/p256_bench --wasm build/kat-p256.wasm
# build/boards/dtls-posix: the posix program of mk/boards.mk (spelled out: this file is read first).
BENCH_HANDSHAKE = python3 scripts/bench/handshake_bench.py --doc docs/BENCHMARKS.md \
	  --posix build/boards/dtls-posix --wasm build/dtls.wasm
BENCH_P256_DEPS := build/kat-p256.wasm $(BENCH_OUT)/p256_bench
BENCH_HANDSHAKE_DEPS := build/dtls.wasm build/boards/dtls-posix

bench: $(BENCH_P256_DEPS) $(BENCH_HANDSHAKE_DEPS) | bench-deps boards-deps
	$(BENCH_P256)
	$(BENCH_HANDSHAKE)
bench-p256: $(BENCH_P256_DEPS) | bench-deps
	$(BENCH_P256)
bench-handshake: $(BENCH_HANDSHAKE_DEPS) | bench-deps boards-deps
	$(BENCH_HANDSHAKE)

# bench-x509: instructions to validate a 3-certificate chain (assembly/x509/, issue 11) under
# wasm2c and wasm3; prints a table (scripts/bench/x509_bench.py). Not part of `make bench`.
.PHONY: bench-x509
$(BENCH_OUT)/kat_x509.c: build/kat-x509.wasm | bench-deps
	@mkdir -p $(@D)
	wasm2c $< -n katx509 -o $@

$(BENCH_OUT)/x509_bench: scripts/bench/x509_bench.c scripts/bench/w2c_rt.c $(BENCH_OUT)/kat_x509.c
	$(CC) -O2 -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0 -I/usr/src/wasm2c -I$(BENCH_OUT) \
	  -Wno-unused-value -Wno-unused-function -Wno-unused-parameter \
	  scripts/bench/x509_bench.c scripts/bench/w2c_rt.c $(BENCH_OUT)/kat_x509.c -o $@

bench-x509: build/kat-x509.wasm $(BENCH_OUT)/x509_bench | bench-deps
	python3 scripts/bench/x509_bench.py --wasm2c $(BENCH_OUT)/x509_bench --wasm build/kat-x509.wasm
