# The DTLS runtime for the CMake-based board builds: boards/esp32/main (ESP-IDF, with idf.py
# or PlatformIO) and boards/nrf52/zephyr (Zephyr / nRF Connect SDK, with west or PlatformIO).
# Both PlatformIO frameworks read these through CMake, so this file is the one list of the
# runtime's sources and the one place that applies boards/runtime/dtls_wasm3_config.h.
#
# Choices (-DNAME=value on the CMake line, or board_build.*cmake_extra_args in platformio.ini):
#   DTLS_BACKEND  wasm3 (default): the module embedded in flash by `make board-sources`
#                 (build/boards/embed/dtls_wasm.c), run by wasm3 0.5.0.
#                 wasm2c: the module translated to C ahead of time by
#                 `make build/boards/w2c/<DTLS_MODULE>/dtls.c`; static RAM, no heap.
#   DTLS_MODULE   wasm2c only: full (build/dtls.wasm, default) or another build/dtls-<name>.wasm.
#   DTLS_P256     accel (default): the hal_p256_* calls answered by the project's own P-256,
#                 build/accel.wasm translated by `make build/boards/w2c/accel/accel.c` and
#                 compiled natively (hal_accel.c): wasm3 runs ECDHE at native speed, and the
#                 -hw modules (no P-256 or AES of their own) can run.
#                 none: hal_p256_none.c, every call unsupported: the module's own P-256.
#   WASM3_DIR     wasm3 0.5.0 sources; default: the pinned PyPI pywasm3 sdist that make unpacks
#                 and patches (`make build/pywasm3-sdist/.unpacked`: our
#                 boards/runtime/wasm3-patches), the same source as the QEMU image.
#   WASM2C_INC    wasm-rt.h of wabt 1.0.32; default /usr/src/wasm2c (Debian's wabt).
#
# Gives DTLS_RUNTIME_SOURCES and DTLS_RUNTIME_INCLUDES for the target's source list, and
# dtls_runtime_apply(<target>) to call once the target exists: it sets the definitions and the
# wasm3 sources' options. (ESP-IDF evaluates component files once in script mode first, where
# only variables may be set: hence the two steps.)

get_filename_component(DTLS_ROOT "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
set(DTLS_RUNTIME_DIR "${DTLS_ROOT}/boards/runtime")
if(NOT DEFINED DTLS_BACKEND)
  set(DTLS_BACKEND wasm3)
endif()
if(NOT DEFINED DTLS_MODULE)
  set(DTLS_MODULE full)
endif()
if(NOT DEFINED DTLS_P256)
  set(DTLS_P256 accel)
endif()
if(NOT DEFINED WASM3_DIR)
  set(WASM3_DIR "${DTLS_ROOT}/build/pywasm3-sdist/pywasm3-0.5.0/wasm3")
endif()
if(NOT DEFINED WASM2C_INC)
  set(WASM2C_INC /usr/src/wasm2c)
endif()

# Fails the configuration with the command that makes the missing input.
function(dtls_runtime_require path how)
  if(NOT EXISTS "${path}")
    message(FATAL_ERROR "${path} is missing: ${how}")
  endif()
endfunction()

set(DTLS_RUNTIME_SOURCES
  "${DTLS_RUNTIME_DIR}/dtls_port.c"
  "${DTLS_RUNTIME_DIR}/dtls_names.c"
  "${DTLS_RUNTIME_DIR}/dtls_session.c")
set(DTLS_RUNTIME_INCLUDES "${DTLS_ROOT}/boards/hal" "${DTLS_RUNTIME_DIR}")
set(DTLS_RUNTIME_DEFINES "")
set(DTLS_WASM3_SOURCES "")

if(DTLS_BACKEND STREQUAL "wasm3")
  set(DTLS_EMBED_DIR "${DTLS_ROOT}/build/boards/embed")
  dtls_runtime_require("${DTLS_EMBED_DIR}/dtls_wasm.c" "run `make board-sources` at the repository root")
  dtls_runtime_require("${WASM3_DIR}/m3_core.c"
    "run `make build/pywasm3-sdist/.unpacked` at the repository root, or set WASM3_DIR")
  file(GLOB DTLS_WASM3_SOURCES "${WASM3_DIR}/m3_*.c")
  list(FILTER DTLS_WASM3_SOURCES EXCLUDE REGEX "/m3_api_[^/]*$") # WASI/libc bindings: unused
  list(APPEND DTLS_RUNTIME_SOURCES "${DTLS_RUNTIME_DIR}/vm_wasm3.c" "${DTLS_EMBED_DIR}/dtls_wasm.c"
    ${DTLS_WASM3_SOURCES})
  list(APPEND DTLS_RUNTIME_INCLUDES "${DTLS_EMBED_DIR}" "${WASM3_DIR}")
elseif(DTLS_BACKEND STREQUAL "wasm2c")
  set(DTLS_W2C_DIR "${DTLS_ROOT}/build/boards/w2c/${DTLS_MODULE}")
  dtls_runtime_require("${DTLS_W2C_DIR}/dtls.c"
    "run `make build/boards/w2c/${DTLS_MODULE}/dtls.c` at the repository root")
  dtls_runtime_require("${WASM2C_INC}/wasm-rt.h" "install wabt 1.0.32 (apt-get install wabt), or set WASM2C_INC")
  file(READ "${DTLS_W2C_DIR}/memcap.txt" DTLS_MEMORY_CAP)
  string(STRIP "${DTLS_MEMORY_CAP}" DTLS_MEMORY_CAP)
  list(APPEND DTLS_RUNTIME_SOURCES "${DTLS_RUNTIME_DIR}/vm_wasm2c.c" "${DTLS_RUNTIME_DIR}/wasm_rt_mini.c"
    "${DTLS_W2C_DIR}/dtls.c")
  list(APPEND DTLS_RUNTIME_INCLUDES "${DTLS_W2C_DIR}" "${WASM2C_INC}")
  # The module's memory cap (boards/tools/memcap.mjs) and no signal handler (as mk/boards.mk).
  # The cap is also the compile-time bound of the translation's checks (w2c-fixed-memory.mjs).
  list(APPEND DTLS_RUNTIME_DEFINES "DTLS_MEMORY_CAP=${DTLS_MEMORY_CAP}" "WASM_RT_MEMCHECK_SIGNAL_HANDLER=0")
else()
  message(FATAL_ERROR "DTLS_BACKEND is '${DTLS_BACKEND}': wasm3 or wasm2c")
endif()

set(DTLS_ACCEL_DIR "${DTLS_ROOT}/build/boards/w2c/accel")
if(DTLS_P256 STREQUAL "accel")
  dtls_runtime_require("${DTLS_ACCEL_DIR}/accel.c" "run `make build/boards/w2c/accel/accel.c` at the repository root")
  dtls_runtime_require("${WASM2C_INC}/wasm-rt.h" "install wabt 1.0.32 (apt-get install wabt), or set WASM2C_INC")
  file(READ "${DTLS_ACCEL_DIR}/memcap.txt" DTLS_ACCEL_MEMORY_CAP)
  string(STRIP "${DTLS_ACCEL_MEMORY_CAP}" DTLS_ACCEL_MEMORY_CAP)
  list(APPEND DTLS_RUNTIME_SOURCES "${DTLS_RUNTIME_DIR}/hal_accel.c" "${DTLS_ACCEL_DIR}/accel.c")
  if(NOT DTLS_BACKEND STREQUAL "wasm2c") # the accelerator runs on wasm2c's mini runtime
    list(APPEND DTLS_RUNTIME_SOURCES "${DTLS_RUNTIME_DIR}/wasm_rt_mini.c")
    list(APPEND DTLS_RUNTIME_DEFINES "WASM_RT_MEMCHECK_SIGNAL_HANDLER=0")
  endif()
  list(APPEND DTLS_RUNTIME_INCLUDES "${DTLS_ACCEL_DIR}" "${WASM2C_INC}")
  list(APPEND DTLS_RUNTIME_DEFINES "DTLS_ACCEL_MEMORY_CAP=${DTLS_ACCEL_MEMORY_CAP}")
elseif(DTLS_P256 STREQUAL "none")
  list(APPEND DTLS_RUNTIME_SOURCES "${DTLS_RUNTIME_DIR}/hal_p256_none.c")
else()
  message(FATAL_ERROR "DTLS_P256 is '${DTLS_P256}': accel or none")
endif()

list(REMOVE_DUPLICATES DTLS_RUNTIME_INCLUDES)

function(dtls_runtime_apply target)
  if(DTLS_RUNTIME_DEFINES)
    target_compile_definitions(${target} PRIVATE ${DTLS_RUNTIME_DEFINES})
  endif()
  if(DTLS_BACKEND STREQUAL "wasm3")
    # Every wasm3 source and vm_wasm3.c see the same knobs (m3_env.h's structs depend on them).
    # One joined token, so CMake's option de-duplication cannot split "-include" from its file.
    set(config "-include${DTLS_RUNTIME_DIR}/dtls_wasm3_config.h")
    set_source_files_properties("${DTLS_RUNTIME_DIR}/vm_wasm3.c" PROPERTIES COMPILE_OPTIONS "${config}")
    # wasm3 is not -Wall clean (strict aliasing, unused variables) and ESP-IDF builds with
    # -Werror=all: its own warnings are silenced, not ours.
    set_source_files_properties(${DTLS_WASM3_SOURCES} PROPERTIES COMPILE_OPTIONS "${config};-w")
    # Per-file flags (m3_compile.c at -O2), the file mk/boards.mk reads too: "<file> <flags...>".
    file(STRINGS "${DTLS_RUNTIME_DIR}/wasm3_cflags.txt" lines REGEX "^m3_[a-z_]+\\.c[ \t]")
    foreach(line IN LISTS lines)
      string(REGEX REPLACE "^([^ \t]+)[ \t]+(.*)$" "\\1" name "${line}")
      string(REGEX REPLACE "^([^ \t]+)[ \t]+(.*)$" "\\2" flags "${line}")
      separate_arguments(flags UNIX_COMMAND "${flags}")
      set_source_files_properties("${WASM3_DIR}/${name}" PROPERTIES COMPILE_OPTIONS "${config};-w;${flags}")
    endforeach()
  endif()
  # wasm2c's output trips these three warnings only (W2C_NOWARN in mk/boards.mk). The
  # translations are compiled with W2C_ARM_CFLAGS's -O2 -fno-schedule-insns whatever the
  # project's level (mk/boards.mk says why); the hints they carry (boards/README.md "What a
  # translation carries for GCC") make the project's own -O2 as fast and its -Os 5 % slower.
  set(w2c_nowarn "-Wno-unused-value;-Wno-unused-function;-Wno-unused-parameter")
  if(DTLS_BACKEND STREQUAL "wasm2c")
    set_source_files_properties("${DTLS_W2C_DIR}/dtls.c" PROPERTIES
      COMPILE_OPTIONS "-O2;-fno-schedule-insns;${w2c_nowarn}") # as mk/boards.mk's W2C_ARM_CFLAGS
  endif()
  if(DTLS_P256 STREQUAL "accel") # as the QEMU image (mk/boards.mk: W2C_ARM_CFLAGS, ACCEL_CFLAGS)
    set_source_files_properties("${DTLS_ACCEL_DIR}/accel.c" PROPERTIES COMPILE_OPTIONS "-O2;-fno-schedule-insns;${w2c_nowarn}")
    set_source_files_properties("${DTLS_RUNTIME_DIR}/hal_accel.c" PROPERTIES COMPILE_OPTIONS "-O2")
  endif()
endfunction()
