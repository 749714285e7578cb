# More real DTLS 1.2 servers for the interop tests, each a small echo server of our own on an
# independent stack, built from the package registries (included by the Makefile):
#   Eclipse Californium Scandium  tests/interop/scandium  Java; jars from Maven Central
#   pion/dtls                     tests/interop/pion      Go; modules from the Go module proxy
#   tinydtls                      tests/interop/tinydtls  Python; PyPI's DTLSSocket wraps tinydtls,
#                                                         built from source by pip in a venv
# Their tests (tests/interop-{scandium,pion,tinydtls}.test.ts) are node:test files in
# dist/tests/, so `make node-test` runs them with the rest: node-test depends on
# interop-servers here so that the servers exist first.
#
#   make interop-servers    build the three servers (in parallel) under build/interop/
#   make interop-more-test  build them and run only their tests
#
# Installs what is missing through scripts/install-deps.sh (interop-deps below).
# Caches: ~/.m2 (Maven), the Go module and build caches, pip's cache.
.PHONY: interop-servers interop-more-test interop-deps

INTEROP_OUT := build/interop
SCANDIUM_SRC := tests/interop/scandium
SCANDIUM_OUT := $(INTEROP_OUT)/scandium
SCANDIUM_LIB := $(SCANDIUM_OUT)/lib/.copied
SCANDIUM_CLASSES := $(SCANDIUM_OUT)/classes/.compiled
PION_SRC := tests/interop/pion
PION_BIN := $(INTEROP_OUT)/pion-echo-server
TINYDTLS_VENV := $(INTEROP_OUT)/venv-tinydtls
TINYDTLS_STAMP := $(TINYDTLS_VENV)/.installed
# DTLSSocket 0.2.3 is an sdist: it is compiled here with these build tools, pinned.
TINYDTLS_BUILD_TOOLS := Cython==3.3.1 wheel==0.45.1
INTEROP_TESTS := $(addprefix dist/tests/interop-,scandium.test.js pion.test.js tinydtls.test.js)

# javac, mvn, go, autoreconf (scripts/apt-packages.txt), and the Python venv module and
# headers for pip's build of DTLSSocket, all checked by install-deps.sh. Debian's golang-go
# is older than go.mod asks: the Go already on the machine (1.26 on this kind) is the one used.
interop-deps:
	@scripts/install-deps.sh

# ---- Scandium: the jars (offline when ~/.m2 has them), then javac ----
$(SCANDIUM_LIB): $(SCANDIUM_SRC)/pom.xml | interop-deps
	rm -rf $(@D) && mkdir -p $(@D)
	mvn -B -q -Dstyle.color=never -o -f $< dependency:copy-dependencies -DoutputDirectory=$(abspath $(@D)) >/dev/null 2>&1 \
	  || mvn -B -q -Dstyle.color=never -f $< dependency:copy-dependencies -DoutputDirectory=$(abspath $(@D))
	touch $@
$(SCANDIUM_CLASSES): $(wildcard $(SCANDIUM_SRC)/*.java) $(SCANDIUM_LIB)
	rm -rf $(@D) && mkdir -p $(@D)
	javac -Xlint:all -Werror -cp '$(SCANDIUM_OUT)/lib/*' -d $(@D) $(SCANDIUM_SRC)/*.java
	touch $@

# ---- pion/dtls: go.sum is committed, so the module graph is fixed ----
$(PION_BIN): $(PION_SRC)/main.go $(PION_SRC)/go.mod $(PION_SRC)/go.sum | interop-deps
	@mkdir -p $(@D)
	cd $(PION_SRC) && go build -mod=readonly -buildvcs=false -trimpath -o $(abspath $@) .

# ---- tinydtls through DTLSSocket, in its own venv ----
$(TINYDTLS_STAMP): | interop-deps
	rm -rf $(TINYDTLS_VENV)
	python3 -m venv $(TINYDTLS_VENV)
	$(TINYDTLS_VENV)/bin/pip install -q --disable-pip-version-check $(TINYDTLS_BUILD_TOOLS)
	$(TINYDTLS_VENV)/bin/pip install -q --disable-pip-version-check --no-build-isolation DTLSSocket==0.2.3
	$(TINYDTLS_VENV)/bin/python -c 'from DTLSSocket import dtls'
	touch $@

# The three builds wait on different things (network, CPU): run them side by side.
interop-servers: interop-deps
	$(MAKE) --no-print-directory -j3 $(SCANDIUM_CLASSES) $(PION_BIN) $(TINYDTLS_STAMP)

node-test: interop-servers

interop-more-test: interop-servers dist/.built
	node --test --test-concurrency=1 $(INTEROP_TESTS)
