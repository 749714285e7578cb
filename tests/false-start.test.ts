// False Start (RFC 7918; RFC 7925 section 21 RECOMMENDS it for clients that speak first):
// with OPT_FALSE_START (--false-start) and a full TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8
// handshake, dtls_write is allowed once our Finished is sent, before the server's arrives.
// Against gnutls-serv --udp with mutual raw public keys (openssl s_server 3.0 has no RFC 7250).
// A relay holds the server's ChangeCipherSpec and Finished until our application data has
// passed it: the handshake can only complete if the client wrote early. Never with PSK,
// never when resuming; never before our Finished.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import * as codes from "../host/codes";
import { DtlsEngine, EngineOptions } from "../host/engine";
import { UdpDtlsClient } from "../host/udp-client";
import { loadModule } from "../host/module";
import { readPrivateKey, readPublicPoint } from "../host/keys";
import { generateKeyPair, startGnuTls, startGnuTlsRpk, ServerProcess, PSK_IDENTITY, PSK_HEX, KeyPair } from "./support/servers";
import { UdpRelay } from "./support/udp-relay";
import { parseRecords } from "./support/wire";
import { runProgram, buildPrograms } from "./support/cli";
import { ROOT, BUILD, CLI, POSIX, WASM3_PYTHON, WASM3_HARNESS } from "./support/paths";

const servers: ServerProcess[] = [];
after(async () => { for (const s of servers) await s.stop(); });
let serverKeys: KeyPair;
let clientKeys: KeyPair;
before(() => {
  buildPrograms();
  serverKeys = generateKeyPair("false-start-server");
  clientKeys = generateKeyPair("false-start-client");
});

/** A gnutls-serv of its own for each test: a failed handshake cannot hold up the next. */
async function rpkServer(): Promise<ServerProcess> {
  const s = await startGnuTlsRpk(serverKeys, { requireClientKey: true });
  servers.push(s);
  return s;
}

const PROGRAMS: Record<string, string[]> = {
  "dtls-client": [process.execPath, CLI],
  "dtls-posix": [POSIX],
  "dtls_wasm3.py": [WASM3_PYTHON, WASM3_HARNESS, "--hal-p256"],
};
const rpkArgs = () => ["--rpk", "--server-key", serverKeys.pub, "--key", clientKeys.key];
const rpkOptions = (): EngineOptions => ({
  rpk: { serverPin: readPublicPoint(serverKeys.pub), privateKey: readPrivateKey(clientKeys.key) }, rtoMs: 1000,
});
const PSK = { identity: Buffer.from(PSK_IDENTITY), key: Buffer.from(PSK_HEX, "hex") };

/** Content type / epoch of each record, per datagram: "c 22/1,23/1". */
const shape = (from: string, d: Buffer) => `${from[0]} ${parseRecords(d).map((r) => `${r.type}/${r.epoch}`).join(",")}`;
const isServerFinal = (d: Buffer) => parseRecords(d).some((r) => r.type === 20 || r.epoch === 1);
const hasAppData = (d: Buffer) => parseRecords(d).some((r) => r.type === 23);

/** A relay that holds the server's ChangeCipherSpec / epoch-1 datagrams until the client's
 *  first application data record has passed, then delivers them: a client that does not
 *  write before the server's Finished never completes its handshake. */
async function holdingRelay(port: number): Promise<{ relay: UdpRelay; dataSeen: () => boolean }> {
  const held: Buffer[] = [];
  let dataSeen = false;
  const relay: UdpRelay = await UdpRelay.start(port, (d, from) => {
    if (from === "client") {
      if (!dataSeen && hasAppData(d)) {
        dataSeen = true;
        setImmediate(() => { for (const h of held.splice(0)) relay.sendToClient(h); });
      }
      return d;
    }
    if (!dataSeen && isServerFinal(d)) { held.push(d); return null; }
    return d;
  });
  return { relay, dataSeen: () => dataSeen };
}

test("ECDHE-ECDSA, gnutls-serv: our first application data leaves after our Finished and before the server's CCS/Finished reaches us; the echo comes back (all three programs)", async () => {
  for (const [name, cmd] of Object.entries(PROGRAMS)) {
    const { relay, dataSeen } = await holdingRelay((await rpkServer()).port);
    try {
      const r = await runProgram(cmd[0], [...cmd.slice(1), `127.0.0.1:${relay.port}`, ...rpkArgs(), "--false-start",
        "--send", "early bird", "--rto", "500", "--timeout", "3000", "--json"], 60000);
      assert.equal(r.code, 0, `${name}: ${r.stderr}\n${relay.log.map((l) => shape(l.from, l.original)).join(" | ")}`);
      assert.equal(r.json.false_start, true, name);
      assert.equal(r.json.received, "early bird", `${name}: the echo`);
      assert.equal(r.json.client_auth, true, name);
      assert.ok(dataSeen(), name);
      // On the wire: our data passed the relay before any of the server's CCS / epoch-1
      // datagrams was delivered to us (held until then, or not even sent yet).
      const firstData = relay.log.findIndex((l) => l.from === "client" && hasAppData(l.original));
      const firstDelivered = relay.log.findIndex((l) => l.from === "server" && isServerFinal(l.original) && l.delivered !== null);
      assert.ok(firstDelivered === -1 || firstDelivered > firstData, `${name}: ${relay.log.map((l) => shape(l.from, l.original)).join(" | ")}`);
      const ours = relay.sentBy("client");
      const finished = ours.findIndex((d) => parseRecords(d).some((x) => x.type === 22 && x.epoch === 1));
      const data = ours.findIndex(hasAppData);
      assert.ok(finished >= 0 && data > finished, `${name}: Finished, then data: ${ours.map((d) => shape("client", d)).join(" | ")}`);
      assert.ok(parseRecords(ours[data]).every((x) => x.epoch === 1), "application data in epoch 1");
    } finally {
      relay.close();
    }
  }
});

test("without --false-start the same handshake writes only after the server's Finished: false_start null", async () => {
  const relay = await UdpRelay.start((await rpkServer()).port);
  try {
    const r = await runProgram(process.execPath, [CLI, `127.0.0.1:${relay.port}`, ...rpkArgs(), "--send", "late", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.false_start, null);
    const firstData = relay.log.findIndex((l) => l.from === "client" && hasAppData(l.original));
    const serverFinal = relay.log.findIndex((l) => l.from === "server" && isServerFinal(l.original));
    assert.ok(serverFinal >= 0 && firstData > serverFinal, relay.log.map((l) => shape(l.from, l.original)).join(" | "));
  } finally {
    relay.close();
  }
});

test("PSK with --false-start: no early write (no forward secrecy); the first data follows the server's Finished", async () => {
  const s = await startGnuTls();
  servers.push(s);
  const relay = await UdpRelay.start(s.port);
  try {
    const r = await runProgram(process.execPath, [CLI, `127.0.0.1:${relay.port}`, "--psk-identity", PSK_IDENTITY,
      "--psk", PSK_HEX, "--false-start", "--send", "psk", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.false_start, false);
    assert.equal(r.json.received, "psk");
    const firstData = relay.log.findIndex((l) => l.from === "client" && hasAppData(l.original));
    const serverFinal = relay.log.findIndex((l) => l.from === "server" && isServerFinal(l.original));
    assert.ok(serverFinal >= 0 && firstData > serverFinal, relay.log.map((l) => shape(l.from, l.original)).join(" | "));
  } finally {
    relay.close();
  }
  // And at the API: connect(untilWritable) only returns once connected.
  const c = new UdpDtlsClient("127.0.0.1", s.port, { psk: PSK, falseStart: true, rtoMs: 1000 });
  try {
    await c.connect(true);
    assert.equal(c.state, codes.STATE_CONNECTED);
    assert.equal(c.engine.info(codes.INFO_FALSE_START), 0);
  } finally {
    await c.close();
  }
});

test("dtls_write before our Finished is sent: ERR_BAD_STATE; right after it: accepted while the state is still handshaking", async () => {
  const c = new UdpDtlsClient("127.0.0.1", (await rpkServer()).port, { ...rpkOptions(), falseStart: true });
  const probes: Array<{ event: string; hs: number; state: number; maxWrite: number; fs: number; rc: number }> = [];
  c.onFlight = (event) => {
    if (probes.some((p) => p.rc > 0)) return;
    const e = c.engine;
    probes.push({ event, hs: e.info(codes.INFO_HANDSHAKE_STATE), state: e.state, maxWrite: e.info(codes.INFO_MAX_WRITE),
      fs: e.info(codes.INFO_FALSE_START), rc: e.write(Buffer.from("probe")) });
  };
  try {
    await c.connect();
    assert.equal((await c.readOne(5000))?.toString(), "probe", "the early record was delivered and echoed");
    const early = probes.filter((p) => p.hs < codes.HS_WAIT_CHANGE_CIPHER_SPEC);
    assert.ok(early.length >= 3, `ClientHello, HelloVerifyRequest, ClientHello: ${JSON.stringify(probes)}`);
    for (const p of early) {
      assert.equal(p.rc, codes.ERR_BAD_STATE, JSON.stringify(p));
      assert.equal(p.maxWrite, 0);
      assert.equal(p.fs, 0);
    }
    const last = probes[probes.length - 1];
    assert.deepEqual(last, { event: last.event, hs: codes.HS_WAIT_CHANGE_CIPHER_SPEC, state: codes.STATE_HANDSHAKING,
      maxWrite: 512, fs: 1, rc: 5 }, "writable after our Finished, before the server's");
    assert.equal(c.engine.info(codes.INFO_FALSE_START), 1, "it stays 1 once connected");
  } finally {
    await c.close();
  }
});

test("resumption with --false-start: the first (full) handshake may write early, the resumed one never does", async () => {
  const opts: EngineOptions = { ...rpkOptions(), falseStart: true, resume: true };
  const s = await rpkServer();
  let engine: DtlsEngine | undefined;
  const results: Array<{ resumed: number; fs: number; stateWhenWritable: number }> = [];
  for (let i = 0; i < 2; i++) {
    const c = new UdpDtlsClient("127.0.0.1", s.port, engine ?? opts);
    engine = c.engine;
    try {
      await c.connect(true);
      const stateWhenWritable = c.state;
      c.write(Buffer.from(`conn ${i}`));
      await c.established();
      assert.equal((await c.readOne(5000))?.toString(), `conn ${i}`);
      results.push({ resumed: c.engine.info(codes.INFO_RESUMED), fs: c.engine.info(codes.INFO_FALSE_START), stateWhenWritable });
    } finally {
      await c.close();
    }
  }
  assert.deepEqual(results, [
    { resumed: 0, fs: 1, stateWhenWritable: codes.STATE_HANDSHAKING },
    { resumed: 1, fs: 0, stateWhenWritable: codes.STATE_CONNECTED },
  ]);
});

test("the server's Finished never verifies (tampered on the wire): the early data changes nothing, the handshake fails as usual", async () => {
  // Every epoch-1 record of the server gets its last byte (the CCM tag) flipped.
  const relay = await UdpRelay.start((await rpkServer()).port, (d, from) => {
    if (from !== "server" || !parseRecords(d).some((r) => r.epoch === 1)) return d;
    const out = Buffer.from(d);
    out[out.length - 1] ^= 1;
    return out;
  });
  try {
    const r = await runProgram(process.execPath, [CLI, `127.0.0.1:${relay.port}`, ...rpkArgs(), "--false-start",
      "--send", "doomed", "--rto", "300", "--timeout", "1500", "--json"]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.json.reason, "finished_timeout");
    assert.equal(r.json.state, "failed");
    assert.equal(r.json.false_start, true, "it did write early");
    assert.equal(r.json.cipher, null, "nothing negotiated: the handshake never completed");
    assert.equal(r.json.received, "");
    assert.ok(r.json.records_dropped >= 1, "the forged Finished was dropped");
    assert.ok(relay.sentBy("client").some(hasAppData), "the early record did leave");
  } finally {
    relay.close();
  }
});

test("OPT_FALSE_START takes 0 or 1", () => {
  const w = loadModule({ send: () => undefined });
  w.dtls_config_reset();
  assert.equal(w.dtls_config_set(codes.OPT_FALSE_START, 1), 0);
  assert.equal(w.dtls_config_set(codes.OPT_FALSE_START, 0), 0);
  assert.equal(w.dtls_config_set(codes.OPT_FALSE_START, 2), codes.ERR_BAD_ARGUMENT);
  assert.equal(w.dtls_config_set(codes.OPT_FALSE_START, -1), codes.ERR_BAD_ARGUMENT);
});
