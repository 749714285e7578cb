/*
 * libFuzzer target: dtls_session_import (the stored session blob,
 * assembly/handshake/session_blob.ts) of the input into build/dtls.wasm configured with the
 * harness's PSK, then dtls_connect. A stored blob is as untrusted as a datagram: no blob
 * may trap the module, and only a well-formed one, of its exact length and made under the
 * same credentials, may be accepted (client_run.c session_run).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "client_run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (session_run(data, size) != 0) abort(); /* the harness itself is broken */
  return 0;
}
