/*
 * Drives the wasm2c translation of build/dtls.wasm through the board glue
 * (boards/runtime/dtls_port.c) with one fuzz input, and checks what RFC 5246/6347 and the
 * module's API promise after every call. A broken promise aborts, like a trap.
 */
#include "client_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_input.h"
#include "dtls_codes.h"
#include "dtls_port.h"
#include "fuzz_config.h"
#include "hal_fuzz.h"
#include "shadow.h"

/* More datagrams than this from one call into the module, or in answer to the peer's
 * datagrams within one timer period (the clock moved less than FUZZ_RTO_MS), is an
 * amplification: a legitimate handshake sends at most 5 ClientHellos and a flight of a
 * few datagrams, each resent at most once per period (RFC 6347 4.2.4, issue 8). */
#define MAX_SENT_PER_CALL 32
#define MAX_ANSWERS_PER_PERIOD 32
/* dtls_read returning records without end is a hang. */
#define MAX_READS_PER_DATAGRAM 1024

static uint32_t g_op; /* index of the op being run, for the reports */

/* FUZZ_IGNORE="text,text": broken invariants whose message contains one of these are
 * let go (to look past a known finding); traps never are. */
static int ignored(const char *what) {
  const char *list = getenv("FUZZ_IGNORE"), *p;
  char item[128];
  while (list && *list) {
    size_t n = (p = strchr(list, ',')) ? (size_t)(p - list) : strlen(list);
    if (n > 0 && n < sizeof item) {
      memcpy(item, list, n);
      item[n] = 0;
      if (strstr(what, item)) return 1;
    }
    list += n + (p != NULL);
  }
  return 0;
}

static void finding(const char *what, long a, long b) {
  if (ignored(what)) return;
  fprintf(stderr, "==fuzz== client invariant broken at op %u: %s (%ld, %ld)\n", g_op, what, a, b);
  abort();
}

/* Every call into the module: a DTLS_PORT_E* code means the glue or the module broke. */
static int32_t checked(int32_t rc, const char *call) {
  if (rc <= DTLS_PORT_ETRAP && rc >= DTLS_PORT_ESTATE) {
    fprintf(stderr, "==fuzz== %s: glue error %d: %s\n", call, (int)rc, dtls_port_error_message());
    finding("glue error", rc, 0);
  }
  return rc;
}

static size_t unhex(const char *hex, uint8_t *out, size_t cap) {
  size_t n = strlen(hex) / 2, i;
  if (n > cap) abort();
  for (i = 0; i < n; i++) {
    unsigned v;
    if (sscanf(hex + 2 * i, "%2x", &v) != 1) abort();
    out[i] = (uint8_t)v;
  }
  return n;
}

static int configure(uint8_t flags) {
  uint8_t key[64], pin[65];
  size_t key_len = 0, pin_len;
  if (checked(dtls_port_config_reset(), "config_reset") != 0) return -1;
  if (flags & FLAG_RPK) {
    if (flags & FLAG_CLIENT_KEY) key_len = unhex(FUZZ_CLIENT_PRIVATE_HEX, key, sizeof key);
    pin_len = (flags & FLAG_PIN_HASH) ? unhex(FUZZ_SERVER_SPKI_SHA256_HEX, pin, sizeof pin)
                                      : unhex(FUZZ_SERVER_POINT_HEX, pin, sizeof pin);
    if (checked(dtls_port_config_rpk(key_len ? key : NULL, key_len, pin, pin_len), "config_rpk") != 0) return -1;
  } else {
    key_len = unhex(FUZZ_PSK_HEX, key, sizeof key);
    if (checked(dtls_port_config_psk((const uint8_t *)FUZZ_PSK_IDENTITY, strlen(FUZZ_PSK_IDENTITY), key, key_len),
                "config_psk") != 0)
      return -1;
  }
  if (!(flags & FLAG_NO_SNI) && checked(dtls_port_config_sni(FUZZ_SNI), "config_sni") != 0) return -1;
  if (checked(dtls_port_config_set(DTLS_OPT_RTO_INITIAL_MS, FUZZ_RTO_MS), "rto") != 0) return -1;
  if ((flags & FLAG_SMALL_PMTU) && checked(dtls_port_config_set(DTLS_OPT_PMTU, FUZZ_SMALL_PMTU), "pmtu") != 0)
    return -1;
  if ((flags & FLAG_NO_MFL) && checked(dtls_port_config_set(DTLS_OPT_MFL, 0), "mfl") != 0) return -1;
  if ((flags & FLAG_REQUIRE_EMS) && checked(dtls_port_config_set(DTLS_OPT_REQUIRE_EMS, 1), "ems") != 0) return -1;
  /* An empty CID of our own (RFC 9146 s. 3): the server's records to us carry none, so
   * OP_SEAL's RFC 6347 records still fit; ours to the server carry its CID if it gives one. */
  if ((flags & FLAG_SESSION_FEATURES) &&
      (checked(dtls_port_config_set(DTLS_OPT_TICKETS, 1), "tickets") != 0 ||
       checked(dtls_port_config_set(DTLS_OPT_HEARTBEAT, 1), "heartbeat") != 0 ||
       checked(dtls_port_config_set(DTLS_OPT_HEARTBEAT_INTERVAL_MS, FUZZ_HEARTBEAT_INTERVAL_MS), "heartbeat interval") != 0 ||
       checked(dtls_port_config_set(DTLS_OPT_CID, 0), "cid") != 0))
    return -1;
  return 0;
}

/* Fatal alerts the client sent since it connected, and datagrams it sent after one. */
static int g_fatal_sent, g_sent_after_fatal;
/* Datagrams sent in answer to the peer, and the clock's advance, in this timer period. */
static uint32_t g_period_answers, g_period_ms;

/* Every datagram the client sends: to the shadow, and its alerts counted (epoch 1 ones
 * opened with the shadow's keys when it has them). */
static void on_client_send(const uint8_t *d, size_t len) {
  size_t pos = 0;
  shadow_on_client_datagram(d, len);
  if (g_fatal_sent) g_sent_after_fatal++;
  while (len - pos >= 13) {
    size_t n = 13 + (((size_t)d[pos + 11] << 8) | d[pos + 12]);
    if (n > len - pos) break;
    if (d[pos] == 21) {
      uint8_t plain[64];
      int epoch0 = d[pos + 3] == 0 && d[pos + 4] == 0;
      long m = epoch0 ? (long)n - 13 : shadow_open_client(d + pos, n, plain, sizeof plain);
      const uint8_t *a = epoch0 ? d + pos + 13 : plain;
      if (m == 2 && a[0] == 2) g_fatal_sent++;
    }
    pos += n;
  }
}

static int ended(int32_t state) { return state == DTLS_STATE_FAILED || state == DTLS_STATE_CLOSED; }

/* What one call may do, given the state before and after it (and what it sent). */
static void check_call(int32_t before, int32_t after, int reconnect, int32_t reason_before) {
  const struct hal_fuzz_sent *s = hal_fuzz_sent();
  int32_t alert;
  if (after < DTLS_STATE_IDLE || after > DTLS_STATE_FAILED) finding("state out of range", after, 0);
  if (s->datagrams > MAX_SENT_PER_CALL) finding("datagrams sent by one call", s->datagrams, MAX_SENT_PER_CALL);
  /* RFC 5246 7.2.2: after an alert that ends the connection nothing more is sent. */
  if (s->after_alert) finding("records sent after an alert in the same call", s->after_alert, s->alerts);
  if (reconnect) return;
  /* An ended connection stays ended, with its first reason, and says nothing. */
  if (ended(before)) {
    if (after != before) finding("an ended connection changed state", before, after);
    if (s->datagrams) finding("an ended connection sent datagrams", s->datagrams, before);
    if (dtls_port_last_error() != reason_before) finding("the reason changed after the end", reason_before, dtls_port_last_error());
  }
  if (before == DTLS_STATE_IDLE && after != DTLS_STATE_IDLE) finding("left IDLE without connect", after, 0);
  if (after == DTLS_STATE_FAILED && dtls_port_last_error() == 0) finding("failed without a reason", 0, 0);
  /* RFC 5246 7.2.2: a fatal alert, sent or received, ends the connection at once. */
  if (g_fatal_sent > 1) finding("a second fatal alert was sent", g_fatal_sent, after);
  if (g_sent_after_fatal) finding("datagrams sent after a fatal alert", g_sent_after_fatal, after);
  alert = dtls_port_last_alert();
  if (alert >= 0 && ((alert >> 8) & 0xff) == 2) {
    if (((alert >> 16) & 1) && after != DTLS_STATE_FAILED) finding("sent a fatal alert but did not fail", alert, after);
    /* a received one ends it; close_notify (even marked fatal) as CLOSED */
    if (!((alert >> 16) & 1) && !ended(after)) finding("received a fatal alert but the connection goes on", alert, after);
  }
}

static void drain(struct client_result *out) {
  static uint8_t buf[4096];
  int i;
  for (i = 0; i < MAX_READS_PER_DATAGRAM; i++) {
    int32_t n = checked(dtls_port_read(buf, sizeof buf), "read");
    if (n == DTLS_ERR_WOULD_BLOCK) return;
    if (n < 0) finding("read error", n, 0);
    if (out->app_records == 0) {
      out->first_app_len = (uint32_t)n < sizeof out->first_app ? (uint32_t)n : sizeof out->first_app;
      memcpy(out->first_app, buf, out->first_app_len);
    }
    out->app_records++;
    out->app_bytes += (uint32_t)n;
  }
  finding("dtls_read never runs dry", MAX_READS_PER_DATAGRAM, 0);
}

/* ---- rewriting an input with its epoch-1 records as SEAL ops (client_run_rewrite) ---- */
static uint8_t *g_rw;
static size_t g_rw_len, g_rw_cap;
static int g_rw_last_seq = -1;
static int g_rw_stop; /* the input is over: the harness's own ops are not part of it */

/* One op: arg, and data (len bytes, DATAGRAM and SEAL: len == arg). */
static void rw_op(int code, uint32_t arg, const uint8_t *data, size_t len) {
  if (!g_rw || g_rw_stop || g_rw_cap - g_rw_len < OP_HEADER_LEN + len) return;
  g_rw[g_rw_len] = (uint8_t)code;
  g_rw[g_rw_len + 1] = (uint8_t)(arg >> 8);
  g_rw[g_rw_len + 2] = (uint8_t)arg;
  if (len) memcpy(g_rw + g_rw_len + OP_HEADER_LEN, data, len);
  g_rw_len += OP_HEADER_LEN + len;
}

/* A server datagram: records the shadow opens become SEAL ops, the rest stay DATAGRAMs. */
static void rw_datagram(const uint8_t *d, size_t len) {
  static uint8_t plain[2048];
  size_t pos = 0, kept = 0;
  while (len - pos >= 13) {
    size_t n = 13 + (((size_t)d[pos + 11] << 8) | d[pos + 12]);
    long m;
    if (n > len - pos) break;
    m = shadow_open_server(d + pos, n, plain + 2, sizeof plain - 2);
    if (m >= 0 && d[pos + 5] == 0 && d[pos + 6] == 0 && d[pos + 7] == 0 && d[pos + 8] == 0 && d[pos + 9] == 0) {
      if (pos > kept) rw_op(OP_DATAGRAM, (uint32_t)(pos - kept), d + kept, pos - kept);
      plain[0] = d[pos];
      plain[1] = d[pos + 10];
      rw_op(OP_SEAL, (uint32_t)m + 2, plain, (size_t)m + 2);
      if ((int)d[pos + 10] > g_rw_last_seq) g_rw_last_seq = d[pos + 10];
      kept = pos + n;
    }
    pos += n;
  }
  if (len > kept) rw_op(OP_DATAGRAM, (uint32_t)(len - kept), d + kept, len - kept);
}

void client_run_rewrite(uint8_t *buf, size_t cap) {
  g_rw = buf;
  g_rw_cap = cap;
  g_rw_len = 0;
  g_rw_last_seq = -1;
  g_rw_stop = 0;
}

size_t client_run_rewritten(void) {
  /* the server ends the connection: close_notify, sealed */
  uint8_t close_notify[4] = {21, 0, 1, 0};
  if (!g_rw) return 0;
  close_notify[1] = (uint8_t)(g_rw_last_seq + 1);
  g_rw_stop = 0;
  rw_op(OP_SEAL, sizeof close_notify, close_notify, sizeof close_notify);
  g_rw = NULL;
  return g_rw_len;
}

/* ---- the ops ---- */

/* One datagram to the client; 0 when the host had to drop it (larger than the module's
 * I/O buffer: engine.ts and the glue refuse it before the module sees it). */
static int feed(const uint8_t *d, size_t len, struct client_result *out) {
  int32_t rc, lost = dtls_port_info(DTLS_INFO_APP_RECORDS_LOST);
  if (len > dtls_port_buffer_size()) return 0;
  rc = checked(dtls_port_on_datagram(d, len), "on_datagram");
  if (rc != dtls_port_state()) finding("on_datagram returned another state", rc, dtls_port_state());
  /* The read queue was drained before this datagram: it must hold what one datagram brings
   * (the largest record the client accepts), so nothing is lost for want of room. */
  if (lost >= 0 && dtls_port_info(DTLS_INFO_APP_RECORDS_LOST) != lost)
    finding("an application record was lost although the read queue was empty", lost, dtls_port_info(DTLS_INFO_APP_RECORDS_LOST));
  drain(out);
  return 1;
}

static void run_op(const struct client_op *op, struct client_result *out) {
  static uint8_t pattern[2048], sealed[2048];
  int32_t before = dtls_port_state(), after, rc = 0;
  int32_t reason = dtls_port_last_error();
  hal_fuzz_mark();
  if (op->code != OP_DATAGRAM && op->code != OP_SEAL) rw_op(op->code, op->arg, NULL, 0);
  switch (op->code) {
    case OP_DATAGRAM:
      out->datagrams_in++;
      if (g_rw && !g_rw_stop) rw_datagram(op->data, op->arg);
      shadow_on_server_datagram(op->data, op->arg);
      feed(op->data, op->arg, out);
      break;
    case OP_SEAL: {
      size_t n;
      uint32_t records_before;
      int32_t dropped, lost;
      int skew, delivered;
      out->datagrams_in++;
      rw_op(OP_SEAL, op->arg, op->data, op->arg);
      if (op->arg < 2) break;
      skew = (op->data[0] & SEAL_SKEWED_NONCE) != 0;
      n = shadow_seal(op->data[0] & (uint8_t)~SEAL_SKEWED_NONCE, op->data[1], skew, op->data + 2, op->arg - 2, sealed,
                      sizeof sealed);
      records_before = out->app_records;
      dropped = dtls_port_info(DTLS_INFO_RECORDS_DROPPED);
      lost = dtls_port_info(DTLS_INFO_APP_RECORDS_LOST);
      delivered = n && feed(sealed, n, out);
      /* RFC 7925 App. B: nonce_explicit is the epoch and sequence number; another is refused */
      if (skew && out->app_records != records_before) finding("accepted a record whose explicit nonce is not its sequence number", op->data[1], 0);
      /* Application data on an open connection is delivered, or its loss is visible: counted
       * as dropped (record layer) or lost (read queue), or the connection ends (issue 8). */
      if (delivered && !skew && op->data[0] == 23 && before == DTLS_STATE_CONNECTED && dtls_port_state() == DTLS_STATE_CONNECTED &&
          out->app_records == records_before && dtls_port_info(DTLS_INFO_RECORDS_DROPPED) == dropped &&
          dtls_port_info(DTLS_INFO_APP_RECORDS_LOST) == lost)
        finding("an application record vanished without a trace", (long)op->arg - 2, 0);
      break;
    }
    case OP_ADVANCE:
      g_period_ms += op->arg;
      if (g_period_ms >= FUZZ_RTO_MS) g_period_ms = g_period_answers = 0;
      hal_fuzz_advance(op->arg);
      rc = checked(dtls_port_poll(), "poll");
      if (rc < -1) finding("poll error", rc, 0);
      break;
    case OP_WRITE: {
      uint32_t n = op->arg % (sizeof pattern + 1), i;
      for (i = 0; i < n; i++) pattern[i] = (uint8_t)('a' + i % 26);
      if (n > dtls_port_buffer_size()) break;
      rc = checked(dtls_port_write(pattern, n), "write");
      if (rc >= 0 && (uint32_t)rc != n) finding("write returned another length", rc, n);
      if (rc >= 0 && before != DTLS_STATE_CONNECTED) finding("write accepted while not connected", before, rc);
      break;
    }
    case OP_CLOSE: checked(dtls_port_close(), "close"); break;
    case OP_CONNECT:
      if (before != DTLS_STATE_HANDSHAKING && before != DTLS_STATE_CONNECTED) {
        g_fatal_sent = g_sent_after_fatal = 0;
        g_period_answers = g_period_ms = 0;
      }
      checked(dtls_port_connect(), "connect");
      break;
    default: break;
  }
  after = dtls_port_state();
  if (op->code == OP_DATAGRAM || op->code == OP_SEAL) {
    g_period_answers += hal_fuzz_sent()->datagrams;
    if (g_period_answers > MAX_ANSWERS_PER_PERIOD)
      finding("amplification: datagrams sent in answer to the peer within one timer period", g_period_answers, after);
  }
  check_call(before, after, op->code == OP_CONNECT, reason);
  if (after == DTLS_STATE_CONNECTED) out->reached_connected = 1;
}

int client_run(const uint8_t *in, size_t len, struct client_result *out) {
  struct client_op op;
  size_t pos = 1;
  uint8_t flags = len ? in[0] : 0;
  int32_t info;
  memset(out, 0, sizeof *out);
  g_op = 0;
  hal_fuzz_reset(FUZZ_RANDOM_SEED, FUZZ_CLOCK_START);
  shadow_reset();
  g_fatal_sent = g_sent_after_fatal = 0;
  g_period_answers = g_period_ms = 0;
  hal_fuzz_on_send(on_client_send);
  hal_fuzz_on_random(shadow_on_random);
  if (g_rw && g_rw_cap) g_rw[g_rw_len++] = flags;
  if (dtls_port_init() != 0) return -1;
  if (configure(flags) != 0) return -1;
  checked(dtls_port_connect(), "connect");
  while (client_op_next(in, len, &pos, &op)) {
    g_op++;
    run_op(&op, out);
    out->ops++;
  }
  out->state = dtls_port_state();
  out->last_error = dtls_port_last_error();
  out->last_alert = dtls_port_last_alert();
  out->cipher_suite = dtls_port_info(DTLS_INFO_CIPHER_SUITE);
  out->datagrams_out = hal_fuzz_total_sent();
  out->keys_confirmed = shadow_keys_confirmed();
  if (g_rw) g_rw_stop = 1;
  /* After the input: every query, then the application's usual end. */
  for (info = 0; info < 32; info++) checked(dtls_port_info(info), "info");
  op.code = OP_WRITE;
  op.arg = 16;
  run_op(&op, out);
  op.code = OP_CLOSE;
  run_op(&op, out);
  return 0;
}

/* ---- the session blob (assembly/handshake/session_blob.ts) ---- */

/* The blob's layout: magic "DS", version 1, flags, suite(2), id_len, id[32], master[48],
 * peer[32], lifetime(4), ticket_len(2), ticket, check[16]. */
#define BLOB_OFF_TICKET_LEN 123
#define BLOB_OFF_MASTER 39
#define BLOB_OFF_PEER 87
#define BLOB_FLAG_PEER 2
#define BLOB_FLAG_CLIENT_AUTH 4
#define BLOB_FIXED 141

int session_run(const uint8_t *in, size_t len) {
  static uint8_t out[4096], resigned[4096];
  int32_t rc, n, state;
  g_op = 0;
  hal_fuzz_reset(FUZZ_RANDOM_SEED, FUZZ_CLOCK_START);
  shadow_reset();
  g_fatal_sent = g_sent_after_fatal = 0;
  hal_fuzz_on_send(on_client_send);
  hal_fuzz_on_random(shadow_on_random);
  if (dtls_port_init() != 0) return -1;
  /* the configuration the seeds' blobs were exported under (PSK, SNI, tickets) */
  if (configure(FLAG_SESSION_FEATURES) != 0) return -1;
  if (len > dtls_port_buffer_size()) return 0; /* the glue refuses it before the module */
  rc = checked(dtls_port_session_import(in, len), "session_import");
  if (rc == 0 || rc == DTLS_ERR_SESSION_REFUSED) {
    /* past the structural checks: the harness's own check must agree with the module's */
    uint8_t check[16];
    shadow_session_check(in, len - 16, check);
    if ((memcmp(check, in + len - 16, 16) == 0) != (rc == 0)) finding("the harness's blob check disagrees", rc, 0);
  }
  if (rc == DTLS_ERR_SESSION_REFUSED && len <= sizeof resigned) {
    /* a blob well-formed but for its check: signed again by the harness, so the fields
     * themselves reach sessionRestore, ticketStore and the ClientHello. It must be taken
     * (its suite aside: ERR_UNSUPPORTED). */
    memcpy(resigned, in, len);
    shadow_session_check(resigned, len - 16, resigned + len - 16);
    in = resigned;
    rc = checked(dtls_port_session_import(in, len), "session_import");
    if (getenv("FUZZ_VERBOSE")) fprintf(stderr, "signed again by the harness: %d\n", (int)rc);
    if (rc != 0 && rc != DTLS_ERR_UNSUPPORTED) finding("a blob with a valid check was refused", rc, 0);
  }
  if (rc != 0 && rc != DTLS_ERR_BAD_ARGUMENT && rc != DTLS_ERR_UNSUPPORTED && rc != DTLS_ERR_SESSION_REFUSED)
    finding("session_import returned an unknown code", rc, 0);
  if (getenv("FUZZ_VERBOSE")) fprintf(stderr, "session_import of %zu bytes: %d\n", len, (int)rc);
  if (rc == 0) {
    /* accepted: a well-formed blob of the right length, and it comes back out unchanged */
    if (len < BLOB_FIXED || in[0] != 'D' || in[1] != 'S' || in[2] != 1 ||
        len != BLOB_FIXED + (((size_t)in[BLOB_OFF_TICKET_LEN] << 8) | in[BLOB_OFF_TICKET_LEN + 1]))
      finding("session_import accepted a malformed blob", (long)len, 0);
    /* every field that means something comes back out (an ID's unused bytes, and the peer
     * hash and FLAG_CLIENT_AUTH without FLAG_PEER, come out as zeros: the check may differ) */
    uint8_t flags = (in[3] & BLOB_FLAG_PEER) ? in[3] : (uint8_t)(in[3] & ~BLOB_FLAG_CLIENT_AUTH);
    n = checked(dtls_port_session_export(out, sizeof out), "session_export");
    if (n != (int32_t)len || memcmp(out, in, 3) != 0 || out[3] != flags || memcmp(out + 4, in + 4, 3 + in[6]) != 0 || memcmp(out + BLOB_OFF_MASTER, in + BLOB_OFF_MASTER, 48) != 0 ||
        ((in[3] & BLOB_FLAG_PEER) && memcmp(out + BLOB_OFF_PEER, in + BLOB_OFF_PEER, 32) != 0) ||
        memcmp(out + BLOB_OFF_PEER + 32, in + BLOB_OFF_PEER + 32, len - 16 - (BLOB_OFF_PEER + 32)) != 0)
      finding("the imported session exports differently", n, (long)len);
  }
  hal_fuzz_mark();
  checked(dtls_port_connect(), "connect");
  state = dtls_port_state();
  check_call(DTLS_STATE_IDLE, state, 1, 0);
  if (state != DTLS_STATE_HANDSHAKING) finding("connect after session_import did not start a handshake", state, rc);
  if (hal_fuzz_total_sent() == 0) finding("connect after session_import sent no ClientHello", state, rc);
  checked(dtls_port_close(), "close");
  return 0;
}
