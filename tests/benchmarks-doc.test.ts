// docs/BENCHMARKS.md must describe the module that is built: its byte counts, static ends and
// memory caps are compared with build/ at test time. When the core changes, `make size`
// rewrites both sections (size and Boards) from the build.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import * as codes from "../host/codes";
import { loadModule } from "../host/module";
import { ROOT, BUILD } from "./support/paths";

const DOC = join(ROOT, "docs", "BENCHMARKS.md");
const FIX = "run `make size` (it rewrites the size and Boards sections of docs/BENCHMARKS.md from the build) and commit the result";

function section(doc: string, name: "size" | "boards"): string {
  const m = new RegExp(`<!-- ${name}:begin[\\s\\S]*?<!-- ${name}:end -->`).exec(doc);
  assert.ok(m, `docs/BENCHMARKS.md has no ${name}:begin/${name}:end markers; ${FIX}`);
  return m[0];
}

function built(file: string): { bytes: number; staticEnd: number; cap: number } {
  const staticEnd = loadModule({ send() {} }, join(BUILD, file)).dtls_info(codes.INFO_STATIC_END);
  return { bytes: statSync(join(BUILD, file)).size, staticEnd, cap: Math.ceil(staticEnd / 256) * 256 }; // boards/tools/memcap.mjs
}

function recorded(text: string, re: RegExp, what: string): number {
  const m = re.exec(text);
  assert.ok(m, `docs/BENCHMARKS.md does not state ${what}; ${FIX}`);
  return Number(m[1]);
}

test("docs/BENCHMARKS.md 'Module size and RAM' records the modules in build/", () => {
  const size = section(readFileSync(DOC, "utf8"), "size");
  for (const file of ["dtls.wasm", "dtls-psk.wasm"]) {
    const b = built(file);
    const row = new RegExp(`\\| build/${file.replace(".", "\\.")} \\| (\\d+) \\| (\\d+) \\|`).exec(size);
    assert.ok(row, `no row for build/${file}; ${FIX}`);
    assert.equal(Number(row[1]), b.bytes, `build/${file} is ${b.bytes} bytes, the doc says ${row[1]}: ${FIX}`);
    assert.equal(Number(row[2]), b.staticEnd, `build/${file} uses ${b.staticEnd} bytes of RAM, the doc says ${row[2]}: ${FIX}`);
  }
});

test("docs/BENCHMARKS.md 'Boards' was measured with the module in build/", () => {
  const boards = section(readFileSync(DOC, "utf8"), "boards");
  const full = built("dtls.wasm");
  const psk = built("dtls-psk.wasm");
  const bytes = recorded(boards, /build\/dtls\.wasm \((\d+) bytes/, "the size of build/dtls.wasm");
  assert.equal(bytes, full.bytes, `the Boards figures were measured with a ${bytes}-byte build/dtls.wasm; the build is ${full.bytes} bytes: ${FIX}`);
  assert.equal(recorded(boards, /static end \((\d+)/, "the static end"), full.staticEnd, `static end of build/dtls.wasm: ${FIX}`);
  assert.equal(recorded(boards, /Linear-memory cap: (\d+) bytes/, "the memory cap"), full.cap, `memory cap of build/dtls.wasm: ${FIX}`);
  assert.equal(recorded(boards, /\((\d+) for dtls-psk\.wasm\)/, "the PSK module's cap"), psk.cap, `memory cap of build/dtls-psk.wasm: ${FIX}`);
});
