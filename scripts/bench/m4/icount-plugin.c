/*
 * TCG plugin for QEMU (API version 1): counts the guest instructions executed, exactly,
 * by adding each translation block's instruction count to a counter every time the block
 * runs (an inline add, no callback). At exit prints "icount N" through qemu_plugin_outs
 * (shown with `-d plugin`) and, with the argument out=PATH, writes N to PATH.
 * Used by `make bench-m4` (scripts/bench/m4/run.py). Single vCPU (mps2-an386).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "qemu-plugin-min.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;

static uint64_t insn_count;
static char out_path[512];

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &insn_count,
                                           qemu_plugin_tb_n_insns(tb));
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
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                           char **argv) {
  int i;
  (void)info;
  for (i = 0; i < argc; i++) {
    if (strncmp(argv[i], "out=", 4) == 0 && strlen(argv[i] + 4) < sizeof out_path)
      strcpy(out_path, argv[i] + 4);
  }
  qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
  qemu_plugin_register_atexit_cb(id, at_exit, NULL);
  return 0;
}
