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
# Linear-memory cap (bytes) of the C backends: by default what the module needs
# (boards/tools/memcap.mjs: its static end, rounded up to 256), written next to the wasm2c
# output; `make posix DTLS_MEMORY_CAP=N` overrides it.
DTLS_MEMORY_CAP ?=
memcap = $(if $(DTLS_MEMORY_CAP),$(DTLS_MEMORY_CAP),$$(cat $(BOARDS_OUT)/w2c/$(1)/memcap.txt))

BOARD_CSTD := -std=c99 -Wall -Wextra -Werror
BOARD_DEFS := -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0
BOARD_INC := -Iboards/hal -Iboards/runtime -I$(WASM2C_INC)
# wasm2c's output (only) trips these three warnings; everything else stays -Werror.
W2C_NOWARN := -Wno-unused-value -Wno-unused-function -Wno-unused-parameter
RUNTIME_SRC := boards/runtime/dtls_port.c boards/runtime/dtls_names.c boards/runtime/vm_wasm2c.c boards/runtime/wasm_rt_mini.c
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
$(BOARDS_OUT)/w2c/full/dtls.c: $(BOARD_WASM) boards/tools/memcap.mjs | boards-deps
	@mkdir -p $(@D)
	wasm2c $< -n dtls -o $@
	node boards/tools/memcap.mjs $< > $(@D)/memcap.txt
$(BOARDS_OUT)/w2c/psk/dtls.c: $(BOARD_WASM_PSK) boards/tools/memcap.mjs | boards-deps
	@mkdir -p $(@D)
	wasm2c $< -n dtls -o $@
	node boards/tools/memcap.mjs $< > $(@D)/memcap.txt

# ---- posix program ----
POSIX_SRC := boards/posix/main.c boards/posix/hal_posix.c $(RUNTIME_SRC)
POSIX_CFLAGS := $(BOARD_CSTD) -O2 $(BOARD_DEFS) $(BOARD_INC) -Iboards/posix

$(BOARDS_OUT)/posix-%/dtls.o: $(BOARDS_OUT)/w2c/%/dtls.c
	@mkdir -p $(@D)
	$(CC) $(POSIX_CFLAGS) $(W2C_NOWARN) -I$(<D) -c $< -o $@

$(BOARDS_OUT)/dtls-posix: $(POSIX_SRC) $(RUNTIME_HDR) boards/posix/hal_posix.h $(BOARDS_OUT)/posix-full/dtls.o
	$(CC) $(POSIX_CFLAGS) -DDTLS_MEMORY_CAP=$(call memcap,full) -I$(BOARDS_OUT)/w2c/full $(POSIX_SRC) $(BOARDS_OUT)/posix-full/dtls.o -lcrypto -o $@
$(BOARDS_OUT)/dtls-posix-psk: $(POSIX_SRC) $(RUNTIME_HDR) boards/posix/hal_posix.h $(BOARDS_OUT)/posix-psk/dtls.o
	$(CC) $(POSIX_CFLAGS) -DDTLS_MEMORY_CAP=$(call memcap,psk) -I$(BOARDS_OUT)/w2c/psk $(POSIX_SRC) $(BOARDS_OUT)/posix-psk/dtls.o -lcrypto -o $@

posix: $(BOARDS_OUT)/dtls-posix $(BOARDS_OUT)/dtls-posix-psk

posix-test: posix dist/.built
	node --test --test-concurrency=1 --test-name-pattern='posix|hal.h' dist/tests/boards.test.js

# ---- wasm3 (pywasm3 from PyPI, in a venv under build/) ----
# pip builds pywasm3 from source: boards-deps (scripts/install-deps.sh) installs the C compiler,
# python3-venv and python3-dev first when they are missing.
WASM3_VENV := build/venv-wasm3
$(WASM3_VENV)/.installed: | boards-deps
	python3 -m venv $(WASM3_VENV)
	$(WASM3_VENV)/bin/pip install -q --disable-pip-version-check pywasm3==0.5.0
	touch $@

wasm3-test: build/dtls.wasm build/dtls-psk.wasm dist/.built $(WASM3_VENV)/.installed | boards-deps
	timeout 300 $(WASM3_VENV)/bin/python -m unittest discover -s tests/wasm3 -p 'test_*.py' -v

TEST_TARGETS += wasm3-test

# ---- QEMU mps2-an386 (Cortex-M4) image ----
QEMU_OUT := $(BOARDS_OUT)/qemu
ARM_CC := arm-none-eabi-gcc
ARM_ARCH := -mcpu=cortex-m4 -mthumb -mfloat-abi=soft
ARM_CFLAGS := $(BOARD_CSTD) $(ARM_ARCH) -Os -g -ffunction-sections -fdata-sections -DNDEBUG \
  $(BOARD_DEFS) $(BOARD_INC) -Iboards/qemu
ARM_LDFLAGS := $(ARM_ARCH) -nostartfiles --specs=nano.specs -Wl,--gc-sections -Lboards/qemu
QEMU_BOARD_SRC := boards/qemu/main.c boards/qemu/hal_qemu.c boards/qemu/link.c boards/qemu/uart.c \
  boards/qemu/clock.c
QEMU_RUNTIME_SRC := $(RUNTIME_SRC) boards/runtime/slip.c
QEMU_OBJS := $(patsubst boards/%.c,$(QEMU_OUT)/%.o,$(QEMU_BOARD_SRC) $(QEMU_RUNTIME_SRC)) \
  $(QEMU_OUT)/qemu/startup.o $(QEMU_OUT)/dtls.o
QEMU_HDR := $(RUNTIME_HDR) $(wildcard boards/qemu/*.h)

$(QEMU_OUT)/dtls.o: $(BOARDS_OUT)/w2c/full/dtls.c | boards-deps
	@mkdir -p $(@D)
	$(ARM_CC) $(ARM_CFLAGS) $(W2C_NOWARN) -I$(<D) -c $< -o $@
$(QEMU_OUT)/qemu/startup.o: boards/qemu/startup.c $(QEMU_HDR) | boards-deps
	@mkdir -p $(@D)
	$(ARM_CC) $(ARM_CFLAGS) -ffreestanding -fno-tree-loop-distribute-patterns -c $< -o $@
$(QEMU_OUT)/%.o: boards/%.c $(QEMU_HDR) $(BOARDS_OUT)/w2c/full/dtls.c | boards-deps
	@mkdir -p $(@D)
	$(ARM_CC) $(ARM_CFLAGS) -DDTLS_MEMORY_CAP=$(call memcap,full) -I$(BOARDS_OUT)/w2c/full -c $< -o $@

$(QEMU_OUT)/dtls-qemu.elf: $(QEMU_OBJS) boards/qemu/sections.ld boards/qemu/nrf52840.ld
	$(ARM_CC) $(ARM_LDFLAGS) -T nrf52840.ld -Wl,-Map=$(QEMU_OUT)/dtls-qemu.map $(QEMU_OBJS) -lc -lgcc -o $@
	arm-none-eabi-size $@
# The same objects inside an nRF52832's 512 KiB flash / 64 KiB RAM: the link fails if they do not fit.
$(QEMU_OUT)/dtls-nrf52832-fit.elf: $(QEMU_OBJS) boards/qemu/sections.ld boards/qemu/nrf52832.ld
	$(ARM_CC) $(ARM_LDFLAGS) -T nrf52832.ld $(QEMU_OBJS) -lc -lgcc -o $@

qemu: $(QEMU_OUT)/dtls-qemu.elf $(QEMU_OUT)/dtls-nrf52832-fit.elf

QEMU_DEMO_PORT ?= 47$(shell echo $$((RANDOM % 900 + 100)))
QEMU_DEMO_PSK ?= 000102030405060708090a0b0c0d0e0f
QEMU_DEMO_ID ?= qemu-device
# An echo server on 127.0.0.1 (gnutls-serv --echo, DTLS 1.2, PSK, AES-128-CCM-8), the image
# booted in QEMU behind the SLIP bridge, and the CLI's JSON summary on stdout.
qemu-demo: qemu dist/.built | boards-deps
	@set -e; port=$(QEMU_DEMO_PORT); dir=$$(mktemp -d); \
	  echo "$(QEMU_DEMO_ID):$(QEMU_DEMO_PSK)" > $$dir/psk.txt; \
	  (timeout 60 gnutls-serv --udp -p $$port --pskpasswd $$dir/psk.txt --echo \
	     --priority "NONE:+VERS-DTLS1.2:+PSK:+AES-128-CCM-8:+AEAD:+COMP-NULL:+SIGN-ALL:+CTYPE-ALL" \
	     >$$dir/server.log 2>&1 & echo $$! > $$dir/server.pid); \
	  for i in $$(seq 50); do grep -q listening $$dir/server.log 2>/dev/null && break; sleep 0.1; done; \
	  rc=0; timeout 90 node dist/host/slip-bridge.js 127.0.0.1:$$port --psk-identity $(QEMU_DEMO_ID) --psk $(QEMU_DEMO_PSK) \
	     --firmware $(QEMU_OUT)/dtls-qemu.elf --send "hello from qemu" --wait 5000 --json || rc=$$?; \
	  kill $$(cat $$dir/server.pid) 2>/dev/null || true; rm -rf $$dir; exit $$rc

qemu-test: qemu dist/.built
	node --test --test-concurrency=1 --test-name-pattern='qemu' dist/tests/boards.test.js

# ---- sources for the wasm3 ports (boards/esp32, boards/nrf52) ----
board-sources: build/dtls.wasm
	node boards/tools/embed.mjs build/dtls.wasm $(BOARDS_OUT)/embed

# ---- CI compile check of every portable file under -Werror, for the host and Cortex-M4 ----
# vm_wasm3.c is checked against the wasm3 headers of the pywasm3 source package (PyPI);
# nothing of wasm3 is built here or committed.
PORTABLE_SRC := boards/runtime/dtls_port.c boards/runtime/dtls_names.c boards/runtime/slip.c \
  boards/runtime/dtls_session.c boards/runtime/wasm_rt_mini.c
W3_SDIST := build/pywasm3-sdist
$(W3_SDIST)/.unpacked: | $(WASM3_VENV)/.installed
	rm -rf $(W3_SDIST) && mkdir -p $(W3_SDIST)
	$(WASM3_VENV)/bin/pip download -q --disable-pip-version-check --no-deps --no-binary :all: pywasm3==0.5.0 -d $(W3_SDIST)
	tar -xzf $(W3_SDIST)/pywasm3-0.5.0.tar.gz -C $(W3_SDIST)
	touch $@
board-glue-check: board-sources $(W3_SDIST)/.unpacked | boards-deps
	@for cc in "$(CC)" "$(ARM_CC) $(ARM_ARCH)"; do \
	  for f in $(PORTABLE_SRC); do $$cc $(BOARD_CSTD) $(BOARD_DEFS) $(BOARD_INC) -fsyntax-only $$f || exit 1; done; \
	  $$cc $(BOARD_CSTD) $(BOARD_INC) -I$(BOARDS_OUT)/embed -I$(W3_SDIST)/pywasm3-0.5.0/wasm3 -fsyntax-only boards/runtime/vm_wasm3.c || exit 1; \
	done; echo "board-glue-check: runtime glue compiles with -Wall -Wextra -Werror (host, Cortex-M4; wasm2c and wasm3 backends)"

TEST_TARGETS += board-glue-check

# ---- figures for docs/BENCHMARKS.md ("Boards") ----
board-figures: qemu posix dist/.built
	@echo "## QEMU image (arm-none-eabi-size)"; arm-none-eabi-size $(QEMU_OUT)/dtls-qemu.elf
	@echo; echo "## by part"; node boards/tools/size-report.mjs $(QEMU_OUT)/dtls-qemu.map
	@echo; echo "## linear-memory cap (bytes): full $$(cat $(BOARDS_OUT)/w2c/full/memcap.txt), psk $$(cat $(BOARDS_OUT)/w2c/psk/memcap.txt)"
	@echo; echo "## PSK handshake under qemu -icount shift=0 (1 instruction = 1 virtual ns)"
	@set -e; port=47$$((RANDOM % 900 + 100)); \
	  (sleep 40 | timeout 50 openssl s_server -dtls1_2 -listen -psk $(QEMU_DEMO_PSK) -psk_identity $(QEMU_DEMO_ID) \
	     -cipher PSK-AES128-CCM8 -nocert -accept 127.0.0.1:$$port -quiet >/dev/null 2>&1 & echo $$! > $(QEMU_OUT)/server.pid); \
	  sleep 0.5; \
	  SLIP_BRIDGE_BOARD_JSON=$(QEMU_OUT)/figures.json timeout 120 node dist/host/slip-bridge.js 127.0.0.1:$$port \
	     --psk-identity $(QEMU_DEMO_ID) --psk $(QEMU_DEMO_PSK) --firmware $(QEMU_OUT)/dtls-qemu.elf \
	     --icount --seed figures --json --qemu-timeout 100 2>/dev/null; \
	  kill $$(cat $(QEMU_OUT)/server.pid) 2>/dev/null || true; cat $(QEMU_OUT)/figures.json
