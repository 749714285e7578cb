/*
 * wasm3 0.5.0 settings for every build of the interpreter that runs build/dtls*.wasm on a
 * board, the one source of truth: the QEMU image (mk/boards.mk) and the board projects
 * (boards/runtime/dtls_runtime.cmake, used by ESP-IDF, Zephyr / NCS and PlatformIO alike).
 * wasm3's m3_config.h only sets what is not already defined, so every wasm3 source file and
 * vm_wasm3.c is compiled with `-include dtls_wasm3_config.h`: the values below win over
 * wasm3's desktop defaults and over PlatformIO's (m3_config_platforms.h). `make
 * board-glue-check` fails if a name below is not a wasm3 0.5.0 option.
 * Figures behind each value: issue 9 and docs/BENCHMARKS.md ("Boards").
 */
#ifndef DTLS_WASM3_CONFIG_H
#define DTLS_WASM3_CONFIG_H

/* The modules have no floating-point code: -26 KB of interpreter in flash. */
#define d_m3HasFloat 0
/* The compiler's working arrays live on the C stack: 2000 (desktop) costs ~9 KB of stack.
 * build/dtls.wasm needs more than 60 (measured on the QEMU wasm3-full image: 32-60 fail
 * dtls_port_init with "compiling function overran its stack height limit", the whole module
 * being compiled there); with 64 the C stack peak (2.5 KB) comes from running, not compiling. */
#define d_m3MaxFunctionStackHeight 64
/* Code pages of 2 KiB instead of 4 KiB. The heap lost at page ends depends on how the
 * functions happen to fall into pages, so the best size moves with the module: measured
 * with session resumption in (full-hw / psk-hw heap region): 512 B 92.9 / 77.7 KB, 1 KiB
 * 90.9 / 76.2 KB, 2 KiB 89.6 / 76.1 KB. Remeasure (make board-figures) when the module
 * changes much. */
#define d_m3CodePageAlignSize 2048
/* Constants kept in a per-function table instead of inline in the compiled code. Heap of the
 * wasm3-full image (167.4 KB with 64): 0 +45 KB, 16 +7.5 KB, 32 +0.6 KB, 48 -0.1 KB (kept);
 * 80 and 120 need a higher d_m3MaxFunctionStackHeight (120 with 96: +0.4 KB). */
#define d_m3MaxConstantTableSize 48
/* Error messages are short constant strings, without formatting buffers. */
#define d_m3VerboseErrorMessages 0
/* One name per function (our exports have one each): 8 bytes less per function, -0.5 KB
 * of heap on the psk-hw image. */
#define d_m3MaxDuplicateFunctionImpl 1

#endif /* DTLS_WASM3_CONFIG_H */
