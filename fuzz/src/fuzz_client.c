/*
 * libFuzzer target 1: the client's datagram entry point (and poll, write, read, close,
 * connect around it) in every handshake state and after it. The wasm2c translation of
 * build/dtls.wasm runs under ASan/UBSan; a trap or a broken invariant aborts.
 * Input format: client_input.h. Mutator: client_mutator.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "client_run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct client_result r;
  if (client_run(data, size, &r) != 0) abort(); /* the harness itself is broken */
  return 0;
}
