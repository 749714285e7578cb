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

/* wasm3 only: the interpreter's value stack, in bytes. */
#ifndef DTLS_WASM3_STACK
#define DTLS_WASM3_STACK 8192
#endif

#endif /* DTLS_PORT_CONFIG_H */
