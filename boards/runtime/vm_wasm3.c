/*
 * Backend: the wasm3 interpreter running build/dtls.wasm from flash (the product's
 * default on boards: the module is data, so a firmware update can swap it).
 * wasm3 0.5.0 is compiled from the pinned PyPI pywasm3 source by every build (mk/boards.mk
 * for QEMU, boards/runtime/dtls_runtime.cmake for the board projects); this file only uses
 * its public API plus runtime->memoryLimit, the documented way to give a module less than
 * one 64 KiB page.
 *
 * RAM is fixed at boot: dtls_vm_init() compiles every function of the module
 * (m3_CompileModule), so all the interpreter's allocations (compiled code pages, linear
 * memory, value stack) happen there. A board whose heap is too small fails dtls_port_init()
 * with the reason, never a handshake half-way; no call after init allocates.
 * Build every wasm3 source and this file with `-include dtls_wasm3_config.h`.
 */
#include <string.h>

#include "dtls_wasm.h" /* dtls_wasm[], dtls_wasm_len, DTLS_MEMORY_CAP: the embedded module */
#include "dtls_port.h"
#include "dtls_port_config.h"
#include "dtls_vm.h"
#include "hal.h"
#include "m3_env.h" /* M3Runtime.memoryLimit */
#include "wasm3.h"

static IM3Environment g_env;
static IM3Runtime g_rt;
static IM3Function g_fn[DTLS_X_COUNT];
static uint32_t g_cap = DTLS_MEMORY_CAP;
static const char *g_error = "";

static const char *const g_names[DTLS_X_COUNT] = {
#define DTLS_VM_NAME(id, name, nparams, nresults) name,
    DTLS_VM_EXPORTS(DTLS_VM_NAME)
#undef DTLS_VM_NAME
};

static uint8_t *mem_ptr(IM3Runtime rt, uint32_t off, uint32_t len) {
  uint32_t size = 0;
  uint8_t *mem = m3_GetMemory(rt, &size, 0);
  return dtls_vm_ptr(mem, size, off, len);
}

/* ---- imports: module "hal" (signatures as in assembly/hal.ts) ---- */

static m3ApiRawFunction(m3_hal_aes128_encrypt) {
  uint8_t *k, *i, *o;
  m3ApiReturnType(int32_t);
  m3ApiGetArg(uint32_t, key);
  m3ApiGetArg(uint32_t, in);
  m3ApiGetArg(uint32_t, out);
  (void)_ctx;
  (void)_mem;
  k = mem_ptr(runtime, key, 16);
  i = mem_ptr(runtime, in, 16);
  o = mem_ptr(runtime, out, 16);
  if (!k || !i || !o) m3ApiReturn(HAL_UNSUPPORTED);
  m3ApiReturn(hal_aes128_encrypt(k, i, o));
}

static m3ApiRawFunction(m3_hal_random) {
  uint8_t *p;
  m3ApiReturnType(int32_t);
  m3ApiGetArg(uint32_t, buf);
  m3ApiGetArg(uint32_t, len);
  (void)_ctx;
  (void)_mem;
  p = mem_ptr(runtime, buf, len);
  if (!p) m3ApiReturn(-1);
  m3ApiReturn(hal_random(p, len));
}

static m3ApiRawFunction(m3_hal_clock_ms) {
  m3ApiReturnType(int32_t);
  (void)runtime;
  (void)_ctx;
  (void)_mem;
  m3ApiReturn((int32_t)hal_clock_ms());
}

static m3ApiRawFunction(m3_hal_wall_time_s) {
  m3ApiReturnType(int64_t);
  (void)runtime;
  (void)_ctx;
  (void)_mem;
  m3ApiReturn(hal_wall_time_s());
}

static m3ApiRawFunction(m3_hal_send) {
  uint8_t *p;
  m3ApiReturnType(int32_t);
  m3ApiGetArg(uint32_t, buf);
  m3ApiGetArg(uint32_t, len);
  (void)_ctx;
  (void)_mem;
  p = mem_ptr(runtime, buf, len);
  if (!p) m3ApiReturn(-1);
  m3ApiReturn(hal_send(p, len));
}

static m3ApiRawFunction(m3_hal_log) {
  uint8_t *p;
  m3ApiGetArg(int32_t, level);
  m3ApiGetArg(uint32_t, msg);
  m3ApiGetArg(uint32_t, len);
  (void)_ctx;
  (void)_mem;
  p = mem_ptr(runtime, msg, len);
  if (p) hal_log(level, (const char *)p, len);
  m3ApiSuccess();
}

static m3ApiRawFunction(m3_hal_p256_public) {
  uint8_t *k, *q;
  m3ApiReturnType(int32_t);
  m3ApiGetArg(uint32_t, priv);
  m3ApiGetArg(uint32_t, pub);
  (void)_ctx;
  (void)_mem;
  k = mem_ptr(runtime, priv, 32);
  q = mem_ptr(runtime, pub, 65);
  if (!k || !q) m3ApiReturn(HAL_FAILED);
  m3ApiReturn(hal_p256_public(k, q));
}

static m3ApiRawFunction(m3_hal_p256_ecdh) {
  uint8_t *k, *q, *o;
  m3ApiReturnType(int32_t);
  m3ApiGetArg(uint32_t, priv);
  m3ApiGetArg(uint32_t, peer);
  m3ApiGetArg(uint32_t, shared);
  (void)_ctx;
  (void)_mem;
  k = mem_ptr(runtime, priv, 32);
  q = mem_ptr(runtime, peer, 65);
  o = mem_ptr(runtime, shared, 32);
  if (!k || !q || !o) m3ApiReturn(HAL_FAILED);
  m3ApiReturn(hal_p256_ecdh(k, q, o));
}

static m3ApiRawFunction(m3_hal_p256_sign) {
  uint8_t *k, *h, *e, *o;
  m3ApiReturnType(int32_t);
  m3ApiGetArg(uint32_t, priv);
  m3ApiGetArg(uint32_t, hash);
  m3ApiGetArg(uint32_t, extra);
  m3ApiGetArg(uint32_t, sig);
  (void)_ctx;
  (void)_mem;
  k = mem_ptr(runtime, priv, 32);
  h = mem_ptr(runtime, hash, 32);
  e = mem_ptr(runtime, extra, 32);
  o = mem_ptr(runtime, sig, 64);
  if (!k || !h || !e || !o) m3ApiReturn(HAL_FAILED);
  m3ApiReturn(hal_p256_sign(k, h, e, o));
}

static m3ApiRawFunction(m3_hal_p256_verify) {
  uint8_t *q, *h, *s;
  m3ApiReturnType(int32_t);
  m3ApiGetArg(uint32_t, pub);
  m3ApiGetArg(uint32_t, hash);
  m3ApiGetArg(uint32_t, sig);
  (void)_ctx;
  (void)_mem;
  q = mem_ptr(runtime, pub, 65);
  h = mem_ptr(runtime, hash, 32);
  s = mem_ptr(runtime, sig, 64);
  if (!q || !h || !s) m3ApiReturn(HAL_FAILED);
  m3ApiReturn(hal_p256_verify(q, h, s));
}

static m3ApiRawFunction(m3_hal_p256_validate) {
  uint8_t *q;
  m3ApiReturnType(int32_t);
  m3ApiGetArg(uint32_t, pub);
  (void)_ctx;
  (void)_mem;
  q = mem_ptr(runtime, pub, 65);
  if (!q) m3ApiReturn(HAL_FAILED);
  m3ApiReturn(hal_p256_validate(q));
}

static const struct {
  const char *name, *sig;
  M3RawCall fn;
} g_imports[] = {
    {"aes128_encrypt", "i(iii)", m3_hal_aes128_encrypt},
    {"random", "i(ii)", m3_hal_random},
    {"clock_ms", "i()", m3_hal_clock_ms},
    {"wall_time_s", "I()", m3_hal_wall_time_s},
    {"send", "i(ii)", m3_hal_send},
    {"log", "v(iii)", m3_hal_log},
    {"p256_public", "i(ii)", m3_hal_p256_public},
    {"p256_ecdh", "i(iii)", m3_hal_p256_ecdh},
    {"p256_sign", "i(iiii)", m3_hal_p256_sign},
    {"p256_verify", "i(iii)", m3_hal_p256_verify},
    {"p256_validate", "i(i)", m3_hal_p256_validate},
};

/* ---- backend ---- */

const char *dtls_vm_name(void) { return "wasm3"; }
const char *dtls_vm_error(void) { return g_error; }

void dtls_vm_set_memory_cap(uint32_t bytes) {
  g_cap = bytes < DTLS_MEMORY_CAP ? bytes : DTLS_MEMORY_CAP;
}

void dtls_vm_free(void) {
  if (g_rt) m3_FreeRuntime(g_rt);
  if (g_env) m3_FreeEnvironment(g_env);
  g_rt = 0;
  g_env = 0;
}

/* g_error for a failed init step: "wasm3 init: <step>: <wasm3's reason>". */
static char g_init_error[128];
static int init_failed(const char *step, M3Result r) {
  static const char prefix[] = "wasm3 init: ";
  size_t n = 0, len;
  const char *parts[3];
  size_t i;
  parts[0] = prefix;
  parts[1] = step;
  parts[2] = r;
  for (i = 0; i < 3; i++) {
    len = strlen(parts[i]);
    if (len > sizeof g_init_error - 1 - n) len = sizeof g_init_error - 1 - n;
    memcpy(g_init_error + n, parts[i], len);
    n += len;
  }
  g_init_error[n] = 0;
  g_error = g_init_error;
  dtls_vm_free();
  return DTLS_PORT_EINIT;
}

int dtls_vm_init(void) {
  IM3Module module = 0;
  M3Result r;
  size_t i;
  dtls_vm_free();
  g_env = m3_NewEnvironment();
  if (!g_env) return init_failed("environment: ", m3Err_mallocFailed);
  g_rt = m3_NewRuntime(g_env, DTLS_WASM3_STACK, NULL);
  if (!g_rt) return init_failed("runtime and value stack: ", m3Err_mallocFailed);
  g_rt->memoryLimit = g_cap; /* allocate only what the module needs, not 64 KiB */
  r = m3_ParseModule(g_env, &module, dtls_wasm, dtls_wasm_len);
  if (r) return init_failed("parsing the module: ", r);
  r = m3_LoadModule(g_rt, module);
  if (r) {
    m3_FreeModule(module);
    return init_failed("loading the module (linear memory): ", r);
  }
  for (i = 0; !r && i < sizeof g_imports / sizeof g_imports[0]; i++) {
    r = m3_LinkRawFunction(module, "hal", g_imports[i].name, g_imports[i].sig, g_imports[i].fn);
    if (r == m3Err_functionLookupFailed) r = m3Err_none; /* the module does not import it */
  }
  if (r) return init_failed("linking the HAL: ", r);
  /* Every function now, while nothing else runs: the RAM the interpreter needs is taken
   * here or never (an import the glue does not provide also fails here). */
  r = m3_CompileModule(module);
  if (r) return init_failed("compiling the module: ", r);
  for (i = 0; !r && i < DTLS_X_COUNT; i++) {
    g_fn[i] = 0;
    r = m3_FindFunction(&g_fn[i], g_rt, g_names[i]);
    if (r && i >= DTLS_X_FIRST_OPTIONAL) { /* a module without X.509: absent, not an error */
      g_fn[i] = 0;
      r = m3Err_none;
    }
  }
  if (r) return init_failed("finding the exports: ", r);
  r = m3_RunStart(module);
  if (r) return init_failed("running the start function: ", r);
  g_error = "";
  return 0;
}

int dtls_vm_has(dtls_vm_export_t fn) { return g_rt && fn < DTLS_X_COUNT && g_fn[fn] != 0; }

uint8_t *dtls_vm_memory(uint32_t *size) {
  *size = 0;
  if (!g_rt) return 0;
  return m3_GetMemory(g_rt, size, 0);
}

int dtls_vm_call(dtls_vm_export_t fn, int32_t a, int32_t b, int32_t *result) {
  M3Result r;
  int32_t value = 0;
  IM3Function f;
  if (!g_rt || fn >= DTLS_X_COUNT) return DTLS_PORT_ESTATE;
  f = g_fn[fn];
  if (!f) return DTLS_PORT_EABSENT;
  switch (m3_GetArgCount(f)) {
    case 0: r = m3_CallV(f); break;
    case 1: r = m3_CallV(f, a); break;
    default: r = m3_CallV(f, a, b); break;
  }
  if (r) {
    g_error = r; /* a trap: the instance is unusable until dtls_vm_init() */
    dtls_vm_free();
    return DTLS_PORT_ETRAP;
  }
  if (m3_GetRetCount(f) > 0) {
    r = m3_GetResultsV(f, &value);
    if (r) { /* treated as a trap: the instance is dropped like after any other */
      g_error = r;
      dtls_vm_free();
      return DTLS_PORT_ETRAP;
    }
  }
  *result = value;
  return 0;
}
