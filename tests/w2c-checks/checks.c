/*
 * make w2c-checks-test: tests/w2c-checks/checks.wat translated by wasm2c and rewritten as the
 * board builds do (boards/tools/w2c-fixed-memory.mjs, w2c-call-depth.mjs), compiled with
 * -DDTLS_MEMORY_CAP=1024 and the board runtime (boards/runtime/wasm_rt_mini.c): accesses
 * up to the last byte of the cap work, one byte beyond traps (also where the address wraps
 * 32 bits), and a runaway recursion still traps (call stack exhausted).
 */
#include <stdio.h>

#include "checks.h"
#include "wasm_rt_mini.h"

static uint8_t memory[DTLS_MEMORY_CAP];
static Z_checks_instance_t instance;
static int failures;

enum { LOAD, STORE, RECURSE };
static const char *const names[] = {"load", "store", "recurse"};

static void expect(int fn, u32 arg, wasm_rt_trap_t want) {
  jmp_buf jb;
  wasm_rt_mini_trap_target = &jb;
  wasm_rt_mini_last_trap = WASM_RT_TRAP_NONE;
  if (setjmp(jb) == 0) {
    if (fn == LOAD) (void)Z_checksZ_load(&instance, arg);
    else if (fn == STORE) Z_checksZ_store(&instance, arg);
    else (void)Z_checksZ_recurse(&instance, arg);
  }
  if (wasm_rt_mini_last_trap != want) {
    printf("FAIL %s(%u): %s, expected %s\n", names[fn], arg, wasm_rt_strerror(wasm_rt_mini_last_trap),
           wasm_rt_strerror(want));
    failures++;
  }
}

int main(void) {
  wasm_rt_mini_set_memory(memory, sizeof memory);
  wasm_rt_init();
  Z_checks_init_module();
  Z_checks_instantiate(&instance);
  expect(LOAD, DTLS_MEMORY_CAP - 8, WASM_RT_TRAP_NONE); /* bytes cap-4 .. cap-1 */
  expect(LOAD, DTLS_MEMORY_CAP - 7, WASM_RT_TRAP_OOB);
  expect(LOAD, 0xFFFFFFFFu, WASM_RT_TRAP_OOB); /* 2^32 + 3: no 32-bit wrap */
  expect(STORE, DTLS_MEMORY_CAP - 16, WASM_RT_TRAP_NONE);
  expect(STORE, DTLS_MEMORY_CAP - 15, WASM_RT_TRAP_OOB);
  expect(RECURSE, 50, WASM_RT_TRAP_NONE);
  expect(RECURSE, 100000, WASM_RT_TRAP_EXHAUSTION);
  if (failures) return 1;
  printf("w2c-checks: loads and stores trap one byte past the compile-time cap; recursion traps\n");
  return 0;
}
