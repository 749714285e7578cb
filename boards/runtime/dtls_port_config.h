/*
 * Build-time sizes of the runtime glue. Override with -D on the compiler command line.
 */
#ifndef DTLS_PORT_CONFIG_H
#define DTLS_PORT_CONFIG_H

/*
 * Linear-memory cap in bytes: what the module really touches (static data, fixed buffers,
 * stub-runtime heap), measured by `make board-memcap` and checked in CI by running the
 * handshake under this cap (an access past it traps as out of bounds). The module declares
 * one 64 KiB page; wasm3 allocates only this much (runtime->memoryLimit) and the wasm2c
 * runtime backs the page with a static buffer of this size.
 */
#ifndef DTLS_MEMORY_CAP
#define DTLS_MEMORY_CAP 65536
#endif

/*
 * wasm3 only: the interpreter's value stack, in bytes, taken from the heap at init. Set here
 * and nowhere else (no board overrides it). wasm3 checks every frame against it and traps
 * "stack overflow" (2 KiB does, issue 9). tests/wasm3/test_stack.py measures the smallest
 * stack each handshake needs and fails unless that is at least 25 % below the value for its
 * module: the deepest, ECDHE-ECDSA with the module's own P-256, needs just over 3 KiB, hence
 * 4 KiB + 256; a module whose AES and P-256 come from the board (build/dtls-*-hw.wasm, the
 * embedded module's dtls_wasm.h says so) needs about 2.1 KiB, hence 3 KiB.
 */
#define DTLS_WASM3_STACK_SOFTWARE_CRYPTO 4352
#define DTLS_WASM3_STACK_HAL_CRYPTO 2816
#ifndef DTLS_WASM3_STACK
#if defined(DTLS_WASM_CRYPTO_FROM_HAL) && DTLS_WASM_CRYPTO_FROM_HAL != 0
#define DTLS_WASM3_STACK DTLS_WASM3_STACK_HAL_CRYPTO
#else
#define DTLS_WASM3_STACK DTLS_WASM3_STACK_SOFTWARE_CRYPTO
#endif
#endif

#endif /* DTLS_PORT_CONFIG_H */
