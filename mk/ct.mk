# Constant time, measured (part of `make test`): key generation, ECDH and ECDSA signing of
# build/kat-p256.wasm, translated by wasm2c and compiled natively, must execute the same
# number of instructions (callgrind) for every secret; verification's spread is reported.
#   make ct-test                 100 random secrets per operation + 10 edge private keys
#   make ct-test CT_SAMPLES=500  more (CT_SEED=0x... picks other secrets)
# Harness: tests/ct/ct_p256.c (driver), tests/ct/ct_check.py (runs callgrind, checks).
# Installs valgrind and wabt (apt-get) when missing. Figures: docs/BENCHMARKS.md "Constant time".
.PHONY: ct-test ct-deps

CT_OUT := build/ct
CT_SAMPLES ?= 100
CT_W2C_INC := /usr/src/wasm2c
CT_CFLAGS := -std=c99 -Wall -Wextra -Werror -O2 -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0 -I$(CT_W2C_INC)

ct-deps:
	@need=""; \
	  command -v valgrind >/dev/null && [ -f /usr/include/valgrind/callgrind.h ] || need="$$need valgrind"; \
	  command -v wasm2c >/dev/null && [ -f $(CT_W2C_INC)/wasm-rt.h ] || need="$$need wabt"; \
	  if [ -n "$$need" ]; then echo "ct-deps: apt-get install$$need"; \
	    SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$need >/dev/null; fi

$(CT_OUT)/kat_p256.c: build/kat-p256.wasm | ct-deps
	@mkdir -p $(@D)
	wasm2c $< -n katp256 -o $@

# wasm2c's output (only) trips these three warnings.
$(CT_OUT)/kat_p256.o: $(CT_OUT)/kat_p256.c
	$(CC) $(CT_CFLAGS) -I$(CT_OUT) -Wno-unused-value -Wno-unused-function -Wno-unused-parameter -c $< -o $@

$(CT_OUT)/ct_p256: tests/ct/ct_p256.c scripts/bench/w2c_rt.c $(CT_OUT)/kat_p256.o
	$(CC) $(CT_CFLAGS) -I$(CT_OUT) tests/ct/ct_p256.c scripts/bench/w2c_rt.c $(CT_OUT)/kat_p256.o -o $@

ct-test: $(CT_OUT)/ct_p256 | ct-deps
	timeout 300 python3 tests/ct/ct_check.py --driver $(CT_OUT)/ct_p256 --samples $(CT_SAMPLES) \
	  $(if $(CT_SEED),--seed $(CT_SEED))

TEST_TARGETS += ct-test
