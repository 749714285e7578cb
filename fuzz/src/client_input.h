/*
 * The input of the client fuzzer: what a hostile network and a busy application do to the
 * client, as a byte string.
 *
 *   input := flags op*
 *   op    := code:u8 arg:u16be [data: arg bytes, DATAGRAM and SEAL only]
 *
 * code % OP_COUNT picks the operation; a truncated last op is ignored. The recorder
 * (fuzz/record-seeds.mjs) writes real handshakes in this form; the structure-aware mutator
 * (client_mutator.c) edits it op by op and record by record.
 */
#ifndef CLIENT_INPUT_H
#define CLIENT_INPUT_H

#include <stddef.h>
#include <stdint.h>

/* flags: which client is configured (fuzz_config.h holds the keys). */
#define FLAG_RPK 0x01          /* TLS_ECDHE_ECDSA with raw public keys, else PSK */
#define FLAG_CLIENT_KEY 0x02   /* RPK: our own key, client authentication when asked */
#define FLAG_PIN_HASH 0x04     /* RPK: pin the server by SPKI hash, else by point */
#define FLAG_SMALL_PMTU 0x08   /* PMTU FUZZ_SMALL_PMTU: our flights span datagrams */
#define FLAG_NO_MFL 0x10       /* no max_fragment_length extension */
#define FLAG_REQUIRE_EMS 0x20  /* refuse a server without extended master secret */
#define FLAG_NO_SNI 0x40       /* no server_name */
#define FLAG_SESSION_FEATURES 0x80 /* issue 10: session tickets (RFC 5077), heartbeat
                                     (RFC 6520, peer allowed to send; ours every
                                     FUZZ_HEARTBEAT_INTERVAL_MS) and an empty CID of our
                                     own (RFC 9146: the server's records stay RFC 6347) */

enum {
  OP_DATAGRAM = 0, /* dtls_on_datagram(data), then dtls_read until empty */
  OP_ADVANCE = 1,  /* clock += arg ms, then dtls_poll */
  OP_WRITE = 2,    /* dtls_write of arg bytes (a fixed pattern) */
  OP_CLOSE = 3,    /* dtls_close */
  OP_CONNECT = 4,  /* dtls_connect (again): refused while a connection runs */
  OP_SEAL = 5,     /* data = type:u8 seq:u8 plaintext: an epoch-1 record from the server,
                      sealed with the keys the harness worked out (shadow.h), then as DATAGRAM;
                      type | 0x80: its explicit nonce says seq + 1 (must be refused) */
  OP_COUNT = 6
};

#define OP_HEADER_LEN 3
#define SEAL_SKEWED_NONCE 0x80

struct client_op {
  int code;
  uint32_t arg;
  const uint8_t *data; /* DATAGRAM, SEAL: arg bytes */
};

/* Reads the op at *pos; 1 and *pos moved past it, or 0 at the end (or a truncated op). */
static inline int client_op_next(const uint8_t *in, size_t len, size_t *pos, struct client_op *op) {
  size_t p = *pos;
  if (len < OP_HEADER_LEN || p > len - OP_HEADER_LEN) return 0;
  op->code = in[p] % OP_COUNT;
  op->arg = ((uint32_t)in[p + 1] << 8) | in[p + 2];
  op->data = in + p + OP_HEADER_LEN;
  p += OP_HEADER_LEN;
  if (op->code == OP_DATAGRAM || op->code == OP_SEAL) {
    if (op->arg > len - p) return 0;
    p += op->arg;
  }
  *pos = p;
  return 1;
}

#endif /* CLIENT_INPUT_H */
