/*
 * Replays client inputs (fuzz/corpus/client-*, fuzz/regressions/) without libFuzzer and
 * says where each one got to:
 *   replay-client [--expect-connected] [--verbose] FILE...
 *   replay-client --sealed IN OUT
 * With --expect-connected it fails unless every input reached CONNECTED and received
 * application data (and the harness's keys opened the client's Finished): the check that
 * recorded seeds still reproduce whole handshakes. --sealed writes IN again with the
 * server's epoch-1 records as SEAL ops (client_run_rewrite).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_run.h"
#include "hal_fuzz.h"

static const char *state_name(int32_t s) {
  static const char *names[] = {"idle", "handshaking", "connected", "closed", "failed"};
  return s >= 0 && s <= 4 ? names[s] : "?";
}

static uint8_t g_rewritten[1 << 20];

static int replay(const char *path, int expect_connected) {
  static uint8_t buf[1 << 20];
  struct client_result r;
  size_t n;
  FILE *f = fopen(path, "rb");
  uint32_t i;
  if (!f) {
    perror(path);
    return 1;
  }
  n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  if (client_run(buf, n, &r) != 0) {
    fprintf(stderr, "%s: the module could not be set up\n", path);
    return 1;
  }
  printf("%s: flags 0x%02x, %u ops (%u datagrams in, %u out), state %s, reason %d, alert 0x%x, suite 0x%04x, "
         "keys %s, %u application records (%u bytes) \"",
         path, n ? buf[0] : 0, r.ops, r.datagrams_in, r.datagrams_out, state_name(r.state),
         (int)r.last_error, (unsigned)r.last_alert, (unsigned)r.cipher_suite, r.keys_confirmed ? "followed" : "lost", r.app_records, r.app_bytes);
  for (i = 0; i < r.first_app_len; i++) putchar(r.first_app[i] >= 32 && r.first_app[i] < 127 ? r.first_app[i] : '.');
  printf("\"\n");
  if (expect_connected && (!r.reached_connected || r.app_records == 0 || !r.keys_confirmed)) {
    fprintf(stderr, "%s: expected a connection with application data (re-record: make fuzz-corpus)\n", path);
    return 1;
  }
  return 0;
}

static int sealed(const char *in, const char *out) {
  size_t n;
  FILE *f;
  client_run_rewrite(g_rewritten, sizeof g_rewritten);
  if (replay(in, 0) != 0) return 1;
  n = client_run_rewritten();
  if ((f = fopen(out, "wb")) == NULL || fwrite(g_rewritten, 1, n, f) != n || fclose(f) != 0) {
    perror(out);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  int i, failed = 0, expect = 0;
  if (argc == 4 && strcmp(argv[1], "--sealed") == 0) return sealed(argv[2], argv[3]);
  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--expect-connected") == 0) expect = 1;
    else if (strcmp(argv[i], "--verbose") == 0) hal_fuzz_set_verbose(1);
    else failed |= replay(argv[i], expect);
  }
  return failed;
}
