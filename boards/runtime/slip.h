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
 *   'K' fw->host   the SHA-256 of the server's SubjectPublicKeyInfo seen in the handshake
 *                  (raw public keys; sent before 'S' when there is one)
 *   'S' fw->host   summary: records {u8 key, i32 value} (LINK_SUM_* and dtls_info keys);
 *                  the host forwards no more datagrams to the firmware after it
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
#define LINK_CFG_PRIVATE_KEY 8 /* 32 bytes: our P-256 private key (raw public keys, optional) */
#define LINK_CFG_SERVER_PIN 9  /* 65-byte point or 32-byte SPKI SHA-256: raw public keys on */
#define LINK_CFG_SESSION 10    /* a session blob (dtls_session_export) to resume: OPT_RESUME on */
/* X.509 (RFC 7925 s. 4.4), for modules built with it (dtls_port_has_x509). A chain does not
 * fit one frame: a 'C' frame with LINK_CFG_MORE is followed by another 'C' frame. */
#define LINK_CFG_CA 11         /* one trust anchor (DER); repeatable */
#define LINK_CFG_CERT 12       /* one certificate of our chain (DER), leaf first; repeatable;
                                  its key: LINK_CFG_PRIVATE_KEY */
#define LINK_CFG_PEER_NAME 13  /* the name the server's certificate must carry (default: SNI) */
#define LINK_CFG_MORE 14       /* empty: another 'C' frame follows */

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
/* 0x90-0x97: how the configuration and the --send text fared. */
#define LINK_SUM_CONFIG_STEP 0x90   /* 0 configured, else the refused step (LINK_STEP_*) */
#define LINK_SUM_CONFIG_RC 0x91     /* what the refused step returned */
#define LINK_SUM_CONFIG_OPTION 0x92 /* LINK_STEP_OPTION: the refused dtls_config_set key */
#define LINK_SUM_SEND_TOO_LARGE 0x93 /* 1: the text exceeds DTLS_INFO_MAX_WRITE, not sent */
/* 0xA0-0xAF: the board's memory and boot figures (boards/qemu/heap.c, main.c). */
#define LINK_SUM_HEAP_PEAK 0xA0        /* peak bytes held in malloc'd blocks */
#define LINK_SUM_HEAP_REGION_PEAK 0xA1 /* bytes of the heap region ever taken (blocks + overhead) */
#define LINK_SUM_HEAP_SIZE 0xA2        /* bytes of the heap region (linker script) */
#define LINK_SUM_HEAP_INIT_PEAK 0xA3   /* LINK_SUM_HEAP_PEAK when instantiated and configured */
#define LINK_SUM_HEAP_INIT_REGION 0xA4 /* LINK_SUM_HEAP_REGION_PEAK at the same moment */
#define LINK_SUM_HEAP_CALLS_AFTER 0xA5 /* malloc/calloc/realloc calls after that (0: RAM fixed) */
#define LINK_SUM_INIT_TICKS_LO 0xA6    /* core ticks to instantiate and configure */
#define LINK_SUM_INIT_TICKS_HI 0xA7
#define LINK_STEP_INIT 1
#define LINK_STEP_PSK 2
#define LINK_STEP_RPK 3
#define LINK_STEP_SNI 4
#define LINK_STEP_OPTION 5
#define LINK_STEP_SESSION 6
#define LINK_STEP_X509 7 /* a trust anchor, our chain or the peer name (module without X.509: DTLS_PORT_EABSENT) */

#endif /* DTLS_SLIP_H */
