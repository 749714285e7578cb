# Boards: the C HAL + runtime glue, the wasm2c posix program, the QEMU Cortex-M4 firmware,
# and the wasm3 (pywasm3) harness. Included by the Makefile.
#
#   make posix        build/boards/dtls-posix (wasm2c translation of build/dtls.wasm + C HAL)
#   make qemu         build/boards/qemu/dtls-qemu.elf (mps2-an386, nRF52840-sized link)
#   make qemu-demo    boot it against a local openssl s_server, print the JSON summary
#   make wasm3-test   build/dtls.wasm in the real wasm3 interpreter (pywasm3), PSK + echo
#   make posix-test / qemu-test   the node:test suites in tests/boards.test.ts
#   make board-figures  sizes, memory cap, instruction count (docs/BENCHMARKS.md "Boards")

.PHONY: posix qemu qemu-demo wasm3-test posix-test qemu-test boards-deps board-figures board-glue-check

BOARD_WASM ?= build/dtls.wasm
BOARD_WASM_PSK ?= build/dtls-psk.wasm
BOARDS_OUT := build/boards
WASM2C_INC := /usr/src/wasm2c
# Linear-memory cap (bytes) for every C backend; measured with `make board-figures`.
DTLS_MEMORY_CAP ?= 65536

BOARD_CSTD := -std=c99 -Wall -Wextra -Werror
BOARD_DEFS := -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0 -DDTLS_MEMORY_CAP=$(DTLS_MEMORY_CAP)
BOARD_INC := -Iboards/hal -Iboards/runtime -I$(WASM2C_INC)
# wasm2c's output (only) trips these three warnings; everything else stays -Werror.
W2C_NOWARN := -Wno-unused-value -Wno-unused-function -Wno-unused-parameter
RUNTIME_SRC := boards/runtime/dtls_port.c boards/runtime/vm_wasm2c.c boards/runtime/wasm_rt_mini.c
RUNTIME_HDR := $(wildcard boards/hal/*.h boards/runtime/*.h)

# Debian packages without a command to test for (the rest are in scripts/apt-packages.txt).
boards-deps:
	@scripts/install-deps.sh
	@need=""; \
	  [ -f /usr/include/openssl/evp.h ] || need="$$need libssl-dev"; \
	  [ -f /usr/lib/arm-none-eabi/newlib/libc.a ] || need="$$need libnewlib-arm-none-eabi"; \
	  [ -f $(WASM2C_INC)/wasm-rt.h ] || need="$$need wabt"; \
	  if [ -n "$$need" ]; then echo "boards-deps: apt-get install$$need"; \
	    SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$need >/dev/null; fi

# ---- wasm2c translation ----
$(BOARDS_OUT)/w2c/full/dtls.c: $(BOARD_WASM) | boards-deps
	@mkdir -p $(@D)
	wasm2c $< -n dtls -o $@
$(BOARDS_OUT)/w2c/psk/dtls.c: $(BOARD_WASM_PSK) | boards-deps
	@mkdir -p $(@D)
	wasm2c $< -n dtls -o $@

# ---- posix program ----
POSIX_SRC := boards/posix/main.c boards/posix/hal_posix.c $(RUNTIME_SRC)
POSIX_CFLAGS := $(BOARD_CSTD) -O2 $(BOARD_DEFS) $(BOARD_INC) -Iboards/posix

$(BOARDS_OUT)/posix-%/dtls.o: $(BOARDS_OUT)/w2c/%/dtls.c
	@mkdir -p $(@D)
	$(CC) $(POSIX_CFLAGS) $(W2C_NOWARN) -I$(<D) -c $< -o $@

$(BOARDS_OUT)/dtls-posix: $(POSIX_SRC) $(RUNTIME_HDR) boards/posix/hal_posix.h $(BOARDS_OUT)/posix-full/dtls.o
	$(CC) $(POSIX_CFLAGS) -I$(BOARDS_OUT)/w2c/full $(POSIX_SRC) $(BOARDS_OUT)/posix-full/dtls.o -lcrypto -o $@
$(BOARDS_OUT)/dtls-posix-psk: $(POSIX_SRC) $(RUNTIME_HDR) boards/posix/hal_posix.h $(BOARDS_OUT)/posix-psk/dtls.o
	$(CC) $(POSIX_CFLAGS) -I$(BOARDS_OUT)/w2c/psk $(POSIX_SRC) $(BOARDS_OUT)/posix-psk/dtls.o -lcrypto -o $@

posix: $(BOARDS_OUT)/dtls-posix $(BOARDS_OUT)/dtls-posix-psk

posix-test: posix dist/.built
	node --test --test-concurrency=1 --test-name-pattern='posix|hal.h' dist/tests/boards.test.js

# ---- wasm3 (pywasm3 from PyPI, in a venv under build/) ----
WASM3_VENV := build/venv-wasm3
$(WASM3_VENV)/.installed:
	python3 -m venv $(WASM3_VENV)
	$(WASM3_VENV)/bin/pip install -q --disable-pip-version-check pywasm3==0.5.0
	touch $@

wasm3-test: build/dtls.wasm build/dtls-psk.wasm $(WASM3_VENV)/.installed | boards-deps
	timeout 300 $(WASM3_VENV)/bin/python -m unittest discover -s tests/wasm3 -p 'test_*.py' -v

TEST_TARGETS += wasm3-test
