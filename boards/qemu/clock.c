/* SysTick at the CPU clock, one interrupt per millisecond. */
#include "board.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define ICSR (*(volatile uint32_t *)0xE000ED04u)
#define ICSR_PENDSTSET (1u << 26)
#define TICKS_PER_MS (BOARD_CPU_HZ / 1000u)

void board_clock_init(void) {
  SYST_RVR = TICKS_PER_MS - 1u;
  SYST_CVR = 0;
  SYST_CSR = 7u; /* enable, interrupt, processor clock */
}

uint64_t board_ticks(void) {
  /* QEMU (like a real core) may take the SysTick interrupt late: if the counter reloaded
   * but board_ms is not yet incremented, the pending bit says so. v2 > v1 means a reload
   * between the two reads: read again. */
  for (;;) {
    uint32_t ms = board_ms, v1 = SYST_CVR, pend = ICSR & ICSR_PENDSTSET, v2 = SYST_CVR;
    if (ms != board_ms || v2 > v1) continue;
    if (pend) ms++;
    return (uint64_t)ms * TICKS_PER_MS + (TICKS_PER_MS - 1u - v1);
  }
}
