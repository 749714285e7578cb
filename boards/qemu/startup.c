/*
 * Reset, vector table, SysTick and fault handlers for the Cortex-M4 of QEMU's mps2-an386.
 * Built with -ffreestanding -fno-tree-loop-distribute-patterns so the copy loops below
 * stay loops (no memcpy before .data exists).
 */
#include <stdint.h>

#include "board.h"

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _stack_bottom, _stack_top;
extern int main(void);

volatile uint32_t board_ms;

void Reset_Handler(void);
void Default_Handler(void);
void HardFault_Handler(void);
void SysTick_Handler(void);

__attribute__((section(".isr_vector"), used)) static void (*const vectors[16 + 32])(void) = {
    (void (*)(void))(&_stack_top), /* initial SP */
    Reset_Handler,
    Default_Handler,   /* NMI */
    HardFault_Handler, /* HardFault */
    HardFault_Handler, /* MemManage */
    HardFault_Handler, /* BusFault */
    HardFault_Handler, /* UsageFault */
    0, 0, 0, 0,
    Default_Handler, /* SVCall */
    Default_Handler, /* DebugMon */
    0,
    Default_Handler, /* PendSV */
    SysTick_Handler,
};

void Reset_Handler(void) {
  uint32_t *src = &_sidata, *dst;
  uint32_t sp;
  for (dst = &_sdata; dst < &_edata;) *dst++ = *src++;
  for (dst = &_sbss; dst < &_ebss;) *dst++ = 0;
  /* Paint the stack below the current frame, to measure its high-water mark. */
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  for (dst = &_stack_bottom; (uint32_t)dst < sp - 64u; dst++) *dst = BOARD_STACK_PAINT;
  board_exit(main());
}

void SysTick_Handler(void) { board_ms++; }

void Default_Handler(void) { board_fault("unexpected interrupt"); }
void HardFault_Handler(void) { board_fault("hard fault"); }

/* Semihosting SYS_EXIT_EXTENDED: QEMU (-semihosting-config enable=on) exits with `code`. */
void board_exit(int code) {
  volatile uint32_t block[2];
  block[0] = 0x20026u; /* ADP_Stopped_ApplicationExit */
  block[1] = (uint32_t)code;
  __asm__ volatile(
      "mov r0, %0\n"
      "mov r1, %1\n"
      "bkpt 0xAB\n" ::"r"(0x20u),
      "r"(block)
      : "r0", "r1", "memory");
  for (;;) {
  }
}

uint32_t board_stack_used(void) {
  uint32_t *p = &_stack_bottom;
  while (p < &_stack_top && *p == BOARD_STACK_PAINT) p++;
  return (uint32_t)((uint8_t *)&_stack_top - (uint8_t *)p);
}
