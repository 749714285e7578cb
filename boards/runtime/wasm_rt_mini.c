/*
 * Minimal wasm2c (wabt 1.0.32) runtime: what the translated module needs and nothing
 * more. Written for this project; see wasm_rt_mini.h.
 */
#include "wasm_rt_mini.h"

#include <stdarg.h>
#include <string.h>

#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
#error "build with -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0: the memory is a capped static buffer"
#endif

jmp_buf *wasm_rt_mini_trap_target;
wasm_rt_trap_t wasm_rt_mini_last_trap;

#if WASM_RT_USE_STACK_DEPTH_COUNT
uint32_t wasm_rt_call_stack_depth;
#endif

static int g_initialized;
static uint8_t *g_mem_data;
static uint32_t g_mem_size;

void wasm_rt_mini_set_memory(uint8_t *data, uint32_t size) {
  g_mem_data = data;
  g_mem_size = size;
}

void wasm_rt_init(void) { g_initialized = 1; }
bool wasm_rt_is_initialized(void) { return g_initialized != 0; }
void wasm_rt_free(void) { g_initialized = 0; }

void wasm_rt_trap(wasm_rt_trap_t code) {
  wasm_rt_mini_last_trap = code;
  if (wasm_rt_mini_trap_target) longjmp(*wasm_rt_mini_trap_target, 1);
  for (;;) {
  }
}

const char *wasm_rt_strerror(wasm_rt_trap_t trap) {
  switch (trap) {
    case WASM_RT_TRAP_NONE: return "no trap";
    case WASM_RT_TRAP_OOB: return "out of bounds memory access";
    case WASM_RT_TRAP_INT_OVERFLOW: return "integer overflow";
    case WASM_RT_TRAP_DIV_BY_ZERO: return "integer divide by zero";
    case WASM_RT_TRAP_INVALID_CONVERSION: return "invalid conversion";
    case WASM_RT_TRAP_UNREACHABLE: return "unreachable executed";
    case WASM_RT_TRAP_CALL_INDIRECT: return "invalid call_indirect";
    case WASM_RT_TRAP_UNCAUGHT_EXCEPTION: return "uncaught exception";
#if !WASM_RT_MERGED_OOB_AND_EXHAUSTION_TRAPS
    case WASM_RT_TRAP_EXHAUSTION: return "call stack exhausted";
#endif
    default: return "unknown trap";
  }
}

/*
 * Function types, deduplicated by structure. The varargs are read as int: with
 * arm-none-eabi's short enums, va_arg(ap, wasm_rt_type_t) is undefined behaviour.
 */
#ifndef MINI_MAX_TYPES
#define MINI_MAX_TYPES 32 /* our modules register 10-13 types each; two modules share them */
#endif
#define MINI_MAX_ARITY 16
static struct {
  uint8_t params, results;
  uint8_t types[MINI_MAX_ARITY];
} g_types[MINI_MAX_TYPES];
static uint32_t g_num_types;

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  uint8_t types[MINI_MAX_ARITY];
  uint32_t i, n = params + results;
  va_list ap;
  va_start(ap, results);
  for (i = 0; i < n; i++) {
    int t = va_arg(ap, int);
    if (i < MINI_MAX_ARITY) types[i] = (uint8_t)t;
  }
  va_end(ap);
  if (n > MINI_MAX_ARITY) return 0x80000000u + (g_num_types++); /* unique, never matched twice */
  for (i = 0; i < g_num_types && i < MINI_MAX_TYPES; i++) {
    if (g_types[i].params == params && g_types[i].results == results &&
        memcmp(g_types[i].types, types, n) == 0)
      return i + 1;
  }
  if (g_num_types >= MINI_MAX_TYPES) return 0x80000000u + (g_num_types++);
  g_types[g_num_types].params = (uint8_t)params;
  g_types[g_num_types].results = (uint8_t)results;
  memcpy(g_types[g_num_types].types, types, n);
  return ++g_num_types;
}

void wasm_rt_allocate_memory(wasm_rt_memory_t *mem, uint32_t initial_pages, uint32_t max_pages) {
  uint64_t want = (uint64_t)initial_pages * 65536u;
  mem->data = g_mem_data;
  mem->pages = initial_pages;
  mem->max_pages = max_pages;
  mem->size = (want < g_mem_size) ? (uint32_t)want : g_mem_size;
  if (mem->data) memset(mem->data, 0, mem->size);
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t *mem, uint32_t delta) {
  /* The backing store is fixed: only a zero-page grow succeeds. */
  return delta == 0 ? mem->pages : 0xFFFFFFFFu;
}

void wasm_rt_free_memory(wasm_rt_memory_t *mem) {
  mem->data = 0;
  mem->size = 0;
}

/* Tables: AssemblyScript modules have at most a small function table. */
#ifndef MINI_MAX_TABLE
#define MINI_MAX_TABLE 64
#endif
static wasm_rt_funcref_t g_table[MINI_MAX_TABLE];

void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t *table, uint32_t elements,
                                    uint32_t max_elements) {
  (void)max_elements;
  if (elements > MINI_MAX_TABLE) wasm_rt_trap(WASM_RT_TRAP_OOB);
  memset(g_table, 0, sizeof g_table);
  table->data = g_table;
  table->size = elements;
  table->max_size = elements;
}

void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t *table) {
  table->data = 0;
  table->size = 0;
}

uint32_t wasm_rt_grow_funcref_table(wasm_rt_funcref_table_t *table, uint32_t delta,
                                    wasm_rt_funcref_t init) {
  (void)table;
  (void)delta;
  (void)init;
  return 0xFFFFFFFFu;
}
