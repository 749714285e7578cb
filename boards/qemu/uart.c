/* CMSDK APB UART0 of mps2-an386 (0x40004000), polled. */
#include "board.h"

#define UART0_BASE 0x40004000u
#define UART_DATA (*(volatile uint32_t *)(UART0_BASE + 0x00))
#define UART_STATE (*(volatile uint32_t *)(UART0_BASE + 0x04))
#define UART_CTRL (*(volatile uint32_t *)(UART0_BASE + 0x08))
#define UART_BAUDDIV (*(volatile uint32_t *)(UART0_BASE + 0x10))
#define STATE_TX_FULL 1u
#define STATE_RX_FULL 2u

void uart_init(void) {
  volatile uint32_t drain;
  UART_BAUDDIV = 16;
  UART_CTRL = 3u; /* TX and RX enable, no interrupts: polled */
  drain = UART_DATA; /* a read right after enabling RX lets QEMU deliver queued bytes now */
  (void)drain;
}

void uart_putc(uint8_t c) {
  while (UART_STATE & STATE_TX_FULL) {
  }
  UART_DATA = c;
}

int uart_getc(void) {
  if (!(UART_STATE & STATE_RX_FULL)) return -1;
  return (int)(UART_DATA & 0xFFu);
}
