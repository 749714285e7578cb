#!/usr/bin/env node
// wasm2c's call-depth counter (WASM_RT_USE_STACK_DEPTH_COUNT: an increment, a compare with
// WASM_RT_MAX_CALL_STACK_DEPTH = 500 and a decrement around every call) only matters for
// recursion. This reads a wasm2c (wabt 1.0.32) translation's call graph (its functions and
// their direct calls) and, when it has no call_indirect, rewrites every function that is on
// no cycle of the graph to skip the counter when compiled with -D<MACRO> (a board build):
// FUNC_PROLOGUE/FUNC_EPILOGUE become FUNC_PROLOGUE_ACYCLIC/FUNC_EPILOGUE_ACYCLIC, empty under
// MACRO, wasm2c's own otherwise. Functions on a cycle (recursion) keep counting, so a runaway
// recursion still traps after at most 500 nested calls of those functions; between two of
// them, or without them, a call chain is at most the longest path of the acyclic rest
// (printed). The C stack this needs is measured by `make board-figures` (stack_peak_bytes).
// With an indirect call, nothing is rewritten.
//   node boards/tools/w2c-call-depth.mjs build/boards/w2c/full/dtls.c DTLS_MEMORY_CAP
import { readFileSync, writeFileSync } from "node:fs";

const [file, macro] = process.argv.slice(2);
if (!file || !/^[A-Z][A-Z0-9_]*$/.test(macro ?? "")) {
  console.error("usage: w2c-call-depth.mjs TRANSLATION.c MACRO");
  process.exit(2);
}
const src = readFileSync(file, "utf8");
const marker = "/* w2c-call-depth.mjs */";
if (src.includes(marker)) process.exit(0);
const lines = src.split("\n");
const say = (msg) => console.log(`w2c-call-depth: ${file}: ${msg}`);
const def = /^(?:static )?[\w ]+?\b(\w+)\(Z_\w+_instance_t\* instance[^;]*\{\s*$/;
const graph = new Map(); // function -> callees
const span = new Map(); // function -> [first line, last line]
let current = null;
let indirect = 0;
lines.forEach((line, i) => {
  const d = def.exec(line);
  if (d) { current = d[1]; graph.set(current, new Set()); span.set(current, [i, i]); return; }
  if (!current) return;
  if (line.startsWith("}")) { span.get(current)[1] = i; current = null; return; }
  if (/\bCALL_INDIRECT\(/.test(line)) indirect++;
  for (const m of line.matchAll(/\b(w2c_\w+|Z_\w+)\(instance\b/g)) graph.get(current).add(m[1]);
});
if (graph.size < 2 || !src.includes("#define FUNC_PROLOGUE")) {
  say("no wasm2c functions found (not wabt 1.0.32 output?)");
  process.exit(1);
}
if (indirect > 0) { say(`${indirect} indirect call(s): every function keeps the counter`); process.exit(0); }
// Strongly connected components (Tarjan): a function is on a cycle when its component has
// more than one function or it calls itself.
const index = new Map(), low = new Map(), stack = [], onStack = new Set();
const cyclic = new Set();
let next = 0;
function strong(v) {
  index.set(v, next); low.set(v, next); next++;
  stack.push(v); onStack.add(v);
  for (const w of graph.get(v)) {
    if (!graph.has(w)) continue;
    if (!index.has(w)) { strong(w); low.set(v, Math.min(low.get(v), low.get(w))); }
    else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
  }
  if (low.get(v) === index.get(v)) {
    const comp = [];
    let w;
    do { w = stack.pop(); onStack.delete(w); comp.push(w); } while (w !== v);
    if (comp.length > 1 || graph.get(v).has(v)) comp.forEach((f) => cyclic.add(f));
  }
}
for (const f of graph.keys()) if (!index.has(f)) strong(f);
// Longest chain of calls through acyclic functions only.
const depth = new Map();
function longest(f) {
  if (depth.has(f)) return depth.get(f);
  let d = 0;
  for (const g of graph.get(f)) if (graph.has(g) && !cyclic.has(g)) d = Math.max(d, longest(g));
  depth.set(f, d + 1);
  return d + 1;
}
let max = 0;
for (const f of graph.keys()) if (!cyclic.has(f)) max = Math.max(max, longest(f));
let rewritten = 0;
for (const [f, [a, b]] of span) {
  if (cyclic.has(f)) continue;
  for (let i = a; i <= b; i++) {
    const before = lines[i];
    lines[i] = lines[i].replace(/\bFUNC_PROLOGUE;/, "FUNC_PROLOGUE_ACYCLIC;").replace(/\bFUNC_EPILOGUE;/g, "FUNC_EPILOGUE_ACYCLIC;");
    if (lines[i] !== before && /PROLOGUE_ACYCLIC/.test(lines[i])) rewritten++;
  }
}
const keep = [...cyclic].sort();
say(`${graph.size} functions, ${rewritten} without the counter, longest acyclic chain ${max}; ` +
  `counting: ${keep.length ? keep.join(" ") : "none"}`);
writeFileSync(file, `${marker}
/* Functions on no cycle of the call graph (no indirect call; longest chain of them ${max})
 * skip wasm2c's call-depth counter in a board build; ${keep.length} on a cycle keep it. */
#if defined(${macro})
#define FUNC_PROLOGUE_ACYCLIC
#define FUNC_EPILOGUE_ACYCLIC
#else
#define FUNC_PROLOGUE_ACYCLIC FUNC_PROLOGUE
#define FUNC_EPILOGUE_ACYCLIC FUNC_EPILOGUE
#endif
${lines.join("\n")}`);
