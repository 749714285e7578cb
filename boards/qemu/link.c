#include "link.h"

#include <string.h>

#include "board.h"

uint8_t link_frame[LINK_FRAME_MAX];
uint8_t link_pending[LINK_FRAME_MAX];
size_t link_pending_len;
static slip_decoder_t g_dec;

void link_init(void) { slip_decoder_init(&g_dec, link_frame, sizeof link_frame); }

void link_send(uint8_t type, const uint8_t *head, size_t head_len, const uint8_t *body,
               size_t body_len) {
  slip_encode(uart_putc, type, head, head_len, body, body_len);
}

size_t link_poll(void) {
  int c;
  while ((c = uart_getc()) >= 0) {
    size_t n = slip_decode_byte(&g_dec, (uint8_t)c);
    if (n) return n;
  }
  return 0;
}
