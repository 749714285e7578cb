/* The QEMU mps2-an386 board: UART0, SysTick, exit through semihosting. */
#ifndef QEMU_BOARD_H
#define QEMU_BOARD_H

#include <stddef.h>
#include <stdint.h>

#define BOARD_CPU_HZ 25000000u /* mps2-an386 SYSCLK: SysTick counts at this rate */
#define BOARD_STACK_PAINT 0xA5A5A5A5u

extern volatile uint32_t board_ms;

void board_exit(int code) __attribute__((noreturn));
void board_fault(const char *what) __attribute__((noreturn));
uint32_t board_stack_used(void);
void board_clock_init(void);
/* SysTick ticks since boot (BOARD_CPU_HZ per second); under `qemu -icount shift=0` one
 * instruction takes 1 ns, so ticks * 40 = instructions. */
uint64_t board_ticks(void);

/* Heap high-water marks (heap.c): peak of the bytes held in malloc'd blocks, bytes of the
 * linker's heap region ever taken (blocks + allocator overhead), the region's size; the same
 * two peaks when board_heap_mark_init() was called (right after dtls_port_init), and the
 * number of malloc/calloc/realloc calls since (0: the core's RAM was fixed at boot). */
uint32_t board_heap_peak(void);
uint32_t board_heap_region_used(void);
uint32_t board_heap_size(void);
void board_heap_mark_init(void);
uint32_t board_heap_init_peak(void);
uint32_t board_heap_init_region(void);
uint32_t board_heap_calls_after_init(void);

void uart_init(void);
void uart_putc(uint8_t c);
/* -1 when no byte is waiting. */
int uart_getc(void);

#endif
