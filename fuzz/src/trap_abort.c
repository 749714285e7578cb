/*
 * A wasm trap is a finding: linked with -Wl,--wrap=wasm_rt_trap, every trap raised by the
 * translated module lands here instead of unwinding to the glue (wasm_rt_mini.c), so the
 * process aborts with the translated core function that trapped on the stack
 * (w2c_assembly_<file>_<function>, fuzz/add-names.mjs).
 */
#include <stdio.h>
#include <stdlib.h>

#include "wasm-rt.h"

void __wrap_wasm_rt_trap(wasm_rt_trap_t code);

void __wrap_wasm_rt_trap(wasm_rt_trap_t code) {
  fprintf(stderr, "==fuzz== wasm trap: %s\n", wasm_rt_strerror(code));
  abort();
}
