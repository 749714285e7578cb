/*
 * Counts the wasm3 interpreter operations one P-256 operation of build/kat-p256.wasm
 * executes (x86 host build of the board images' wasm3 source, build/pywasm3-sdist, with
 * wasm3's own d_m3EnableOpProfiling counters): a quick way to compare forms of the field
 * code (assembly/crypto/p256/gen/gen.mjs) for wasm3. Operations, not instructions:
 * `make bench-m4` gives the Cortex-M4 count.
 *
 *   scripts/bench/wasm3-ops/run.sh [MODULE [OP [SEED]]]
 *   (defaults build/kat-p256.wasm, 1, 12345; OP 0 keygen, 1 ECDH, 2 sign, 3 verify)
 *
 * Runs kat_bench_setup(), then kat_bench(OP, COUNT) and prints the operations executed by
 * the latter, most frequent first (m3_PrintProfilerInfo), then their total. The HAL random
 * source is a seeded LCG (SEED): equal totals for different seeds mean the operation runs
 * the same interpreter operations whatever the keys (constant time at this level).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "wasm3.h"

static uint32_t seed = 12345;

static m3ApiRawFunction(ops_random) {
  uint32_t size = 0, i;
  uint8_t *mem;
  m3ApiReturnType(int32_t);
  m3ApiGetArg(uint32_t, buf);
  m3ApiGetArg(uint32_t, len);
  (void)_ctx;
  (void)_mem;
  mem = m3_GetMemory(runtime, &size, 0);
  if ((uint64_t)buf + len > size) m3ApiReturn(-1);
  for (i = 0; i < len; i++) {
    seed = seed * 1103515245u + 12345u;
    mem[buf + i] = (uint8_t)(seed >> 16);
  }
  m3ApiReturn(0);
}

static uint8_t wasm[1 << 20];

int main(int argc, char **argv) {
  FILE *f;
  size_t n;
  int op, count;
  IM3Environment env;
  IM3Runtime rt;
  IM3Module module = 0;
  IM3Function fn;
  int32_t ret = -1;
  M3Result r;
  if (argc < 4) {
    fprintf(stderr, "usage: %s module.wasm op count [seed]\n", argv[0]);
    return 2;
  }
  if (!(f = fopen(argv[1], "rb"))) return 2;
  n = fread(wasm, 1, sizeof wasm, f);
  fclose(f);
  op = atoi(argv[2]);
  count = atoi(argv[3]);
  if (argc > 4) seed = (uint32_t)strtoul(argv[4], 0, 0);
  env = m3_NewEnvironment();
  rt = m3_NewRuntime(env, 8192, NULL);
  if ((r = m3_ParseModule(env, &module, wasm, (uint32_t)n)) || (r = m3_LoadModule(rt, module))) goto fail;
  m3_LinkRawFunction(module, "hal", "random", "i(ii)", ops_random); /* absent in test modules */
  if ((r = m3_CompileModule(module)) || (r = m3_FindFunction(&fn, rt, "kat_bench_setup"))) goto fail;
  if ((r = m3_CallV(fn)) || (r = m3_GetResultsV(fn, &ret))) goto fail;
  {
    /* m3_PrintProfilerInfo prints to stderr and clears the counters: discard the set-up's. */
    FILE *save = stderr;
    stderr = fopen("/dev/null", "w");
    m3_PrintProfilerInfo();
    fclose(stderr);
    stderr = save;
  }
  if ((r = m3_FindFunction(&fn, rt, "kat_bench"))) goto fail;
  if ((r = m3_CallV(fn, op, count)) || (r = m3_GetResultsV(fn, &ret))) goto fail;
  if (ret != 0) fprintf(stderr, "kat_bench returned %d\n", (int)ret);
  m3_PrintProfilerInfo();
  return ret != 0;
fail:
  fprintf(stderr, "wasm3: %s\n", r);
  return 1;
}
