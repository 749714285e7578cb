// The link emulator in virtual time (host/emulator): the client module against the reference
// server (host/refserver) over seeded lossy links. Everything runs synchronously in virtual
// time: no test waits for a timer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { emulate, EmulationOptions } from "../host/emulator/emulate";
import { cpuModel, HANDSHAKE_BYTES, HANDSHAKE_MINSTR, CPU_MHZ } from "../host/emulator/cpu";
import { PROFILES, withLoss, LOWPAN_FRAME } from "../host/emulator/profiles";
import { Prng } from "../host/emulator/prng";
import { VirtualClock } from "../host/emulator/clock";
import { refServer } from "../host/emulator/servers";
import { LinkProfile } from "../host/emulator/profiles";
import { EmulatedMockServer } from "./support/emulated-mock-server";
import { runCli } from "./support/cli";

function run(seed: string, link: LinkProfile, o: { rto?: number; serverRto?: number; rpk?: boolean; hvr?: boolean } & Partial<EmulationOptions> = {}) {
  const server = refServer({ rpk: o.rpk, rtoMs: o.serverRto ?? o.rto ?? 1000, mtu: link.pmtu, hvr: o.hvr }, seed);
  return emulate({ seed, link, client: { ...server.credentials, rtoMs: o.rto ?? 1000, budgetMs: 63000 }, server: server.factory,
    data: o.data, cpu: o.cpu, limitMs: o.limitMs });
}

/** What the seed predicts on a LAN where the server's timer never fires first: three
 *  exchanges (ClientHello / HelloVerifyRequest, ClientHello / flight 4, flight 5 / flight 6),
 *  one datagram each way; an attempt is repeated (a client retransmission) until the request
 *  and its answer both get through. The loss draws are the link's (link.ts: one per
 *  datagram and direction, stream "c>s loss" / "s>c loss"). */
function predict(seed: string, loss: number): { retransmissions: number; clientSent: number; serverSent: number } {
  const up = new Prng(seed, "c>s loss"), down = new Prng(seed, "s>c loss");
  let retransmissions = 0, clientSent = 0, serverSent = 0;
  for (let exchange = 0; exchange < 3; exchange++) {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) retransmissions++;
      clientSent++;
      if (up.chance(loss)) continue;
      serverSent++;
      if (!down.chance(loss)) break;
    }
  }
  return { retransmissions, clientSent, serverSent };
}

test("emulated handshakes under 30 % loss complete with exactly the retransmissions their seed predicts", () => {
  let checked = 0, withRetransmissions = 0;
  for (let i = 0; checked < 12; i++) {
    const seed = `predict-${i}`;
    const p = predict(seed, 0.3);
    if (p.retransmissions > 5) continue; // 6 tries per flight within 63 s at 1 s: beyond, the client gives up
    const { result, trace } = run(seed, withLoss(PROFILES.lan, 0.3), { rto: 1000, serverRto: 60000 });
    assert.equal(result.completed, true, seed);
    assert.equal(result.client_retransmissions, p.retransmissions, `${seed}: retransmissions`);
    // The trace says the same: the client's retransmission events, and the datagrams.
    assert.equal(trace.count("", "client flight-retransmitted"), p.retransmissions, seed);
    assert.equal(trace.count("c>s", "send"), p.clientSent, seed);
    assert.equal(trace.count("s>c", "send"), p.serverSent, seed);
    checked++;
    if (p.retransmissions > 0) withRetransmissions++;
  }
  assert.ok(withRetransmissions >= 6, "the seeds exercised retransmissions");
});

test("the same seed gives the same trace byte for byte; another seed another", () => {
  const link: LinkProfile = { ...PROFILES["6lowpan"],
    up: { ...PROFILES["6lowpan"].up, loss: 0.2, duplicate: 0.1, reorder: 0.1, reorderMs: 30 },
    down: { ...PROFILES["6lowpan"].down, loss: 0.2, duplicate: 0.1, reorder: 0.1, reorderMs: 30 } };
  const a = run("same", link, { data: Buffer.from("ping") });
  const b = run("same", link, { data: Buffer.from("ping") });
  const c = run("other", link, { data: Buffer.from("ping") });
  assert.equal(a.result.completed, true);
  assert.equal(a.trace.jsonl(), b.trace.jsonl());
  assert.equal(a.result.trace_sha256, b.result.trace_sha256);
  assert.notEqual(a.trace.jsonl(), c.trace.jsonl());
  // Every byte is in the trace: the datagrams as sent.
  assert.ok(a.trace.events.filter((e) => e.what === "send").every((e) => e.hex.length === 2 * e.len && e.len > 0));
});

test("63 s of retransmissions run in virtual time: 2 retransmissions at 9 s, 5 at 1 s (RFC 7925 s. 11)", () => {
  const dead = { ...PROFILES.lan, up: { ...PROFILES.lan.up, loss: 1 } };
  for (const [rto, times] of [[9000, [0, 9000, 27000]], [1000, [0, 1000, 3000, 7000, 15000, 31000]]] as Array<[number, number[]]>) {
    const out = run(`dead-${rto}`, dead, { rto });
    assert.ok(!(out instanceof Promise), "emulate() is synchronous: nothing waits");
    assert.equal(out.result.completed, false);
    assert.equal(out.result.reason, "timeout");
    assert.equal(out.result.end_ms, 63000);
    assert.equal(out.result.client_retransmissions, times.length - 1);
    assert.deepEqual(out.trace.events.filter((e) => e.what === "send").map((e) => e.t), times);
  }
});

test("the virtual clock runs events in time order, ties in order, and refuses to spin in place", () => {
  const clock = new VirtualClock();
  const seen: string[] = [];
  clock.at(5, () => seen.push("b"));
  clock.at(1, () => seen.push("a"));
  clock.at(5, () => seen.push("c"));
  clock.at(9000, () => seen.push("late"));
  clock.run(() => false, 10);
  assert.deepEqual(seen, ["a", "b", "c"]);
  assert.equal(clock.now(), 5);
  const again = () => clock.at(clock.now(), again);
  again();
  assert.throws(() => clock.run(() => false, 100, 1000), /virtual time stuck at 5 ms/);
});

test("the 6LoWPAN profile's MTU is never exceeded: every datagram fits one 127-byte frame", () => {
  const link = withLoss(PROFILES["6lowpan"], 0.2);
  const largest = (t: ReturnType<typeof run>["trace"]) => Math.max(...t.events.filter((e) => e.what === "send").map((e) => e.len));
  for (let i = 0; i < 6; i++) {
    const { result, trace } = run(`mtu-${i}`, link, { data: Buffer.from("x".repeat(40)) });
    assert.equal(result.completed, true, `psk ${i}`);
    assert.equal(result.datagrams.oversize, 0);
    assert.ok(largest(trace) <= link.up.mtu, `largest datagram ${largest(trace)}`);
    assert.ok(largest(trace) + link.up.overheadBytes <= LOWPAN_FRAME);
  }
  // An ECDHE ClientHello does not fit one frame's 91 bytes: the client says so and sends
  // nothing, rather than a datagram the link cannot carry.
  const ecdhe = run("mtu-rpk", link, { rpk: true });
  assert.equal(ecdhe.result.reason, "pmtu_too_small");
  assert.equal(ecdhe.result.datagrams.client_sent, 0);
  // It fits an SMS (140 bytes): both sides keep to that MTU, the server's certificate flight
  // fragmented to it.
  const sms = { ...PROFILES.sms, up: { ...PROFILES.sms.up, jitterMs: 0 }, down: { ...PROFILES.sms.down, jitterMs: 0 } };
  const rpk = run("mtu-rpk", sms, { rpk: true, rto: 9000 });
  assert.equal(rpk.result.completed, true);
  assert.equal(rpk.result.datagrams.oversize, 0);
  assert.ok(largest(rpk.trace) <= 140 && rpk.result.datagrams.server_sent > 4);
  // The link does drop what exceeds it (the checks above can fail).
  const small = { ...PROFILES.lan, up: { ...PROFILES.lan.up, mtu: 64 } };
  assert.ok(run("too-big", small, { rto: 1000 }).result.datagrams.oversize > 0);
});

test("processing time: a slow part's compute makes the 1 s timers retransmit spuriously, not the 9 s ones", () => {
  // A PSK handshake of the measured size costs exactly the measured instructions.
  for (const backend of Object.keys(HANDSHAKE_MINSTR)) {
    const m = cpuModel("nrf52840", backend);
    assert.ok(Math.abs(m.msPerByte * HANDSHAKE_BYTES.psk * CPU_MHZ.nrf52840 * 1e3 - HANDSHAKE_MINSTR[backend].psk * 1e6) < 1);
  }
  const slow = cpuModel("nrf52840", "wasm3");
  const fast = run("cpu", PROFILES.lan, { rpk: true, rto: 1000 });
  const nine = run("cpu", PROFILES.lan, { rpk: true, rto: 9000, cpu: slow });
  const one = run("cpu", PROFILES.lan, { rpk: true, rto: 1000, cpu: slow });
  for (const r of [fast, nine, one]) assert.equal(r.result.completed, true);
  assert.equal(fast.result.server_datagrams_resent + fast.result.client_retransmissions, 0);
  assert.equal(nine.result.server_datagrams_resent + nine.result.client_retransmissions, 0);
  assert.ok(nine.result.handshake_ms! > 1000, "the compute takes virtual time");
  assert.ok(one.result.server_datagrams_resent > 0, "the server's 1 s timer fires while the client computes");
  assert.ok(one.result.client_retransmissions > 0, "and the client answers the repeated flight with its own");
});

test("the emulator drives any server of its interface: MockPskServer, data echoed", () => {
  const psk = { identity: Buffer.from("mock"), key: Buffer.alloc(16, 7) };
  const { result } = emulate({ seed: "mock", link: PROFILES.lan, client: { psk, rtoMs: 1000 },
    server: (io) => new EmulatedMockServer(psk.key, io), data: Buffer.from("echo me") });
  assert.equal(result.completed, true);
  assert.equal(result.reply, true);
});

test("dtls-client emulate: the timeline, the JSON summary, the exit codes", async () => {
  const ok = await runCli(["emulate", "--profile", "6lowpan", "--loss", "0.2", "--seed", "7", "--json"]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.json.completed, true);
  assert.equal(ok.json.reply, true);
  assert.equal(ok.json.profile, "6lowpan");
  assert.match(ok.stderr, /client connected/);
  const again = await runCli(["emulate", "--profile", "6lowpan", "--loss", "0.2", "--seed", "7", "--json", "--quiet"]);
  assert.equal(again.json.trace_sha256, ok.json.trace_sha256);
  const dead = await runCli(["emulate", "--loss-up", "1", "--rto", "1000", "--json", "--quiet"]);
  assert.equal(dead.code, 1);
  assert.equal(dead.json.reason, "timeout");
  const bad = await runCli(["emulate", "--profile", "wifi"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown profile wifi/);
});
