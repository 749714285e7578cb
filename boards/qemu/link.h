/* The serial link to host/slip-bridge.ts: SLIP frames over UART0 (see boards/runtime/slip.h). */
#ifndef QEMU_LINK_H
#define QEMU_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "slip.h"

#define LINK_FRAME_MAX 1600

void link_init(void);
void link_send(uint8_t type, const uint8_t *head, size_t head_len, const uint8_t *body,
               size_t body_len);
/* Polls UART0; returns the length of a complete frame (type byte first) in link_frame, else 0. */
size_t link_poll(void);
extern uint8_t link_frame[LINK_FRAME_MAX];

/* A datagram that arrived while the firmware waited for something else (one slot). */
extern uint8_t link_pending[LINK_FRAME_MAX];
extern size_t link_pending_len;

/* SysTick ticks spent waiting in the HAL (excluded from the core's count). */
extern uint64_t hal_wait_ticks;
extern int64_t hal_wall_time;

#endif
