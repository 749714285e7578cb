# The words the three client programs share (host/messages.json): scripts/gen-codes.mjs
# writes them, with the core's codes, into host/messages.ts (dtls-client),
# boards/runtime/dtls_names_table.h (the C runtime's names) and boards/posix/cli_messages.h
# (dtls-posix); tests/wasm3/dtls_wasm3.py reads the JSON itself. Included by the Makefile.
#
#   make cli-consistency-test   the three programs against the same cases
#                               (tests/cli-consistency.test.ts; also run by `make node-test`)

MESSAGES_OUT := host/messages.ts boards/runtime/dtls_names_table.h boards/posix/cli_messages.h
MESSAGES_IN := host/messages.json scripts/gen-messages.mjs scripts/gen-codes.mjs \
  assembly/api_codes.ts assembly/errors.ts assembly/protocol.ts

# One run writes all three (and the codes); touched so make sees them as new.
$(MESSAGES_OUT) &: $(MESSAGES_IN)
	node scripts/gen-codes.mjs
	touch $(MESSAGES_OUT)

# dtls-posix includes cli_messages.h (its other headers are in mk/boards.mk's lists).
build/boards/dtls-posix build/boards/dtls-posix-psk: boards/posix/cli_messages.h

# node-test runs tests/cli-consistency.test.ts: the three programs must be there.
node-test: posix $(WASM3_VENV)/.installed

.PHONY: cli-consistency-test
cli-consistency-test: build posix $(WASM3_VENV)/.installed
	node --test --test-concurrency=1 dist/tests/cli-consistency.test.js dist/tests/cli-config.test.js
