/* Words for the core's numbers: lookups in the tables that scripts/gen-codes.mjs writes
 * (dtls_names_table.h, from the core's codes and host/messages.json, as host/names.ts uses). */
#include "dtls_names.h"

#include <stdio.h>
#include <string.h>

#include "dtls_names_table.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *lookup(const struct dtls_name *table, size_t n, int32_t value) {
  size_t i;
  for (i = 0; i < n; i++)
    if (table[i].value == value) return table[i].name;
  return NULL;
}

static const struct dtls_reason_words *reason_words(int32_t reason) {
  size_t i;
  for (i = 0; i < COUNT(DTLS_REASON_WORDS); i++)
    if (DTLS_REASON_WORDS[i].value == reason) return &DTLS_REASON_WORDS[i];
  return NULL;
}

const char *cipher_name(int32_t suite) {
  static char buf[8];
  const char *name = lookup(DTLS_CIPHER_NAMES, COUNT(DTLS_CIPHER_NAMES), suite);
  if (name) return name;
  snprintf(buf, sizeof buf, "0x%x", (unsigned)suite & 0xffffu);
  return buf;
}

const char *state_name(int32_t state) {
  static char buf[20];
  const char *name = lookup(DTLS_STATE_NAMES, COUNT(DTLS_STATE_NAMES), state);
  if (name) return name;
  if (state < 0) return "trapped";
  snprintf(buf, sizeof buf, "state_%ld", (long)state);
  return buf;
}

const char *reason_name(int32_t reason) {
  static char buf[24];
  const struct dtls_reason_words *w = reason_words(reason);
  if (w) return w->name;
  snprintf(buf, sizeof buf, "reason_%ld", (long)reason);
  return buf;
}

const char *reason_text(int32_t reason) {
  const struct dtls_reason_words *w = reason_words(reason);
  return w ? w->text : reason_name(reason);
}

const char *alert_name(int32_t d) {
  static char buf[20];
  const char *name = lookup(DTLS_ALERT_NAMES, COUNT(DTLS_ALERT_NAMES), d);
  if (name) return name;
  snprintf(buf, sizeof buf, "alert_%ld", (long)d);
  return buf;
}

int describe_alert(int32_t packed, char *out, size_t cap) {
  int32_t sent, level, d;
  if (packed < 0 || cap == 0) return 0;
  sent = (packed >> 16) & 1;
  level = (packed >> 8) & 0xff;
  d = packed & 0xff;
  snprintf(out, cap, "%s %s %s", level == DTLS_ALERT_FATAL ? "fatal" : "warning", alert_name(d),
           sent ? "sent" : "received");
  return 1;
}

void describe_failure(int32_t reason, int32_t packed_alert, char *out, size_t cap) {
  char alert[64];
  int has = describe_alert(packed_alert, alert, sizeof alert);
  if (has && (reason == DTLS_REASON_PEER_ALERT || strstr(alert, "sent") != NULL))
    snprintf(out, cap, "%s (%s)", reason_text(reason), alert);
  else
    snprintf(out, cap, "%s", reason_text(reason));
}
