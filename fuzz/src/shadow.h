/*
 * The server's side of the keys, worked out by the harness from what it sees, so that
 * the fuzzer can send the client epoch-1 records with plaintext of its choosing (the
 * SEAL op, client_input.h) and reach what lies behind the record protection: Finished,
 * alerts and handshake messages in epoch 1, application data.
 *
 * It follows the handshake like a passive observer that knows the PSK and the client's
 * random stream: the client's messages (hal_send), the server's (the input's datagrams),
 * the transcript, the premaster (the PSK, or ECDH with the client's ephemeral key, found
 * among the random draws), master secret (with or without RFC 7627) and key block. When
 * the input has bent the handshake out of shape the keys are wrong and a sealed record is
 * simply dropped by the client: no false finding, just no depth.
 * libcrypto does the arithmetic; nothing here reaches into the module.
 */
#ifndef SHADOW_H
#define SHADOW_H

#include <stddef.h>
#include <stdint.h>

void shadow_reset(void);
/* A 32-byte draw from hal.random (a candidate ephemeral key). */
void shadow_on_random(const uint8_t *buf, size_t len);
void shadow_on_client_datagram(const uint8_t *buf, size_t len);
void shadow_on_server_datagram(const uint8_t *buf, size_t len);
/* 1 once the client's Finished decrypted under the worked-out client keys. */
int shadow_keys_confirmed(void);
/* An epoch-1 record from the server: header + nonce + sealed plaintext + tag, into out
 * (cap >= 29 + len). Returns its length. With skew, the explicit nonce (and the nonce
 * it was sealed under) says sequence number seq + skew while the header says seq: a
 * record RFC 7925 App. B says to refuse. */
size_t shadow_seal(uint8_t type, uint64_t seq, int skew, const uint8_t *plain, size_t len, uint8_t *out, size_t cap);
/* Opens an epoch-1 record of the server (13-byte header first): the plaintext length
 * (plaintext into out), or -1. */
long shadow_open_server(const uint8_t *record, size_t len, uint8_t *out, size_t cap);
/* The same for an epoch-1 record of the client's. */
long shadow_open_client(const uint8_t *record, size_t len, uint8_t *out, size_t cap);
/* The 16-byte check of a session blob body (everything before the check) under the
 * harness's PSK configuration with SNI, as session_blob.ts computes it. */
void shadow_session_check(const uint8_t *body, size_t len, uint8_t out[16]);

#endif /* SHADOW_H */
