// Bad configuration gets a clear message and exit code 2, never a crash; and the ranges the
// three client programs enforce (host/messages.json "numbers") are the module's own, so an
// option the CLI accepts is never refused later by dtls_config_set (and the other way round).
// The messages themselves, in all three programs: tests/cli-consistency.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as codes from "../host/codes";
import { loadModule } from "../host/module";
import { NUMBERS } from "../host/messages";
import { runCli } from "./support/cli";
import { ROOT } from "./support/paths";

const ok = ["127.0.0.1:5684", "--psk-identity", "dev", "--psk", "00112233"];

test("no stack trace for a configuration error, and the usage after a usage error", async () => {
  for (const args of [[...ok, "--pmtu", "20"], [...ok, "--sni", "192.168.1.1"], ["no-such-host.invalid:5684", ...ok.slice(1)]]) {
    const r = await runCli(args, 5000);
    assert.equal(r.code, 2, r.stderr);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, `${args.join(" ")}: no stack trace`);
  }
  assert.match((await runCli([...ok, "--pmtu", "20"], 5000)).stderr, /^dtls-client: --pmtu must be .*\nusage: dtls-client HOST:PORT/);
});

// The option, the module's OPT_ code, and whether the module reads 0 as "the default" (the CLI
// refuses 0 there: a value that silently means something else is not a value).
const MODULE_OPTIONS: Array<[string, number, boolean]> = [
  ["--rto", codes.OPT_RTO_INITIAL_MS, false],
  ["--timeout", codes.OPT_HANDSHAKE_BUDGET_MS, true],
  ["--pmtu", codes.OPT_PMTU, false],
];

test("the ranges of --rto, --timeout and --pmtu are the module's: both ends accepted, one past them refused", () => {
  const w = loadModule({ send: () => undefined });
  for (const [option, key, zeroIsDefault] of MODULE_OPTIONS) {
    const { min, max } = NUMBERS[option];
    w.dtls_config_reset();
    assert.equal(w.dtls_config_set(key, min), 0, `${option} ${min}`);
    assert.equal(w.dtls_config_set(key, max), 0, `${option} ${max}`);
    assert.notEqual(w.dtls_config_set(key, max + 1), 0, `${option} ${max + 1}`);
    if (zeroIsDefault) {
      assert.equal(min, 1, `${option}: 0 would silently mean the default`);
      assert.equal(w.dtls_config_set(key, 0), 0, `${option}: the module reads 0 as its default`);
    } else {
      assert.notEqual(w.dtls_config_set(key, min - 1), 0, `${option} ${min - 1}`);
    }
  }
});

test("every number option of the usage text has its range in host/messages.json, and the usage states it", () => {
  const messages = JSON.parse(readFileSync(join(ROOT, "host", "messages.json"), "utf8"));
  for (const [, flag, help] of messages.usage.options as Array<[string, string, string]>) {
    const option = flag.split(" ")[0];
    if (!/ (MS|BYTES)$/.test(flag) || option === "--memory-cap") continue;
    const range = NUMBERS[option];
    assert.ok(range, `${option} has a range`);
    assert.ok(help.includes(`${range.min} to ${range.max}`), `${option}: the usage says ${range.min} to ${range.max}`);
  }
});
