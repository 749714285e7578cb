# DTLS 1.2 client (RFC 7925 profile): build, test, demo, size.
# Every target installs what it needs (npm ci, apt-get) so a fresh machine works.
SHELL := /bin/bash
.DEFAULT_GOAL := build

ASC := node_modules/.bin/asc
AS_SOURCES := $(shell find assembly -name '*.ts' -not -path '*/__tests__/*')
KAT_SOURCES := $(wildcard assembly/__tests__/kat/kat_*.ts)
KAT_WASMS := $(patsubst assembly/__tests__/kat/kat_%.ts,build/kat-%.wasm,$(KAT_SOURCES))
TS_SOURCES := $(shell find host tests scripts -name '*.ts' 2>/dev/null)

# Extra test steps and build outputs contributed by mk/*.mk (boards, benchmarks).
TEST_TARGETS :=
-include mk/*.mk

.PHONY: build deps npm-deps system-deps test unit-test node-test demo size state-table clean

deps: npm-deps system-deps
npm-deps: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@
system-deps:
	@scripts/install-deps.sh

# Module profiles (asconfig.json): full = PSK + ECDHE-ECDSA with its own P-256 and AES;
# psk = PSK only; full-hw / psk-hw = the same without software AES and P-256, for boards
# whose HAL always provides them (an engine, or build/accel.wasm compiled ahead of time);
# cert-hw = full-hw with X.509 certificates (RFC 7925 s. 4.4; full has them too).
MODULES := build/dtls.wasm build/dtls-psk.wasm build/dtls-full-hw.wasm build/dtls-psk-hw.wasm build/accel.wasm \
  build/accel-aes.wasm build/dtls-cert-hw.wasm

build: $(MODULES) $(KAT_WASMS) dist/.built

build/dtls.wasm: $(AS_SOURCES) asconfig.json | node_modules/.installed
	$(ASC) assembly/index_cert.ts --config asconfig.json --target full

build/dtls-psk.wasm: $(AS_SOURCES) asconfig.json | node_modules/.installed
	$(ASC) assembly/index_psk.ts --config asconfig.json --target psk

build/dtls-full-hw.wasm: $(AS_SOURCES) asconfig.json | node_modules/.installed
	$(ASC) assembly/index.ts --config asconfig.json --target full-hw

build/dtls-psk-hw.wasm: $(AS_SOURCES) asconfig.json | node_modules/.installed
	$(ASC) assembly/index_psk.ts --config asconfig.json --target psk-hw

build/dtls-cert-hw.wasm: $(AS_SOURCES) asconfig.json | node_modules/.installed
	$(ASC) assembly/index_cert.ts --config asconfig.json --target cert-hw

# The board accelerator: our P-256 and AES as a module of their own (assembly/accel/).
build/accel.wasm: $(AS_SOURCES) asconfig.json | node_modules/.installed
	$(ASC) assembly/accel/index.ts --config asconfig.json --target accel
# Its AES half alone, for boards that need only an AES engine (psk-hw images).
build/accel-aes.wasm: $(AS_SOURCES) asconfig.json | node_modules/.installed
	$(ASC) assembly/accel/aes_engine.ts --config asconfig.json --target accel-aes

# Test-only modules exporting crypto primitives for known-answer tests from node:test.
build/kat-%.wasm: assembly/__tests__/kat/kat_%.ts $(AS_SOURCES) | node_modules/.installed
	$(ASC) $< --runtime stub -O3 --noAssert --use abort=assembly/hal/coreAbort \
	  --use ECDHE_ENABLED=1 --use P256_IN_MODULE=1 --use AES_IN_MODULE=1 --use X509_ENABLED=0 --initialMemory 2 --maximumMemory 2 -o $@

dist/.built: $(TS_SOURCES) host/codes.ts tsconfig.json | node_modules/.installed
	node_modules/.bin/tsc -p tsconfig.json
	chmod +x dist/host/cli.js 2>/dev/null || true
	touch $@

test: deps build
	$(MAKE) unit-test node-test $(TEST_TARGETS)
	@echo "make test: all suites passed"

unit-test: | node_modules/.installed
	node_modules/.bin/asp -c as-pect.config.mjs --summary

node-test: build
	node --test --test-concurrency=1 dist/tests/

demo: deps build
	scripts/demo.sh

size: build
	node dist/scripts/size.js

# docs/STATE_TABLE.md from the module's observed behaviour (tests/state-table.test.ts checks it).
state-table: build
	node dist/scripts/state-table.js >/dev/null

clean:
	rm -rf build dist

host/codes.ts boards/hal/dtls_codes.h: assembly/api_codes.ts assembly/errors.ts assembly/protocol.ts scripts/gen-codes.mjs
	node scripts/gen-codes.mjs
