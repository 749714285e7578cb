/*
 * Structure-aware mutation of client inputs (client_input.h) for libFuzzer. Recorded real
 * handshakes are the seeds; most mutations keep them well formed enough to get deep:
 * a datagram is a list of DTLS records (13-byte header), a plaintext handshake record (in
 * epoch 0, or a SEAL op's plaintext) a list of handshake fragments (12-byte header), and
 * an edit inside one of them fixes the lengths around it. Others work on the ops: repeat,
 * drop, reorder, split or merge datagrams, move the clock, write, close, reconnect. One
 * in eight is libFuzzer's own byte-level mutation of the whole input.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "client_input.h"
#include "fuzz_config.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2, size_t size2,
                                 uint8_t *out, size_t max_out_size, unsigned int seed);

#define MAX_OPS 512
#define ARENA_SIZE (1u << 18)
#define REC_HDR 13
#define HS_HDR 12
#define MAX_RECORDS 64

struct mop {
  uint8_t code;
  uint32_t arg;      /* DATAGRAM: its length */
  const uint8_t *data;
};

static struct mop g_ops[MAX_OPS];
static size_t g_nops;
static uint8_t g_flags;
static uint8_t g_arena[ARENA_SIZE]; /* datagrams made by this mutation */
static size_t g_arena_used;
static uint64_t g_rng;

static uint32_t rnd(uint32_t n) {
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 7;
  g_rng ^= g_rng << 17;
  return n ? (uint32_t)(g_rng % n) : 0;
}

static uint8_t *arena(size_t n) {
  uint8_t *p;
  if (n > ARENA_SIZE - g_arena_used) return NULL;
  p = g_arena + g_arena_used;
  g_arena_used += n;
  return p;
}

static void parse(const uint8_t *in, size_t len) {
  struct client_op op;
  size_t pos = 1;
  g_nops = 0;
  g_flags = len ? in[0] : 0;
  while (g_nops < MAX_OPS && client_op_next(in, len, &pos, &op)) {
    g_ops[g_nops].code = (uint8_t)op.code;
    g_ops[g_nops].arg = op.arg;
    g_ops[g_nops].data = op.data;
    g_nops++;
  }
}

/* Writes the ops back; 0 when they do not fit in max. */
static size_t serialize(uint8_t *out, size_t max) {
  size_t pos = 1, i;
  if (max < 1) return 0;
  out[0] = g_flags;
  for (i = 0; i < g_nops; i++) {
    const struct mop *m = &g_ops[i];
    size_t n = (m->code == OP_DATAGRAM || m->code == OP_SEAL) ? m->arg : 0;
    if (max - pos < OP_HEADER_LEN + n) return 0;
    out[pos] = m->code;
    out[pos + 1] = (uint8_t)(m->arg >> 8);
    out[pos + 2] = (uint8_t)m->arg;
    if (n) memmove(out + pos + OP_HEADER_LEN, m->data, n);
    pos += OP_HEADER_LEN + n;
  }
  return pos;
}

static int insert_op(size_t at, struct mop m) {
  if (g_nops >= MAX_OPS || at > g_nops) return 0;
  memmove(&g_ops[at + 1], &g_ops[at], (g_nops - at) * sizeof g_ops[0]);
  g_ops[at] = m;
  g_nops++;
  return 1;
}

static void remove_op(size_t at) {
  memmove(&g_ops[at], &g_ops[at + 1], (g_nops - at - 1) * sizeof g_ops[0]);
  g_nops--;
}

/* A random DATAGRAM op, or -1. */
static long pick_datagram(void) {
  size_t i, n = 0, k;
  for (i = 0; i < g_nops; i++) n += g_ops[i].code == OP_DATAGRAM;
  if (!n) return -1;
  k = rnd((uint32_t)n);
  for (i = 0; i < g_nops; i++)
    if (g_ops[i].code == OP_DATAGRAM && k-- == 0) return (long)i;
  return -1;
}

/* Record boundaries of a datagram: starts and total lengths; the rest is left as is. */
static size_t records(const uint8_t *d, size_t len, size_t *off, size_t *rlen) {
  size_t pos = 0, n = 0;
  while (n < MAX_RECORDS && len - pos >= REC_HDR) {
    size_t body = ((size_t)d[pos + 11] << 8) | d[pos + 12];
    if (body > len - pos - REC_HDR) break;
    off[n] = pos;
    rlen[n++] = REC_HDR + body;
    pos += REC_HDR + body;
  }
  return n;
}

static void put16(uint8_t *p, size_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put24(uint8_t *p, size_t v) { p[0] = (uint8_t)(v >> 16); p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)v; }
static size_t get24(const uint8_t *p) { return ((size_t)p[0] << 16) | ((size_t)p[1] << 8) | p[2]; }

/* Replaces bytes [at, at+old) of datagram op i by repl[0..n): returns the new datagram. */
static uint8_t *splice(long i, size_t at, size_t old, const uint8_t *repl, size_t n) {
  const uint8_t *d = g_ops[i].data;
  size_t len = g_ops[i].arg, out_len = len - old + n;
  uint8_t *out;
  if (out_len > 0xffff || (out = arena(out_len)) == NULL) return NULL;
  memcpy(out, d, at);
  memcpy(out + at, repl, n);
  memcpy(out + at + n, d + at + old, len - at - old);
  g_ops[i].data = out;
  g_ops[i].arg = (uint32_t)out_len;
  return out;
}

/* A place holding a record's plaintext: a record of a DATAGRAM op (its length field at
 * len_at) or the plaintext of a SEAL op (no length field: the op's arg is its length). */
struct body {
  long op;
  size_t at, len;
  long len_at;   /* -1 for SEAL */
  int handshake; /* a plaintext handshake record: a list of fragments */
};

/* A random record of a DATAGRAM op or a SEAL op's plaintext. */
static int pick_body(struct body *b) {
  size_t i, n = 0, k, off[MAX_RECORDS], rl[MAX_RECORDS], nrec, r;
  const uint8_t *d;
  for (i = 0; i < g_nops; i++) n += g_ops[i].code == OP_DATAGRAM || (g_ops[i].code == OP_SEAL && g_ops[i].arg >= 2);
  if (!n) return 0;
  k = rnd((uint32_t)n);
  for (i = 0; i < g_nops; i++)
    if ((g_ops[i].code == OP_DATAGRAM || (g_ops[i].code == OP_SEAL && g_ops[i].arg >= 2)) && k-- == 0) break;
  b->op = (long)i;
  d = g_ops[i].data;
  if (g_ops[i].code == OP_SEAL) {
    b->at = 2;
    b->len = g_ops[i].arg - 2;
    b->len_at = -1;
    b->handshake = d[0] == 22;
    return 1;
  }
  nrec = records(d, g_ops[i].arg, off, rl);
  if (!nrec) return 0;
  r = rnd((uint32_t)nrec);
  b->at = off[r] + REC_HDR;
  b->len = rl[r] - REC_HDR;
  b->len_at = (long)off[r] + 11;
  b->handshake = d[off[r]] == 22 && d[off[r] + 3] == 0 && d[off[r] + 4] == 0;
  return 1;
}

/* Puts repl in place of body[at, at+old) and fixes the record's length. */
static uint8_t *body_splice(struct body *b, size_t at, size_t old, const uint8_t *repl, size_t n) {
  uint8_t *d = splice(b->op, b->at + at, old, repl, n);
  if (!d) return NULL;
  b->len = b->len - old + n;
  if (b->len_at >= 0) put16(d + b->len_at, b->len);
  return d;
}

/* The fragments of a plaintext handshake record: offsets in the body. */
static size_t fragments(const uint8_t *body, size_t len, size_t *at) {
  size_t n = 0, p = 0;
  while (n < MAX_RECORDS && len - p >= HS_HDR) {
    size_t fl = get24(body + p + 9);
    if (fl > len - p - HS_HDR) break;
    at[n++] = p;
    p += HS_HDR + fl;
  }
  return n;
}

/* libFuzzer's mutation of one record's plaintext, or of one handshake fragment's body
 * in it, with the lengths around it fixed up. */
static int mutate_inside_record(void) {
  static uint8_t tmp[4096];
  struct body b;
  size_t n;
  uint8_t *d;
  if (!pick_body(&b)) return 0;
  if (b.handshake && rnd(4)) {
    size_t frag[MAX_RECORDS], nf = fragments(g_ops[b.op].data + b.at, b.len, frag);
    if (nf) {
      size_t f = frag[rnd((uint32_t)nf)], flen;
      const uint8_t *h = g_ops[b.op].data + b.at + f;
      int whole;
      flen = get24(h + 9);
      whole = get24(h + 1) == flen && get24(h + 6) == 0;
      if (flen > sizeof tmp - 256) return 0;
      memcpy(tmp, h + HS_HDR, flen);
      n = LLVMFuzzerMutate(tmp, flen, flen + 256);
      if ((d = body_splice(&b, f + HS_HDR, flen, tmp, n)) == NULL) return 0;
      put24(d + b.at + f + 9, n);
      if (whole) put24(d + b.at + f + 1, n);
      return 1;
    }
  }
  if (b.len > sizeof tmp - 256) return 0;
  memcpy(tmp, g_ops[b.op].data + b.at, b.len);
  n = LLVMFuzzerMutate(tmp, b.len, b.len + 256);
  return body_splice(&b, 0, b.len, tmp, n) != NULL;
}

/* A record's plaintext resized to a length at a limit: the negotiated fragment lengths,
 * the read queue, the datagram (1536 - 29 bytes of overhead), and one either side. */
static int resize_record(void) {
  static const uint16_t sizes[] = {0, 1, 511, 512, 513, 1023, 1024, 1025, 1400, 1506, 1507, 1508};
  static uint8_t tmp[2048];
  struct body b;
  size_t n = sizes[rnd(sizeof sizes / sizeof sizes[0])], i;
  if (!pick_body(&b)) return 0;
  if (n > b.len) {
    memcpy(tmp, g_ops[b.op].data + b.at, b.len);
    for (i = b.len; i < n; i++) tmp[i] = (uint8_t)('A' + i % 26);
  } else {
    memcpy(tmp, g_ops[b.op].data + b.at, n);
  }
  return body_splice(&b, 0, b.len, tmp, n) != NULL;
}

/* One header field of a record (or a SEAL op's type and sequence number), or of a
 * handshake fragment in it, set to a telling value. */
static int tweak_header(void) {
  static const uint8_t types[] = {20, 21, 22, 23, 24, 25, 0, 255};
  static const uint8_t hs_types[] = {0, 1, 2, 3, 4, 11, 12, 13, 14, 15, 16, 20, 255};
  struct body b;
  uint8_t *d, *h;
  int seal;
  if (!pick_body(&b)) return 0;
  /* a private copy to edit in place */
  if ((d = arena(g_ops[b.op].arg)) == NULL) return 0;
  memcpy(d, g_ops[b.op].data, g_ops[b.op].arg);
  g_ops[b.op].data = d;
  seal = b.len_at < 0;
  h = d + b.at; /* the first handshake fragment, if any */
  switch (rnd(b.handshake && b.len >= HS_HDR ? 10 : 5)) {
    case 0:
      d[seal ? 0 : b.at - REC_HDR] = types[rnd(sizeof types)];
      if (seal && rnd(4) == 0) d[0] |= SEAL_SKEWED_NONCE;
      break;
    case 1:
      if (seal) {
        d[1] = (uint8_t)(rnd(2) ? d[1] + 1 - 2 * rnd(2) : rnd(256));
      } else {
        static const uint16_t versions[] = {0xfefd, 0xfeff, 0xfefc, 0x0303, 0xfe00, 0x0000};
        put16(d + b.at - REC_HDR + 1, versions[rnd(6)]);
      }
      break;
    case 2: if (!seal) put16(d + b.at - REC_HDR + 3, rnd(3) ? rnd(3) : rnd(65536)); break; /* epoch */
    case 3: {                                                                              /* sequence */
      size_t k = seal ? 1 : b.at - REC_HDR + 5 + rnd(6);
      d[k] = (uint8_t)(rnd(2) ? d[k] + 1 - 2 * rnd(2) : rnd(256));
      break;
    }
    case 4: if (!seal) put16(d + b.len_at, rnd(2) ? (b.len + 1) : rnd((uint32_t)b.len + 1)); break; /* length */
    case 5: h[0] = hs_types[rnd(sizeof hs_types)]; break;
    case 6: put24(h + 1, rnd(2) ? get24(h + 1) + 1 - 2 * rnd(2) : rnd(1 << 17)); break;
    case 7: put16(h + 4, ((h[4] << 8 | h[5]) + 1 - 2 * rnd(2)) & 0xffff); break;
    case 8: put24(h + 6, rnd(2) ? rnd(16) : rnd(1 << 16)); break; /* fragment_offset */
    default: put24(h + 9, rnd((uint32_t)b.len + 16)); break;      /* fragment_length */
  }
  return 1;
}

/* Splits the first handshake message of a plaintext handshake record into two fragments
 * in the same record (RFC 6347 4.2.3), maybe overlapping, maybe in reverse order; or
 * puts a copy of it after it (the same message twice in one record, or as the next
 * message_seq), one of the two maybe altered. */
static int refragment(void) {
  uint8_t buf[4096];
  size_t len, cut, overlap, a_len, b_off, b_len;
  struct body b;
  const uint8_t *hs;
  uint8_t *p;
  if (!pick_body(&b) || !b.handshake || b.len < HS_HDR + 2) return 0;
  hs = g_ops[b.op].data + b.at;
  len = get24(hs + 9);
  if (get24(hs + 6) != 0 || get24(hs + 1) != len || len < 2 || HS_HDR + len > b.len) return 0;
  if (2 * HS_HDR + 2 * len + 16 > sizeof buf) return 0;
  p = buf;
  if (rnd(4) == 0) {
    memcpy(p, hs, HS_HDR + len);
    memcpy(p + HS_HDR + len, hs, HS_HDR + len);
    if (rnd(3)) p[rnd(2) * (HS_HDR + len) + HS_HDR + rnd((uint32_t)len)] ^= (uint8_t)(1 + rnd(255)); /* one copy differs */
    if (rnd(2)) put16(p + HS_HDR + len + 4, ((p[4] << 8) | p[5]) + 1); /* the copy as the next message */
    p += 2 * (HS_HDR + len);
  } else {
    cut = 1 + rnd((uint32_t)len - 1);
    overlap = rnd(4) ? 0 : rnd((uint32_t)cut + 1);
    a_len = cut;
    b_off = cut - overlap;
    b_len = len - b_off;
    if (rnd(2)) {
      memcpy(p, hs, HS_HDR); put24(p + 9, a_len); memcpy(p + HS_HDR, hs + HS_HDR, a_len); p += HS_HDR + a_len;
      memcpy(p, hs, HS_HDR); put24(p + 6, b_off); put24(p + 9, b_len); memcpy(p + HS_HDR, hs + HS_HDR + b_off, b_len); p += HS_HDR + b_len;
    } else {
      memcpy(p, hs, HS_HDR); put24(p + 6, b_off); put24(p + 9, b_len); memcpy(p + HS_HDR, hs + HS_HDR + b_off, b_len); p += HS_HDR + b_len;
      memcpy(p, hs, HS_HDR); put24(p + 9, a_len); memcpy(p + HS_HDR, hs + HS_HDR, a_len); p += HS_HDR + a_len;
    }
  }
  return body_splice(&b, 0, HS_HDR + len, buf, (size_t)(p - buf)) != NULL;
}

/* Splits a datagram between two records, or merges it with the next datagram. */
static int split_or_merge(void) {
  size_t off[MAX_RECORDS], rl[MAX_RECORDS], nrec, j;
  long i = pick_datagram();
  if (i < 0) return 0;
  nrec = records(g_ops[i].data, g_ops[i].arg, off, rl);
  if (nrec >= 2 && rnd(2)) {
    size_t at = off[1 + rnd((uint32_t)nrec - 1)];
    struct mop tail = {OP_DATAGRAM, g_ops[i].arg - (uint32_t)at, g_ops[i].data + at};
    if (!insert_op((size_t)i + 1, tail)) return 0;
    g_ops[i].arg = (uint32_t)at;
    return 1;
  }
  for (j = (size_t)i + 1; j < g_nops; j++) {
    if (g_ops[j].code == OP_DATAGRAM) {
      size_t n = g_ops[i].arg + g_ops[j].arg;
      uint8_t *d;
      if (n > 0xffff || (d = arena(n)) == NULL) return 0;
      memcpy(d, g_ops[i].data, g_ops[i].arg);
      memcpy(d + g_ops[i].arg, g_ops[j].data, g_ops[j].arg);
      g_ops[i].data = d;
      g_ops[i].arg = (uint32_t)n;
      remove_op(j);
      return 1;
    }
  }
  return 0;
}

/* Copies one record of a datagram into another place (a replay, a duplicate). */
static int copy_record(void) {
  size_t off[MAX_RECORDS], rl[MAX_RECORDS], nrec, r, at;
  long src = pick_datagram(), dst = pick_datagram();
  uint8_t rec[0x10000];
  if (src < 0) return 0;
  nrec = records(g_ops[src].data, g_ops[src].arg, off, rl);
  if (!nrec) return 0;
  r = rnd((uint32_t)nrec);
  memcpy(rec, g_ops[src].data + off[r], rl[r]);
  {
    size_t doff[MAX_RECORDS], drl[MAX_RECORDS], dn = records(g_ops[dst].data, g_ops[dst].arg, doff, drl);
    size_t k = rnd((uint32_t)dn + 1);
    at = k < dn ? doff[k] : (dn ? doff[dn - 1] + drl[dn - 1] : 0);
  }
  return splice(dst, at, 0, rec, rl[r]) != NULL;
}

/* Adds delta to the 48-bit sequence number of every record of a datagram. */
static void bump_sequence(uint8_t *d, size_t len, uint32_t delta) {
  size_t off[MAX_RECORDS], rl[MAX_RECORDS], n = records(d, len, off, rl), r;
  int i;
  for (r = 0; r < n; r++) {
    uint64_t carry = delta;
    for (i = 10; i >= 5 && carry; i--) {
      carry += d[off[r] + (size_t)i];
      d[off[r] + (size_t)i] = (uint8_t)carry;
      carry >>= 8;
    }
  }
}

/* Op-level edits: repeat, drop, swap, and the application's and the clock's moves. */
static int edit_ops(void) {
  static const uint32_t delays[] = {0, 1, FUZZ_RTO_MS - 1, FUZZ_RTO_MS, 2 * FUZZ_RTO_MS, 9000, 60000, 65535};
  size_t a, b;
  struct mop m;
  switch (rnd(8)) {
    case 7: { /* a sealed record of the server's: an alert, a HelloRequest, a CCS, data */
      static const uint8_t samples[][16] = {
          {4, 21, 0, 1, 0},                                         /* close_notify */
          {4, 21, 0, 2, 40},                                        /* fatal handshake_failure */
          {4, 21, 0, 1, 100},                                       /* warning no_renegotiation */
          {14, 22, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0},          /* HelloRequest */
          {3, 20, 0, 1},                                            /* ChangeCipherSpec */
          {6, 23, 0, 'p', 'i', 'n', 'g'},                           /* application data */
          {14, 24, 0, 1, 0, 3, 'h', 'b', '!', 0, 0, 0, 0, 0, 0}};   /* heartbeat request */
      const uint8_t *smp = samples[rnd(sizeof samples / sizeof samples[0])];
      uint8_t *d = arena(smp[0]);
      if (!d) return 0;
      memcpy(d, smp + 1, smp[0]);
      d[1] = (uint8_t)rnd(8); /* sequence number */
      if (rnd(8) == 0) d[0] |= SEAL_SKEWED_NONCE;
      m.code = OP_SEAL;
      m.arg = smp[0];
      m.data = d;
      return insert_op(rnd((uint32_t)g_nops + 1), m);
    }
    case 0: /* repeat an op (a retransmitted or replayed datagram), or a storm of copies */
      if (!g_nops) return 0;
      a = rnd((uint32_t)g_nops);
      m = g_ops[a];
      if (rnd(4) == 0) { /* each copy's records with fresh sequence numbers, as a spoofer sends them */
        uint32_t k, n = 2 + rnd(63);
        for (k = n; k > 0; k--) {
          struct mop c = m;
          if (m.code == OP_DATAGRAM) {
            uint8_t *d = arena(m.arg);
            if (!d) break;
            memcpy(d, m.data, m.arg);
            bump_sequence(d, m.arg, k);
            c.data = d;
          }
          if (!insert_op(a + 1, c)) break;
        }
        return 1;
      }
      return insert_op(rnd(3) ? a + 1 : rnd((uint32_t)g_nops + 1), m);
    case 1: /* drop one (a lost datagram) */
      if (!g_nops) return 0;
      remove_op(rnd((uint32_t)g_nops));
      return 1;
    case 2: /* swap two (reordering) */
      if (g_nops < 2) return 0;
      a = rnd((uint32_t)g_nops);
      b = rnd((uint32_t)g_nops);
      m = g_ops[a];
      g_ops[a] = g_ops[b];
      g_ops[b] = m;
      return a != b;
    case 3: m.code = OP_ADVANCE; m.arg = rnd(4) ? delays[rnd(8)] : rnd(65536); break;
    case 4: m.code = OP_WRITE; m.arg = rnd(2) ? rnd(64) : rnd(2048); break;
    case 5: m.code = OP_CLOSE; m.arg = 0; break;
    default: m.code = OP_CONNECT; m.arg = 0; break;
  }
  m.data = NULL;
  return insert_op(rnd((uint32_t)g_nops + 1), m);
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed) {
  int ok = 0, tries;
  size_t n;
  g_rng = ((uint64_t)seed << 32) ^ seed ^ 0x9e3779b97f4a7c15ULL;
  if (size == 0 || rnd(8) == 0) return LLVMFuzzerMutate(data, size, max_size);
  for (tries = 0; tries < 4 && !ok; tries++) {
    g_arena_used = 0;
    parse(data, size);
    switch (rnd(16)) {
      case 0: case 1: case 2: case 3: case 4: ok = mutate_inside_record(); break;
      case 5: case 6: case 7: ok = tweak_header(); break;
      case 8: case 9: ok = refragment(); break;
      case 10: ok = split_or_merge(); break;
      case 11: ok = rnd(2) ? copy_record() : resize_record(); break;
      case 12: g_flags ^= (uint8_t)(1u << rnd(7)); ok = 1; break;
      default: ok = edit_ops(); break;
    }
    if (ok) {
      static uint8_t out[1 << 17];
      n = serialize(out, max_size < sizeof out ? max_size : sizeof out);
      if (n == 0) ok = 0;
      else {
        memcpy(data, out, n);
        return n;
      }
    }
  }
  return LLVMFuzzerMutate(data, size, max_size);
}

/* The first ops of one input, then the last ops of another (same flags as the first). */
size_t LLVMFuzzerCustomCrossOver(const uint8_t *data1, size_t size1, const uint8_t *data2, size_t size2,
                                 uint8_t *out, size_t max_out_size, unsigned int seed) {
  static struct mop first[MAX_OPS];
  size_t n1, cut1, cut2, i;
  uint8_t flags;
  g_rng = ((uint64_t)seed << 32) ^ seed ^ 0x2545f4914f6cdd1dULL;
  g_arena_used = 0;
  parse(data1, size1);
  flags = g_flags;
  n1 = g_nops;
  memcpy(first, g_ops, n1 * sizeof first[0]);
  parse(data2, size2);
  cut1 = rnd((uint32_t)n1 + 1);
  cut2 = rnd((uint32_t)g_nops + 1);
  if (cut1 + (g_nops - cut2) > MAX_OPS) return 0;
  memmove(&g_ops[cut1], &g_ops[cut2], (g_nops - cut2) * sizeof g_ops[0]);
  g_nops = cut1 + (g_nops - cut2);
  for (i = 0; i < cut1; i++) g_ops[i] = first[i];
  g_flags = flags;
  return serialize(out, max_out_size);
}
