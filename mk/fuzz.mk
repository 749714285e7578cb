# Coverage-guided fuzzing (libFuzzer, clang from Debian) of the wasm2c translation of the
# core under ASan/UBSan. Included by the Makefile. See docs/FUZZING.md.
#
#   make fuzz [SECONDS=60]  every target for SECONDS each: executions, exec/s, coverage
#   make fuzz-check          recorded seeds replay to CONNECTED, regressions pass, and a short
#                            fixed-count, fixed-seed pass per target (part of `make test`)
#   make fuzz-corpus         re-records the client and session seeds against openssl s_server,
#                            gnutls-serv and the pion server (tests/interop/pion)
#   make fuzz-build          only the binaries (build/fuzz/)
#   make fuzz-coverage       which core functions and lines the client corpora (committed
#                            seeds and what `make fuzz` added) execute (llvm-cov)
#
# Targets: client (the datagram entry point, PSK and ECDHE-ECDSA raw-public-key inputs),
# der (ecdsaSigFromDer), point (spkiPoint and p256ValidatePublic), session (dtls_session_import
# of a stored blob, then dtls_connect), x509 (the certificate validator, assembly/x509/).

.PHONY: fuzz fuzz-check fuzz-build fuzz-corpus fuzz-deps fuzz-replay fuzz-regressions fuzz-coverage

FUZZ_OUT ?= build/fuzz
# The client module under test (its .wat beside it names the functions).
FUZZ_WASM ?= build/dtls.wasm
FUZZ_CC := clang
SECONDS ?= 60
# A fixed-count pass: the corpus, then this many runs in all, from a fixed seed.
FUZZ_CHECK_RUNS_CLIENT ?= 4000
FUZZ_CHECK_RUNS_PARSERS ?= 20000
# Longest inputs: client ops, a DER signature (the reader takes at most 72), a mode byte + SPKI.
FUZZ_MAX_LEN_client := 16384
FUZZ_MAX_LEN_der := 100
FUZZ_MAX_LEN_point := 160
# A mode byte and a certificate (CERT_MAX is 1024; longer ones are refused unread).
FUZZ_MAX_LEN_x509 := 1100
# A session blob is at most 141 + 512 (ticket) bytes.
FUZZ_MAX_LEN_session := 1024
FUZZ_CHECK_RUNS_SESSION ?= 20000
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := -std=c99 -Wall -Wextra -Werror -g -O2 -fno-omit-frame-pointer $(BOARD_DEFS) \
  -Iboards/hal -Iboards/runtime -I$(WASM2C_INC) -Ifuzz/src
# The translated modules and the board glue carry libFuzzer's coverage instrumentation (so
# cov/ft count the core and the glue only); the harness (fuzz/src) has the sanitizers
# alone. The replay program links the same objects without libFuzzer (the sanitizer
# runtime has the coverage hooks as no-ops).
FUZZ_OBJ_FLAGS := -fsanitize=fuzzer-no-link $(FUZZ_SAN)
# Traps abort where they happen (fuzz/src/trap_abort.c) instead of unwinding.
FUZZ_LINK_WRAP := -Wl,--wrap=wasm_rt_trap
FUZZ_RUNTIME := boards/runtime/dtls_port.c boards/runtime/vm_wasm2c.c \
  boards/runtime/wasm_rt_mini.c boards/runtime/hal_p256_none.c fuzz/src/hal_fuzz.c fuzz/src/trap_abort.c fuzz/src/shadow.c \
  fuzz/src/p256_openssl.c
FUZZ_HDR := $(wildcard fuzz/src/*.h boards/hal/*.h boards/runtime/*.h)
FUZZ_CLIENT_CORPORA := client-psk client-rpk
FUZZ_PARSER_TARGETS := der point x509
# Targets run on the client module (build/dtls.wasm) but not on ops: their reproducers run
# with the libFuzzer binary like the parsers'.
FUZZ_MODULE_TARGETS := session

# clang and its libFuzzer runtime (Debian: clang, libclang-rt-<version>-dev).
fuzz-deps: | boards-deps
	@need=""; command -v $(FUZZ_CC) >/dev/null || need="clang"; \
	  if [ -n "$$need" ]; then echo "fuzz-deps: apt-get install $$need"; \
	    SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$need >/dev/null; fi; \
	  lib="$$($(FUZZ_CC) -print-resource-dir)/lib/linux/libclang_rt.fuzzer-$$(uname -m).a"; \
	  if [ ! -f "$$lib" ]; then pkg="libclang-rt-$$($(FUZZ_CC) -dumpversion | cut -d. -f1)-dev"; \
	    echo "fuzz-deps: apt-get install $$pkg"; \
	    SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$pkg >/dev/null; fi

# ---- the client module: build/dtls.wasm with function names, translated by wasm2c ----
$(FUZZ_OUT)/dtls-named.wasm: $(FUZZ_WASM) fuzz/add-names.mjs
	@mkdir -p $(@D)
	node fuzz/add-names.mjs $(FUZZ_WASM) $(FUZZ_WASM:.wasm=.wat) $@
$(FUZZ_OUT)/w2c/dtls.c: $(FUZZ_OUT)/dtls-named.wasm boards/tools/memcap.mjs | boards-deps
	@mkdir -p $(@D)
	wasm2c $< -n dtls -o $@
	node boards/tools/memcap.mjs $< > $(@D)/memcap.txt

$(FUZZ_OUT)/obj/dtls.o: $(FUZZ_OUT)/w2c/dtls.c | fuzz-deps
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_OBJ_FLAGS) $(W2C_NOWARN) -I$(<D) -c $< -o $@
$(FUZZ_OUT)/obj/%.o: %.c $(FUZZ_HDR) $(FUZZ_OUT)/w2c/dtls.c $(FUZZ_OUT)/w2c-parsers/parsers.c | fuzz-deps
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_OBJ_FLAGS) -DDTLS_MEMORY_CAP=$$(cat $(FUZZ_OUT)/w2c/memcap.txt) \
	  -I$(FUZZ_OUT)/w2c -I$(FUZZ_OUT)/w2c-parsers -c $< -o $@

$(FUZZ_OUT)/obj/fuzz/src/%.o: fuzz/src/%.c $(FUZZ_HDR) $(FUZZ_OUT)/w2c/dtls.c $(FUZZ_OUT)/w2c-parsers/parsers.c | fuzz-deps
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -I$(FUZZ_OUT)/w2c -I$(FUZZ_OUT)/w2c-parsers -c $< -o $@

FUZZ_CLIENT_OBJS := $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(FUZZ_RUNTIME) fuzz/src/client_run.c) $(FUZZ_OUT)/obj/dtls.o

$(FUZZ_OUT)/fuzz-client: $(FUZZ_CLIENT_OBJS) $(FUZZ_OUT)/obj/fuzz/src/fuzz_client.o $(FUZZ_OUT)/obj/fuzz/src/client_mutator.o
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) $(FUZZ_LINK_WRAP) $^ -lcrypto -o $@
$(FUZZ_OUT)/fuzz-session: $(FUZZ_CLIENT_OBJS) $(FUZZ_OUT)/obj/fuzz/src/fuzz_session.o
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) $(FUZZ_LINK_WRAP) $^ -lcrypto -o $@
$(FUZZ_OUT)/replay-client: $(FUZZ_CLIENT_OBJS) $(FUZZ_OUT)/obj/fuzz/src/replay_client.o
	$(FUZZ_CC) $(FUZZ_SAN) $(FUZZ_LINK_WRAP) $^ -lcrypto -o $@

# ---- the parser module: fuzz-only wrappers (assembly/__tests__/kat/fuzz_parsers.ts) ----
$(FUZZ_OUT)/fuzz-parsers.wasm: assembly/__tests__/kat/fuzz_parsers.ts $(AS_SOURCES) | node_modules/.installed
	@mkdir -p $(@D)
	$(ASC) $< --runtime stub -O3 --noAssert --use abort=assembly/hal/coreAbort --use ECDHE_ENABLED=1 --use P256_IN_MODULE=1 --use AES_IN_MODULE=1 --use X509_ENABLED=1 \
	  --initialMemory 1 --maximumMemory 1 -o $@ -t $(@:.wasm=.wat)
$(FUZZ_OUT)/fuzz-parsers-named.wasm: $(FUZZ_OUT)/fuzz-parsers.wasm fuzz/add-names.mjs
	node fuzz/add-names.mjs $< $(<:.wasm=.wat) $@
$(FUZZ_OUT)/w2c-parsers/parsers.c: $(FUZZ_OUT)/fuzz-parsers-named.wasm | boards-deps
	@mkdir -p $(@D)
	wasm2c $< -n parsers -o $@
$(FUZZ_OUT)/obj/parsers.o: $(FUZZ_OUT)/w2c-parsers/parsers.c | fuzz-deps
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_OBJ_FLAGS) $(W2C_NOWARN) -I$(<D) -c $< -o $@

# The objects stay (make would delete these intermediates of the fuzz-% pattern rule).
.PRECIOUS: $(FUZZ_OUT)/obj/%.o
FUZZ_PARSER_OBJS := $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,boards/runtime/wasm_rt_mini.c fuzz/src/trap_abort.c \
  fuzz/src/parsers_vm.c fuzz/src/p256_openssl.c) $(FUZZ_OUT)/obj/parsers.o
$(FUZZ_OUT)/fuzz-%: $(FUZZ_OUT)/obj/fuzz/src/fuzz_%.o $(FUZZ_PARSER_OBJS)
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) $(FUZZ_LINK_WRAP) $^ -lcrypto -o $@

fuzz-build: $(FUZZ_OUT)/fuzz-client $(FUZZ_OUT)/replay-client $(foreach t,$(FUZZ_PARSER_TARGETS) $(FUZZ_MODULE_TARGETS),$(FUZZ_OUT)/fuzz-$(t))

# ---- seeds: real handshakes recorded against real servers (fuzz/record-seeds.mjs) ----
# Recorded into build/ first: the committed seeds are replaced only when every one was made.
# Each recorded seed also comes "-sealed": its server records of epoch 1 as SEAL ops.
fuzz-corpus: build/dtls.wasm $(FUZZ_OUT)/replay-client build/interop/pion-echo-server | fuzz-deps system-deps
	rm -rf $(FUZZ_OUT)/new-corpus
	timeout 300 node fuzz/record-seeds.mjs build/dtls.wasm $(FUZZ_OUT)/new-corpus
	set -e; for f in $(FUZZ_OUT)/new-corpus/client-*/*.bin; do \
	  $(FUZZ_OUT)/replay-client --sealed $$f $${f%.bin}-sealed.bin >/dev/null; done
	for c in $(FUZZ_CLIENT_CORPORA) session; do rm -rf fuzz/corpus/$$c && cp -r $(FUZZ_OUT)/new-corpus/$$c fuzz/corpus/$$c; done
	$(MAKE) fuzz-replay

fuzz-replay: $(FUZZ_OUT)/replay-client
	$(FUZZ_OUT)/replay-client --expect-connected $(foreach c,$(FUZZ_CLIENT_CORPORA),fuzz/corpus/$(c)/*)

# Every committed reproducer (fuzz/regressions/<target>/*.bin) must run clean: fixed
# findings stay fixed.
fuzz-regressions: fuzz-build
	@set -e; n=0; for f in $$(ls fuzz/regressions/client/*.bin 2>/dev/null); do \
	  $(FUZZ_OUT)/replay-client $$f >/dev/null || { echo "fuzz-regressions: $$f fails"; exit 1; }; n=$$((n+1)); done; \
	  for t in $(FUZZ_PARSER_TARGETS) $(FUZZ_MODULE_TARGETS); do for f in $$(ls fuzz/regressions/$$t/*.bin 2>/dev/null); do \
	  $(FUZZ_OUT)/fuzz-$$t $$f >/dev/null 2>&1 || { echo "fuzz-regressions: $$f fails"; exit 1; }; n=$$((n+1)); done; done; \
	  echo "fuzz-regressions: $$n reproducers run clean"

# ---- running the targets ----
# $(1) run name, $(2) target (client, der, point), $(3) corpus dirs, $(4) extra libFuzzer flags
define fuzz_run
	@$(if $(findstring check-,$(1)),rm -rf $(FUZZ_OUT)/work/$(1);) mkdir -p $(FUZZ_OUT)/work/$(1) $(FUZZ_OUT)/artifacts/$(1)
	@echo "== fuzz $(1): $(FUZZ_OUT)/fuzz-$(2) $(3) $(4)"
	@set -o pipefail; $(FUZZ_OUT)/fuzz-$(2) $(FUZZ_OUT)/work/$(1) $(3) -max_len=$(FUZZ_MAX_LEN_$(2)) -print_final_stats=1 \
	  -artifact_prefix=$(FUZZ_OUT)/artifacts/$(1)/ $(4) 2>&1 | tee $(FUZZ_OUT)/$(1).log | \
	  grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^Done |stat::(number_of_executed_units|average_exec_per_sec)|ERROR|==fuzz==|SUMMARY' ; \
	  rc=$${PIPESTATUS[0]}; [ $$rc -eq 0 ] || { echo "fuzz $(1): FAILED (rc $$rc), log $(FUZZ_OUT)/$(1).log"; exit 1; }
endef

fuzz: fuzz-build
	$(call fuzz_run,client-psk,client,fuzz/corpus/client-psk,-max_total_time=$(SECONDS))
	$(call fuzz_run,client-rpk,client,fuzz/corpus/client-rpk,-max_total_time=$(SECONDS))
	$(call fuzz_run,der,der,fuzz/corpus/der,-max_total_time=$(SECONDS))
	$(call fuzz_run,point,point,fuzz/corpus/point,-max_total_time=$(SECONDS))
	$(call fuzz_run,x509,x509,fuzz/corpus/x509,-max_total_time=$(SECONDS))
	$(call fuzz_run,session,session,fuzz/corpus/session,-max_total_time=$(SECONDS))
	@echo "make fuzz: every target ran $(SECONDS) s without a finding"

fuzz-check: fuzz-replay fuzz-regressions
	$(call fuzz_run,check-client-psk,client,fuzz/corpus/client-psk,-runs=$(FUZZ_CHECK_RUNS_CLIENT) -seed=1)
	$(call fuzz_run,check-client-rpk,client,fuzz/corpus/client-rpk,-runs=$(FUZZ_CHECK_RUNS_CLIENT) -seed=1)
	$(call fuzz_run,check-der,der,fuzz/corpus/der,-runs=$(FUZZ_CHECK_RUNS_PARSERS) -seed=1)
	$(call fuzz_run,check-point,point,fuzz/corpus/point,-runs=$(FUZZ_CHECK_RUNS_PARSERS) -seed=1)
	$(call fuzz_run,check-x509,x509,fuzz/corpus/x509,-runs=$(FUZZ_CHECK_RUNS_PARSERS) -seed=1)
	$(call fuzz_run,check-session,session,fuzz/corpus/session,-runs=$(FUZZ_CHECK_RUNS_SESSION) -seed=1)
	@echo "fuzz-check: seeds replay to CONNECTED; fixed-count passes found nothing"

TEST_TARGETS += fuzz-check

# ---- source coverage of the translated module by the client corpora (llvm-cov) ----
FUZZ_COV := $(FUZZ_OUT)/coverage
FUZZ_COV_FLAGS := -std=c99 -O1 -fprofile-instr-generate -fcoverage-mapping $(BOARD_DEFS) \
  -Iboards/hal -Iboards/runtime -I$(WASM2C_INC) -Ifuzz/src -I$(FUZZ_OUT)/w2c
$(FUZZ_COV)/replay-client: $(FUZZ_RUNTIME) fuzz/src/client_run.c fuzz/src/replay_client.c $(FUZZ_OUT)/w2c/dtls.c $(FUZZ_HDR) | fuzz-deps
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_COV_FLAGS) $(W2C_NOWARN) -DDTLS_MEMORY_CAP=$$(cat $(FUZZ_OUT)/w2c/memcap.txt) \
	  -Wl,--wrap=wasm_rt_trap $(FUZZ_RUNTIME) fuzz/src/client_run.c fuzz/src/replay_client.c $(FUZZ_OUT)/w2c/dtls.c -lcrypto -o $@

fuzz-coverage: $(FUZZ_COV)/replay-client
	@ver=$$($(FUZZ_CC) -dumpversion | cut -d. -f1); \
	  prof=$$(command -v llvm-profdata || command -v llvm-profdata-$$ver); cov=$$(command -v llvm-cov || command -v llvm-cov-$$ver); \
	  [ -n "$$prof" ] && [ -n "$$cov" ] || { echo "fuzz-coverage: needs llvm-profdata and llvm-cov (apt-get install llvm)"; exit 1; }; \
	  rm -f $(FUZZ_COV)/*.profraw; \
	  find fuzz/corpus/client-* $(wildcard $(FUZZ_OUT)/work/client-*) -type f | \
	    LLVM_PROFILE_FILE=$(FUZZ_COV)/run-%p.profraw xargs -n 200 $(FUZZ_COV)/replay-client >/dev/null; \
	  $$prof merge -o $(FUZZ_COV)/all.profdata $(FUZZ_COV)/*.profraw; \
	  $$cov report $(FUZZ_COV)/replay-client -instr-profile=$(FUZZ_COV)/all.profdata $(FUZZ_OUT)/w2c/dtls.c \
	    -show-functions > $(FUZZ_COV)/functions.txt; \
	  echo "inputs: $$(find fuzz/corpus/client-* $(wildcard $(FUZZ_OUT)/work/client-*) -type f | wc -l)"; \
	  $$cov report $(FUZZ_COV)/replay-client -instr-profile=$(FUZZ_COV)/all.profdata $(FUZZ_OUT)/w2c/dtls.c | tail -1 | \
	    awk '{print "translated module (w2c/dtls.c): regions " $$2-$$3 "/" $$2 ", functions " $$5-$$6 "/" $$5 ", lines " $$8-$$9 "/" $$8 ", branches " $$11-$$12 "/" $$11}'; \
	  grep '^dtls.c:w2c_' $(FUZZ_COV)/functions.txt | awk '{r+=$$2; rm+=$$3; l+=$$5; lm+=$$6; b+=$$8; bm+=$$9} END { \
	    printf "the core'"'"'s %d wasm functions: regions %d/%d, lines %d/%d, branches %d/%d (each function has a never-taken call-depth trap branch)\n", \
	    NR, r-rm, r, l-lm, l, b-bm, b}'; \
	  echo "core functions never executed: $$(grep -E '^dtls.c:w2c_assembly' $(FUZZ_COV)/functions.txt | awk '$$3 == $$2' | wc -l)"; \
	  echo "core functions with the most lines never executed (missed/lines):"; \
	  grep -E '^dtls.c:w2c_assembly' $(FUZZ_COV)/functions.txt | awk '$$6 > 0 {print $$6 "/" $$5 "  " $$1}' | \
	    sed 's/dtls.c:w2c_assembly_//' | sort -t/ -k1 -n -r | head -15 | sed 's/^/  /'; \
	  echo "(per function: $(FUZZ_COV)/functions.txt)"
