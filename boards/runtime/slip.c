/* SLIP framing (RFC 1055); see slip.h. */
#include "slip.h"

void slip_decoder_init(slip_decoder_t *d, uint8_t *buf, size_t cap) {
  d->buf = buf;
  d->cap = cap;
  d->len = 0;
  d->escaped = 0;
  d->overflow = 0;
}

static void put_frame_byte(slip_decoder_t *d, uint8_t b) {
  if (d->len < d->cap) d->buf[d->len++] = b;
  else d->overflow = 1;
}

size_t slip_decode_byte(slip_decoder_t *d, uint8_t byte) {
  if (byte == SLIP_END) {
    size_t n = d->len;
    int bad = d->overflow || d->escaped;
    d->len = 0;
    d->escaped = 0;
    d->overflow = 0;
    return bad ? 0 : n;
  }
  if (d->escaped) {
    d->escaped = 0;
    if (byte == SLIP_ESC_END) put_frame_byte(d, SLIP_END);
    else if (byte == SLIP_ESC_ESC) put_frame_byte(d, SLIP_ESC);
    else d->overflow = 1; /* protocol violation: drop the frame */
    return 0;
  }
  if (byte == SLIP_ESC) {
    d->escaped = 1;
    return 0;
  }
  put_frame_byte(d, byte);
  return 0;
}

static void put_escaped(void (*put)(uint8_t), uint8_t b) {
  if (b == SLIP_END) {
    put(SLIP_ESC);
    put(SLIP_ESC_END);
  } else if (b == SLIP_ESC) {
    put(SLIP_ESC);
    put(SLIP_ESC_ESC);
  } else {
    put(b);
  }
}

void slip_encode(void (*put)(uint8_t), uint8_t type, const uint8_t *head, size_t head_len,
                 const uint8_t *body, size_t body_len) {
  size_t i;
  put(SLIP_END);
  put_escaped(put, type);
  for (i = 0; i < head_len; i++) put_escaped(put, head[i]);
  for (i = 0; i < body_len; i++) put_escaped(put, body[i]);
  put(SLIP_END);
}
