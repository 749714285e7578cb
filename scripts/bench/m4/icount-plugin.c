/*
 * TCG plugin for QEMU (API version 1): counts the guest instructions executed, exactly,
 * by adding each translation block's instruction count to a counter every time the block
 * runs (an inline add, no callback). At exit prints "icount N" through qemu_plugin_outs
 * (shown with `-d plugin`) and, with the argument out=PATH, writes N to PATH. With
 * prof=PATH, also counts the executions of every translated block and writes one line
 * "ADDRESS INSNS EXECS" per block to PATH (hex address; a profile by address).
 * Used by `make bench-m4` (scripts/bench/m4/run.py). Single vCPU (mps2-an386).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu-plugin-min.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;

static uint64_t insn_count;
static char out_path[512];
static char prof_path[512];

/* One per translation (a block translated twice gets two; the profile's reader adds them). */
struct block {
  uint64_t vaddr;
  uint64_t n_insns;
  uint64_t execs;
  struct block *next;
};
static struct block *blocks;

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &insn_count,
                                           qemu_plugin_tb_n_insns(tb));
  if (prof_path[0]) {
    struct block *b = calloc(1, sizeof *b);
    if (!b) return;
    b->vaddr = qemu_plugin_tb_vaddr(tb);
    b->n_insns = qemu_plugin_tb_n_insns(tb);
    b->next = blocks;
    blocks = b;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->execs, 1);
  }
}

static void at_exit(qemu_plugin_id_t id, void *userdata) {
  char line[64];
  (void)id;
  (void)userdata;
  snprintf(line, sizeof line, "icount %" PRIu64 "\n", insn_count);
  qemu_plugin_outs(line);
  if (out_path[0]) {
    FILE *f = fopen(out_path, "w");
    if (f) {
      fputs(line, f);
      fclose(f);
    }
  }
  if (prof_path[0]) {
    FILE *f = fopen(prof_path, "w");
    struct block *b;
    if (f) {
      for (b = blocks; b; b = b->next)
        if (b->execs) fprintf(f, "%" PRIx64 " %" PRIu64 " %" PRIu64 "\n", b->vaddr, b->n_insns, b->execs);
      fclose(f);
    }
  }
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                           char **argv) {
  int i;
  (void)info;
  for (i = 0; i < argc; i++) {
    if (strncmp(argv[i], "out=", 4) == 0 && strlen(argv[i] + 4) < sizeof out_path)
      strcpy(out_path, argv[i] + 4);
    if (strncmp(argv[i], "prof=", 5) == 0 && strlen(argv[i] + 5) < sizeof prof_path)
      strcpy(prof_path, argv[i] + 5);
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
  qemu_plugin_register_atexit_cb(id, at_exit, NULL);
  return 0;
}
