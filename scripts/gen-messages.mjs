// Writes the words the hosts share, so each sentence has one source: host/messages.json and
// the core's codes (passed in by scripts/gen-codes.mjs) ->
//   host/messages.ts                  reason sentences, CLI messages, usage, option ranges (TypeScript)
//   boards/runtime/dtls_names_table.h names of states, reasons, alerts and cipher suites (C)
//   boards/posix/cli_messages.h       the CLI's messages, usage and option ranges (C)
// tests/wasm3/dtls_wasm3.py reads host/messages.json itself. A REASON_ code the lead adds to
// assembly/errors.ts is picked up here: named after its constant and, until host/messages.json
// has a sentence for it, described by that name.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const MESSAGES_SOURCE = "host/messages.json";

/** Options whose value is a whole number within [min, max]: { "--rto": { min, max, unit } }. */
function numbers(m) {
  return Object.fromEntries(m.numbers.map(([option, min, max, unit]) => [option, { min, max, unit }]));
}

/** The usage text of one program ("node", "posix" or "wasm3"): tests/wasm3/dtls_wasm3.py renders it alike. */
export function renderUsage(m, program) {
  const lines = [m.usage.synopsis.replace("%s", m.programs[program])];
  for (const [who, flag, help] of m.usage.options) {
    if (who === "all" || who.split(" ").includes(program)) lines.push(`  ${flag.padEnd(19)} ${help}`);
  }
  lines.push(m.usage.footer);
  return lines.join("\n") + "\n";
}

function lowerNames(consts, prefix) {
  return consts.filter(([n]) => n.startsWith(prefix)).map(([n, v]) => [n, v, n.slice(prefix.length).toLowerCase()]);
}

/** [constant, value, name, sentence] of every REASON_ code. */
function reasonWords(consts, m) {
  const reasons = lowerNames(consts, "REASON_");
  const known = new Set(reasons.map(([, , name]) => name));
  const stale = Object.keys(m.reasons).filter((name) => !known.has(name));
  if (stale.length) throw new Error(`gen-messages: ${MESSAGES_SOURCE} describes reasons the core does not have: ${stale.join(", ")}`);
  return reasons.map(([constant, value, name]) => {
    if (!(name in m.reasons)) console.warn(`gen-messages: no sentence for ${constant} in ${MESSAGES_SOURCE}; its name stands in`);
    return [constant, value, name, m.reasons[name] ?? name];
  });
}

// A C string literal (JSON's escapes are C's, but for \uXXXX: octal, which stops after 3 digits).
const cString = (s) => JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, (_, h) => `\\${parseInt(h, 16).toString(8).padStart(3, "0")}`);

function counters(consts, m) {
  const values = new Map(consts);
  for (const [, info] of m.summary_counters) {
    if (!values.has(info)) throw new Error(`gen-messages: summary counter ${info} is not a code of the core`);
  }
  return m.summary_counters.map(([key, info]) => [key, info, values.get(info)]);
}

function typescript(reasons, consts, m, banner) {
  return [
    `// ${banner}`,
    `export const REASON_TEXT: Readonly<Record<number, string>> = {`,
    ...reasons.map(([c, v, , text]) => `  ${v}: ${JSON.stringify(text)}, // ${c}`),
    `};`,
    `export const PROGRAM = ${JSON.stringify(m.programs.node)};`,
    `export const USAGE = ${JSON.stringify(renderUsage(m, "node"))};`,
    `export const EXIT = ${JSON.stringify(m.exit)} as const;`,
    `export const NUMBERS: Readonly<Record<string, { min: number; max: number; unit: string }>> = ${JSON.stringify(numbers(m))};`,
    `/** Summary keys that are module counters: [key, dtls_info key]. */`,
    `export const SUMMARY_COUNTERS: ReadonlyArray<readonly [string, number]> = [`,
    ...counters(consts, m).map(([key, info, v]) => `  [${JSON.stringify(key)}, ${v}], // ${info}`),
    `];`,
    `export const MSG = ${JSON.stringify(m.messages, null, 2)} as const;`,
  ].join("\n") + "\n";
}

function namesTable(reasons, consts, m, banner) {
  const entry = (c, name) => `  {DTLS_${c}, ${cString(name)}},`;
  const alerts = lowerNames(consts, "ALERT_").filter(([c]) => c !== "ALERT_WARNING" && c !== "ALERT_FATAL");
  const ciphers = consts.filter(([n]) => n.startsWith("TLS_"));
  return [
    `/* ${banner} Included by dtls_names.c only. */`,
    "#ifndef DTLS_NAMES_TABLE_H",
    "#define DTLS_NAMES_TABLE_H",
    "#include <stdint.h>",
    '#include "dtls_codes.h"',
    "struct dtls_name { int32_t value; const char *name; };",
    "struct dtls_reason_words { int32_t value; const char *name; const char *text; };",
    "static const struct dtls_name DTLS_STATE_NAMES[] = {",
    ...lowerNames(consts, "STATE_").map(([c, , name]) => entry(c, name)),
    "};",
    "static const struct dtls_reason_words DTLS_REASON_WORDS[] = {",
    ...reasons.map(([c, , name, text]) => `  {DTLS_${c}, ${cString(name)}, ${cString(text)}},`),
    "};",
    "static const struct dtls_name DTLS_ALERT_NAMES[] = {",
    ...alerts.map(([c, , name]) => entry(c, name)),
    "};",
    "static const struct dtls_name DTLS_CIPHER_NAMES[] = {",
    ...ciphers.map(([c]) => entry(c, c)),
    "};",
    "#endif",
  ].join("\n") + "\n";
}

function cliHeader(consts, m, banner) {
  const macro = (s) => s.toUpperCase().replace(/[^A-Z0-9]/g, "_");
  return [
    `/* ${banner} Included by boards/posix/main.c only. */`,
    "#ifndef CLI_MESSAGES_H",
    "#define CLI_MESSAGES_H",
    "#include <stdint.h>",
    '#include "dtls_codes.h"',
    `#define CLI_PROGRAM ${cString(m.programs.posix)}`,
    ...Object.entries(m.exit).map(([k, v]) => `#define CLI_EXIT_${macro(k)} ${v}`),
    ...Object.entries(m.messages).map(([k, v]) => `#define CLI_MSG_${macro(k)} ${cString(v)}`),
    `static const char CLI_USAGE[] = ${cString(renderUsage(m, "posix"))};`,
    "/* Options that take a whole number within [min, max]; the bounds also as text for CLI_MSG_BAD_NUMBER. */",
    "struct cli_number { const char *option; long min; long max; const char *min_text; const char *max_text; const char *unit; };",
    "static const struct cli_number CLI_NUMBERS[] = {",
    ...m.numbers.map(([o, min, max, unit]) => `  {${cString(o)}, ${min}L, ${max}L, "${min}", "${max}", ${cString(unit)}},`),
    "};",
    "/* Summary keys that are module counters (dtls_info). */",
    "struct cli_counter { const char *key; int32_t info; };",
    "static const struct cli_counter CLI_SUMMARY_COUNTERS[] = {",
    ...counters(consts, m).map(([key, info]) => `  {${cString(key)}, DTLS_${info}},`),
    "};",
    "#endif",
  ].join("\n") + "\n";
}

/** Writes the three files; write(relativePath, text) writes one if it changed. */
export function writeMessages(root, consts, codeSources, write) {
  const m = JSON.parse(readFileSync(join(root, MESSAGES_SOURCE), "utf8"));
  // Option bounds may name the core's constants: the one source of the ranges.
  const values = new Map(consts);
  const bound = (b) => {
    if (typeof b === "number") return b;
    if (!values.has(b)) throw new Error(`gen-messages: ${MESSAGES_SOURCE} names ${b}, which the core does not define`);
    return values.get(b);
  };
  m.numbers = m.numbers.map(([option, min, max, unit]) => [option, bound(min), bound(max), unit]);
  const banner = `Generated by scripts/gen-codes.mjs from ${MESSAGES_SOURCE} and ${codeSources.join(", ")}. Do not edit.`;
  const reasons = reasonWords(consts, m);
  write("host/messages.ts", typescript(reasons, consts, m, banner));
  write("boards/runtime/dtls_names_table.h", namesTable(reasons, consts, m, banner));
  write("boards/posix/cli_messages.h", cliHeader(consts, m, banner));
}
