// One behaviour, one message: the three client programs (dtls-client: host/cli.ts,
// dtls-posix: boards/posix/main.c under wasm2c, dtls_wasm3.py: tests/wasm3/ under pywasm3)
// run the same cases and must give the same exit code, the same message and the same JSON.
// Exit codes: 0 done, 1 the connection failed, 2 bad usage or configuration, 3 no reply with
// --expect-reply. Builds what it runs (make posix, the wasm3 venv), like tests/boards.test.ts.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { runProgram, CliResult, buildPrograms } from "./support/cli";
import { execFileSync } from "node:child_process";
import { createSocket, Socket } from "node:dgram";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, BUILD, CLI, POSIX, WASM3_PYTHON, WASM3_HARNESS } from "./support/paths";
import { PSK_HEX } from "./support/servers";
import { ScriptedUdpPeer, PeerScript, ECHO_CID } from "./support/scripted-udp-peer";
import * as hostCodes from "../host/codes";
import { describeReason, reasonName, stateName, alertName } from "../host/names";

const PROGRAMS: Record<string, string[]> = {
  "dtls-client": [process.execPath, CLI],
  "dtls-posix": [POSIX],
  "dtls_wasm3.py": [WASM3_PYTHON, WASM3_HARNESS],
};
const NAMES = Object.keys(PROGRAMS);
const PSK = ["--psk-identity", "cli-device", "--psk", PSK_HEX];

type Run = CliResult;

function run(name: string, args: string[], timeoutMs = 30000): Promise<Run> {
  const [cmd, ...pre] = PROGRAMS[name];
  return runProgram(cmd, [...pre, ...args], timeoutMs);
}

/** The program's own name, so texts of different programs compare. */
const neutral = (name: string, text: string) => text.split(name).join("PROG");

// A UDP port where nothing may arrive: a configuration refused is refused before sending.
let sink: Socket;
let sinkPort = 0;
const sinkGot: Buffer[] = [];
before(async () => {
  buildPrograms();
  sink = createSocket("udp4");
  sink.on("message", (m) => sinkGot.push(m));
  await new Promise<void>((r) => sink.bind(0, "127.0.0.1", () => r()));
  sinkPort = sink.address().port;
});
after(() => sink.close());

// [what, arguments (SINK stands for the sink's 127.0.0.1:port), the message, usage follows?]
const refused: Array<[string, string[], string, boolean]> = [
  ["port 0", ["127.0.0.1:0", ...PSK], 'the port must be a whole number from 1 to 65535, got "0"', true],
  ["port 99999 (not wrapped to 34463)", ["127.0.0.1:99999", ...PSK], 'the port must be a whole number from 1 to 65535, got "99999"', true],
  ["port 65536", ["127.0.0.1:65536", ...PSK], 'the port must be a whole number from 1 to 65535, got "65536"', true],
  ["a port that is not a number", ["127.0.0.1:coap", ...PSK], 'the port must be a whole number from 1 to 65535, got "coap"', true],
  ["an empty port", ["127.0.0.1:", ...PSK], 'the port must be a whole number from 1 to 65535, got ""', true],
  ["no port", ["127.0.0.1", ...PSK], 'expected HOST:PORT (an IPv6 address in brackets: [::1]:5684), got "127.0.0.1"', true],
  ["an IPv6 address without brackets", ["::1:5684", ...PSK], 'expected HOST:PORT (an IPv6 address in brackets: [::1]:5684), got "::1:5684"', true],
  ["a host that does not resolve", ["no-such-host.invalid:5684", ...PSK], 'cannot resolve host "no-such-host.invalid" (nothing was sent)', false],
  ["an empty --sni", ["SINK", ...PSK, "--sni", ""], "--sni must not be empty: a server name is 1 to 255 bytes (RFC 6066 s. 3); leave --sni out to send none", true],
  ["an IP address as --sni", ["SINK", ...PSK, "--sni", "192.168.1.1"],
    "invalid server name \"192.168.1.1\": a host name of ASCII letters, digits, '-', '_' and '.', at most 255 bytes, not an IP address (RFC 6066 s. 3)", false],
  ["--timeout 0", ["SINK", ...PSK, "--timeout", "0"], '--timeout must be a whole number from 1 to 86400000 (milliseconds), got "0"', true],
  ["--timeout over a day", ["SINK", ...PSK, "--timeout", "86400001"], '--timeout must be a whole number from 1 to 86400000 (milliseconds), got "86400001"', true],
  ["--rto 0", ["SINK", ...PSK, "--rto", "0"], '--rto must be a whole number from 1 to 3600000 (milliseconds), got "0"', true],
  ["a negative --rto", ["SINK", ...PSK, "--rto", "-5"], '--rto must be a whole number from 1 to 3600000 (milliseconds), got "-5"', true],
  ["--rto over an hour", ["SINK", ...PSK, "--rto", "3600001"], '--rto must be a whole number from 1 to 3600000 (milliseconds), got "3600001"', true],
  ["a huge --rto", ["SINK", ...PSK, "--rto", "99999999999999999999"], '--rto must be a whole number from 1 to 3600000 (milliseconds), got "99999999999999999999"', true],
  ["a --rto that is not a number", ["SINK", ...PSK, "--rto", "9s"], '--rto must be a whole number from 1 to 3600000 (milliseconds), got "9s"', true],
  ["--pmtu 63", ["SINK", ...PSK, "--pmtu", "63"], '--pmtu must be a whole number from 64 to 1536 (bytes), got "63"', true],
  ["--pmtu 1537", ["SINK", ...PSK, "--pmtu", "1537"], '--pmtu must be a whole number from 64 to 1536 (bytes), got "1537"', true],
  ["--cid 9 (longer than the client keeps)", ["SINK", ...PSK, "--cid", "9"], '--cid must be a whole number from 0 to 8 (bytes), got "9"', true],
  ["a negative --cid", ["SINK", ...PSK, "--cid", "-1"], '--cid must be a whole number from 0 to 8 (bytes), got "-1"', true],
  ["a negative --wait", ["SINK", ...PSK, "--wait", "-1"], '--wait must be a whole number from 0 to 86400000 (milliseconds), got "-1"', true],
  ["a fractional --wait", ["SINK", ...PSK, "--wait", "1.5"], '--wait must be a whole number from 0 to 86400000 (milliseconds), got "1.5"', true],
  ["--wait over a day", ["SINK", ...PSK, "--wait", "86400001"], '--wait must be a whole number from 0 to 86400000 (milliseconds), got "86400001"', true],
  ["a bad --mfl", ["SINK", ...PSK, "--mfl", "300"], '--mfl must be 512, 1024 or off, got "300"', true],
  ["--mfl 0", ["SINK", ...PSK, "--mfl", "0"], '--mfl must be 512, 1024 or off, got "0"', true],
  ["--mfl 2048 (records larger than the receive buffers)", ["SINK", ...PSK, "--mfl", "2048"], '--mfl must be 512, 1024 or off, got "2048"', true],
  ["--expect-reply without --send", ["SINK", ...PSK, "--expect-reply"], "--expect-reply needs --send", true],
  ["a PSK that is not hex", ["SINK", "--psk-identity", "dev", "--psk", "xyz1"], '--psk must be hex digits (an even number of them), got "xyz1"', true],
  ["an odd number of hex digits", ["SINK", "--psk-identity", "dev", "--psk", "abc"], '--psk must be hex digits (an even number of them), got "abc"', true],
  ["an identity over 128 bytes", ["SINK", "--psk-identity", "i".repeat(129), "--psk", "00"], "--psk-identity is 129 bytes; RFC 7925 clients allow at most 128", true],
  ["an empty identity", ["SINK", "--psk-identity", "", "--psk", "00"], "--psk-identity must not be empty", true],
  ["a PSK over 64 bytes", ["SINK", "--psk-identity", "dev", "--psk", "00".repeat(65)], "--psk is 65 bytes; at most 64 are supported", true],
  ["an unknown option", ["SINK", ...PSK, "--frobnicate"], "unknown option --frobnicate", true],
  ["an option without its value", ["SINK", ...PSK, "--rto"], "--rto needs a value", true],
  ["a second target", ["SINK", "127.0.0.1:5684", ...PSK], 'unexpected argument "127.0.0.1:5684"', true],
  ["no target", [...PSK], "missing HOST:PORT", true],
  ["missing credentials", ["SINK"], "--psk-identity and --psk are required (or --rpk)", true],
  ["an identity without a PSK", ["SINK", "--psk-identity", "dev"], "--psk-identity and --psk go together", true],
  ["--server-key without --rpk", ["SINK", ...PSK, "--server-key", "00".repeat(32)], "--key and --server-key need --rpk", true],
  ["--rpk without --server-key", ["SINK", "--rpk"], "--rpk needs --server-key (the server's key is pinned, RFC 7925 s. 4.3)", true],
  ["--cached-info without --ca", ["SINK", ...PSK, "--cached-info"],
    "--cert, --servername, --time, --accept-unknown-time, --cached-info, --cert-url and --trusted-ca-keys need --ca", true],
  ["--trusted-ca-keys without --ca", ["SINK", ...PSK, "--trusted-ca-keys"],
    "--cert, --servername, --time, --accept-unknown-time, --cached-info, --cert-url and --trusted-ca-keys need --ca", true],
  ["--cert-url without --cert (checked before --ca's file is read)", ["SINK", "--ca", "no-such.pem", "--cert-url", "http://127.0.0.1/me.der"],
    "--cert-url needs --cert (the certificate the URL serves) and --key", true],
];

for (const [what, args, message, withUsage] of refused) {
  test(`all three refuse ${what}: exit 2, the same message, nothing sent`, async () => {
    const before = sinkGot.length;
    const runs = await Promise.all(NAMES.map((name) => run(name, args.map((a) => (a === "SINK" ? `127.0.0.1:${sinkPort}` : a)))));
    runs.forEach((r, i) => {
      const lines = r.stderr.split("\n");
      assert.equal(r.code, 2, `${NAMES[i]}: ${r.stderr}`);
      assert.equal(lines[0], `${NAMES[i]}: ${message}`, NAMES[i]);
      if (withUsage) assert.match(lines[1], new RegExp(`^usage: ${NAMES[i].replace(".", "\\.")} HOST:PORT `), `${NAMES[i]}: the usage follows`);
      else assert.equal(lines.length, 2, `${NAMES[i]}: one line, no usage: ${r.stderr}`);
      assert.equal(r.stdout, "", `${NAMES[i]}: nothing on stdout`);
    });
    // posix and the CLI print the same usage text but for their own options.
    assert.equal(sinkGot.length, before, "no datagram left any of them");
  });
}

test("--help: exit 0 and the usage text on stdout, the common lines and the exit codes the same in all three", async () => {
  const runs = await Promise.all(NAMES.map((name) => run(name, ["--help"])));
  const common = (r: Run, name: string) => neutral(name, r.stdout).split("\n").filter((l) => !/^  --(wasm|memory-cap|stop-before|hal-p256|resume|rebind-after|pcap|trace|clients|duration|handshakes|concurrent) /.test(l));
  runs.forEach((r, i) => {
    assert.equal(r.code, 0, NAMES[i]);
    assert.equal(r.stderr, "");
    assert.deepEqual(common(r, NAMES[i]), common(runs[0], NAMES[0]), NAMES[i]);
  });
  assert.match(runs[0].stdout, /--expect-reply +with --send: no reply within --wait is an error \(exit code 3\)/);
  assert.match(runs[0].stdout, /exit codes: 0 done .*, 1 the connection failed .*, 2 bad usage or configuration, 3 --expect-reply and no reply within --wait/);
});

/** Each program against its own scripted peer (or a silent port); returns the runs by name. */
async function againstPeers(script: PeerScript | "nobody", args: string[]): Promise<Record<string, Run & { peer?: ScriptedUdpPeer }>> {
  const out: Record<string, Run & { peer?: ScriptedUdpPeer }> = {};
  await Promise.all(NAMES.map(async (name) => {
    if (script === "nobody") {
      const quiet = createSocket("udp4");
      await new Promise<void>((r) => quiet.bind(0, "127.0.0.1", () => r()));
      out[name] = await run(name, [`127.0.0.1:${quiet.address().port}`, ...args]);
      quiet.close();
      return;
    }
    const peer = await ScriptedUdpPeer.start(Buffer.from(PSK_HEX, "hex"), script);
    try {
      out[name] = { ...(await run(name, [`127.0.0.1:${peer.port}`, ...args])), peer };
      await new Promise((r) => setTimeout(r, 100)); // the close_notify of an exiting client
      assert.deepEqual(peer.errors, [], `${name}: the peer met no problem`);
    } finally {
      peer.close();
    }
  }));
  return out;
}

/** The same exit code, stderr and (but for the time it took) JSON summary from all three. */
function sameEverywhere(runs: Record<string, Run>, code: number): any {
  const summary = (r: Run) => (r.json ? { ...r.json, handshake_ms: typeof r.json.handshake_ms } : undefined);
  const first = NAMES[0];
  for (const name of NAMES) {
    const r = runs[name];
    assert.equal(r.code, code, `${name}: ${r.stderr}${r.stdout}`);
    assert.equal(neutral(name, r.stderr), neutral(first, runs[first].stderr), `${name}: stderr as ${first}'s`);
    assert.deepEqual(summary(r), summary(runs[first]), `${name}: summary as ${first}'s`);
    if (r.json) assert.deepEqual(Object.keys(r.json), Object.keys(runs[first].json), `${name}: keys in ${first}'s order`);
  }
  return runs[first].json;
}

const lastLine = (r: Run) => r.stderr.trimEnd().split("\n").pop();

test("a reply, then our close_notify: exit 0, state closed, reply true, the same lines and summary", async () => {
  const runs = await againstPeers("echo", [...PSK, "--send", "hello", "--expect-reply", "--json"]);
  const j = sameEverywhere(runs, 0);
  assert.equal(j.state, "closed", "the state after our own close_notify");
  assert.equal(j.reply, true);
  assert.equal(j.received, "hello");
  assert.equal(j.protocol, "DTLSv1.2");
  assert.equal(j.cipher, "TLS_PSK_WITH_AES_128_CCM_8");
  assert.equal(j.mfl, 512);
  assert.equal(j.ems, true);
  assert.equal(typeof j.handshake_ms, "number");
  assert.equal(j.error, undefined);
  for (const name of NAMES) {
    assert.deepEqual(runs[name].peer!.clientAlerts, [[1, 0]], `${name} sent close_notify`);
    assert.equal(runs[name].stderr, '-> flight 1 sent\n<- flight 1 received\n-> flight 2 sent\n<- flight 2 received\n' +
      'connected: "TLS_PSK_WITH_AES_128_CCM_8", mfl 512\n', `${name}: flight lines on stderr under --json`);
  }
});

test("connection IDs (RFC 9146): the same CIDs (ours from the seeded TRNG), records with them both ways, the same summary", async () => {
  const runs = await againstPeers("echo-cid", [...PSK, "--cid", "4", "--seed", "cid", "--send", "hello", "--expect-reply", "--json"]);
  const j = sameEverywhere(runs, 0);
  assert.equal(j.cid.sent, ECHO_CID.toString("hex"), "the server's CID, which our records carry");
  assert.match(j.cid.received, /^[0-9a-f]{8}$/, "ours: 4 bytes");
  assert.equal(j.received, "hello");
  for (const name of NAMES) {
    assert.deepEqual(runs[name].peer!.clientData, ["hello"], `${name}: its tls12_cid record opened at the peer`);
    assert.deepEqual(runs[name].peer!.clientAlerts, [[1, 0]], `${name}: close_notify inside a tls12_cid record`);
  }
  const none = sameEverywhere(await againstPeers("echo-cid", [...PSK, "--send", "hello", "--json"]), 0);
  assert.equal(none.cid, null, "not offered: not negotiated");
});

test("without --json: the same flight lines, connected line and reply on stdout", async () => {
  const runs = await againstPeers("echo", [...PSK, "--send", "hello"]);
  for (const name of NAMES) {
    assert.equal(runs[name].code, 0, `${name}: ${runs[name].stderr}`);
    assert.equal(runs[name].stdout, '-> flight 1 sent\n<- flight 1 received\n-> flight 2 sent\n<- flight 2 received\n' +
      'connected: "TLS_PSK_WITH_AES_128_CCM_8", mfl 512\nhello', name);
    assert.equal(runs[name].stderr, "", name);
  }
});

test("no reply within --wait: exit 0 with reply false; with --expect-reply exit 3 and the same message", async () => {
  const quiet = sameEverywhere(await againstPeers("silent", [...PSK, "--send", "hello", "--wait", "300", "--json"]), 0);
  assert.equal(quiet.reply, false);
  assert.equal(quiet.received, "");
  assert.equal(quiet.state, "closed");
  const runs = await againstPeers("silent", [...PSK, "--send", "hello", "--wait", "300", "--expect-reply", "--json"]);
  const j = sameEverywhere(runs, 3);
  assert.equal(j.reply, false);
  for (const name of NAMES) {
    assert.equal(lastLine(runs[name]), `${name}: no reply within 300 ms (--expect-reply)`);
    assert.deepEqual(runs[name].peer!.clientData, ["hello"], `${name} did send`);
  }
});

test("a handshake that fails after the ServerHello: exit 1, nothing negotiated in the summary, the same message", async () => {
  const runs = await againstPeers("bad-finished", [...PSK, "--json"]);
  const j = sameEverywhere(runs, 1);
  for (const key of ["protocol", "cipher", "mfl", "ems", "sni_accepted", "resumed", "ticket"]) {
    assert.equal(j[key], null, `${key}: not what the ServerHello claimed`);
  }
  assert.equal(j.handshake_ms, null);
  assert.equal(j.state, "failed");
  assert.equal(j.reason, "bad_finished");
  assert.equal(j.alert, "fatal decrypt_error sent");
  assert.equal(j.reply, null);
  for (const name of NAMES) {
    assert.equal(lastLine(runs[name]), `${name}: handshake failed: the server's Finished did not verify (wrong PSK?) (fatal decrypt_error sent)`);
  }
});

test("no server at all: exit 1 after the budget, nothing negotiated, the same message", async () => {
  const j = sameEverywhere(await againstPeers("nobody", [...PSK, "--rto", "100", "--timeout", "250", "--json"]), 1);
  assert.equal(j.reason, "timeout");
  assert.equal(j.cipher, null);
  assert.equal(j.state, "failed");
});

test("a connection that fails after the handshake: exit 1 (not 0), what was negotiated kept, the same message", async () => {
  const runs = await againstPeers("alert-after-data", [...PSK, "--send", "hello", "--json"]);
  const j = sameEverywhere(runs, 1);
  assert.equal(j.cipher, "TLS_PSK_WITH_AES_128_CCM_8", "the handshake did complete");
  assert.equal(j.state, "failed");
  assert.equal(j.reason, "peer_alert");
  assert.equal(j.alert, "fatal internal_error received");
  for (const name of NAMES) {
    assert.equal(lastLine(runs[name]), `${name}: connection failed: the server sent a fatal alert (fatal internal_error received)`);
  }
});

test("the server closes (close_notify) without a reply: exit 0, state closed, reply false", async () => {
  const j = sameEverywhere(await againstPeers("close-after-data", [...PSK, "--send", "hello", "--json"]), 0);
  assert.equal(j.state, "closed");
  assert.equal(j.reply, false);
});

test("--send larger than a record: exit 2 and the same message once the handshake says the limit", async () => {
  const runs = await againstPeers("echo", [...PSK, "--send", "x".repeat(600), "--json"]);
  const j = sameEverywhere(runs, 2);
  assert.equal(j.reply, null);
  assert.equal(j.state, "closed");
  for (const name of NAMES) {
    assert.equal(lastLine(runs[name]), `${name}: --send is 600 bytes; this connection carries at most 512 bytes in a record`);
    assert.deepEqual(runs[name].peer!.clientData, [], `${name} sent no data`);
  }
});

test("the summary's counters are host/messages.json's summary_counters, in every program", async () => {
  const messages = JSON.parse(readFileSync(join(ROOT, "host", "messages.json"), "utf8"));
  const runs = await againstPeers("echo", [...PSK, "--json"]);
  const j = sameEverywhere(runs, 0);
  const keys = Object.keys(j);
  const counters = messages.summary_counters.map(([key]: [string]) => key);
  assert.deepEqual(keys.slice(keys.indexOf("handshake_ms") + 1, keys.indexOf("state")), counters);
  assert.equal(j.reply, null, "nothing sent, no reply expected");
});

test("every state, reason and alert of the core has the same words in the three hosts (generated, so new codes come along)", () => {
  const table = readFileSync(join(ROOT, "boards", "runtime", "dtls_names_table.h"), "utf8");
  const cWords = new Map<string, string[]>();
  for (const m of table.matchAll(/^ {2}\{DTLS_(\w+), ("(?:[^"\\]|\\.)*")(?:, ("(?:[^"\\]|\\.)*"))?\},$/gm)) {
    cWords.set(m[1], [JSON.parse(m[2]), ...(m[3] ? [JSON.parse(m[3])] : [])]);
  }
  const py = execFileSync(PROGRAMS["dtls_wasm3.py"][0], ["-c", [
    "import json, sys", "sys.path.insert(0, 'tests/wasm3')", "import cli_words as w",
    "out = {k: [w.state_name(v)] for k, v in w.CODES.items() if k.startswith('STATE_')}",
    "out.update({k: [w.reason_name(v), w.reason_text(v)] for k, v in w.CODES.items() if k.startswith('REASON_')})",
    "out.update({k: [w.ALERT_NAMES[v]] for k, v in w.CODES.items() if k.startswith('ALERT_') and k not in ('ALERT_WARNING', 'ALERT_FATAL')})",
    "print(json.dumps(out))"].join("\n")], { cwd: ROOT, encoding: "utf8" });
  const pyWords = JSON.parse(py);
  let reasons = 0;
  for (const [constant, value] of Object.entries(hostCodes)) {
    let node: string[] | undefined;
    if (constant.startsWith("STATE_")) node = [stateName(value)];
    else if (constant.startsWith("REASON_")) { node = [reasonName(value), describeReason(value)]; reasons++; }
    else if (constant.startsWith("ALERT_") && constant !== "ALERT_WARNING" && constant !== "ALERT_FATAL") node = [alertName(value)];
    if (!node) continue;
    assert.deepEqual(cWords.get(constant), node, `${constant}: C as Node`);
    assert.deepEqual(pyWords[constant], node, `${constant}: Python as Node`);
  }
  assert.ok(reasons >= 20, `${reasons} reasons compared`);
});
