/* Words for the core's numbers (the C twin of host/names.ts), for logs and summaries. The
 * words come from scripts/gen-codes.mjs (dtls_names_table.h); unknown numbers get "state_N",
 * "reason_N", "alert_N", "0xNNNN". */
#ifndef DTLS_NAMES_H
#define DTLS_NAMES_H

#include <stddef.h>
#include <stdint.h>

const char *cipher_name(int32_t suite);   /* "TLS_PSK_WITH_AES_128_CCM_8", or "0x...." */
const char *state_name(int32_t state);    /* "connected", ... */
const char *reason_name(int32_t reason);  /* "timeout", ... */
const char *reason_text(int32_t reason);  /* a sentence (host/messages.json) */
const char *alert_name(int32_t description);
/* dtls_last_alert's packed value in words ("fatal handshake_failure received"); 0 if none. */
int describe_alert(int32_t packed, char *out, size_t cap);
/* The CLI's error message: the reason's sentence, plus the alert when it explains it. */
void describe_failure(int32_t reason, int32_t packed_alert, char *out, size_t cap);

#endif
