// The hostile peer (tests/support/hostile-server.ts) over real UDP on 127.0.0.1 against the
// three client programs: the Node CLI, the posix program (wasm2c) and the wasm3 harness, with
// the same options and the same assertions on the server's records, each program's exit code
// and its JSON summary. One scenario per bug class of issue 8: the first fatal alert ends
// the connection; copies of the server's flight cannot make the client flood; every record
// the negotiated length allows is delivered; a record whose explicit nonce is not its
// sequence number is refused. Builds the posix program and the wasm3 venv itself.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { runProgram, CliResult, buildPrograms } from "./support/cli";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as codes from "../host/codes";
import { ROOT, BUILD, CLI, POSIX, WASM3_PYTHON, WASM3_HARNESS } from "./support/paths";
import { HostileServer, HostileOptions, bigReply, GENUINE_TEXT } from "./support/hostile-server";
import { ext, ServerHelloOptions } from "./support/wire";

const PSK = Buffer.from("5e1f0a9b3c7d2e4f60718293a4b5c6d7", "hex");
const IDENTITY = "hostile-programs";
const HT = { CLIENT_HELLO: 1, CKE: 16 };
const CT = { CCS: 20, APP: 23 };

interface Program { name: string; cmd: string; pre: string[] }
const PROGRAMS: Program[] = [
  { name: "node", cmd: process.execPath, pre: [CLI] },
  { name: "posix", cmd: POSIX, pre: [] },
  { name: "wasm3", cmd: WASM3_PYTHON, pre: [WASM3_HARNESS] },
];

before(() => {
  // The programs under test, built (or found up to date) by the project's own targets.
  buildPrograms();
});

type Run = CliResult;
const run = (p: Program, args: string[], timeoutMs = 20000) => runProgram(p.cmd, [...p.pre, ...args], timeoutMs);

/** Runs one program against a fresh hostile server playing `options.scenario`. */
async function against(p: Program, options: Omit<HostileOptions, "psk">, args: string[]) {
  const server = await HostileServer.start({ psk: PSK, ...options });
  try {
    const r = await run(p, [`127.0.0.1:${server.port}`, "--psk-identity", IDENTITY, "--psk", PSK.toString("hex"), "--json", ...args]);
    return { r, server, why: `${p.name} exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}` };
  } finally {
    server.close();
  }
}

/** Timer expiries that resend within a flight's budget: the timeout starts at rto and
 *  doubles (RFC 6347 4.2.4.1); the expiry at the budget's end gives up instead. */
function timerResends(rtoMs: number, budgetMs: number): number {
  let n = 0;
  for (let rto = rtoMs, t = rtoMs; t < budgetMs; rto *= 2, t += rto) n++;
  return n;
}

/** The core's limit on HelloVerifyRequests per handshake (assembly/config.ts). */
const HELLO_VERIFY_MAX = Number(/HELLO_VERIFY_MAX: i32 = (\d+)/.exec(readFileSync(join(ROOT, "assembly", "config.ts"), "utf8"))?.[1]);

/** The cookie length of a ClientHello record's payload (handshake header, version, random, session id). */
function cookieLength(payload: Buffer): number {
  const sid = 12 + 2 + 32;
  return payload[sid + 1 + payload[sid]];
}

for (const p of PROGRAMS) {
  // ---- 1. The first fatal alert ends the connection ----------------------------------

  test(`${p.name}: [bad Finished][good Finished, message_seq 3] in one record: one fatal decrypt_error, no data, exit 1 bad_finished`, async () => {
    const { r, server, why } = await against(p, { scenario: "bad-then-good-finished" },
      ["--send", "must never be sent", "--wait", "2000", "--rto", "1000", "--timeout", "5000"]);
    assert.deepEqual(server.errors, []);
    assert.deepEqual(server.alerts(), [[codes.ALERT_FATAL, codes.ALERT_DECRYPT_ERROR]], `exactly one alert\n${why}`);
    assert.equal(server.records().filter((x) => x.type === CT.APP).length, 0, `no application data\n${why}`);
    assert.equal(r.code, 1, why);
    assert.equal(r.json?.state, "failed", why);
    assert.equal(r.json?.reason, "bad_finished", why);
  });

  test(`${p.name}: ServerHello + malformed ServerKeyExchange + ServerHelloDone in one record: one fatal decode_error, no flight 5, exit 1 decode`, async () => {
    const { r, server, why } = await against(p, { scenario: "epoch0-bad-then-more" },
      ["--send", "must never be sent", "--rto", "1000", "--timeout", "5000"]);
    assert.deepEqual(server.errors, []);
    assert.deepEqual(server.alerts(), [[codes.ALERT_FATAL, codes.ALERT_DECODE_ERROR]], `exactly one alert\n${why}`);
    assert.ok(server.handshakeTypes().every((t) => t === HT.CLIENT_HELLO), `only ClientHellos: ${server.handshakeTypes()}\n${why}`);
    assert.equal(server.records().filter((x) => x.type === CT.CCS || x.epoch !== 0).length, 0, `no CCS, no epoch 1\n${why}`);
    assert.equal(r.code, 1, why);
    assert.equal(r.json?.state, "failed", why);
    assert.equal(r.json?.reason, "decode", why);
  });

  // ---- 2. No retransmission storm -----------------------------------------------------

  const RTO = 100, BUDGET = 1000;
  const storm = ["--rto", String(RTO), "--timeout", String(BUDGET)];

  test(`${p.name}: 2000 HelloVerifyRequest copies in 1 s buy a handful of ClientHellos (--rto ${RTO} --timeout ${BUDGET})`, async (ctx) => {
    assert.ok(HELLO_VERIFY_MAX > 0, "HELLO_VERIFY_MAX read from assembly/config.ts");
    const { r, server, why } = await against(p, { scenario: "hvr-storm" }, storm);
    assert.deepEqual(server.errors, []);
    const hellos = server.records().filter((x) => x.epoch === 0 && x.type === 22 && x.payload[0] === HT.CLIENT_HELLO);
    const first = hellos.filter((x) => cookieLength(x.payload) === 0).length;
    const withCookie = hellos.length - first;
    const t = timerResends(RTO, BUDGET);
    ctx.diagnostic(`ClientHellos ${first} + ${withCookie} with cookie; ${server.copiesSent} copies; bytes out ${server.bytesIn}, in ${server.bytesOut}`);
    // Without the cookie: the first ClientHello and its timer only (the server sent nothing before the HVR).
    assert.ok(first >= 1 && first <= 1 + t, `${first} ClientHellos without cookie\n${why}`);
    // With it: the answer to the first HelloVerifyRequest, at most one per further one counted
    // against the limit, and the timer's resends of that flight.
    assert.ok(withCookie >= 1, `the HelloVerifyRequest was answered\n${why}`);
    assert.ok(withCookie <= HELLO_VERIFY_MAX + t, `${withCookie} ClientHellos with the cookie for ${server.copiesSent} copies, ` +
      `at most ${HELLO_VERIFY_MAX} + ${t}\n${why}`);
    assert.ok(server.copiesSent >= 1000, `the storm ran while the client lived (${server.copiesSent} copies)`);
    assert.ok(server.bytesIn * 10 < server.bytesOut, `client sent ${server.bytesIn} bytes, received ${server.bytesOut}`);
    assert.equal(r.code, 1, why);
    assert.equal(r.json?.state, "failed", why);
    assert.equal(r.json?.reason, "timeout", why);
  });

  test(`${p.name}: 2000 ServerHelloDone copies in 1 s buy at most one flight 5 per timer period (--rto ${RTO} --timeout ${BUDGET})`, async (ctx) => {
    const { r, server, why } = await against(p, { scenario: "shd-storm" }, storm);
    assert.deepEqual(server.errors, []);
    const flights5 = server.handshakeTypes().filter((x) => x === HT.CKE).length;
    const t = timerResends(RTO, BUDGET);
    // The first flight 5, the timer's resends, and one resend per timer period (t + 1 periods).
    const bound = 1 + t + (t + 1);
    ctx.diagnostic(`flights 5: ${flights5} (bound ${bound}); ${server.copiesSent} copies; bytes out ${server.bytesIn}, in ${server.bytesOut}`);
    assert.ok(flights5 >= 1 && flights5 <= bound, `${flights5} flights 5 for ${server.copiesSent} copies, at most ${bound}\n${why}`);
    assert.ok(server.copiesSent >= 1000, `the storm ran while the client lived (${server.copiesSent} copies)`);
    assert.ok(server.bytesIn * 10 < server.bytesOut, `client sent ${server.bytesIn} bytes, received ${server.bytesOut}`);
    assert.equal(r.code, 1, why);
    assert.equal(r.json?.state, "failed", why);
    assert.equal(r.json?.reason, "finished_timeout", why);
  });

  // ---- 3. No silent loss of application data ----------------------------------------

  const mfl1024 = { extensions: Buffer.concat([ext(1, Buffer.from([2])), ext(23, Buffer.alloc(0)), ext(0xff01, Buffer.from([0]))]) };
  const noMfl = { extensions: Buffer.concat([ext(23, Buffer.alloc(0)), ext(0xff01, Buffer.from([0]))]) };
  const bigCases: Array<[string, number, ServerHelloOptions, number | null]> = [
    ["1024", 1023, mfl1024, 1024], ["1024", 1024, mfl1024, 1024], ["off", 1400, noMfl, null]];
  for (const [mfl, size, hello, negotiated] of bigCases) {
    test(`${p.name}: --mfl ${mfl}, a ${size}-byte record is delivered whole, exit 0`, async () => {
      const { r, server, why } = await against(p, { scenario: "big-records", hello, replySize: size },
        ["--mfl", mfl, "--send", "send me a big one", "--expect-reply", "--wait", "5000", "--rto", "1000", "--timeout", "5000"]);
      assert.deepEqual(server.errors, []);
      assert.equal(r.code, 0, why);
      assert.equal(r.json?.mfl, negotiated, why);
      assert.equal(r.json?.received, bigReply(size).toString("latin1"), `the ${size}-byte record, whole\n${why}`);
      assert.deepEqual(server.alerts().filter(([level]) => level !== codes.ALERT_WARNING), [], `no fatal alert\n${why}`);
    });
  }

  // ---- 4. The explicit nonce is the record's epoch and sequence number ------------------

  test(`${p.name}: a record whose explicit nonce is not its sequence number is refused; the genuine one is delivered`, async () => {
    const { r, server, why } = await against(p, { scenario: "nonce-mismatch" },
      ["--send", "reply twice", "--expect-reply", "--wait", "5000", "--rto", "1000", "--timeout", "5000"]);
    assert.deepEqual(server.errors, []);
    assert.equal(r.code, 0, why);
    assert.equal(r.json?.received, GENUINE_TEXT, why);
  });
}
