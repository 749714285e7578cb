// Where things are, from the compiled tests in dist/tests/.
import { join } from "node:path";
export const ROOT = join(__dirname, "..", "..", "..");
export const BUILD = join(ROOT, "build");
export const CLI = join(ROOT, "dist", "host", "cli.js");
// The C (wasm2c) and wasm3 client programs, built by buildPrograms() (tests/support/cli.ts).
export const POSIX = join(BUILD, "boards", "dtls-posix");
export const WASM3_PYTHON = join(BUILD, "venv-wasm3", "bin", "python");
export const WASM3_HARNESS = join(ROOT, "tests", "wasm3", "dtls_wasm3.py");
