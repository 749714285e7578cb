# `make bench-m4`: instructions per P-256 operation on the emulated Cortex-M4 (QEMU
# mps2-an386), counted by a TCG plugin of ours (scripts/bench/m4/icount-plugin.c). The
# firmware (scripts/bench/m4/p256_m4.c + boards/qemu/startup.c, nrf52840.ld) runs the wasm2c
# translation of build/kat-p256.wasm with the board's mini runtime, built at -O2 and
# at -Os (firmware's usual level); everything else as ARM_CFLAGS in mk/boards.mk. At -Os the
# translated module gets the boards' own flags for wasm2c translations (W2C_ARM_CFLAGS: -O2
# -fno-schedule-insns), as in the board images; column "plain -Os" compiles it at -Os too. The
# translation is the one the boards ship, GCC hints included (boards/tools/w2c-gcc-hints.mjs):
# plain -O2 and -Os are what a firmware's own build of it gives. A further build runs
# build/kat-p256.wasm in wasm3 (the board images' interpreter: libwasm3.a, patched and built as
# mk/boards.mk says) with the same driver. Each figure
# = count(run doing the operation once) - count(same run doing it zero times), both after
# kat_bench_setup() (the warm-up). Writes the section "Cortex-M4" of docs/BENCHMARKS.md.
# Part of `make bench` (a prerequisite, so it runs first), not of `make test`. Needs arm-none-eabi-gcc, newlib and qemu-system-arm (boards-deps).
# (Named m4bench.mk so that it is read after boards.mk and bench.mk, whose variables it uses.)
.PHONY: bench-m4

M4_OUT := $(BENCH_OUT)/m4
M4_LEVELS := O2 Os
M4_PLUGIN := $(M4_OUT)/libicount.so

$(M4_PLUGIN): scripts/bench/m4/icount-plugin.c scripts/bench/m4/qemu-plugin-min.h
	@mkdir -p $(@D)
	$(CC) -std=c99 -Wall -Wextra -Werror -O2 -shared -fPIC $< -o $@

# The module's linear memory (p256_m4.c's buffer), a compile-time constant of the translation
# as in the board images (boards/tools/w2c-fixed-memory.mjs): bounds checks against it.
M4_KAT_MEMORY := 131072
# $(1) = O2 | Os: the module, the runtime and the firmware at that level; the reset code is
# the boards' own object.
define m4_level
$(M4_OUT)/$(1)/kat_p256.o: $(BENCH_OUT)/kat_p256.c | boards-deps
	@mkdir -p $$(@D)
	$(ARM_CC) $(if $(filter Os,$(1)),$(W2C_ARM_CFLAGS),$(subst -Os,-$(1),$(ARM_CFLAGS)) $(W2C_NOWARN)) -DKATP256_MEMORY_CAP=$(M4_KAT_MEMORY) -I$(BENCH_OUT) -c $$< -o $$@
$(M4_OUT)/$(1)/wasm_rt_mini.o: boards/runtime/wasm_rt_mini.c $(QEMU_HDR) | boards-deps
	@mkdir -p $$(@D)
	$(ARM_CC) $(subst -Os,-$(1),$(ARM_CFLAGS)) -c $$< -o $$@
$(M4_OUT)/$(1)/p256_m4.o: scripts/bench/m4/p256_m4.c $(BENCH_OUT)/kat_p256.c $(QEMU_HDR) | boards-deps
	@mkdir -p $$(@D)
	$(ARM_CC) $(subst -Os,-$(1),$(ARM_CFLAGS)) -DKATP256_MEMORY_CAP=$(M4_KAT_MEMORY) -I$(BENCH_OUT) -c $$< -o $$@
$(M4_OUT)/$(1)/p256-m4.elf: $(M4_OUT)/$(1)/p256_m4.o $(M4_OUT)/$(1)/kat_p256.o $(M4_OUT)/$(1)/wasm_rt_mini.o \
    $(QEMU_OUT)/common/qemu/startup.o boards/qemu/nrf52840.ld boards/qemu/sections.ld
	$(ARM_CC) $(ARM_ARCH) -nostartfiles --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections \
	  -Lboards/qemu -T nrf52840.ld $$(filter %.o,$$^) -o $$@
endef
$(foreach l,$(M4_LEVELS),$(eval $(call m4_level,$(l))))
# Column "plain -Os": a firmware that compiles our translated file with its own -Os as well
# (what it carries for GCC, boards/tools/w2c-gcc-hints.mjs, is all it gets): the -Os
# firmware's objects, the translation at -Os.
$(M4_OUT)/Os-plain/kat_p256.o: $(BENCH_OUT)/kat_p256.c | boards-deps
	@mkdir -p $(@D)
	$(ARM_CC) $(ARM_CFLAGS) $(W2C_NOWARN) -DKATP256_MEMORY_CAP=$(M4_KAT_MEMORY) -I$(BENCH_OUT) -c $< -o $@
$(M4_OUT)/Os-plain/p256-m4.elf: $(M4_OUT)/Os/p256_m4.o $(M4_OUT)/Os-plain/kat_p256.o $(M4_OUT)/Os/wasm_rt_mini.o \
    $(QEMU_OUT)/common/qemu/startup.o boards/qemu/nrf52840.ld boards/qemu/sections.ld
	$(ARM_CC) $(ARM_ARCH) -nostartfiles --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections \
	  -Lboards/qemu -T nrf52840.ld $(filter %.o,$^) -o $@

# The same driver over wasm3 (the boards' libwasm3.a and knobs): build/kat-p256.wasm embedded
# as a C array, the heap the linker region of the board images (boards/qemu/heap.c).
M4_W3 := $(M4_OUT)/wasm3
$(M4_W3)/kat_p256_wasm.h: build/kat-p256.wasm
	@mkdir -p $(@D)
	python3 -c 'import sys; b = open(sys.argv[1], "rb").read(); print("/* Generated from build/kat-p256.wasm by mk/m4bench.mk. */\n#define KAT_P256_WASM_SIZE %du\nstatic const unsigned char kat_p256_wasm[] = {%s};" % (len(b), ",".join(str(x) for x in b)))' $< > $@
$(M4_W3)/p256_m4.o: scripts/bench/m4/p256_m4.c $(M4_W3)/kat_p256_wasm.h $(W3_SDIST)/.unpacked $(QEMU_HDR) | boards-deps
	$(ARM_CC) $(ARM_CFLAGS) $(W3_CONFIG) -I$(W3_SRC) -I$(M4_W3) -DP256_M4_WASM3 -c $< -o $@
$(M4_W3)/p256-m4.elf: $(M4_W3)/p256_m4.o $(QEMU_OUT)/libwasm3.a $(QEMU_OUT)/common/qemu/startup.o \
    $(QEMU_OUT)/common/qemu/heap.o boards/qemu/nrf52840.ld boards/qemu/sections.ld
	$(ARM_CC) $(ARM_LDFLAGS) --specs=nosys.specs -T nrf52840.ld $(filter %.o %.a,$^) -o $@

# An independent native P-256 beside ours: Mbed TLS 2.28.3 from Debian bookworm's source
# package (the .orig tarball from the Debian mirror, checked against the sha256 of its signed
# .dsc; nothing of it is committed), with scripts/bench/m4/mbedtls_config.h (secp256r1 ECDH
# and ECDSA, its UMAAL assembly and NIST reduction), at -O2, and the same driver
# (-DP256_M4_MBEDTLS, scripts/bench/m4/mbedtls_p256.c).
MBEDTLS_VERSION := 2.28.3
MBEDTLS_SHA256 := 3b4953aa55a681e084d31892d9904cc5328d6b4958ea57b90ae4b4f94ae69a8d
MBEDTLS_URL := http://deb.debian.org/debian/pool/main/m/mbedtls/mbedtls_$(MBEDTLS_VERSION).orig.tar.gz
M4_MBED := $(M4_OUT)/mbedtls
MBEDTLS_SRC := $(M4_MBED)/src
$(M4_MBED)/.unpacked:
	@mkdir -p $(@D)
	curl -sSfL --retry 2 --max-time 300 $(MBEDTLS_URL) -o $(M4_MBED)/mbedtls.orig.tar.gz
	echo "$(MBEDTLS_SHA256)  $(M4_MBED)/mbedtls.orig.tar.gz" | sha256sum -c --quiet
	rm -rf $(MBEDTLS_SRC) && mkdir -p $(MBEDTLS_SRC)
	tar -xzf $(M4_MBED)/mbedtls.orig.tar.gz -C $(MBEDTLS_SRC) --strip-components=1
	touch $@
MBEDTLS_NAMES := bignum ecp ecp_curves ecdh ecdsa hmac_drbg md sha256 asn1parse asn1write platform_util constant_time
MBEDTLS_CFLAGS := $(ARM_ARCH) -O2 -ffunction-sections -fdata-sections -DNDEBUG \
  '-DMBEDTLS_CONFIG_FILE="mbedtls_config.h"' -Iscripts/bench/m4 -I$(MBEDTLS_SRC)/include
$(M4_MBED)/lib/%.o: $(M4_MBED)/.unpacked scripts/bench/m4/mbedtls_config.h | boards-deps
	@mkdir -p $(@D)
	$(ARM_CC) $(MBEDTLS_CFLAGS) -c $(MBEDTLS_SRC)/library/$*.c -o $@
$(M4_MBED)/mbedtls_p256.o: scripts/bench/m4/mbedtls_p256.c $(M4_MBED)/.unpacked scripts/bench/m4/mbedtls_config.h | boards-deps
	$(ARM_CC) $(BOARD_CSTD) $(MBEDTLS_CFLAGS) -c $< -o $@
$(M4_MBED)/p256_m4.o: scripts/bench/m4/p256_m4.c $(QEMU_HDR) | boards-deps
	@mkdir -p $(@D)
	$(ARM_CC) $(subst -Os,-O2,$(ARM_CFLAGS)) -DP256_M4_MBEDTLS -c $< -o $@
$(M4_MBED)/p256-m4.elf: $(M4_MBED)/p256_m4.o $(M4_MBED)/mbedtls_p256.o $(MBEDTLS_NAMES:%=$(M4_MBED)/lib/%.o) \
    $(QEMU_OUT)/common/qemu/startup.o $(QEMU_OUT)/common/qemu/heap.o boards/qemu/nrf52840.ld boards/qemu/sections.ld
	$(ARM_CC) $(ARM_LDFLAGS) --specs=nosys.specs -T nrf52840.ld $(filter %.o,$^) -o $@

bench: bench-m4
M4_ELFS := $(foreach l,$(M4_LEVELS),$(M4_OUT)/$(l)/p256-m4.elf) $(M4_OUT)/Os-plain/p256-m4.elf $(M4_W3)/p256-m4.elf \
  $(M4_MBED)/p256-m4.elf
bench-m4: build/kat-p256.wasm $(M4_PLUGIN) $(M4_ELFS) | boards-deps bench-deps
	python3 scripts/bench/m4/run.py --doc docs/BENCHMARKS.md --plugin $(M4_PLUGIN) \
	  $(foreach l,$(M4_LEVELS),--elf $(l)=$(M4_OUT)/$(l)/p256-m4.elf) --elf "plain -Os=$(M4_OUT)/Os-plain/p256-m4.elf" \
	  --elf wasm3=$(M4_W3)/p256-m4.elf \
	  --elf "Mbed TLS $(MBEDTLS_VERSION) -O2=$(M4_MBED)/p256-m4.elf"

# `make bench-m4-profile OP=ECDH LEVEL=O2`: where that operation's instructions go, per
# function of the firmware (scripts/bench/m4/profile.py); prints only, writes no file.
.PHONY: bench-m4-profile
OP ?= ECDH
LEVEL ?= O2
bench-m4-profile: $(M4_PLUGIN) $(M4_OUT)/$(LEVEL)/p256-m4.elf | boards-deps
	python3 scripts/bench/m4/profile.py --plugin $(M4_PLUGIN) --elf $(M4_OUT)/$(LEVEL)/p256-m4.elf --op $(OP)
