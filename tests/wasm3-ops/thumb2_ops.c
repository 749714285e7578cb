/*
 * make wasm3-ops-test: the Thumb-2 operations of boards/runtime/wasm3-patches/0002-thumb2-hot-ops.patch
 * against wasm3's own C operations (still defined in the patched m3_exec.h; 0002 only renames
 * the compiler's references), on random operands and every shift amount from 0 to 199, on
 * the emulated Cortex-M4 (QEMU mps2-an386, boards/qemu/startup.c). Each operation runs on a
 * fresh copy of 16 random slots and a random register, then jumps to capture(); the two runs
 * must leave the same register and the same slots. Exits (semihosting) with the number of
 * operations that differ: 0 passes.
 */
#pragma GCC diagnostic push /* wasm3's header is not -Wall -Wextra clean; this file is */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-function"
#include "m3_env.h"
#include "m3_exec.h"
#pragma GCC diagnostic pop

#ifndef op_SetSlot_i64
#error "0002-thumb2-hot-ops.patch is not applied, or not for this target"
#endif

void board_fault(const char *what);
void board_exit(int code);
int main(void);

void board_fault(const char *what) {
  (void)what;
  board_exit(100);
}

static i64 got;
static m3ret_t capture(d_m3OpSig) {
  (void)_pc;
  (void)_sp;
  (void)_mem;
  got = _r0;
  return 0;
}

enum { SLOTS = 16 };
static u32 slots[SLOTS] __attribute__((aligned(8)));
static u32 rng = 12345u;
static u32 rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

/* The operation's immediates are slot indices 2 (the shift amount of the shifts) and 6. */
static i64 run(IM3Operation op, int immediates, i64 r0) {
  const void *code[3] = {(const void *)2, (const void *)6, NULL};
  code[immediates] = (const void *)capture;
  got = 0x5a5a5a5a5a5a5a5aLL;
  op((pc_t)code, (m3stack_t)slots, r0, NULL);
  return got;
}

/* Each operation's C, under its own name again, and the assembly it was replaced with. */
#define PAIR(NAME, IMMEDIATES) {#NAME, IMMEDIATES, op_thumb2_##NAME, NULL}
struct pair {
  const char *name;
  int immediates;
  IM3Operation thumb2, c;
};

int main(void) {
  struct pair pairs[] = {PAIR(SetSlot_i64, 1), PAIR(SetSlot_i32, 1), PAIR(i64_Add_rs, 1), PAIR(i64_Subtract_rs, 1),
                         PAIR(u64_And_rs, 1), PAIR(u64_Or_rs, 1), PAIR(u64_Xor_rs, 1), PAIR(i64_Multiply_ss, 2),
                         PAIR(i64_Multiply_rs, 1), PAIR(i64_Add_ss, 2), PAIR(u64_And_ss, 2), PAIR(u64_Or_ss, 2),
                         PAIR(u64_Xor_ss, 2), PAIR(u64_ShiftLeft_ss, 2), PAIR(u64_ShiftRight_ss, 2),
                         PAIR(i64_ShiftRight_ss, 2), PAIR(u64_ShiftLeft_sr, 1), PAIR(u64_ShiftRight_sr, 1),
                         PAIR(i64_ShiftRight_sr, 1), PAIR(i32_Wrap_i64_r, 0), PAIR(i64_Extend_u32_r, 0)};
#undef op_SetSlot_i64
#undef op_SetSlot_i32
#undef op_i64_Add_rs
#undef op_i64_Subtract_rs
#undef op_u64_And_rs
#undef op_u64_Or_rs
#undef op_u64_Xor_rs
#undef op_i64_Multiply_ss
#undef op_i64_Multiply_rs
#undef op_i64_Add_ss
#undef op_u64_And_ss
#undef op_u64_Or_ss
#undef op_u64_Xor_ss
#undef op_u64_ShiftLeft_ss
#undef op_u64_ShiftRight_ss
#undef op_i64_ShiftRight_ss
#undef op_u64_ShiftLeft_sr
#undef op_u64_ShiftRight_sr
#undef op_i64_ShiftRight_sr
#undef op_i32_Wrap_i64_r
#undef op_i64_Extend_u32_r
  const IM3Operation c[] = {op_SetSlot_i64,     op_SetSlot_i32,      op_i64_Add_rs,       op_i64_Subtract_rs,
                            op_u64_And_rs,      op_u64_Or_rs,        op_u64_Xor_rs,       op_i64_Multiply_ss,
                            op_i64_Multiply_rs, op_i64_Add_ss,       op_u64_And_ss,       op_u64_Or_ss,
                            op_u64_Xor_ss,      op_u64_ShiftLeft_ss, op_u64_ShiftRight_ss, op_i64_ShiftRight_ss,
                            op_u64_ShiftLeft_sr, op_u64_ShiftRight_sr, op_i64_ShiftRight_sr, op_i32_Wrap_i64_r,
                            op_i64_Extend_u32_r};
  int differ = 0;
  if (sizeof c / sizeof c[0] != sizeof pairs / sizeof pairs[0]) return 100;
  for (unsigned k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
    pairs[k].c = c[k];
    for (int i = 0; i < 3000; i++) {
      u32 init[SLOTS], after_c[SLOTS];
      for (int j = 0; j < SLOTS; j++) init[j] = rnd();
      if (i < 200) { /* every shift amount 0..199 in slot 2; slot 3 (its high word) ignored */
        init[2] = (u32)i;
        init[3] = (i & 1) ? rnd() : 0;
      }
      if (i % 7 == 0) init[7] |= 0x80000000u; /* negative values for the arithmetic shift */
      i64 r0 = (i64)(((u64)rnd() << 32) | rnd());
      for (int j = 0; j < SLOTS; j++) slots[j] = init[j];
      i64 want = run(pairs[k].c, pairs[k].immediates, r0);
      for (int j = 0; j < SLOTS; j++) after_c[j] = slots[j], slots[j] = init[j];
      int same = run(pairs[k].thumb2, pairs[k].immediates, r0) == want;
      for (int j = 0; j < SLOTS; j++) same &= slots[j] == after_c[j];
      if (!same) {
        differ++;
        break;
      }
    }
  }
  return differ;
}
