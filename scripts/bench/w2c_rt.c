/*
 * A minimal wasm2c (wabt 1.0.32) runtime for the benchmark driver: exactly what the
 * translated module needs (memory allocation, function-type registration, traps, the
 * call-depth counter). Built with WASM_RT_MEMCHECK_SIGNAL_HANDLER=0, so every memory
 * access is bounds-checked in the generated code, as on a microcontroller.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm-rt.h"

uint32_t wasm_rt_call_stack_depth;

static int initialized;

bool wasm_rt_is_initialized(void) { return initialized; }

void wasm_rt_init(void) { initialized = 1; }

void wasm_rt_trap(wasm_rt_trap_t code) {
  fprintf(stderr, "wasm trap %d\n", (int)code);
  exit(2);
}

/* Function types: a signature is the list of its param and result types; equal
 * signatures get equal indices. */
#define MAX_TYPES 64
#define MAX_ARITY 16
static struct { uint32_t params, results; int types[MAX_ARITY]; } func_types[MAX_TYPES];
static uint32_t func_type_count;

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  int types[MAX_ARITY];
  uint32_t n = params + results, i;
  va_list ap;
  if (n > MAX_ARITY) wasm_rt_trap(WASM_RT_TRAP_CALL_INDIRECT);
  va_start(ap, results);
  for (i = 0; i < n; i++) types[i] = va_arg(ap, int); /* enums promote to int */
  va_end(ap);
  for (i = 0; i < func_type_count; i++) {
    if (func_types[i].params == params && func_types[i].results == results &&
        memcmp(func_types[i].types, types, n * sizeof(int)) == 0)
      return i + 1;
  }
  if (func_type_count == MAX_TYPES) wasm_rt_trap(WASM_RT_TRAP_CALL_INDIRECT);
  func_types[func_type_count].params = params;
  func_types[func_type_count].results = results;
  memcpy(func_types[func_type_count].types, types, n * sizeof(int));
  return ++func_type_count;
}

void wasm_rt_allocate_memory(wasm_rt_memory_t* mem, uint32_t initial_pages, uint32_t max_pages) {
  mem->pages = initial_pages;
  mem->max_pages = max_pages;
  mem->size = initial_pages * 65536u;
  mem->data = calloc(mem->size ? mem->size : 1, 1);
  if (!mem->data) wasm_rt_trap(WASM_RT_TRAP_OOB);
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t* mem, uint32_t delta) {
  uint32_t old = mem->pages;
  uint32_t pages = old + delta;
  uint8_t* data;
  if (pages < old || pages > mem->max_pages || pages > 65536u) return (uint32_t)-1;
  data = realloc(mem->data, (size_t)pages * 65536u);
  if (!data) return (uint32_t)-1;
  memset(data + (size_t)old * 65536u, 0, (size_t)delta * 65536u);
  mem->data = data;
  mem->pages = pages;
  mem->size = pages * 65536u;
  return old;
}

void wasm_rt_free_memory(wasm_rt_memory_t* mem) {
  free(mem->data);
  mem->data = NULL;
}
