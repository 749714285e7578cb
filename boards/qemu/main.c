/*
 * The QEMU demo application: receives its configuration from the bridge, runs one handshake
 * (PSK, or ECDHE-ECDSA with raw public keys) through the runtime glue, sends the configured
 * text once connected, waits for the reply, closes (close_notify), reports a summary and
 * exits: 0 done, 1 failed, 2 configuration refused or text too large (as dtls-client).
 */
#include <string.h>

#include "board.h"
#include "dtls_codes.h"
#include "dtls_port.h"
#include "hal.h"
#include "link.h"

#define MAX_OPTIONS 8

static uint8_t g_identity[128], g_psk[64], g_send[512], g_key[32], g_pin[65];
static char g_sni[256];
static size_t g_identity_len, g_psk_len, g_send_len, g_key_len, g_pin_len;
static int g_has_send, g_has_sni, g_has_rpk;
/* Which configuration step the module refused (LINK_STEP_*), its result, the option. */
static int32_t g_cfg_step, g_cfg_rc, g_cfg_option;
static int32_t g_opt_key[MAX_OPTIONS], g_opt_val[MAX_OPTIONS];
static int g_nopts;
static uint32_t g_wait_ms = 5000;
static uint64_t g_core_ticks, g_handshake_ticks, g_init_ticks;
static uint8_t g_app[1600];
/* A session blob to resume (dtls_port_session_import): in a product, from where the PSK lives. */
static uint8_t g_session[1024];
static size_t g_session_len;
/* X.509: the LINK_CFG_CA / _CERT / _PEER_NAME records as received (tag, u16 length, value),
 * given to the module in that order at configuration. */
static uint8_t g_x509[3072];
static size_t g_x509_len;
static int g_more;

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void parse_config(const uint8_t *p, size_t n) {
  while (n >= 3) {
    uint8_t tag = p[0];
    size_t len = (size_t)p[1] | (size_t)p[2] << 8;
    const uint8_t *v = p + 3;
    if (len > n - 3) return;
    switch (tag) {
      case LINK_CFG_IDENTITY:
        if (len <= sizeof g_identity) memcpy(g_identity, v, g_identity_len = len);
        break;
      case LINK_CFG_PSK:
        if (len <= sizeof g_psk) memcpy(g_psk, v, g_psk_len = len);
        break;
      case LINK_CFG_SNI:
        if (len < sizeof g_sni) {
          memcpy(g_sni, v, len);
          g_sni[len] = 0;
          g_has_sni = 1;
        }
        break;
      case LINK_CFG_SEND:
        if (len <= sizeof g_send) {
          memcpy(g_send, v, g_send_len = len);
          g_has_send = 1;
        }
        break;
      case LINK_CFG_OPTION:
        if (len == 8 && g_nopts < MAX_OPTIONS) {
          g_opt_key[g_nopts] = (int32_t)le32(v);
          g_opt_val[g_nopts] = (int32_t)le32(v + 4);
          g_nopts++;
        }
        break;
      case LINK_CFG_WALL_TIME:
        if (len == 8) hal_wall_time = (int64_t)((uint64_t)le32(v) | (uint64_t)le32(v + 4) << 32);
        break;
      case LINK_CFG_WAIT_MS:
        if (len == 4) g_wait_ms = le32(v);
        break;
      case LINK_CFG_PRIVATE_KEY:
        if (len == sizeof g_key) memcpy(g_key, v, g_key_len = len);
        break;
      case LINK_CFG_SESSION:
        if (len <= sizeof g_session) memcpy(g_session, v, g_session_len = len);
        break;
      case LINK_CFG_CA:
      case LINK_CFG_CERT:
      case LINK_CFG_PEER_NAME:
        if (len <= sizeof g_x509 - 3 - g_x509_len) {
          memcpy(g_x509 + g_x509_len, p, 3 + len);
          g_x509_len += 3 + len;
        }
        break;
      case LINK_CFG_MORE:
        g_more = 1;
        break;
      case LINK_CFG_SERVER_PIN:
        if (len == 32 || len == 65) {
          memcpy(g_pin, v, g_pin_len = len);
          g_has_rpk = 1;
        }
        break;
      default:
        break;
    }
    p += 3 + len;
    n -= 3 + len;
  }
}

/* Key material is cleared through a volatile pointer: stores the compiler cannot drop. */
static void wipe(void *p, size_t n) {
  volatile uint8_t *b = (volatile uint8_t *)p;
  while (n--) *b++ = 0;
}

/* Time spent in the core by one call, HAL waits excluded. */
static uint64_t g_t0, g_w0;
static void core_enter(void) {
  g_w0 = hal_wait_ticks;
  g_t0 = board_ticks();
}
static void core_leave(void) { g_core_ticks += (board_ticks() - g_t0) - (hal_wait_ticks - g_w0); }

static void put_sum(uint8_t *out, size_t *n, uint8_t key, int32_t value) {
  out[*n] = key;
  out[*n + 1] = (uint8_t)value;
  out[*n + 2] = (uint8_t)((uint32_t)value >> 8);
  out[*n + 3] = (uint8_t)((uint32_t)value >> 16);
  out[*n + 4] = (uint8_t)((uint32_t)value >> 24);
  *n += 5;
}

static void log_text(const char *s) { hal_log(HAL_LOG_INFO, s, strlen(s)); }

static int32_t refuse(int32_t step, int32_t rc, int32_t option) {
  g_cfg_step = step;
  g_cfg_rc = rc;
  g_cfg_option = option;
  return -1;
}

/* The module instantiated and configured in dtls-client's order. 0, or -1 with the refused
 * step in g_cfg_step. The caller wipes the keys: the module keeps its own copy. */
static int32_t configure(void) {
  int32_t rc;
  int i;
  if ((rc = dtls_port_init()) != 0 || (rc = dtls_port_config_reset()) != 0) return refuse(LINK_STEP_INIT, rc, 0);
  if (g_x509_len) { /* as host/engine.ts configureX509: anchors, our key, our chain, the name */
    size_t off, len;
    int pass;
    for (pass = 0; pass < 3; pass++) {
      if (pass == 1 && g_key_len && !g_has_rpk && (rc = dtls_port_config_rpk(g_key, g_key_len, NULL, 0)) != 0)
        return refuse(LINK_STEP_X509, rc, LINK_CFG_PRIVATE_KEY);
      for (off = 0; off + 3 <= g_x509_len; off += 3 + len) {
        uint8_t tag = g_x509[off];
        len = (size_t)g_x509[off + 1] | (size_t)g_x509[off + 2] << 8;
        if (tag != (pass == 0 ? LINK_CFG_CA : pass == 1 ? LINK_CFG_CERT : LINK_CFG_PEER_NAME)) continue;
        if (tag == LINK_CFG_PEER_NAME) {
          static char name[256];
          if (len >= sizeof name) return refuse(LINK_STEP_X509, DTLS_ERR_BAD_ARGUMENT, tag);
          memcpy(name, g_x509 + off + 3, len);
          name[len] = 0;
          rc = dtls_port_config_peer_name(name);
        } else {
          rc = tag == LINK_CFG_CA ? dtls_port_config_ca(g_x509 + off + 3, len) : dtls_port_config_cert(g_x509 + off + 3, len);
        }
        if (rc != 0) return refuse(LINK_STEP_X509, rc, tag);
      }
    }
  }
  if (g_identity_len && (rc = dtls_port_config_psk(g_identity, g_identity_len, g_psk, g_psk_len)) != 0)
    return refuse(LINK_STEP_PSK, rc, 0);
  if (g_has_rpk && (rc = dtls_port_config_rpk(g_key_len ? g_key : NULL, g_key_len, g_pin, g_pin_len)) != 0)
    return refuse(LINK_STEP_RPK, rc, 0);
  if (g_has_sni && (rc = dtls_port_config_sni(g_sni)) != 0) return refuse(LINK_STEP_SNI, rc, 0);
  for (i = 0; i < g_nopts; i++)
    if ((rc = dtls_port_config_set(g_opt_key[i], g_opt_val[i])) != 0) return refuse(LINK_STEP_OPTION, rc, g_opt_key[i]);
  if (g_session_len) {
    dtls_port_config_set(DTLS_OPT_RESUME, 1);
    rc = dtls_port_session_import(g_session, g_session_len);
    wipe(g_session, sizeof g_session);
    if (rc != 0) return refuse(LINK_STEP_SESSION, rc, 0);
  }
  return 0;
}

int main(void) {
  static const int32_t info_keys[] = {
      DTLS_INFO_CIPHER_SUITE, DTLS_INFO_MFL, DTLS_INFO_EMS, DTLS_INFO_SNI_ACCEPTED,
      DTLS_INFO_RESUMED, DTLS_INFO_TICKET, DTLS_INFO_FLIGHTS_RETRANSMITTED, DTLS_INFO_FLIGHTS_SENT,
      DTLS_INFO_FLIGHTS_RECEIVED, DTLS_INFO_HANDSHAKE_MS, DTLS_INFO_VERSION,
      DTLS_INFO_HEAP_TOP, DTLS_INFO_MEMORY_PAGES, DTLS_INFO_STATIC_END,
      DTLS_INFO_RECORDS_DROPPED, DTLS_INFO_APP_RECORDS_LOST, DTLS_INFO_DATAGRAMS_TOO_LARGE,
      DTLS_INFO_CLIENT_AUTH, DTLS_INFO_MAX_WRITE, DTLS_INFO_HANDSHAKE_BYTES_SENT, DTLS_INFO_HANDSHAKE_BYTES_RECEIVED,
      DTLS_INFO_HANDSHAKE_DATAGRAMS_SENT, DTLS_INFO_HANDSHAKE_DATAGRAMS_RECEIVED, DTLS_INFO_HEARTBEATS_SENT, DTLS_INFO_HEARTBEAT_RESPONSES,
      DTLS_INFO_HEARTBEATS_ANSWERED, DTLS_INFO_HEARTBEAT_PEER_MODE, DTLS_INFO_FALSE_START, DTLS_INFO_MAX_DATAGRAM_SENT,
      DTLS_INFO_CERT_RESULT, DTLS_INFO_CERT_FAIL_INDEX, DTLS_INFO_CERT_COUNT, DTLS_INFO_CERT_TYPE};
  uint8_t hello = LINK_VERSION, sum[420];
  size_t n, i;
  int32_t rc = 0, state = -1, written;
  int connected = 0, got = 0, trapped = 0, too_large = 0, hold = 0;
  uint32_t connected_at = 0, next_poll;

  board_clock_init();
  uart_init();
  link_init();
  link_send('H', &hello, 1, 0, 0);
  for (;;) { /* wait for the configuration */
    n = link_poll();
    if (n && link_frame[0] == 'C') {
      g_more = 0;
      parse_config(link_frame + 1, n - 1);
      wipe(link_frame, n); /* the frame held the PSK and the private key */
      if (!g_more) break;
    }
  }

  core_enter();
  rc = configure();
  core_leave();
  g_init_ticks = g_core_ticks; /* instantiation (wasm3: compiling every function) + configuration */
  board_heap_mark_init();
  wipe(g_key, sizeof g_key);
  wipe(g_psk, sizeof g_psk);
  if (rc == 0) {
    core_enter();
    rc = dtls_port_connect();
    core_leave();
  }
  /* With heartbeats (RFC 6520) the session lasts the whole wait, a reply or not, as dtls-client's. */
  for (i = 0; i < (size_t)g_nopts; i++)
    if (g_opt_key[i] == DTLS_OPT_HEARTBEAT && g_opt_val[i] != 0) hold = 1;
  next_poll = board_ms;
  while (g_cfg_step == 0 && (rc >= 0 || rc == DTLS_ERR_FAILED)) {
    state = dtls_port_state(); /* cheap: not counted as core work */
    if (state < 0) break;
    if (state == DTLS_PORT_STATE_CONNECTED) {
      if (!connected) {
        connected = 1;
        connected_at = board_ms;
        g_handshake_ticks = g_core_ticks;
        if (!g_has_send && !hold) break;
        if (g_has_send && g_send_len > (size_t)dtls_port_info(DTLS_INFO_MAX_WRITE)) { /* as dtls-client: not sent */
          too_large = 1;
          break;
        }
        if (g_has_send) {
          core_enter();
          written = dtls_port_write(g_send, g_send_len); /* rc keeps dtls_port_connect's result */
          core_leave();
          if (written < 0) break;
        }
      }
      for (;;) {
        int32_t r;
        uint64_t t0 = board_ticks();
        r = dtls_port_read(g_app, sizeof g_app);
        if (r < 0) break; /* polling an empty inbox is not counted */
        g_core_ticks += board_ticks() - t0;
        link_send('A', g_app, (size_t)r, 0, 0);
        got = 1;
      }
      if ((got && !hold) || (int32_t)(board_ms - connected_at - g_wait_ms) >= 0) break;
    } else if (state != DTLS_PORT_STATE_HANDSHAKING) {
      break;
    }
    if (link_pending_len) {
      core_enter();
      dtls_port_on_datagram(link_pending, link_pending_len);
      core_leave();
      link_pending_len = 0;
      continue;
    }
    n = link_poll();
    if (n > 1 && link_frame[0] == 'D') {
      core_enter();
      dtls_port_on_datagram(link_frame + 1, n - 1);
      core_leave();
      continue;
    }
    if ((int32_t)(board_ms - next_poll) >= 0) {
      int32_t wait;
      core_enter();
      wait = dtls_port_poll();
      core_leave();
      next_poll = board_ms + (wait < 0 || wait > 1000 ? 1000u : (uint32_t)wait);
    }
  }
  if (dtls_port_state() == DTLS_PORT_ETRAP) trapped = 1;
  /* Our close_notify when still connected (not counted as core work): the summary's state is
   * then "closed", as dtls-client's. */
  if (!trapped && dtls_port_state() == DTLS_PORT_STATE_CONNECTED) dtls_port_close();
  state = dtls_port_state();
  if (g_has_rpk && !trapped && dtls_port_peer_key_hash(link_frame) == 0) link_send('K', link_frame, 32, 0, 0);
  if (!trapped) { /* RFC 9146 CIDs for "cid": sent then received, each a length (0xff: none) and its bytes */
    static const int32_t cid_keys[2] = {DTLS_INFO_CID_SENT_LEN, DTLS_INFO_CID_RECEIVED_LEN};
    int32_t len;
    for (n = 0, i = 0; i < 2; i++) {
      len = dtls_port_info_bytes(cid_keys[i], link_frame + n + 1, 255);
      link_frame[n] = (uint8_t)(len < 0 ? 0xff : len);
      n += 1 + (size_t)(len > 0 ? len : 0);
    }
    link_send('I', link_frame, n, 0, 0);
  }

  n = 0;
  put_sum(sum, &n, LINK_SUM_STATE, trapped ? -1 : state);
  put_sum(sum, &n, LINK_SUM_LAST_ERROR, trapped ? -1 : dtls_port_last_error());
  put_sum(sum, &n, LINK_SUM_LAST_ALERT, trapped ? -1 : dtls_port_last_alert());
  put_sum(sum, &n, LINK_SUM_CONNECT_RC, rc);
  for (i = 0; i < sizeof info_keys / sizeof info_keys[0]; i++)
    put_sum(sum, &n, (uint8_t)info_keys[i], trapped ? 0 : dtls_port_info(info_keys[i]));
  put_sum(sum, &n, LINK_SUM_CORE_TICKS_LO, (int32_t)(uint32_t)g_core_ticks);
  put_sum(sum, &n, LINK_SUM_CORE_TICKS_HI, (int32_t)(uint32_t)(g_core_ticks >> 32));
  put_sum(sum, &n, LINK_SUM_HANDSHAKE_TICKS_LO, (int32_t)(uint32_t)g_handshake_ticks);
  put_sum(sum, &n, LINK_SUM_HANDSHAKE_TICKS_HI, (int32_t)(uint32_t)(g_handshake_ticks >> 32));
  put_sum(sum, &n, LINK_SUM_STACK_USED, (int32_t)board_stack_used());
  put_sum(sum, &n, LINK_SUM_MEMORY_CAP, (int32_t)dtls_port_memory_size());
  put_sum(sum, &n, LINK_SUM_TICK_HZ, (int32_t)BOARD_CPU_HZ);
  put_sum(sum, &n, LINK_SUM_TRAP, trapped);
  put_sum(sum, &n, LINK_SUM_CONFIG_STEP, g_cfg_step);
  put_sum(sum, &n, LINK_SUM_CONFIG_RC, g_cfg_rc);
  put_sum(sum, &n, LINK_SUM_CONFIG_OPTION, g_cfg_option);
  put_sum(sum, &n, LINK_SUM_SEND_TOO_LARGE, too_large);
  put_sum(sum, &n, LINK_SUM_HEAP_PEAK, (int32_t)board_heap_peak());
  put_sum(sum, &n, LINK_SUM_HEAP_REGION_PEAK, (int32_t)board_heap_region_used());
  put_sum(sum, &n, LINK_SUM_HEAP_SIZE, (int32_t)board_heap_size());
  put_sum(sum, &n, LINK_SUM_HEAP_INIT_PEAK, (int32_t)board_heap_init_peak());
  put_sum(sum, &n, LINK_SUM_HEAP_INIT_REGION, (int32_t)board_heap_init_region());
  put_sum(sum, &n, LINK_SUM_HEAP_CALLS_AFTER, (int32_t)board_heap_calls_after_init());
  put_sum(sum, &n, LINK_SUM_INIT_TICKS_LO, (int32_t)(uint32_t)g_init_ticks);
  put_sum(sum, &n, LINK_SUM_INIT_TICKS_HI, (int32_t)(uint32_t)(g_init_ticks >> 32));
  if (trapped || g_cfg_step == LINK_STEP_INIT) log_text(dtls_port_error_message());
  link_send('S', sum, n, 0, 0);
  {
    uint8_t code = g_cfg_step ? 2 : (!connected || trapped || state == DTLS_PORT_STATE_FAILED) ? 1 : too_large ? 2 : 0;
    link_send('X', &code, 1, 0, 0);
    return code;
  }
}
