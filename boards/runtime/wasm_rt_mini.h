/*
 * A small wasm2c runtime for microcontrollers (and the posix program): static memory,
 * no mmap, no malloc, no signal handlers. Traps unwind with longjmp to the call site in
 * vm_wasm2c.c. Build the translated module with -DWASM_RT_MEMCHECK_SIGNAL_HANDLER=0 so
 * every access is bounds-checked against the capped size.
 */
#ifndef WASM_RT_MINI_H
#define WASM_RT_MINI_H

#include <setjmp.h>
#include <stdint.h>

#include "wasm-rt.h"

/* Where wasm_rt_trap() jumps to (set by the caller around each call into the module). */
extern jmp_buf *wasm_rt_mini_trap_target;
/* The last trap, WASM_RT_TRAP_NONE when none. */
extern wasm_rt_trap_t wasm_rt_mini_last_trap;
/* Backing store of the module's one memory and its size (the cap). */
void wasm_rt_mini_set_memory(uint8_t *data, uint32_t size);

#endif /* WASM_RT_MINI_H */
