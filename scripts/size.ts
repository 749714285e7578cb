// make size: flash (module bytes) and RAM (linear memory the module uses: data segments
// + fixed buffers; there is no heap and AssemblyScript's stub runtime keeps no shadow
// stack in linear memory) of each build, written between the size markers of
// docs/BENCHMARKS.md.
import { readFileSync, writeFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadModule } from "../host/module";
import * as codes from "../host/codes";

const ROOT = join(__dirname, "..", "..");
const configText = readFileSync(join(ROOT, "assembly", "config.ts"), "utf8");

function configValue(name: string): number {
  const m = new RegExp(`export const ${name}: i32 = ([^;]+);`).exec(configText);
  if (!m) throw new Error(`config.ts has no ${name}`);
  return Number(m[1]);
}

const rows: string[] = [];
for (const file of ["dtls-psk.wasm", "dtls.wasm"]) {
  const path = join(ROOT, "build", file);
  const wasm = loadModule({ send() {} }, path);
  const staticEnd = wasm.dtls_info(codes.INFO_STATIC_END);
  rows.push(`| build/${file} | ${statSync(path).size} | ${staticEnd} | ${(staticEnd / 1024).toFixed(1)} KiB |`);
}

const buffers = ["IO_BUFFER_SIZE", "TX_DATAGRAM_MAX", "HS_MESSAGE_MAX", "FLIGHT_BUFFER_SIZE", "APP_RX_BUFFER_SIZE", "FUTURE_RECORD_MAX"]
  .map((n) => `| ${n} | ${configValue(n)} |`);
const section = [
  "<!-- size:begin (written by `make size`) -->",
  `Measured by \`make size\` (scripts/size.ts) on ${new Date().toISOString().slice(0, 10)}.`,
  "",
  "| module | flash: module bytes | RAM: linear memory used (bytes) | RAM |",
  "|---|---|---|---|",
  ...rows,
  "",
  "RAM is the end of the module's static data and fixed buffers (`dtls_info(INFO_STATIC_END)`);",
  "no allocator is linked in, so nothing grows after start-up. The largest fixed buffers",
  "(assembly/config.ts), included in that figure:",
  "",
  "| buffer | bytes |",
  "|---|---|",
  ...buffers,
  "<!-- size:end -->",
].join("\n");

const docPath = join(ROOT, "docs", "BENCHMARKS.md");
let doc = "";
try { doc = readFileSync(docPath, "utf8"); } catch { doc = "# Benchmarks\n"; }
const re = /<!-- size:begin[\s\S]*?<!-- size:end -->/;
doc = re.test(doc) ? doc.replace(re, section) : doc.replace(/^# Benchmarks\n/, `# Benchmarks\n\n## Module size and RAM\n\n${section}\n`);
writeFileSync(docPath, doc);
process.stdout.write(section + "\n");
