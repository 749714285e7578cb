/*
 * SLIP framing (RFC 1055) for boards whose datagrams travel over a serial line (the QEMU
 * image, or a board without a network stack): each frame is END, escaped bytes, END.
 * Portable C99, no allocation: the decoder writes into a caller-provided buffer.
 */
#ifndef DTLS_SLIP_H
#define DTLS_SLIP_H

#include <stddef.h>
#include <stdint.h>

#define SLIP_END 0xC0
#define SLIP_ESC 0xDB
#define SLIP_ESC_END 0xDC
#define SLIP_ESC_ESC 0xDD

typedef struct {
  uint8_t *buf;
  size_t cap;
  size_t len;
  uint8_t escaped;
  uint8_t overflow; /* frame longer than cap: dropped whole */
} slip_decoder_t;

void slip_decoder_init(slip_decoder_t *d, uint8_t *buf, size_t cap);
/* Feeds one byte; returns the length of a complete frame now in d->buf (>0), else 0.
 * Empty frames, over-long frames and bad escapes are dropped. */
size_t slip_decode_byte(slip_decoder_t *d, uint8_t byte);

/* Encodes one frame made of a type byte, then head[0..head_len), then body[0..body_len),
 * writing bytes through put(). */
void slip_encode(void (*put)(uint8_t), uint8_t type, const uint8_t *head, size_t head_len,
                 const uint8_t *body, size_t body_len);

/*
 * Frame types of the board link (first byte of each frame). "fw" is the board, "host" the
 * bridge (host/slip-bridge.ts). Integers are little-endian.
 *   'H' fw->host   hello: u8 protocol version (1)
 *   'C' host->fw   configuration: TLV records {u8 tag, u16 len, value} (LINK_CFG_*)
 *   'D' both       one datagram
 *   'R' fw->host   u16 n: asks for n random bytes;  host->fw: the n bytes
 *   'L' fw->host   u8 level, then one log line
 *   'A' fw->host   application data received from the server
 *   'S' fw->host   summary: records {u8 key, i32 value} (LINK_SUM_* and dtls_info keys)
 *   'X' fw->host   u8 exit code; the firmware stops after it
 */
#define LINK_VERSION 1
#define LINK_CFG_IDENTITY 1
#define LINK_CFG_PSK 2
#define LINK_CFG_SNI 3
#define LINK_CFG_SEND 4     /* application data to send once connected */
#define LINK_CFG_OPTION 5   /* i32 option, i32 value: dtls_config_set */
#define LINK_CFG_WALL_TIME 6 /* i64 seconds since 1970 (absent: unknown) */
#define LINK_CFG_WAIT_MS 7  /* u32: how long to wait for the reply */

#define LINK_SUM_STATE 0x80
#define LINK_SUM_LAST_ERROR 0x81
#define LINK_SUM_LAST_ALERT 0x82
#define LINK_SUM_CONNECT_RC 0x83
#define LINK_SUM_CORE_TICKS_LO 0x84 /* SysTick ticks spent inside the core (HAL waits excluded) */
#define LINK_SUM_CORE_TICKS_HI 0x85
#define LINK_SUM_STACK_USED 0x86    /* bytes of the C stack ever used */
#define LINK_SUM_MEMORY_CAP 0x87    /* linear-memory bytes backing the module */
#define LINK_SUM_TICK_HZ 0x88       /* SysTick ticks per second */
#define LINK_SUM_HANDSHAKE_TICKS_LO 0x89 /* core ticks until connected */
#define LINK_SUM_HANDSHAKE_TICKS_HI 0x8A
#define LINK_SUM_TRAP 0x8B          /* 1 if the module trapped */

#endif /* DTLS_SLIP_H */
