// make size: the figures of docs/BENCHMARKS.md that move with the core, from the build at hand.
//  - "Module size and RAM" (size markers): flash (module bytes) and RAM (linear memory the
//    module uses: data segments + fixed buffers; there is no heap and AssemblyScript's stub
//    runtime keeps no shadow stack in linear memory) of each build.
//  - "Boards" (boards markers): `make board-figures` (QEMU image sizes by part, memory caps,
//    instructions of a PSK handshake on the emulated Cortex-M4), run here and written out.
// `node dist/scripts/size.js --no-boards` writes the first section only.
// tests/benchmarks-doc.test.ts fails when the module figures recorded here no longer match the build.
import { readFileSync, writeFileSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { loadModule } from "../host/module";
import * as codes from "../host/codes";

const ROOT = join(__dirname, "..", "..");
const today = new Date().toISOString().slice(0, 10);

/** The fixed buffers and their sizes, as the built module reports them (config.ts sizes them). */
function bufferSizes(file: string): Array<[string, number]> {
  const w = loadModule({ send() {} }, join(ROOT, "build", file));
  const regions = Object.entries(codes).filter(([n]) => n.startsWith("REGION_") && n !== "REGION_COUNT") as Array<[string, number]>;
  return [["I/O buffer (dtls_buffer_size)", w.dtls_buffer_size()],
    ...regions.map(([n, id]): [string, number] => [n.slice("REGION_".length).toLowerCase(), w.dtls_info(codes.INFO_REGION_SIZE + id)])];
}

function staticEnd(file: string): number {
  return loadModule({ send() {} }, join(ROOT, "build", file)).dtls_info(codes.INFO_STATIC_END);
}

function sizeSection(): string {
  const rows = ["dtls-psk.wasm", "dtls.wasm", "dtls-psk-hw.wasm", "dtls-full-hw.wasm", "dtls-cert-hw.wasm"].map((file) => {
    const end = staticEnd(file);
    return `| build/${file} | ${statSync(join(ROOT, "build", file)).size} | ${end} | ${(end / 1024).toFixed(1)} KiB |`;
  });
  // The board accelerators (assembly/accel/): no dtls_info, they report their static end.
  for (const file of ["accel-aes.wasm", "accel.wasm"]) {
    const bytes = readFileSync(join(ROOT, "build", file));
    const end = (new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(bytes)), {}).exports.accel_static_end as () => number)();
    rows.push(`| build/${file} (board accelerator) | ${bytes.length} | ${end} | ${(end / 1024).toFixed(1)} KiB |`);
  }
  const buffers = bufferSizes("dtls.wasm").map(([n, bytes]) => `| ${n} | ${bytes} |`);
  return [
    "<!-- size:begin (written by `make size`) -->",
    `Measured by \`make size\` (scripts/size.ts) on ${today}.`,
    "",
    "| module | flash: module bytes | RAM: linear memory used (bytes) | RAM |",
    "|---|---|---|---|",
    ...rows,
    "",
    "dtls-psk-hw.wasm and dtls-full-hw.wasm are the same client without software AES and P-256, for",
    "boards whose HAL provides them (an engine, or build/accel.wasm compiled ahead of time:",
    "boards/runtime/hal_accel.c); build/accel-aes.wasm is the accelerator's AES half alone.",
    "dtls-cert-hw.wasm is dtls-full-hw.wasm with X.509 certificates (RFC 7925 s. 4.4; build/dtls.wasm has them too).",
    "",
    "RAM is the end of the module's static data and fixed buffers (`dtls_info(INFO_STATIC_END)`);",
    "no allocator is linked in, so nothing grows after start-up. The largest fixed buffers",
    "(sized in assembly/config.ts, as the module reports them: `dtls_info(INFO_REGION_SIZE + id)`), included in that figure:",
    "",
    "| buffer | bytes |",
    "|---|---|",
    ...buffers,
    "<!-- size:end -->",
  ].join("\n");
}

/** The parts of `make board-figures`' output. */
interface BoardFigures {
  sizeBlock: string[];
  parts: Array<{ part: string; flash: number; ram: number }>;
  total: { flash: number; ram: number };
  cap: { full: number; psk: number };
  board: { handshake_instructions: number; stack_used: number; static_end: number; memory_cap: number; trapped: number };
}

function parseBoardFigures(out: string): BoardFigures {
  const lines = out.split("\n");
  const after = (heading: string) => {
    const i = lines.findIndex((l) => l.startsWith(heading));
    if (i < 0) throw new Error(`make board-figures printed no "${heading}":\n${out}`);
    return i + 1;
  };
  const s = after("## QEMU image");
  const sizeBlock = lines.slice(s, s + 2);
  const parts: BoardFigures["parts"] = [];
  let total = { flash: 0, ram: 0 };
  for (let i = after("## by part"); i < lines.length && lines[i].startsWith("|"); i++) {
    const m = /^\| (.+?) \| \**(\d+)\** \| \**(\d+)\** \|$/.exec(lines[i]);
    if (!m) continue;
    const row = { part: m[1].replace(/\*/g, ""), flash: Number(m[2]), ram: Number(m[3]) };
    if (row.part === "total") total = row; else parts.push(row);
  }
  const cap = /## linear-memory cap \(bytes\): full (\d+), psk (\d+)/.exec(out);
  const boardLine = lines.find((l) => l.startsWith("{") && l.includes("handshake_instructions"));
  if (!cap || !boardLine || parts.length === 0) throw new Error(`make board-figures: unexpected output:\n${out}`);
  const board = JSON.parse(boardLine);
  if (board.trapped !== 0 || !(board.handshake_instructions > 0)) throw new Error(`the QEMU handshake did not complete: ${boardLine}`);
  return { sizeBlock, parts, total, cap: { full: Number(cap[1]), psk: Number(cap[2]) }, board };
}

const PART_WORDS: Record<string, string> = {
  "module (wasm2c)": "module (wasm2c translation of dtls.wasm)",
  "linear memory (cap)": "module's linear memory (static buffer = the cap)",
  "board (HAL, UART, startup, app)": "board (HAL over SLIP/UART, SysTick, startup, demo app)",
  "runtime glue": "runtime glue (dtls_port, wasm2c runtime, SLIP)",
  "libc + libgcc": "libc + libgcc (newlib-nano: memcpy, memset, setjmp)",
};

function boardsSection(): string {
  const out = execFileSync("make", ["-s", "--no-print-directory", "board-figures"], { cwd: ROOT, encoding: "utf8", timeout: 600000 });
  const f = parseBoardFigures(out);
  const wasmBytes = statSync(join(ROOT, "build", "dtls.wasm")).size;
  const end = staticEnd("dtls.wasm");
  const pskEnd = staticEnd("dtls-psk.wasm");
  const wasm2c = execFileSync("wasm2c", ["--version"], { encoding: "utf8" }).trim();
  const gcc = execFileSync("arm-none-eabi-gcc", ["-dumpversion"], { encoding: "utf8" }).trim();
  const nrf52832Ram = 65536;
  const left = nrf52832Ram - f.total.ram;
  const rows = f.parts.map((p) => {
    const words = p.part.startsWith("stack") ? `stack (reserved; ${f.board.stack_used} bytes used by a PSK handshake)` : PART_WORDS[p.part] ?? p.part;
    return `| ${words} | ${p.flash} | ${p.ram} |`;
  });
  return [
    "<!-- boards:begin (written by `make size` from `make board-figures`; edit scripts/size.ts, not this section) -->",
    `Measured on ${today} with \`make board-figures\` (written here by \`make size\`): build/dtls.wasm (${wasmBytes} bytes: PSK and`,
    `ECDHE-ECDSA with raw public keys) translated by wasm2c ${wasm2c}, compiled by arm-none-eabi-gcc ${gcc}`,
    "(`-mcpu=cortex-m4 -mthumb -Os`, the wasm2c translations `-O2 -fno-schedule-insns`: W2C_ARM_CFLAGS",
    "in mk/boards.mk; newlib-nano), linked for QEMU's mps2-an386 inside an nRF52840's",
    "budget (1 MiB flash, 256 KiB RAM; boards/qemu/nrf52840.ld). The figures move with the core:",
    "rerun `make size` (tests/benchmarks-doc.test.ts fails when the module recorded here is not the one built).",
    "",
    "`arm-none-eabi-size build/boards/qemu/dtls-qemu.elf`:",
    "",
    "```",
    ...f.sizeBlock,
    "```",
    "",
    "By part (boards/tools/size-report.mjs over the linker map, within a few dozen bytes of",
    "alignment fill; bss includes the 8 KiB stack reserved by the linker script):",
    "",
    "| part | flash (bytes) | RAM (bytes) |",
    "|---|---:|---:|",
    ...rows,
    `| **total** | **${f.total.flash}** | **${f.total.ram}** |`,
    "",
    `- **Linear-memory cap: ${f.cap.full} bytes** for dtls.wasm (${f.cap.psk} for dtls-psk.wasm): the module's`,
    `  static end (${end}; ${pskEnd} for dtls-psk.wasm; \`dtls_info(INFO_STATIC_END)\`) rounded up to 256 by`,
    "  boards/tools/memcap.mjs at build time. The module declares one 64 KiB page; wasm3",
    "  allocates only the cap (`runtime->memoryLimit`) and the wasm2c runtime",
    "  (boards/runtime/wasm_rt_mini.c) backs the page with a static buffer of the cap. CI runs",
    "  handshakes under exactly this cap (posix, QEMU); a cap below the static data fails",
    "  cleanly at instantiation (\"out of bounds\").",
    "- **nRF52832 (64 KiB RAM)**: the same objects also link inside 512 KiB flash / 64 KiB RAM",
    "  (boards/qemu/nrf52832.ld, built by `make qemu`, which fails if they do not fit): RAM used",
    `  ${f.total.ram} bytes with the 8 KiB stack reserved, so ${left} bytes (${Math.floor((100 * left) / nrf52832Ram)} %) of the 64 KiB are left`,
    "  for the network stack and the application.",
    `- **Instructions of a PSK handshake under wasm2c on Cortex-M4: about ${(f.board.handshake_instructions / 1e6).toFixed(2)} million**`,
    `  (${f.board.handshake_instructions}; seed "figures", openssl s_server with its cookie exchange, software AES`,
    "  since the emulated board has no AES engine). Counted in the firmware from SysTick under",
    "  `qemu -icount shift=0` (one instruction per virtual nanosecond), over the calls into the",
    "  core only, time spent waiting in the HAL (UART I/O, random bytes from the host) excluded;",
    "  the resolution is one SysTick tick (40 instructions) per call into the core.",
    "",
    ...everyImage(out),
    "<!-- boards:end -->",
  ].join("\n");
}

/** One row of build/board-figures.json (boards/tools/board-figures.mjs). */
interface ImageRow {
  backend: string; module: string; credential: string; p256_accelerator: boolean; flash_bytes: number;
  heap_peak_bytes: number; heap_region_bytes: number; stack_peak_bytes: number; statics_bytes: number;
  ram_total_bytes: number; init_instructions: number; handshake_instructions: number;
  handshake_bytes_sent: number; handshake_bytes_received: number;
}

/** The tables of every image x credential, as `make board-figures` printed them, and the goals of issue 9. */
function everyImage(out: string): string[] {
  const lines = out.split("\n");
  const table = (header: string) => {
    const i = lines.findIndex((l) => l.startsWith(header));
    if (i < 0) throw new Error(`make board-figures printed no table "${header}"`);
    const rows: string[] = [];
    for (let j = i; j < lines.length && lines[j].startsWith("|"); j++) rows.push(lines[j]);
    return rows;
  };
  const rows: ImageRow[] = JSON.parse(readFileSync(join(ROOT, "build", "board-figures.json"), "utf8"));
  const row = (backend: string, module: string, credential: string) => {
    const r = rows.find((x) => x.backend === backend && x.module === module && x.credential === credential);
    if (!r) throw new Error(`build/board-figures.json has no ${backend}-${module} ${credential} row`);
    return r;
  };
  const kib = (b: number) => (b / 1024).toFixed(1);
  const mi = (n: number) => (n / 1e6).toFixed(2);
  const verdict = (ok: boolean) => (ok ? "**met**" : "**not met**");
  const ecdhe = row("wasm3", "full-hw", "rpk");
  const psk = row("wasm3", "psk-hw", "psk");
  const ecdheSoft = row("wasm3", "full", "rpk");
  const pskSoft = row("wasm3", "psk", "psk");
  return [
    "",
    "### Every image x credential, wasm3 and wasm2c",
    "",
    "`make board-figures` also boots every image of `make qemu` (backend x module profile, each",
    "linked inside an nRF52840's 256 KiB of RAM, the heap being what the part has left) against",
    "gnutls-serv --echo: PSK, and ECDHE-ECDSA with mutual raw public keys where the module has it.",
    "Rows also in build/board-figures.json. KB = 1000 bytes. Columns:",
    "",
    "- heap peak: most bytes held in malloc'd blocks (boards/qemu/heap.c wraps malloc & co.);",
    "  region: the heap the allocator took from the linker's region (peak plus newlib's overhead),",
    "  what a part must give. Everything is allocated by `dtls_port_init` (wasm3 compiles every",
    "  function there): no allocation happens after init in any run.",
    "- C stack peak: the painted stack of the whole program (demo app, HAL, DTLS).",
    "- statics: .data + .bss of the DTLS part (runtime glue, wasm2c module or wasm3 interpreter,",
    "  the wasm2c module's linear memory, the accelerator), not the demo's UART buffers.",
    "- RAM total = heap region + C stack peak + statics.",
    "- init: `dtls_port_init` and configuration (wasm3: compiling every function; rpk: our public",
    "  key from the private key). handshake: `dtls_port_connect` to connected, HAL waits excluded.",
    "- P-256 accelerator: the -hw modules (no software AES or P-256) with build/accel.wasm",
    "  translated by wasm2c and compiled with W2C_ARM_CFLAGS (mk/boards.mk) as the board's P-256 and AES engines",
    "  (boards/runtime/hal_accel.c; psk-hw images take its AES half, build/accel-aes.wasm). The",
    "  emulated board has no AES peripheral, so its AES blocks are this software at native speed:",
    "  more instructions than a real AES engine would cost.",
    "",
    ...table("| backend | module | credential |"),
    "",
    "Parts (the DTLS part's RAM against what each part has; the rest is the application's):",
    "",
    ...table("| backend | module | P-256 accelerator |"),
    "",
    "Full and abbreviated handshakes (issue 10: a session the Node client saved with the same",
    "server, `--session-out`, imported by the board, `--session-in`; RFC 5246 7.3). Bytes are UDP",
    "payload from `dtls_connect` to connected (`INFO_HANDSHAKE_*`), both with gnutls-serv's",
    "HelloVerifyRequest; gnutls-serv sends one handshake message per datagram:",
    "",
    ...table("| backend | module | credential | handshake |"),
    "",
    `- The abbreviated handshake needs no public-key operation: wasm3 full-hw with raw public keys`,
    `  ${mi(row("wasm3", "full-hw", "rpk resumed").handshake_instructions)} M instructions instead of ${mi(ecdhe.handshake_instructions)} M, and`,
    `  ${row("wasm3", "full-hw", "rpk resumed").handshake_bytes_sent + row("wasm3", "full-hw", "rpk resumed").handshake_bytes_received} bytes on the wire instead of`,
    `  ${ecdhe.handshake_bytes_sent + ecdhe.handshake_bytes_received}. With PSK it saves a round trip and ~15 % of the instructions, but our side`,
    "  sends more bytes: the session ID (32 bytes) rides in both ClientHellos and outweighs the",
    "  ClientKeyExchange it saves.",
    "",
    "Goals of issue 9 (wasm3 on the Cortex-M4; 1 KiB = 1024 bytes):",
    "",
    `- ECDHE-ECDSA mutual raw-key handshake with the accelerator: ${mi(ecdhe.handshake_instructions)} M instructions`,
    `  (goal <= 25 M: ${verdict(ecdhe.handshake_instructions <= 25e6)}; ${mi(ecdheSoft.handshake_instructions)} M with P-256 interpreted).`,
    `- PSK handshake: ${mi(psk.handshake_instructions)} M instructions with the board's AES (psk-hw), ${mi(pskSoft.handshake_instructions)} M`,
    `  with the module's own (goal <= 8 M: ${verdict(psk.handshake_instructions <= 8e6)}).`,
    `- RAM of the DTLS part, ECDHE (full-hw): ${ecdhe.ram_total_bytes} bytes = ${kib(ecdhe.ram_total_bytes)} KiB (goal <= 96 KiB:`,
    `  ${verdict(ecdhe.ram_total_bytes <= 96 * 1024)}; ${kib(ecdheSoft.ram_total_bytes)} KiB with the module's own P-256).`,
    `- RAM of the DTLS part, PSK (psk-hw): ${psk.ram_total_bytes} bytes = ${kib(psk.ram_total_bytes)} KiB (goal <= 64 KiB:`,
    `  ${verdict(psk.ram_total_bytes <= 64 * 1024)}; ${kib(pskSoft.ram_total_bytes)} KiB with the module's own AES). Where the heap goes,`,
    "  traced at each step of `dtls_vm_init` (peak bytes held; commit 6451cdd, before session",
    "  resumption): the runtime and its 3 KiB value stack 3.8 KB, the parsed module 8.8 KB (a",
    "  56-byte M3Function per function, 32 bytes per global, types; peak of the one-at-a-time array",
    "  growth), linear memory 12.6 KB (the 11.5 KB cap and globals), compiled code 47.2 KB: wasm3",
    "  0.5.0 compiles each wasm instruction into about two 4-byte code words, 4.2x the module's",
    `  11.1 KB code section. The goal needs ${((psk.ram_total_bytes - 64 * 1024) / 1000).toFixed(1)} KB less, which only a smaller module (fewer`,
    "  instructions: about 250 bytes of code per KB of heap) can give: the knobs that exist were",
    "  measured (boards/runtime/dtls_wasm3_config.h says which helped; moving globals into linear",
    "  memory costs more code than it saves). wasm2c needs no heap: 14.0 KB.",
    "- Issue 10 gave the 96 KiB ECDHE goal back: at feaff63 (resumption by ID only) the full-hw image",
    "  needed 97,981 B. Each feature measured with `make board-figures` on its own branch from",
    "  there (full-hw wasm code growth; wasm3 DTLS RAM): session tickets +442 B, 100,737 B (with",
    "  the 512-byte ticket buffer); small-PMTU ClientHello and False Start +395 B, 100,421 B; Connection",
    "  ID +856 B, about 105.5 KB; heartbeat +774 B, about 103 KB; session export/import and the",
    "  handshake counters +912 B, 103.4 KB (a4b4378). Together (this table) the code grew by",
    `  ${readFileSync(join(ROOT, "build", "dtls-full-hw.wasm")).length - 16282} B and the RAM by ${((ecdhe.ram_total_bytes - 97981) / 1000).toFixed(1)} KB: wasm3 needs about 6 bytes of heap per byte of`,
    "  wasm code. `NO_HEARTBEAT=1` in an asconfig.json target leaves heartbeat out (-5 KB). The",
    "  images still fit the nRF52840 and the ESP32 with room to spare (table above); for the",
    "  nRF52832, wasm2c is the backend (table above). Code page size re-measured: 2 KiB stays the best",
    "  (1.5 KiB and 2.5 KiB: 120.6 KB, 4 KiB: 132.3 KB for full-hw).",
    ...x509Figures(table, row, mi, kib),
  ];
}

/** X.509 on the Cortex-M4 (issue 11): the rows "x509", "x509 mutual", "rpk server" of the images
 *  whose module has certificates (boards/tools/board-figures.mjs says how they are made). */
function x509Figures(table: (h: string) => string[], row: (b: string, m: string, c: string) => ImageRow,
  mi: (n: number) => string, kib: (b: number) => string): string[] {
  const hw = row("wasm3", "cert-hw", "x509");
  return [
    "",
    "X.509 certificates (issue 11, RFC 7925 s. 4.4) on the emulated Cortex-M4, against gnutls-serv",
    "--echo with the tests' PKI (tests/support/certs.ts): the server's leaf and 2 intermediates",
    "validated up to the root (the trust anchor, configured through the SLIP bridge); mutual: our",
    "leaf and 1 intermediate with CertificateVerify (max_fragment_length off: gnutls-serv reads one",
    "record per datagram under 512). The certificate path's cost is measured as a difference: the",
    "X.509 handshake minus a raw-public-key handshake with the same server key and no client",
    "authentication (same server, same suite); it is mostly validating the 3-certificate chain",
    "(3 ECDSA verifications, 3 TBSCertificate hashes, the DER parsing) plus hashing the 1.5 KB",
    "Certificate message into the transcript. build/dtls-cert-hw.wasm under wasm3 takes its P-256",
    "from the accelerator like full-hw; wasm2c full and wasm3 full run the module's own P-256.",
    "QEMU runs slower than real time: a handshake that outlasts gnutls-serv's 1 s retransmission",
    "timer (wasm3 full, mutual) gets the server's flight twice and resends its own (the bytes",
    "table above shows it); its count includes handling the duplicates.",
    "",
    ...table("| backend | module | X.509 handshake"),
    "",
    `- wasm3 cert-hw RAM high-water: heap peak ${hw.heap_peak_bytes} B (region ${hw.heap_region_bytes} B: compiled code, value stack,`,
    `  linear memory capped at the module's static end), statics ${hw.statics_bytes} B (interpreter, glue, accelerator),`,
    `  C stack peak ${hw.stack_peak_bytes} B; RAM total ${hw.ram_total_bytes} B = ${kib(hw.ram_total_bytes)} KiB of the nRF52840's 256 KiB`,
    `  (${hw.ram_total_bytes <= 256 * 1024 ? "fits" : "does not fit"}); no allocation after init. The whole mutual X.509 handshake: ${mi(row("wasm3", "cert-hw", "x509 mutual").handshake_instructions)} M instructions.`,
  ];
}

const docPath = join(ROOT, "docs", "BENCHMARKS.md");
let doc = "";
try { doc = readFileSync(docPath, "utf8"); } catch { doc = "# Benchmarks\n"; }
const size = sizeSection();
const sizeRe = /<!-- size:begin[\s\S]*?<!-- size:end -->/;
doc = sizeRe.test(doc) ? doc.replace(sizeRe, () => size) : doc.replace(/^# Benchmarks\n/, `# Benchmarks\n\n## Module size and RAM\n\n${size}\n`);
process.stdout.write(size + "\n");
if (!process.argv.includes("--no-boards")) {
  const boards = boardsSection();
  const boardsRe = /<!-- boards:begin[\s\S]*?<!-- boards:end -->/;
  doc = boardsRe.test(doc) ? doc.replace(boardsRe, () => boards) : `${doc.trimEnd()}\n\n## Boards\n\n${boards}\n`;
  process.stdout.write(boards + "\n");
}
writeFileSync(docPath, doc);
