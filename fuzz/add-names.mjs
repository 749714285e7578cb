// Copies a module and appends a "name" section with the function names of its .wat (asc's
// textFile), so wasm2c names each translated function after the core's source
// (w2c_assembly0x2Frecord0x2Freceive0x2FrecordNext, not w2c_f57) and the fuzzers' stack
// traces say which core function trapped. The code is untouched: same functions, same
// indices, one extra custom section.
//   node fuzz/add-names.mjs build/dtls.wasm build/dtls.wat build/fuzz/dtls-named.wasm
import { readFileSync, writeFileSync } from "node:fs";

const [wasmPath, watPath, outPath] = process.argv.slice(2);
if (!outPath) {
  console.error("usage: add-names.mjs module.wasm module.wat out.wasm");
  process.exit(2);
}
const wasm = readFileSync(wasmPath);
const names = [];
// Imported functions come first in the index space, then the defined ones, both in the
// order the text lists them.
for (const line of readFileSync(watPath, "utf8").split("\n")) {
  const imp = /^ \(import "[^"]*" "[^"]*" \(func \$(\S+)/.exec(line);
  const fn = /^ \(func \$(\S+)/.exec(line);
  if (imp) names.push(imp[1]);
  else if (fn) names.push(fn[1]);
}
const module = new WebAssembly.Module(wasm);
const imported = WebAssembly.Module.imports(module).filter((i) => i.kind === "function").length;
if (countDefined(wasm) + imported !== names.length) {
  console.error(`add-names: ${watPath} names ${names.length} functions, ${wasmPath} has ${countDefined(wasm) + imported}`);
  process.exit(1);
}

function leb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}
function readLeb(buf, pos) {
  let n = 0, shift = 0, b;
  do { b = buf[pos++]; n |= (b & 0x7f) << shift; shift += 7; } while (b & 0x80);
  return [n >>> 0, pos];
}
// Number of entries in the function section (id 3).
function countDefined(bin) {
  for (let pos = 8; pos < bin.length;) {
    const id = bin[pos];
    const [size, body] = readLeb(bin, pos + 1);
    if (id === 3) return readLeb(bin, body)[0];
    pos = body + size;
  }
  return 0;
}
const vec = (items) => Buffer.concat([leb(items.length), ...items]);
const str = (s) => vec([...Buffer.from(s, "utf8")].map((b) => Buffer.from([b])));
const functionNames = vec(names.map((n, i) => Buffer.concat([leb(i), str(n)])));
const subsection = Buffer.concat([Buffer.from([1]), leb(functionNames.length), functionNames]);
const content = Buffer.concat([str("name"), subsection]);
writeFileSync(outPath, Buffer.concat([wasm, Buffer.from([0]), leb(content.length), content]));
