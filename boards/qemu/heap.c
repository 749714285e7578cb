/*
 * The heap of the QEMU image and its high-water marks. newlib's malloc takes memory from
 * _sbrk, which hands out the linker-defined region [_heap_start, _heap_end) (sections.ld:
 * the part's RAM minus statics and stack) and nothing more, so an image whose interpreter
 * needs more than the part has fails its allocations, as it would on the part.
 * malloc/calloc/realloc/free are wrapped (-Wl,--wrap=...) to count the bytes held (usable
 * size of each block) and their peak; _sbrk records how much of the region was ever taken
 * (the RAM a part must really give the heap: blocks plus allocator overhead).
 */
#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>

#include "board.h"

extern uint8_t _heap_start[], _heap_end[];

static uint8_t *g_brk = _heap_start, *g_brk_max = _heap_start;
static uint32_t g_live, g_peak, g_calls, g_init_peak, g_init_region, g_init_calls;

void *_sbrk(ptrdiff_t incr);
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);

void *_sbrk(ptrdiff_t incr) {
  uint8_t *old = g_brk;
  if (incr > _heap_end - g_brk || incr < _heap_start - g_brk) {
    errno = ENOMEM;
    return (void *)-1;
  }
  g_brk += incr;
  if (g_brk > g_brk_max) g_brk_max = g_brk;
  return old;
}

static void held(void *p, int sign) {
  uint32_t n;
  if (!p) return;
  n = (uint32_t)malloc_usable_size(p);
  if (sign > 0) {
    g_live += n;
    if (g_live > g_peak) g_peak = g_live;
  } else {
    g_live -= n;
  }
}

void *__wrap_malloc(size_t n) {
  void *p = __real_malloc(n);
  g_calls++;
  held(p, 1);
  return p;
}

void *__wrap_calloc(size_t n, size_t size) {
  void *p = __real_calloc(n, size);
  g_calls++;
  held(p, 1);
  return p;
}

void *__wrap_realloc(void *old, size_t n) {
  uint32_t before = old ? (uint32_t)malloc_usable_size(old) : 0;
  void *p = __real_realloc(old, n);
  g_calls++;
  if (p) { /* the old block is gone (or is p): count the new size instead of the old */
    g_live -= before;
    held(p, 1);
  }
  return p;
}

void __wrap_free(void *p) {
  held(p, -1);
  __real_free(p);
}

uint32_t board_heap_peak(void) { return g_peak; }
uint32_t board_heap_region_used(void) { return (uint32_t)(g_brk_max - _heap_start); }
uint32_t board_heap_size(void) { return (uint32_t)(_heap_end - _heap_start); }

void board_heap_mark_init(void) {
  g_init_peak = g_peak;
  g_init_region = board_heap_region_used();
  g_init_calls = g_calls;
}
uint32_t board_heap_init_peak(void) { return g_init_peak; }
uint32_t board_heap_init_region(void) { return g_init_region; }
uint32_t board_heap_calls_after_init(void) { return g_calls - g_init_calls; }
