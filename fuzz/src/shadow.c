/*
 * The harness's view of the handshake's keys (shadow.h): DTLS 1.2 (RFC 6347) transcript,
 * RFC 4279 PSK or RFC 8422 ECDHE premaster, RFC 5246 PRF, RFC 7627 extended master secret,
 * RFC 6655 / RFC 7925 App. B AES-128-CCM-8 records. Built from the RFCs on libcrypto's
 * low-level AES block and SHA-256: its EVP layer looks up algorithm and parameter names
 * with strcmp on every call, and libFuzzer would take those strings for the input's.
 */
#define OPENSSL_SUPPRESS_DEPRECATED /* the low-level AES and SHA-256 calls (below) */
#include "shadow.h"

#include <openssl/aes.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_config.h"
#include "p256_openssl.h"

#define REC_HDR 13
#define HS_HDR 12
#define MSG_MAX 2048
#define SLOTS 8
#define TRANSCRIPT_MAX 16384
#define DRAWS 16

/* A handshake message being put together from its fragments. */
struct slot {
  int used;
  uint32_t seq, len, have;
  uint8_t type;
  uint8_t body[MSG_MAX];
  uint8_t got[MSG_MAX];
};

/* One direction: the next message_seq it takes and the messages still incomplete. */
struct side {
  uint32_t next_seq;
  struct slot slots[SLOTS];
};

static struct side g_client, g_server;
static uint8_t g_transcript[TRANSCRIPT_MAX];
static size_t g_transcript_len;
static uint8_t g_client_random[32], g_server_random[32];
static uint16_t g_suite;
static int g_ems;
static uint8_t g_server_point[65];
static int g_have_server_point;
static uint8_t g_draws[DRAWS][32];
static unsigned g_ndraws;
static uint8_t g_client_key[16], g_server_key[16], g_client_salt[4], g_server_salt[4];
static int g_keys, g_confirmed;

static uint32_t get16(const uint8_t *p) { return ((uint32_t)p[0] << 8) | p[1]; }
static uint32_t get24(const uint8_t *p) { return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2]; }

void shadow_reset(void) {
  memset(&g_client, 0, sizeof g_client);
  memset(&g_server, 0, sizeof g_server);
  g_transcript_len = 0;
  g_suite = 0;
  g_ems = 0;
  g_have_server_point = 0;
  g_ndraws = 0;
  g_keys = 0;
  g_confirmed = 0;
  memset(g_client_key, 0, sizeof g_client_key);
  memset(g_server_key, 0, sizeof g_server_key);
  memset(g_client_salt, 0, sizeof g_client_salt);
  memset(g_server_salt, 0, sizeof g_server_salt);
}

int shadow_keys_confirmed(void) { return g_confirmed; }

void shadow_on_random(const uint8_t *buf, size_t len) {
  if (len != 32) return;
  memcpy(g_draws[g_ndraws % DRAWS], buf, 32);
  g_ndraws++;
}

static void transcript_add(uint8_t type, uint32_t seq, const uint8_t *body, uint32_t len) {
  uint8_t h[HS_HDR] = {type, (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len, (uint8_t)(seq >> 8), (uint8_t)seq,
                       0, 0, 0, (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len};
  if (TRANSCRIPT_MAX - g_transcript_len < HS_HDR + len) return;
  memcpy(g_transcript + g_transcript_len, h, HS_HDR);
  memcpy(g_transcript + g_transcript_len + HS_HDR, body, len);
  g_transcript_len += HS_HDR + len;
}

static void sha256(const uint8_t *d, size_t n, uint8_t out[32]) {
  SHA256_CTX c;
  SHA256_Init(&c);
  SHA256_Update(&c, d, n);
  SHA256_Final(out, &c);
}

/* HMAC-SHA-256 (RFC 2104) of the concatenation of two parts. */
static void hmac(const uint8_t *key, size_t key_len, const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
                 uint8_t out[32]) {
  uint8_t k[64] = {0}, pad[64], inner[32];
  SHA256_CTX c;
  size_t i;
  if (key_len > 64) sha256(key, key_len, k);
  else memcpy(k, key, key_len);
  for (i = 0; i < 64; i++) pad[i] = k[i] ^ 0x36;
  SHA256_Init(&c);
  SHA256_Update(&c, pad, 64);
  SHA256_Update(&c, a, a_len);
  SHA256_Update(&c, b, b_len);
  SHA256_Final(inner, &c);
  for (i = 0; i < 64; i++) pad[i] = k[i] ^ 0x5c;
  SHA256_Init(&c);
  SHA256_Update(&c, pad, 64);
  SHA256_Update(&c, inner, 32);
  SHA256_Final(out, &c);
}

/* TLS 1.2 PRF with SHA-256 (RFC 5246 s. 5): P_SHA256(secret, label + seed). */
static void prf(const uint8_t *secret, size_t secret_len, const char *label, const uint8_t *seed, size_t seed_len,
                uint8_t *out, size_t n) {
  uint8_t ls[128], a[32], t[32];
  size_t ls_len = strlen(label) + seed_len, done = 0, k;
  memcpy(ls, label, strlen(label));
  memcpy(ls + strlen(label), seed, seed_len);
  hmac(secret, secret_len, ls, ls_len, NULL, 0, a); /* A(1) */
  while (done < n) {
    hmac(secret, secret_len, a, 32, ls, ls_len, t);
    for (k = 0; k < 32 && done < n; k++) out[done++] = t[k];
    hmac(secret, secret_len, a, 32, NULL, 0, a);
  }
}

static void hexbytes(const char *hex, uint8_t *out, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    unsigned v = 0;
    if (sscanf(hex + 2 * i, "%2x", &v) != 1) v = 0;
    out[i] = (uint8_t)v;
  }
}

/* The client's ephemeral key: the 32-byte draw whose public point the ClientKeyExchange
 * carries. */
static int find_ephemeral(const uint8_t point[65], uint8_t priv[32]) {
  unsigned i, n = g_ndraws < DRAWS ? g_ndraws : DRAWS;
  uint8_t pub[65];
  for (i = 0; i < n; i++) {
    const uint8_t *d = g_draws[(g_ndraws - 1 - i) % DRAWS];
    if (ossl_public_from_private(d, pub) && memcmp(pub, point, 65) == 0) {
      memcpy(priv, d, 32);
      return 1;
    }
  }
  return 0;
}

/* The ClientKeyExchange just went into the transcript: premaster, master, key block. */
static void derive(const uint8_t *cke, uint32_t cke_len) {
  uint8_t pms[2 + 64 + 2 + 64], ms[48], block[40], seed[64], hash[32];
  size_t pms_len;
  if (g_suite == 0xc0ae) { /* TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 */
    uint8_t priv[32];
    if (!g_have_server_point || cke_len != 66 || cke[0] != 65 || !find_ephemeral(cke + 1, priv)) return;
    if (!ossl_ecdh(priv, g_server_point, pms)) return;
    pms_len = 32;
  } else { /* TLS_PSK_WITH_AES_128_CCM_8: uint16 N, N zeros, uint16 N, the PSK */
    size_t n = strlen(FUZZ_PSK_HEX) / 2;
    pms[0] = 0;
    pms[1] = (uint8_t)n;
    memset(pms + 2, 0, n);
    pms[2 + n] = 0;
    pms[3 + n] = (uint8_t)n;
    hexbytes(FUZZ_PSK_HEX, pms + 4 + n, n);
    pms_len = 4 + 2 * n;
  }
  if (g_ems) {
    sha256(g_transcript, g_transcript_len, hash);
    prf(pms, pms_len, "extended master secret", hash, 32, ms, 48);
  } else {
    memcpy(seed, g_client_random, 32);
    memcpy(seed + 32, g_server_random, 32);
    prf(pms, pms_len, "master secret", seed, 64, ms, 48);
  }
  memcpy(seed, g_server_random, 32);
  memcpy(seed + 32, g_client_random, 32);
  prf(ms, 48, "key expansion", seed, 64, block, 40);
  memcpy(g_client_key, block, 16);
  memcpy(g_server_key, block + 16, 16);
  memcpy(g_client_salt, block + 32, 4);
  memcpy(g_server_salt, block + 36, 4);
  g_keys = 1;
}

/* ServerHello: randoms, suite, whether extended_master_secret (23) came back. */
static void server_hello(const uint8_t *b, uint32_t len) {
  uint32_t p, end;
  if (len < 38) return;
  memcpy(g_server_random, b + 2, 32);
  p = 35 + b[34];
  if (p + 3 > len) return;
  g_suite = (uint16_t)get16(b + p);
  p += 3;
  if (p + 2 > len) return;
  end = p + 2 + get16(b + p);
  if (end > len) return;
  for (p += 2; p + 4 <= end; p += 4 + get16(b + p + 2))
    if (get16(b + p) == 23) g_ems = 1;
}

static void on_message(int from_server, uint8_t type, uint32_t seq, const uint8_t *body, uint32_t len) {
  if (!from_server && type == 1) { /* ClientHello: the transcript starts (again) here */
    g_transcript_len = 0;
    if (len >= 34) memcpy(g_client_random, body + 2, 32);
  }
  if (from_server && type == 3) return; /* HelloVerifyRequest: never in the transcript */
  if (from_server && type == 2) server_hello(body, len);
  if (from_server && type == 12 && len >= 69 && body[0] == 3 && get16(body + 1) == 23 && body[3] == 65) {
    memcpy(g_server_point, body + 4, 65);
    g_have_server_point = 1;
  }
  transcript_add(type, seq, body, len);
  if (!from_server && type == 16) derive(body, len);
}

/* One fragment: into its slot; complete messages leave in message_seq order. */
static void on_fragment(int from_server, const uint8_t *f) {
  struct side *s = from_server ? &g_server : &g_client;
  uint32_t len = get24(f + 1), seq = get16(f + 4), off = get24(f + 6), flen = get24(f + 9), i;
  struct slot *slot = NULL;
  if (seq < s->next_seq || seq >= s->next_seq + SLOTS || len > MSG_MAX || off > len || flen > len - off) return;
  for (i = 0; i < SLOTS; i++)
    if (s->slots[i].used && s->slots[i].seq == seq) slot = &s->slots[i];
  for (i = 0; i < SLOTS && !slot; i++) {
    if (!s->slots[i].used) {
      slot = &s->slots[i];
      memset(slot->got, 0, sizeof slot->got);
      slot->used = 1;
      slot->seq = seq;
      slot->len = len;
      slot->type = f[0];
      slot->have = 0;
    }
  }
  if (!slot || slot->len != len || slot->type != f[0]) return;
  for (i = 0; i < flen; i++) {
    slot->body[off + i] = f[HS_HDR + i];
    if (!slot->got[off + i]) slot->have++;
    slot->got[off + i] = 1;
  }
  for (;;) { /* hand over every complete message that is next */
    struct slot *next = NULL;
    for (i = 0; i < SLOTS; i++)
      if (s->slots[i].used && s->slots[i].seq == s->next_seq && s->slots[i].have == s->slots[i].len) next = &s->slots[i];
    if (!next) break;
    next->used = 0;
    s->next_seq++;
    on_message(from_server, next->type, next->seq, next->body, next->len);
  }
}

/* AES-128-CCM with an 8-byte tag and a 12-byte nonce (RFC 3610: L = 3), additional data
 * = seq_num || type || version || length (13 bytes, RFC 5246 6.2.3.3). enc: out = the
 * ciphertext and tag = its tag; else out = the plaintext, and 1 only when tag matches. */
static int ccm(int enc, const uint8_t key[16], const uint8_t salt[4], const uint8_t explicit_nonce[8], const uint8_t *hdr,
               const uint8_t *in, size_t n, uint8_t *out, uint8_t tag[8]) {
  AES_KEY k;
  uint8_t b[16], x[16], ctr[16], s[16], t[8];
  size_t i, j;
  AES_set_encrypt_key(key, 128, &k);
  /* B0 = flags (Adata, M' = 3, L' = 2) || nonce || length; then the 2-byte-length AAD */
  b[0] = 0x40 | (((8 - 2) / 2) << 3) | (3 - 1);
  memcpy(b + 1, salt, 4);
  memcpy(b + 5, explicit_nonce, 8);
  b[13] = (uint8_t)(n >> 16);
  b[14] = (uint8_t)(n >> 8);
  b[15] = (uint8_t)n;
  AES_encrypt(b, x, &k);
  memset(b, 0, 16);
  b[1] = 13;
  memcpy(b + 2, hdr + 3, 8);
  b[10] = hdr[0];
  b[11] = hdr[1];
  b[12] = hdr[2];
  b[13] = (uint8_t)(n >> 8);
  b[14] = (uint8_t)n;
  for (i = 0; i < 16; i++) x[i] ^= b[i];
  AES_encrypt(x, x, &k);
  /* CTR: A_i = flags (L' = 2) || nonce || i; A_0 encrypts the tag */
  memset(ctr, 0, 16);
  ctr[0] = 3 - 1;
  memcpy(ctr + 1, salt, 4);
  memcpy(ctr + 5, explicit_nonce, 8);
  for (i = 0; i < n; i += 16) {
    size_t m = n - i < 16 ? n - i : 16;
    uint32_t cnt = (uint32_t)(i / 16 + 1);
    ctr[13] = (uint8_t)(cnt >> 16);
    ctr[14] = (uint8_t)(cnt >> 8);
    ctr[15] = (uint8_t)cnt;
    AES_encrypt(ctr, s, &k);
    for (j = 0; j < m; j++) {
      uint8_t p = enc ? in[i + j] : (uint8_t)(in[i + j] ^ s[j]);
      out[i + j] = (uint8_t)(in[i + j] ^ s[j]);
      x[j] ^= p; /* CBC-MAC over the plaintext, zero-padded */
    }
    AES_encrypt(x, x, &k);
  }
  ctr[13] = ctr[14] = ctr[15] = 0;
  AES_encrypt(ctr, s, &k);
  for (i = 0; i < 8; i++) t[i] = (uint8_t)(x[i] ^ s[i]);
  if (enc) {
    memcpy(tag, t, 8);
    return 1;
  }
  return memcmp(t, tag, 8) == 0;
}

static long open_record(const uint8_t key[16], const uint8_t salt[4], const uint8_t *r, size_t len, uint8_t *out,
                        size_t cap) {
  size_t body, n;
  uint8_t tag[8];
  if (len < REC_HDR + 16) return -1;
  body = get16(r + 11);
  if (body > len - REC_HDR || body < 16) return -1;
  n = body - 16;
  if (n > cap || memcmp(r + REC_HDR, r + 3, 8) != 0) return -1;
  memcpy(tag, r + REC_HDR + 8 + n, 8);
  return ccm(0, key, salt, r + REC_HDR, r, r + REC_HDR + 8, n, out, tag) ? (long)n : -1;
}

static void on_datagram(int from_server, const uint8_t *d, size_t len) {
  size_t pos = 0;
  while (len - pos >= REC_HDR) {
    const uint8_t *r = d + pos;
    size_t body = get16(r + 11), p;
    if (body > len - pos - REC_HDR) return;
    if (r[0] == 22 && get16(r + 3) == 0) {
      for (p = 0; body - p >= HS_HDR && get24(r + REC_HDR + p + 9) <= body - p - HS_HDR; p += HS_HDR + get24(r + REC_HDR + p + 9))
        on_fragment(from_server, r + REC_HDR + p);
    } else if (!from_server && r[0] == 22 && get16(r + 3) == 1 && g_keys && !g_confirmed) {
      uint8_t plain[256];
      if (open_record(g_client_key, g_client_salt, r, REC_HDR + body, plain, sizeof plain) >= 4 && plain[0] == 20)
        g_confirmed = 1;
    }
    pos += REC_HDR + body;
  }
}

void shadow_on_client_datagram(const uint8_t *buf, size_t len) { on_datagram(0, buf, len); }
void shadow_on_server_datagram(const uint8_t *buf, size_t len) { on_datagram(1, buf, len); }

size_t shadow_seal(uint8_t type, uint64_t seq, int skew, const uint8_t *plain, size_t len, uint8_t *out, size_t cap) {
  size_t body = len + 16;
  int i;
  if (cap < REC_HDR + body || body > 0xffff) return 0;
  out[0] = type;
  out[1] = 0xfe;
  out[2] = 0xfd;
  out[3] = 0;
  out[4] = 1;
  out[11] = (uint8_t)(body >> 8);
  out[12] = (uint8_t)body;
  /* the explicit nonce: epoch || seq + skew; the header (and so the AAD): epoch || seq */
  for (i = 0; i < 6; i++) out[5 + i] = (uint8_t)((seq + (uint64_t)skew) >> (8 * (5 - i)));
  memcpy(out + REC_HDR, out + 3, 8);
  for (i = 0; i < 6; i++) out[5 + i] = (uint8_t)(seq >> (8 * (5 - i)));
  if (!ccm(1, g_server_key, g_server_salt, out + REC_HDR, out, plain, len, out + REC_HDR + 8, out + REC_HDR + 8 + len))
    return 0;
  return REC_HDR + body;
}

long shadow_open_server(const uint8_t *record, size_t len, uint8_t *out, size_t cap) {
  if (!g_keys || len < REC_HDR || get16(record + 3) != 1) return -1;
  return open_record(g_server_key, g_server_salt, record, len, out, cap);
}

long shadow_open_client(const uint8_t *record, size_t len, uint8_t *out, size_t cap) {
  if (!g_keys || len < REC_HDR || get16(record + 3) != 1) return -1;
  return open_record(g_client_key, g_client_salt, record, len, out, cap);
}

/* The check of a session blob (assembly/handshake/session_blob.ts) made under the harness's
 * PSK configuration with SNI: PRF(owner, "dtls session blob", body)[0..16), owner the
 * SHA-256 of each credential as length(2) || bytes: identity, PSK, server name, and the
 * empty server pin and client key of a PSK configuration. */
void shadow_session_check(const uint8_t *body, size_t len, uint8_t out[16]) {
  static const char label[] = "dtls session blob";
  uint8_t psk[64], owner[32], a[32 + sizeof label], t[32], l[2];
  size_t psk_len = strlen(FUZZ_PSK_HEX) / 2, i;
  const uint8_t *fields[5];
  size_t lens[5];
  SHA256_CTX c;
  hexbytes(FUZZ_PSK_HEX, psk, psk_len);
  fields[0] = (const uint8_t *)FUZZ_PSK_IDENTITY; lens[0] = strlen(FUZZ_PSK_IDENTITY);
  fields[1] = psk; lens[1] = psk_len;
  fields[2] = (const uint8_t *)FUZZ_SNI; lens[2] = strlen(FUZZ_SNI);
  fields[3] = fields[4] = psk; lens[3] = lens[4] = 0;
  SHA256_Init(&c);
  for (i = 0; i < 5; i++) {
    l[0] = (uint8_t)(lens[i] >> 8);
    l[1] = (uint8_t)lens[i];
    SHA256_Update(&c, l, 2);
    SHA256_Update(&c, fields[i], lens[i]);
  }
  SHA256_Final(owner, &c);
  hmac(owner, 32, (const uint8_t *)label, sizeof label - 1, body, len, a); /* A(1) */
  memcpy(a + 32, label, sizeof label - 1);
  hmac(owner, 32, a, 32 + sizeof label - 1, body, len, t);
  memcpy(out, t, 16);
}
