# Boards: the C HAL + runtime glue, the wasm2c posix program, the QEMU Cortex-M4 firmware,
# and the wasm3 (pywasm3) harness. Included by the Makefile.
#
#   make posix        build/boards/dtls-posix (wasm2c translation of build/dtls.wasm + C HAL)
#   make qemu         build/boards/qemu/<backend>-<module>/dtls-qemu.elf (mps2-an386, nRF52840-sized
#                     link; wasm2c|wasm3 x full|psk|...) + dtls-nrf52832.elf; dtls-qemu.elf = wasm2c-full
#   make qemu-demo [BACKEND=wasm3|wasm2c] [MODULE=full|psk|...] [CRED=psk|rpk]
#                     boot one against a local gnutls-serv --echo: the JSON summary, the board's figures
#   make qemu-heap BACKEND=.. MODULE=.. HEAP_SIZE=N   that image with an N-byte heap region
#   make wasm3-test   build/dtls.wasm in the real wasm3 interpreter (pywasm3), PSK + echo
#   make posix-test / qemu-test   the node:test suites in tests/boards.test.ts
#   make qemu-wasm3-test  tests/boards-wasm3.test.ts (wasm3 images: handshakes, RAM fixed at boot)
#   make board-figures  sizes, memory cap, instruction counts; every image x credential in
#                     build/board-figures.json (docs/BENCHMARKS.md "Boards")

.PHONY: posix qemu qemu-demo qemu-heap wasm3-test posix-test qemu-test qemu-wasm3-test boards-deps board-figures board-glue-check

BOARD_WASM ?= build/dtls.wasm
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
RUNTIME_SRC := boards/runtime/dtls_port.c boards/runtime/dtls_names.c boards/runtime/vm_wasm2c.c boards/runtime/wasm_rt_mini.c \
  boards/runtime/hal_p256_none.c
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
# A module <name> is $(BOARD_WASM_DIR)/dtls-<name>.wasm, except full: $(BOARD_WASM).
BOARD_WASM_DIR ?= build
define w2c_translate
@mkdir -p $(@D)
wasm2c $< -n dtls -o $@
node boards/tools/w2c-fixed-memory.mjs $@ DTLS_MEMORY_CAP
node boards/tools/w2c-call-depth.mjs $@ DTLS_MEMORY_CAP
node boards/tools/w2c-gcc-hints.mjs $@
node boards/tools/memcap.mjs $< > $(@D)/memcap.txt
endef
$(BOARDS_OUT)/w2c/full/dtls.c: $(BOARD_WASM) boards/tools/memcap.mjs boards/tools/w2c-fixed-memory.mjs boards/tools/w2c-call-depth.mjs boards/tools/w2c-gcc-hints.mjs | boards-deps
	$(w2c_translate)
$(BOARDS_OUT)/w2c/%/dtls.c: $(BOARD_WASM_DIR)/dtls-%.wasm boards/tools/memcap.mjs boards/tools/w2c-fixed-memory.mjs boards/tools/w2c-call-depth.mjs boards/tools/w2c-gcc-hints.mjs | boards-deps
	$(w2c_translate)

# ---- posix program ----
POSIX_SRC := boards/posix/main.c boards/posix/hal_posix.c boards/posix/x509_cli.c $(RUNTIME_SRC)
POSIX_CFLAGS := $(BOARD_CSTD) -O2 $(BOARD_DEFS) $(BOARD_INC) -Iboards/posix

$(BOARDS_OUT)/posix-%/dtls.o: $(BOARDS_OUT)/w2c/%/dtls.c
	@mkdir -p $(@D)
	$(CC) $(POSIX_CFLAGS) $(W2C_NOWARN) -I$(<D) -c $< -o $@

$(BOARDS_OUT)/dtls-posix: $(POSIX_SRC) $(RUNTIME_HDR) boards/posix/hal_posix.h boards/posix/x509_cli.h $(BOARDS_OUT)/posix-full/dtls.o
	$(CC) $(POSIX_CFLAGS) -DDTLS_MEMORY_CAP=$(call memcap,full) -I$(BOARDS_OUT)/w2c/full $(POSIX_SRC) $(BOARDS_OUT)/posix-full/dtls.o -lcrypto -o $@
$(BOARDS_OUT)/dtls-posix-psk: $(POSIX_SRC) $(RUNTIME_HDR) boards/posix/hal_posix.h boards/posix/x509_cli.h $(BOARDS_OUT)/posix-psk/dtls.o
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

# ---- wasm3 0.5.0 source: the pinned PyPI pywasm3 sdist (nothing of wasm3 is committed) ----
# Unpacked, then our own patches (boards/runtime/wasm3-patches/*.patch, in name order; each
# says why and what it measured) applied: the QEMU images, `make bench-m4` and the board
# projects (boards/runtime/dtls_runtime.cmake's WASM3_DIR) all build this patched source.
# pywasm3 (build/venv-wasm3, the PC harness) is pip's own unpatched build.
W3_SDIST := build/pywasm3-sdist
W3_SRC := $(W3_SDIST)/pywasm3-0.5.0/wasm3
W3_PATCHES := $(sort $(wildcard boards/runtime/wasm3-patches/*.patch))
$(W3_SDIST)/pywasm3-0.5.0.tar.gz: | $(WASM3_VENV)/.installed
	rm -rf $(W3_SDIST) && mkdir -p $(W3_SDIST)
	$(WASM3_VENV)/bin/pip download -q --disable-pip-version-check --no-deps --no-binary :all: pywasm3==0.5.0 -d $(W3_SDIST)
# (The directory too: its time changes when a patch is removed.)
$(W3_SDIST)/.unpacked: $(W3_SDIST)/pywasm3-0.5.0.tar.gz boards/runtime/wasm3-patches $(W3_PATCHES) | boards-deps
	rm -rf $(W3_SDIST)/pywasm3-0.5.0 $@
	tar -xzf $< -C $(W3_SDIST)
	set -e; for p in $(W3_PATCHES); do patch -s -p1 -N -d $(W3_SDIST)/pywasm3-0.5.0 < $$p; done
	touch $@
# Every wasm3 source and vm_wasm3.c see the project's knobs (one source of truth).
W3_CONFIG := -include boards/runtime/dtls_wasm3_config.h

# ---- QEMU mps2-an386 (Cortex-M4) images: one per backend x module ----
# $(QEMU_OUT)/<backend>-<module>/dtls-qemu.elf (+ .map) for every pair below, linked inside an
# nRF52840 (boards/qemu/nrf52840.ld: 1 MiB flash, 256 KiB RAM); the heap is the RAM the part
# has left (boards/qemu/sections.ld), so wasm3 gets exactly what the part would give it.
# $(QEMU_OUT)/<variant>/dtls-nrf52832.elf: the same objects inside an nRF52832 (64 KiB RAM):
# wasm2c images must link there (the build fails otherwise); a wasm3 image links and then
# says at boot whether its heap suffices (dtls_port_init fails with the reason).
# $(QEMU_OUT)/dtls-qemu.elf is a copy of wasm2c-full (tests/boards.test.ts, the bridge's default).
#
# To add a module <name> (build/dtls-<name>.wasm): append it to QEMU_MODULES. To give one
# variant extra C objects (e.g. a P-256 accelerator), set, above the $(eval) lines below:
#   QEMU_EXTRA_OBJS_<backend>-<module> := $(QEMU_OUT)/accel/p256.o
# (with a rule building them). They must define the hal_p256_* functions of hal.h; a variant
# without extra objects links boards/runtime/hal_p256_none.c (the core's own P-256).
QEMU_BACKENDS := wasm2c wasm3
QEMU_MODULES := full psk full-hw psk-hw
# The -hw modules have no software P-256 or AES: their images link the accelerator (our own
# P-256 and AES, build/accel.wasm translated by wasm2c and compiled with W2C_ARM_CFLAGS, the flags it is
# fastest with) as the board's P-256 and AES engines. Images of the other modules have neither.
# psk-hw needs no P-256: its images take the AES half alone (build/accel-aes.wasm).
QEMU_ACCEL_OBJS = $(QEMU_OUT)/accel/accel.o $(QEMU_OUT)/accel/hal_accel.o $(QEMU_OUT)/common/qemu/aes_accel.o
QEMU_ACCEL_AES_OBJS = $(QEMU_OUT)/accel-aes/accel.o $(QEMU_OUT)/accel-aes/hal_accel.o \
  $(QEMU_OUT)/common/qemu/aes_accel.o $(QEMU_OUT)/common/runtime/hal_p256_none.o
QEMU_EXTRA_OBJS_wasm3-full-hw = $(QEMU_ACCEL_OBJS) $(QEMU_OUT)/accel/wasm_rt_mini.o
QEMU_EXTRA_OBJS_wasm3-psk-hw = $(QEMU_ACCEL_AES_OBJS) $(QEMU_OUT)/accel/wasm_rt_mini.o
QEMU_EXTRA_OBJS_wasm2c-full-hw = $(QEMU_ACCEL_OBJS)
QEMU_EXTRA_OBJS_wasm2c-psk-hw = $(QEMU_ACCEL_AES_OBJS)
QEMU_NO_ACCEL_OBJS = $(QEMU_OUT)/common/runtime/hal_p256_none.o $(QEMU_OUT)/common/qemu/aes_none.o
# X.509 (issue 11): build/dtls-cert-hw.wasm under wasm3 with the accelerator, like full-hw (the
# wasm2c images of full, build/dtls.wasm, have X.509 too).
QEMU_EXTRA_OBJS_wasm3-cert-hw = $(QEMU_ACCEL_OBJS) $(QEMU_OUT)/accel/wasm_rt_mini.o
QEMU_VARIANTS := $(foreach b,$(QEMU_BACKENDS),$(foreach m,$(QEMU_MODULES),$(b)-$(m))) wasm3-cert-hw
QEMU_OUT := $(BOARDS_OUT)/qemu
ARM_CC := arm-none-eabi-gcc
ARM_ARCH := -mcpu=cortex-m4 -mthumb -mfloat-abi=soft
ARM_CFLAGS := $(BOARD_CSTD) $(ARM_ARCH) -Os -g -ffunction-sections -fdata-sections -DNDEBUG \
  $(BOARD_DEFS) $(BOARD_INC) -Iboards/qemu
# wasm2c translations (the module, the accelerator): their own flags, not the firmware's
# -Os: -O2 without the first scheduling pass (-fno-schedule-insns), which at -O2 moves loads
# early and makes GCC spill more of the field multiplications' limbs. Measured on the P-256 of
# build/kat-p256.wasm (`make bench-m4`, keygen + ECDH + sign + verify on the Cortex-M4, issue
# 13, with the compile-time memory bound and call-depth rewrite below): this 5.35 M
# instructions and 28.6 KB of text; -Os with wasm2c's memory helpers forced inline (the
# previous choice: plain -Os calls them out of line) 5.61 M / 27.6 KB; -O2 6.09 M / 29.3 KB;
# -O3 -fno-schedule-insns 5.29 M / 37.0 KB. The full module: 65.8 KB of text, 57.8 KB with the
# forced-inline -Os (flash, not RAM; it was 71.3 KB before the compile-time bound); the
# accelerator 27.2 KB, 26.3 KB so. Since then every translation also carries GCC hints
# (boards/tools/w2c-gcc-hints.mjs: the same pass off by a pragma, the load/store helpers
# inlined) for firmware that compiles it with its own flags: plain -O2 then gives the boards'
# figure too, plain -Os 4-5 % more and 11 KB less text on the full module (boards/README.md "What a translation
# carries for GCC"). The boards keep -fno-schedule-insns here, so they do not depend on the
# pragma (which the GCC manual calls a debugging aid), and keep -O2 for the 5 %.
W2C_ARM_CFLAGS = $(subst -Os,-O2,$(ARM_CFLAGS)) -fno-schedule-insns $(W2C_NOWARN)
# malloc & co. wrapped by boards/qemu/heap.c (heap high-water marks).
ARM_LDFLAGS := $(ARM_ARCH) -nostartfiles --specs=nano.specs -Wl,--gc-sections -Lboards/qemu \
  -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
QEMU_HDR := $(RUNTIME_HDR) $(wildcard boards/qemu/*.h)

# Board and glue objects shared by every variant.
QEMU_COMMON_SRC := boards/qemu/main.c boards/qemu/hal_qemu.c boards/qemu/link.c boards/qemu/uart.c \
  boards/qemu/clock.c boards/qemu/heap.c boards/runtime/dtls_port.c boards/runtime/dtls_names.c \
  boards/runtime/slip.c
QEMU_COMMON_OBJS := $(patsubst boards/%.c,$(QEMU_OUT)/common/%.o,$(QEMU_COMMON_SRC)) $(QEMU_OUT)/common/qemu/startup.o
$(QEMU_OUT)/common/qemu/startup.o: boards/qemu/startup.c $(QEMU_HDR) | boards-deps
	@mkdir -p $(@D)
	$(ARM_CC) $(ARM_CFLAGS) -ffreestanding -fno-tree-loop-distribute-patterns -c $< -o $@
$(QEMU_OUT)/common/%.o: boards/%.c $(QEMU_HDR) | boards-deps
	@mkdir -p $(@D)
	$(ARM_CC) $(ARM_CFLAGS) -c $< -o $@

# The accelerator (boards/runtime/hal_accel.c over build/accel.wasm): its translation with
# W2C_ARM_CFLAGS, the glue at -O2.
$(BOARDS_OUT)/w2c/accel/accel.c: build/accel.wasm boards/tools/memcap.mjs boards/tools/w2c-fixed-memory.mjs boards/tools/w2c-call-depth.mjs boards/tools/w2c-gcc-hints.mjs | boards-deps
	@mkdir -p $(@D)
	wasm2c $< -n accel -o $@
	node boards/tools/w2c-fixed-memory.mjs $@ DTLS_ACCEL_MEMORY_CAP
	node boards/tools/w2c-call-depth.mjs $@ DTLS_ACCEL_MEMORY_CAP
	node boards/tools/w2c-gcc-hints.mjs $@
	node boards/tools/memcap.mjs $< > $(@D)/memcap.txt
ACCEL_CFLAGS = $(subst -Os,-O2,$(ARM_CFLAGS))
$(QEMU_OUT)/accel/accel.o: $(BOARDS_OUT)/w2c/accel/accel.c | boards-deps
	@mkdir -p $(@D)
	$(ARM_CC) $(W2C_ARM_CFLAGS) -DDTLS_ACCEL_MEMORY_CAP=$$(cat $(<D)/memcap.txt) -I$(<D) -c $< -o $@
$(QEMU_OUT)/accel/hal_accel.o: boards/runtime/hal_accel.c $(BOARDS_OUT)/w2c/accel/accel.c $(QEMU_HDR) | boards-deps
	@mkdir -p $(@D)
	$(ARM_CC) $(ACCEL_CFLAGS) -DDTLS_ACCEL_MEMORY_CAP=$$(cat $(BOARDS_OUT)/w2c/accel/memcap.txt) -I$(BOARDS_OUT)/w2c/accel -c $< -o $@
$(BOARDS_OUT)/w2c/accel-aes/accel.c: build/accel-aes.wasm boards/tools/memcap.mjs boards/tools/w2c-fixed-memory.mjs boards/tools/w2c-call-depth.mjs boards/tools/w2c-gcc-hints.mjs | boards-deps
	@mkdir -p $(@D)
	wasm2c $< -n accel -o $@
	node boards/tools/w2c-fixed-memory.mjs $@ DTLS_ACCEL_MEMORY_CAP
	node boards/tools/w2c-call-depth.mjs $@ DTLS_ACCEL_MEMORY_CAP
	node boards/tools/w2c-gcc-hints.mjs $@
	node boards/tools/memcap.mjs $< > $(@D)/memcap.txt
$(QEMU_OUT)/accel-aes/accel.o: $(BOARDS_OUT)/w2c/accel-aes/accel.c | boards-deps
	@mkdir -p $(@D)
	$(ARM_CC) $(W2C_ARM_CFLAGS) -DDTLS_ACCEL_MEMORY_CAP=$$(cat $(<D)/memcap.txt) -I$(<D) -c $< -o $@
$(QEMU_OUT)/accel-aes/hal_accel.o: boards/runtime/hal_accel.c $(BOARDS_OUT)/w2c/accel-aes/accel.c $(QEMU_HDR) | boards-deps
	@mkdir -p $(@D)
	$(ARM_CC) $(ACCEL_CFLAGS) -DDTLS_ACCEL_P256=0 -DDTLS_ACCEL_MEMORY_CAP=$$(cat $(BOARDS_OUT)/w2c/accel-aes/memcap.txt) \
	  -I$(BOARDS_OUT)/w2c/accel-aes -c $< -o $@
# In the wasm3 images the accelerator is the only wasm2c module: its 10 function types.
$(QEMU_OUT)/accel/wasm_rt_mini.o: boards/runtime/wasm_rt_mini.c $(QEMU_HDR) | boards-deps
	@mkdir -p $(@D)
	$(ARM_CC) $(ARM_CFLAGS) -DMINI_MAX_TYPES=16 -c $< -o $@

# wasm2c backend: the module's translation, vm_wasm2c.c and the mini runtime, per module.
# The translation gets its memory cap as a compile-time constant, the bound of every bounds
# check (boards/tools/w2c-fixed-memory.mjs; boards/README.md "wasm2c's memory checks"), and
# the same macro drops wasm2c's call-depth counter from the functions on no cycle of its call
# graph (boards/tools/w2c-call-depth.mjs).
qemu_objs_wasm2c = $(addprefix $(QEMU_OUT)/wasm2c-$(1)/,dtls.o vm_wasm2c.o wasm_rt_mini.o)
$(QEMU_OUT)/wasm2c-%/dtls.o: $(BOARDS_OUT)/w2c/%/dtls.c | boards-deps
	@mkdir -p $(@D)
	$(ARM_CC) $(W2C_ARM_CFLAGS) -DDTLS_MEMORY_CAP=$(call memcap,$*) -I$(<D) -c $< -o $@
$(QEMU_OUT)/wasm2c-%/vm_wasm2c.o: boards/runtime/vm_wasm2c.c $(BOARDS_OUT)/w2c/%/dtls.c $(QEMU_HDR) | boards-deps
	@mkdir -p $(@D)
	$(ARM_CC) $(ARM_CFLAGS) -DDTLS_MEMORY_CAP=$(call memcap,$*) -I$(BOARDS_OUT)/w2c/$* -c $< -o $@
$(QEMU_OUT)/wasm2c-%/wasm_rt_mini.o: boards/runtime/wasm_rt_mini.c $(QEMU_HDR) | boards-deps
	@mkdir -p $(@D)
	$(ARM_CC) $(ARM_CFLAGS) -c $< -o $@

# wasm3 backend: the interpreter (-Os but for boards/runtime/wasm3_cflags.txt, its own
# warnings; the source patched by boards/runtime/wasm3-patches), the module embedded in flash
# (boards/tools/embed.mjs) and vm_wasm3.c, per module.
W3_NAMES := m3_bind m3_code m3_compile m3_core m3_emit m3_env m3_exec m3_function m3_info m3_module m3_parse
W3_CFLAGS := $(ARM_ARCH) -Os -g -ffunction-sections -fdata-sections -DNDEBUG $(W3_CONFIG) -I$(W3_SRC)
# Per-file flags after those (m3_compile.c at -O2): boards/runtime/wasm3_cflags.txt, which
# dtls_runtime.cmake reads too.
W3_FILE_CFLAGS := boards/runtime/wasm3_cflags.txt
w3_file_cflags = $(shell sed -n 's/^$(1)\.c[[:space:]]\{1,\}//p' $(W3_FILE_CFLAGS))
$(QEMU_OUT)/wasm3/%.o: $(W3_SDIST)/.unpacked boards/runtime/dtls_wasm3_config.h $(W3_FILE_CFLAGS) | boards-deps
	@mkdir -p $(@D)
	$(ARM_CC) $(W3_CFLAGS) $(call w3_file_cflags,$*) -c $(W3_SRC)/$*.c -o $@
$(QEMU_OUT)/libwasm3.a: $(W3_NAMES:%=$(QEMU_OUT)/wasm3/%.o)
	rm -f $@ && arm-none-eabi-ar rcs $@ $^
qemu_objs_wasm3 = $(addprefix $(QEMU_OUT)/wasm3-$(1)/,dtls_wasm.o vm_wasm3.o) $(QEMU_OUT)/libwasm3.a
$(QEMU_OUT)/wasm3-full/embed/dtls_wasm.c: $(BOARD_WASM) boards/tools/embed.mjs boards/tools/memcap.mjs
	node boards/tools/embed.mjs $< $(@D) >/dev/null
$(QEMU_OUT)/wasm3-%/embed/dtls_wasm.c: $(BOARD_WASM_DIR)/dtls-%.wasm boards/tools/embed.mjs boards/tools/memcap.mjs
	node boards/tools/embed.mjs $< $(@D) >/dev/null
# Generated sources are kept (make would delete them as intermediates of the pattern chains
# and later pair a stale dtls_wasm.h with a fresh module).
.PRECIOUS: $(QEMU_OUT)/wasm3-%/embed/dtls_wasm.c $(BOARDS_OUT)/w2c/%/dtls.c
$(QEMU_OUT)/wasm3-%/dtls_wasm.o: $(QEMU_OUT)/wasm3-%/embed/dtls_wasm.c | boards-deps
	$(ARM_CC) $(ARM_CFLAGS) -c $< -o $@
$(QEMU_OUT)/wasm3-%/vm_wasm3.o: boards/runtime/vm_wasm3.c $(QEMU_OUT)/wasm3-%/embed/dtls_wasm.c $(QEMU_HDR) \
    boards/runtime/dtls_wasm3_config.h $(W3_SDIST)/.unpacked | boards-deps
	$(ARM_CC) $(ARM_CFLAGS) $(W3_CONFIG) -I$(W3_SRC) -I$(QEMU_OUT)/wasm3-$*/embed -c $< -o $@

# The links of one variant: $(1) backend, $(2) module.
#   dtls-qemu.elf       nRF52840 budget (the image the tests and demos boot)
#   dtls-nrf52832.elf   nRF52832 budget
#   dtls-qemu-heap-N.elf  nRF52840 budget with an N-byte heap (make qemu-heap, tests)
define qemu_variant
QEMU_LINK_$(1)-$(2) := $(QEMU_COMMON_OBJS) $(call qemu_objs_$(1),$(2)) \
  $(or $(QEMU_EXTRA_OBJS_$(1)-$(2)),$(QEMU_NO_ACCEL_OBJS))
$(QEMU_OUT)/$(1)-$(2)/dtls-qemu.elf: $$(QEMU_LINK_$(1)-$(2)) boards/qemu/sections.ld boards/qemu/nrf52840.ld
	$(ARM_CC) $(ARM_LDFLAGS) -T nrf52840.ld -Wl,-Map=$$(@:.elf=.map) $$(filter %.o %.a,$$^) -lc -lgcc -o $$@
$(QEMU_OUT)/$(1)-$(2)/dtls-nrf52832.elf: $$(QEMU_LINK_$(1)-$(2)) boards/qemu/sections.ld boards/qemu/nrf52832.ld
	$(ARM_CC) $(ARM_LDFLAGS) -T nrf52832.ld -Wl,-Map=$$(@:.elf=.map) $$(filter %.o %.a,$$^) -lc -lgcc -o $$@
$(QEMU_OUT)/$(1)-$(2)/dtls-qemu-heap-%.elf: $$(QEMU_LINK_$(1)-$(2)) boards/qemu/sections.ld boards/qemu/nrf52840.ld
	$(ARM_CC) $(ARM_LDFLAGS) -T nrf52840.ld -Wl,--defsym=HEAP_SIZE=$$* $$(filter %.o %.a,$$^) -lc -lgcc -o $$@
endef
$(foreach v,$(QEMU_VARIANTS),$(eval $(call qemu_variant,$(firstword $(subst -, ,$(v))),$(patsubst $(firstword $(subst -, ,$(v)))-%,%,$(v)))))

$(QEMU_OUT)/dtls-qemu.elf: $(QEMU_OUT)/wasm2c-full/dtls-qemu.elf
	cp $< $@ && cp $(<:.elf=.map) $(@:.elf=.map)

QEMU_IMAGES := $(foreach v,$(QEMU_VARIANTS),$(QEMU_OUT)/$(v)/dtls-qemu.elf $(QEMU_OUT)/$(v)/dtls-nrf52832.elf)
qemu: $(QEMU_IMAGES) $(QEMU_OUT)/dtls-qemu.elf
	@arm-none-eabi-size $(foreach v,$(QEMU_VARIANTS),$(QEMU_OUT)/$(v)/dtls-qemu.elf)

# make qemu-heap BACKEND=wasm3 MODULE=psk HEAP_SIZE=N: that image with an N-byte heap.
BACKEND ?= wasm3
MODULE ?= full
CRED ?= psk
qemu-heap: $(QEMU_OUT)/$(BACKEND)-$(MODULE)/dtls-qemu-heap-$(HEAP_SIZE).elf

QEMU_DEMO_PORT ?= 47$(shell echo $$((RANDOM % 900 + 100)))
QEMU_DEMO_PSK ?= 000102030405060708090a0b0c0d0e0f
QEMU_DEMO_ID ?= qemu-device
GNUTLS_PSK_PRIORITY := NONE:+VERS-DTLS1.2:+PSK:+AES-128-CCM-8:+AEAD:+COMP-NULL:+SIGN-ALL:+CTYPE-ALL
GNUTLS_RPK_PRIORITY := NORMAL:-VERS-ALL:+VERS-DTLS1.2:-CIPHER-ALL:+AES-128-CCM-8:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:-GROUP-ALL:+GROUP-SECP256R1:-SIGN-ALL:+SIGN-ECDSA-SHA256:-CTYPE-ALL:+CTYPE-CLI-RAWPK:+CTYPE-SRV-RAWPK
# make qemu-demo [BACKEND=wasm3|wasm2c] [MODULE=full|psk|...] [CRED=psk|rpk] (default wasm3 full
# psk): an echo server on 127.0.0.1 (gnutls-serv --echo, DTLS 1.2, AES-128-CCM-8; PSK, or
# ECDHE-ECDSA with raw public keys and client authentication, fresh P-256 keys), that image
# booted in QEMU (-icount shift=0) behind the SLIP bridge, the CLI's JSON summary on stdout,
# then the board's figures.
qemu-demo: $(QEMU_OUT)/$(BACKEND)-$(MODULE)/dtls-qemu.elf dist/.built | boards-deps
	@set -e; port=$(QEMU_DEMO_PORT); dir=$$(mktemp -d); \
	  case "$(CRED)" in \
	    psk) echo "$(QEMU_DEMO_ID):$(QEMU_DEMO_PSK)" > $$dir/psk.txt; \
	      srv="--pskpasswd $$dir/psk.txt --priority $(GNUTLS_PSK_PRIORITY)"; \
	      cred="--psk-identity $(QEMU_DEMO_ID) --psk $(QEMU_DEMO_PSK)";; \
	    rpk) for k in server client; do \
	        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $$dir/$$k.key 2>/dev/null; \
	        openssl pkey -in $$dir/$$k.key -pubout -out $$dir/$$k.pub; done; \
	      srv="--rawpkkeyfile $$dir/server.key --rawpkfile $$dir/server.pub --require-client-cert --priority $(GNUTLS_RPK_PRIORITY)"; \
	      cred="--rpk --server-key $$dir/server.pub --key $$dir/client.key";; \
	    *) echo "qemu-demo: CRED=psk or CRED=rpk" >&2; exit 2;; \
	  esac; \
	  (timeout 120 gnutls-serv --udp -p $$port --echo $$srv >$$dir/server.log 2>&1 & echo $$! > $$dir/server.pid); \
	  for i in $$(seq 50); do grep -q listening $$dir/server.log 2>/dev/null && break; sleep 0.1; done; \
	  rc=0; SLIP_BRIDGE_BOARD_JSON=$$dir/board.json timeout 150 node dist/host/slip-bridge.js 127.0.0.1:$$port $$cred \
	     --firmware $(QEMU_OUT)/$(BACKEND)-$(MODULE)/dtls-qemu.elf --send "hello from qemu ($(BACKEND), $(MODULE), $(CRED))" \
	     --wait 5000 --json --icount --qemu-timeout 120 || rc=$$?; \
	  [ -s $$dir/board.json ] && node boards/tools/board-line.mjs $$dir/board.json "$(BACKEND)-$(MODULE) $(CRED)" >&2; \
	  kill $$(cat $$dir/server.pid) 2>/dev/null || true; rm -rf $$dir; exit $$rc

qemu-test: qemu dist/.built
	node --test --test-concurrency=1 --test-name-pattern='qemu' dist/tests/boards.test.js
qemu-wasm3-test: qemu dist/.built
	node --test --test-concurrency=1 dist/tests/boards-wasm3.test.js

# ---- sources for the wasm3 ports (boards/esp32, boards/nrf52) ----
# The module (MODULE=full|psk|full-hw|psk-hw, default full: build/dtls.wasm) as C for the board
# projects, and what else they compile: wasm3's pinned source and the accelerator's translations.
# full-hw needs the board's AES to work (nRF52840 ECB, ESP32 AES) and saves about 70 KB of
# wasm3 heap (docs/BENCHMARKS.md, Boards).
BOARD_SOURCES_WASM = $(if $(filter full,$(MODULE)),build/dtls.wasm,build/dtls-$(MODULE).wasm)
board-sources: $(BOARD_SOURCES_WASM) $(W3_SDIST)/.unpacked $(BOARDS_OUT)/w2c/accel/accel.c $(BOARDS_OUT)/w2c/accel-aes/accel.c
	node boards/tools/embed.mjs $(BOARD_SOURCES_WASM) $(BOARDS_OUT)/embed

# ---- CI compile check of every portable file under -Werror, for the host and Cortex-M4 ----
# vm_wasm3.c is checked against the wasm3 headers of the pywasm3 source package (PyPI);
# nothing of wasm3 is built here or committed.
PORTABLE_SRC := boards/runtime/dtls_port.c boards/runtime/dtls_names.c boards/runtime/slip.c \
  boards/runtime/dtls_session.c boards/runtime/wasm_rt_mini.c
board-glue-check: board-sources $(W3_SDIST)/.unpacked | boards-deps
	@for cc in "$(CC)" "$(ARM_CC) $(ARM_ARCH)"; do \
	  for f in $(PORTABLE_SRC); do $$cc $(BOARD_CSTD) $(BOARD_DEFS) $(BOARD_INC) -fsyntax-only $$f || exit 1; done; \
	  $$cc $(BOARD_CSTD) $(BOARD_INC) $(W3_CONFIG) -I$(BOARDS_OUT)/embed -I$(W3_SRC) -fsyntax-only boards/runtime/vm_wasm3.c || exit 1; \
	done; echo "board-glue-check: runtime glue compiles with -Wall -Wextra -Werror (host, Cortex-M4; wasm2c and wasm3 backends)"
	@# dtls_wasm3_config.h: every name a wasm3 0.5.0 option (#ifndef-guarded, so ours wins), d_m3HasFloat 0 once wasm3's headers are read, every wasm3 source compiles with it (Cortex-M4).
	@cfg=boards/runtime/dtls_wasm3_config.h; for m in $$(sed -n 's/^#define \(d_m3[A-Za-z0-9_]*\) .*/\1/p' $$cfg); do \
	  grep -Eq "^ *# *ifndef +$$m *$$" $(W3_SRC)/m3_config.h $(W3_SRC)/m3_config_platforms.h || { echo "$$cfg: $$m is not a wasm3 0.5.0 option"; exit 1; }; done; \
	printf '#include "m3_core.h"\n#if d_m3HasFloat\n#error d_m3HasFloat is not 0\n#endif\n' | $(ARM_CC) $(ARM_ARCH) $(W3_CONFIG) -I$(W3_SRC) -x c -fsyntax-only - || exit 1; \
	for f in $(W3_SRC)/m3_*.c; do $(ARM_CC) $(ARM_ARCH) $(W3_CONFIG) -I$(W3_SRC) -w -fsyntax-only $$f || exit 1; done; \
	echo "board-glue-check: $$cfg holds wasm3 0.5.0 options only; wasm3 compiles with it (Cortex-M4)"

TEST_TARGETS += board-glue-check

# The rewritten checks of the board translations (w2c-fixed-memory.mjs, w2c-call-depth.mjs)
# still trap: a small module translated, rewritten (w2c-gcc-hints.mjs too: its load/store
# helpers inlined) and run natively at -O2 and -Os (tests/w2c-checks/).
W2C_CHECKS_OUT := $(BOARDS_OUT)/w2c-checks
.PHONY: w2c-checks-test
w2c-checks-test: tests/w2c-checks/checks.wat tests/w2c-checks/checks.c boards/runtime/wasm_rt_mini.c \
    boards/tools/w2c-fixed-memory.mjs boards/tools/w2c-call-depth.mjs boards/tools/w2c-gcc-hints.mjs | boards-deps
	@mkdir -p $(W2C_CHECKS_OUT)
	wat2wasm tests/w2c-checks/checks.wat -o $(W2C_CHECKS_OUT)/checks.wasm
	wasm2c $(W2C_CHECKS_OUT)/checks.wasm -n checks -o $(W2C_CHECKS_OUT)/checks.c
	node boards/tools/w2c-fixed-memory.mjs $(W2C_CHECKS_OUT)/checks.c DTLS_MEMORY_CAP
	node boards/tools/w2c-call-depth.mjs $(W2C_CHECKS_OUT)/checks.c DTLS_MEMORY_CAP
	node boards/tools/w2c-gcc-hints.mjs $(W2C_CHECKS_OUT)/checks.c
	grep -q 'w2c-fixed-memory.mjs' $(W2C_CHECKS_OUT)/checks.c && grep -q 'FUNC_PROLOGUE_ACYCLIC;' $(W2C_CHECKS_OUT)/checks.c \
	  && grep -q 'static W2C_ALWAYS_INLINE t3 name' $(W2C_CHECKS_OUT)/checks.c
	for o in O2 Os; do $(CC) $(BOARD_CSTD) -$$o $(BOARD_DEFS) -DDTLS_MEMORY_CAP=1024 $(BOARD_INC) -I$(W2C_CHECKS_OUT) $(W2C_NOWARN) \
	  tests/w2c-checks/checks.c $(W2C_CHECKS_OUT)/checks.c boards/runtime/wasm_rt_mini.c -o $(W2C_CHECKS_OUT)/checks-$$o \
	  && $(W2C_CHECKS_OUT)/checks-$$o || exit 1; done

TEST_TARGETS += w2c-checks-test

# make wasm3-ops-test: the Thumb-2 operations of boards/runtime/wasm3-patches/0002 against
# wasm3's C on random operands, built as the interpreter (W3_CFLAGS and m3_compile.c's flags)
# and run on the emulated Cortex-M4 (tests/wasm3-ops/thumb2_ops.c; exit status = operations
# that differ).
W3_OPS_OUT := $(QEMU_OUT)/wasm3-ops
.PHONY: wasm3-ops-test
$(W3_OPS_OUT)/thumb2_ops.elf: tests/wasm3-ops/thumb2_ops.c $(W3_SDIST)/.unpacked boards/runtime/dtls_wasm3_config.h \
    $(W3_FILE_CFLAGS) $(QEMU_OUT)/common/qemu/startup.o boards/qemu/nrf52840.ld | boards-deps
	@mkdir -p $(@D)
	$(ARM_CC) $(BOARD_CSTD) $(W3_CFLAGS) $(call w3_file_cflags,m3_compile) -c $< -o $(W3_OPS_OUT)/thumb2_ops.o
	$(ARM_CC) $(ARM_ARCH) -nostartfiles --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections -Lboards/qemu \
	  -T nrf52840.ld $(W3_OPS_OUT)/thumb2_ops.o $(QEMU_OUT)/common/qemu/startup.o -o $@
wasm3-ops-test: $(W3_OPS_OUT)/thumb2_ops.elf
	timeout 60 qemu-system-arm -M mps2-an386 -display none -monitor none -serial null \
	  -semihosting-config enable=on,target=native -kernel $< \
	  && echo "wasm3-ops-test: the Thumb-2 operations of 0002-thumb2-hot-ops.patch agree with wasm3's C"

TEST_TARGETS += wasm3-ops-test

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
	@echo; echo "## every image x credential (boards/tools/board-figures.mjs; rows in build/board-figures.json)"
	@node boards/tools/board-figures.mjs --out build/board-figures.json $(QEMU_VARIANTS)
