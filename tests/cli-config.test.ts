// Bad configuration gets a clear message and exit code 2, never a crash.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "./support/cli";

const ok = ["127.0.0.1:5684", "--psk-identity", "dev", "--psk", "00112233"];

const cases: Array<[string, string[], RegExp]> = [
  ["a PSK that is not hex", ["127.0.0.1:5684", "--psk-identity", "dev", "--psk", "xyz1"], /--psk must be hex/],
  ["an odd number of hex digits", ["127.0.0.1:5684", "--psk-identity", "dev", "--psk", "abc"], /--psk must be hex/],
  ["an identity over 128 bytes", ["127.0.0.1:5684", "--psk-identity", "i".repeat(129), "--psk", "00"], /129 bytes.*at most 128/],
  ["a PSK over 64 bytes", ["127.0.0.1:5684", "--psk-identity", "dev", "--psk", "00".repeat(65)], /65 bytes; at most 64/],
  ["an unknown option", [...ok, "--frobnicate"], /unknown option --frobnicate/],
  ["a missing port", ["127.0.0.1", "--psk-identity", "dev", "--psk", "00"], /expected HOST:PORT/],
  ["a bad --mfl", [...ok, "--mfl", "300"], /--mfl must be 512, 1024, 2048, 4096 or off/],
  ["a PMTU the core refuses", [...ok, "--pmtu", "20"], /invalid PMTU: 20/],
  ["an invalid server name", [...ok, "--sni", "192.168.1.1"], /invalid server name/],
  ["missing credentials", ["127.0.0.1:5684"], /--psk-identity and --psk are required/],
  ["an option without its value", [...ok, "--rto"], /--rto needs a value/],
];

for (const [what, args, message] of cases) {
  test(`exit 2 for ${what}`, async () => {
    const r = await runCli(args, 5000);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, "no stack trace for a configuration error");
  });
}
