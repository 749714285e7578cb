// Crypto from the board (issue 9): the core asks hal.p256_* and hal.aes128_encrypt first.
// build/accel.wasm (our own P-256 and AES, what boards compile ahead of time) answers
// with the same bytes as the in-module code; the -hw module profiles, which have no
// software P-256 or AES, refuse to start without the board's crypto and say why.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { createCipheriv, createECDH, createPublicKey, createPrivateKey, createSign, createVerify, generateKeyPairSync, createHash, diffieHellman } from "node:crypto";
import { join } from "node:path";
import * as codes from "../host/codes";
import { DtlsEngine, ConfigError } from "../host/engine";
import { Accelerator, loadAccelerator } from "../host/accel";
import { readPrivateKey, readPublicPoint } from "../host/keys";
import { generateKeyPair, startGnuTlsRpk, ServerProcess } from "./support/servers";
import { MockPskServer } from "./support/mock-psk-server";
import { parseRecords } from "./support/wire";
import { BUILD, ROOT, WASM3_PYTHON, WASM3_HARNESS } from "./support/paths";
import { runProgram } from "./support/cli";

const FULL = join(BUILD, "dtls.wasm");
const FULL_HW = join(BUILD, "dtls-full-hw.wasm");
const PSK = join(BUILD, "dtls-psk.wasm");
const PSK_HW = join(BUILD, "dtls-psk-hw.wasm");

// ---- the accelerator alone, against node:crypto ----

/** Runs one accelerator export on byte strings; returns [rc, outputs]. */
function accelCall(a: Accelerator, ins: Buffer[], outLens: number[], f: (a: Accelerator, offs: number[]) => number): [number, Buffer[]] {
  const core = new Uint8Array(1024);
  let at = 0;
  const inPtrs = ins.map((b) => { core.set(b, at); const p = at; at += b.length; return p; });
  const outPtrs = outLens.map((n) => { const p = at; at += n; return p; });
  const rc = a.run(core, ins.map((b, i) => [inPtrs[i], b.length]), outLens.map((n, i) => [outPtrs[i], n]), f);
  return [rc, outLens.map((n, i) => Buffer.from(core.subarray(outPtrs[i], outPtrs[i] + n)))];
}

function nodeKey() {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  return { priv: ecdh.getPrivateKey(), pub: ecdh.getPublicKey(), ecdh };
}

function privateKeyObject(priv: Buffer, pub: Buffer) {
  return createPrivateKey({ key: { kty: "EC", crv: "P-256", d: priv.toString("base64url"),
    x: pub.subarray(1, 33).toString("base64url"), y: pub.subarray(33).toString("base64url") }, format: "jwk" });
}

test("accelerator: public key, ECDH and validation agree with node:crypto", () => {
  const a = loadAccelerator();
  for (let i = 0; i < 3; i++) {
    const k = nodeKey();
    const peer = nodeKey();
    const [rc, [pub]] = accelCall(a, [k.priv], [65], (x, [p, o]) => x.exports.accel_p256_public(p, o));
    assert.equal(rc, 0);
    assert.deepEqual(pub, k.pub);
    const [rc2, [shared]] = accelCall(a, [k.priv, peer.pub], [32], (x, [p, q, o]) => x.exports.accel_p256_ecdh(p, q, o));
    assert.equal(rc2, 0);
    assert.deepEqual(shared, k.ecdh.computeSecret(peer.pub));
    assert.equal(accelCall(a, [peer.pub], [], (x, [q]) => x.exports.accel_p256_validate(q))[0], 0);
  }
  const bad = nodeKey().pub;
  bad[64] ^= 1; // off the curve
  assert.equal(accelCall(a, [bad], [], (x, [q]) => x.exports.accel_p256_validate(q))[0], 1);
  assert.equal(accelCall(a, [nodeKey().priv, bad], [32], (x, [p, q, o]) => x.exports.accel_p256_ecdh(p, q, o))[0], 1);
  const zero = Buffer.alloc(32);
  assert.equal(accelCall(a, [zero], [65], (x, [p, o]) => x.exports.accel_p256_public(p, o))[0], 1, "0 is not a private key");
});

test("accelerator: signatures verify with node:crypto, node's verify with ours, tampering is refused", () => {
  const a = loadAccelerator();
  const k = nodeKey();
  const hash = createHash("sha256").update("signed by the accelerator").digest();
  const extra = Buffer.alloc(32, 7);
  const [rc, [sig]] = accelCall(a, [k.priv, hash, extra], [64], (x, [p, h, e, o]) => x.exports.accel_p256_sign(p, h, e, o));
  assert.equal(rc, 0);
  const pubKey = createPublicKey(privateKeyObject(k.priv, k.pub));
  const ok = createVerify("sha256").update("signed by the accelerator").verify({ key: pubKey, dsaEncoding: "ieee-p1363" }, sig);
  assert.ok(ok, "node:crypto accepts our signature");
  const [rc2, [sig2]] = accelCall(a, [k.priv, hash, extra], [64], (x, [p, h, e, o]) => x.exports.accel_p256_sign(p, h, e, o));
  assert.equal(rc2, 0);
  assert.deepEqual(sig2, sig, "RFC 6979: the same key, hash and extra bytes give the same signature");
  const [, [sig3]] = accelCall(a, [k.priv, hash, Buffer.alloc(32, 8)], [64], (x, [p, h, e, o]) => x.exports.accel_p256_sign(p, h, e, o));
  assert.notDeepEqual(sig3, sig, "other extra bytes, another nonce");
  const theirs = createSign("sha256").update("signed by the accelerator").sign({ key: privateKeyObject(k.priv, k.pub), dsaEncoding: "ieee-p1363" });
  assert.equal(accelCall(a, [k.pub, hash, theirs], [], (x, [q, h, s]) => x.exports.accel_p256_verify(q, h, s))[0], 0);
  theirs[10] ^= 1;
  assert.equal(accelCall(a, [k.pub, hash, theirs], [], (x, [q, h, s]) => x.exports.accel_p256_verify(q, h, s))[0], 1);
});

test("accelerator: AES-128 agrees with node:crypto, also when the key changes between blocks", () => {
  const a = loadAccelerator();
  for (const keyByte of [1, 2, 1]) {
    const key = Buffer.alloc(16, keyByte);
    const block = Buffer.from("00112233445566778899aabbccddeeff", "hex");
    const [rc, [out]] = accelCall(a, [key, block], [16], (x, [k, i, o]) => x.exports.accel_aes128_encrypt(k, i, o));
    assert.equal(rc, 0);
    const c = createCipheriv("aes-128-ecb", key, null);
    c.setAutoPadding(false);
    assert.deepEqual(out, c.update(block));
  }
});

// ---- the core with the board's crypto: the same bytes on every path ----

const serverKeys = generateKeyPair("hal-server");
const clientKeys = generateKeyPair("hal-client");
const servers: ServerProcess[] = [];
after(async () => { for (const s of servers) await s.stop(); });

interface Trace { fromServer: Buffer[]; fromClient: Buffer[][] }

function rpkEngine(wasmPath: string, p256: boolean | Accelerator, send: (d: Uint8Array) => void, accelAes = false) {
  return new DtlsEngine({
    rpk: { serverPin: readPublicPoint(serverKeys.pub), privateKey: readPrivateKey(clientKeys.key) },
    seed: "hal-crypto", clock: () => 0, wasmPath, p256, accelAes,
  }, send);
}

/** A mutual raw-key handshake + one echo with gnutls-serv, in-process; every datagram
 *  from the server, and what the client sent after each (index 0: before any). */
async function liveSession(): Promise<Trace> {
  const s = await startGnuTlsRpk(serverKeys, { requireClientKey: true });
  servers.push(s);
  const sock = createSocket("udp4");
  await new Promise<void>((r) => sock.bind(0, "127.0.0.1", () => r()));
  const trace: Trace = { fromServer: [], fromClient: [[]] };
  const engine = rpkEngine(FULL, false, (d) => {
    trace.fromClient[trace.fromClient.length - 1].push(Buffer.from(d));
    sock.send(d, s.port, "127.0.0.1");
  });
  const echoed = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no echo within 20 s")), 20000);
    sock.on("message", (m) => {
      trace.fromServer.push(Buffer.from(m));
      trace.fromClient.push([]);
      engine.receive(m);
      if (engine.state === codes.STATE_CONNECTED && trace.fromClient.flat().length > 0) {
        const got = engine.read();
        if (got !== null) { clearTimeout(timer); resolve(); return; }
        if (!sentHello) { sentHello = true; engine.write(Buffer.from("same bytes")); }
      }
    });
  });
  let sentHello = false;
  engine.connect();
  try { await echoed; } finally { sock.close(); }
  assert.equal(engine.info(codes.INFO_CLIENT_AUTH), 1, "mutual authentication: our key signed");
  return trace;
}

/** Replays the server's datagrams to another client; returns what it sent after each. */
function replay(trace: Trace, wasmPath: string, p256: boolean | Accelerator, accelAes = false): { fromClient: Buffer[][]; engine: DtlsEngine } {
  const fromClient: Buffer[][] = [[]];
  const engine = rpkEngine(wasmPath, p256, (d) => fromClient[fromClient.length - 1].push(Buffer.from(d)), accelAes);
  let wrote = false;
  engine.connect();
  for (const d of trace.fromServer) {
    fromClient.push([]);
    engine.receive(d);
    if (engine.state === codes.STATE_CONNECTED && !wrote && engine.read() === null) { wrote = true; engine.write(Buffer.from("same bytes")); }
  }
  return { fromClient, engine };
}

test("ECDHE-ECDSA mutual: in-module P-256, the HAL accelerator, and the module without P-256 send the same bytes", async () => {
  const trace = await liveSession();
  const hex = (t: Buffer[][]) => t.map((ds) => ds.map((d) => d.toString("hex")));
  assert.ok(trace.fromClient.flat().length >= 4, "ClientHello, the second ClientHello, the finished flight, data");
  for (const [name, wasm] of [["dtls.wasm + accelerator", FULL], ["dtls-full-hw.wasm + accelerator", FULL_HW]] as const) {
    const accel = loadAccelerator();
    const r = replay(trace, wasm, accel);
    assert.equal(r.engine.state, codes.STATE_CONNECTED, `${name}: the server's Finished verified`);
    assert.equal(r.engine.read()?.toString(), "same bytes", `${name}: the echo decrypted`);
    assert.deepEqual(hex(r.fromClient), hex(trace.fromClient), `${name}: every datagram as the in-module run's`);
    assert.ok(accel.calls >= 4, `${name}: the accelerator did the P-256 work (${accel.calls} calls)`);
  }
});

test("the module without P-256 refuses to start when the board has none: crypto_unavailable, nothing sent", () => {
  const sent: Uint8Array[] = [];
  assert.throws(() => rpkEngine(FULL_HW, false, (d) => sent.push(d)), ConfigError,
    "our private key cannot be turned into a public key without P-256");
  const engine = new DtlsEngine({ rpk: { serverPin: readPublicPoint(serverKeys.pub) }, clock: () => 0, wasmPath: FULL_HW },
    (d) => sent.push(d));
  engine.connect();
  assert.equal(engine.state, codes.STATE_FAILED);
  assert.equal(engine.wasm.dtls_last_error(), codes.REASON_CRYPTO_UNAVAILABLE);
  assert.equal(sent.length, 0, "no ClientHello, no alert");
});

const pskKey = Buffer.from("a1b2c3d4e5f60718293a4b5c6d7e8f90", "hex");

function pskSession(wasmPath: string, hardwareAes: boolean) {
  const sent: Uint8Array[] = [];
  const engine = new DtlsEngine({ psk: { identity: Buffer.from("hal-node"), key: pskKey }, seed: "psk-hw", clock: () => 0,
    hardwareAes, wasmPath }, (d) => sent.push(d));
  const server = new MockPskServer(pskKey);
  engine.connect();
  if (sent.length === 0) return { engine, sent, server };
  engine.receive(server.answerClientHello(sent[0]));
  const { ccs, finished } = server.answerFinishedFlight(sent.slice(1));
  engine.receive(Buffer.concat([ccs, finished]));
  return { engine, sent, server };
}

test("PSK without software AES: the board's AES gives the same session as the module's own AES", () => {
  const soft = pskSession(PSK, false);
  const hw = pskSession(PSK_HW, true);
  assert.equal(soft.engine.state, codes.STATE_CONNECTED);
  assert.equal(hw.engine.state, codes.STATE_CONNECTED);
  assert.deepEqual(hw.sent.map((d) => Buffer.from(d).toString("hex")), soft.sent.map((d) => Buffer.from(d).toString("hex")));
  hw.engine.receive(hw.server.seal(23, Buffer.from("downlink")));
  assert.equal(hw.engine.read()?.toString(), "downlink");
});

for (const wasm of [PSK_HW, FULL_HW]) {
  test(`${wasm.split("/").pop()} without a board AES: crypto_unavailable at connect, nothing sent`, () => {
    const r = pskSession(wasm, false);
    assert.equal(r.engine.state, codes.STATE_FAILED);
    assert.equal(r.engine.wasm.dtls_last_error(), codes.REASON_CRYPTO_UNAVAILABLE);
    assert.equal(r.sent.length, 0);
  });
}

test("the -hw profiles are smaller: no software P-256 or AES inside", () => {
  const size = (p: string) => require("node:fs").statSync(p).size;
  assert.ok(size(FULL_HW) < size(FULL) / 2, `${size(FULL_HW)} vs ${size(FULL)}`);
  assert.ok(size(PSK_HW) < size(PSK), `${size(PSK_HW)} vs ${size(PSK)}`);
});

test("a private key must be in [1, n-1] on every path (the range check is the core's, before the HAL)", () => {
  const n = Buffer.from("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", "hex");
  const minus = (b: Buffer, k: number) => { const r = Buffer.from(b); let i = 31; let c = k; while (c > 0) { const v = r[i] - c; r[i] = v & 0xff; c = v < 0 ? 1 : 0; i--; } return r; };
  const cases: Array<[string, Buffer, boolean]> = [
    ["0", Buffer.alloc(32), false], ["1", minus(Buffer.alloc(32, 0), -1), true], ["n-1", minus(n, 1), true],
    ["n", n, false], ["n+1", (() => { const r = Buffer.from(n); r[31] += 1; return r; })(), false], ["2^256-1", Buffer.alloc(32, 0xff), false],
  ];
  cases[1][1] = Buffer.concat([Buffer.alloc(31), Buffer.from([1])]);
  for (const [wasm, withHal] of [[FULL, false], [FULL, true], [FULL_HW, true]] as const) {
    for (const [name, key, ok] of cases) {
      // The board's engine is never even asked about a key out of range.
      const spy = loadAccelerator();
      const asked: number[] = [];
      const run = spy.run.bind(spy);
      spy.run = (core, ins, outs, call) => { asked.push(ins.length); return run(core, ins, outs, call); };
      const make = () => new DtlsEngine({ rpk: { serverPin: readPublicPoint(serverKeys.pub), privateKey: key }, wasmPath: wasm,
        p256: withHal ? spy : false }, () => {});
      const what = `${wasm.split("/").pop()}${withHal ? " + HAL" : ""}: ${name}`;
      if (ok) assert.doesNotThrow(make, `${what} is a private key`);
      else {
        assert.throws(make, ConfigError, `${what} is not a private key`);
        assert.deepEqual(asked, [], `${what}: refused before the HAL`);
      }
    }
  }
});

test("the accelerator keeps nothing: after a mutual ECDHE-ECDSA session (its P-256 and AES) its memory is as instantiated", async () => {
  const trace = await liveSession();
  const accel = loadAccelerator();
  const before = Buffer.from(new Uint8Array(accel.exports.memory.buffer));
  const r = replay(trace, FULL_HW, accel, true);
  assert.equal(r.engine.state, codes.STATE_CONNECTED);
  assert.ok(accel.calls >= 20, `P-256 and AES by the accelerator: ${accel.calls} calls`);
  const after = Buffer.from(new Uint8Array(accel.exports.memory.buffer));
  const changed: number[] = [];
  after.forEach((b, i) => { if (b !== before[i]) changed.push(i); });
  assert.deepEqual(changed.slice(0, 8), [], `${changed.length} bytes differ (keys, shared secrets, AES schedules left behind)`);
});

test("dtls-client and dtls_wasm3.py run dtls-full-hw.wasm with --hal-p256 (mutual raw keys, gnutls-serv), and say what is missing without it", async () => {
  const s = await startGnuTlsRpk(serverKeys, { requireClientKey: true });
  servers.push(s);
  const python = WASM3_PYTHON;
  const programs: Array<[string, string[]]> = [
    ["dtls-client", [process.execPath, join(ROOT, "dist", "host", "cli.js")]],
    ["dtls_wasm3.py", [python, WASM3_HARNESS]],
  ];
  const args = [`127.0.0.1:${s.port}`, "--rpk", "--server-key", serverKeys.pub, "--key", clientKeys.key, "--wasm", FULL_HW];
  for (const [name, [cmd, ...pre]] of programs) {
    const ok = await runProgram(cmd, [...pre, ...args, "--hal-p256", "--send", `${name} with the accelerator`, "--json"], 60000);
    assert.equal(ok.code, 0, `${name}: ${ok.stderr}`);
    assert.equal(ok.json.client_auth, true);
    assert.equal(ok.json.received, `${name} with the accelerator`);
    const missing = await runProgram(cmd, [...pre, ...args, "--send", "x", "--json"], 60000);
    assert.equal(missing.code, 2, `${name}: ${missing.stderr}`);
    assert.match(missing.stderr, /no P-256 of its own and the HAL provides none/);
  }
});

test("psk-hw: an AES engine that fails mid-session ends the connection (crypto_unavailable); the plaintext never leaves", () => {
  let broken = false;
  const sent: Uint8Array[] = [];
  const engine = new DtlsEngine({ psk: { identity: Buffer.from("hal-node"), key: pskKey }, seed: "psk-hw", clock: () => 0,
    wasmPath: PSK_HW, failAes: () => broken }, (d) => sent.push(d));
  const server = new MockPskServer(pskKey);
  engine.connect();
  engine.receive(server.answerClientHello(sent[0]));
  const { ccs, finished } = server.answerFinishedFlight(sent.slice(1));
  engine.receive(Buffer.concat([ccs, finished]));
  assert.equal(engine.state, codes.STATE_CONNECTED);
  const before = sent.length;
  broken = true;
  const secret = Buffer.from("a secret that must never travel in clear");
  assert.equal(engine.write(secret), codes.ERR_FAILED);
  assert.equal(engine.state, codes.STATE_FAILED);
  assert.equal(engine.wasm.dtls_last_error(), codes.REASON_CRYPTO_UNAVAILABLE);
  assert.equal(sent.length, before, "the record was discarded, not sent");
  for (const d of sent) assert.equal(Buffer.from(d).indexOf(secret.subarray(0, 8)), -1);
});
