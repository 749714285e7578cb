// The same resumption handshake under Node (V8), posix (wasm2c) and wasm3 (pywasm3) gives
// identical bytes (issue 10). A session saved by a full handshake with gnutls-serv is resumed
// by Node through a recording relay; the recording's server side is then played back to the
// posix and wasm3 programs with the same session blob and seed: every datagram they send must
// be the one Node sent. The same for a full X.509 handshake with client authentication.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProgram, buildPrograms } from "./support/cli";
import { ROOT, BUILD, CLI, POSIX, WASM3_PYTHON, WASM3_HARNESS } from "./support/paths";
import { freeUdpPort, generateKeyPair, startGnuTls, startGnuTlsRpk, ServerProcess, PSK_HEX, PSK_IDENTITY } from "./support/servers";
import { spawn } from "node:child_process";
import { makePki } from "./support/certs";
import { UdpRelay } from "./support/udp-relay";
import { ReplayPeer } from "./support/replay-peer";
import { parseRecords } from "./support/wire";

const servers: ServerProcess[] = [];
after(async () => { for (const s of servers) await s.stop(); });
before(buildPrograms);
const dir = mkdtempSync(join(tmpdir(), "dtls-identity-"));

type RunResult = Awaited<ReturnType<typeof runProgram>>;

// Node through a recording relay to the server: its result, the recording, and what Node sent.
async function recordNode(port: number, args: string[]) {
  const relay = await UdpRelay.start(port);
  let node: RunResult;
  try {
    node = await runProgram(process.execPath, [CLI, `127.0.0.1:${relay.port}`, ...args], 30000);
  } finally {
    relay.close();
  }
  assert.equal(node.code, 0, node.stderr);
  return { node, recording: relay.log, nodeSent: relay.sentBy("client") };
}

// The recording's server side played back to posix and wasm3 with the same arguments: every
// datagram they send must be Node's; check() adds the test's own assertions on each result.
async function replayToPrograms(recording: UdpRelay["log"], nodeSent: Buffer[], args: string[], wasm3Extra: string[],
                                check: (program: string, r: RunResult) => void): Promise<void> {
  for (const [program, cmd] of [["posix (wasm2c)", [POSIX]], ["wasm3", [WASM3_PYTHON, WASM3_HARNESS, ...wasm3Extra]]] as Array<[string, string[]]>) {
    const peer = await ReplayPeer.start(recording);
    try {
      const r = await runProgram(cmd[0], [...cmd.slice(1), `127.0.0.1:${peer.port}`, ...args], 60000);
      await new Promise((res) => setTimeout(res, 200)); // the close_notify of an exiting client
      assert.equal(r.code, 0, `${program}: ${r.stderr}`);
      check(program, r);
      assert.equal(peer.mismatchAt, -1, `${program}: datagram ${peer.mismatchAt} differs from Node's`);
      assert.deepEqual(peer.received.map((d) => d.toString("hex")), nodeSent.map((d) => d.toString("hex")),
        `${program}: every datagram as Node's`);
    } finally {
      peer.close();
    }
  }
}

async function sameResumption(name: string, server: ServerProcess, creds: string[]): Promise<void> {
  assert.ok(existsSync(POSIX) && existsSync(WASM3_PYTHON), "buildPrograms made dtls-posix and the wasm3 venv");
  const file = join(dir, `${name}.session`);
  const full = await runProgram(process.execPath, [CLI, `127.0.0.1:${server.port}`, ...creds, "--session-out", file, "--json"], 30000);
  assert.equal(full.code, 0, full.stderr);
  const common = [...creds, "--session-in", file, "--seed", `identity-${name}`, "--rto", "5000",
    "--send", "the same resumed bytes", "--wait", "10000", "--json"];
  const { node, recording, nodeSent } = await recordNode(server.port, common);
  assert.equal(node.json.resumed, true, "Node resumed the saved session");
  // The abbreviated handshake: no ClientKeyExchange among what we sent in epoch 0.
  const ours = nodeSent.flatMap((d) => parseRecords(d));
  assert.ok(!ours.some((r) => r.type === 22 && r.epoch === 0 && r.payload[0] === 16), "no ClientKeyExchange");
  assert.ok(ours.some((r) => r.type === 23 && r.epoch === 1), "application data after the handshake");
  await replayToPrograms(recording, nodeSent, common, name === "rpk" ? ["--hal-p256"] : [], (program, r) => {
    assert.equal(r.json.resumed, true, `${program} resumed`);
    assert.equal(r.json.received, "the same resumed bytes", `${program} got the replayed echo`);
    assert.equal(r.json.handshake_bytes_sent, node.json.handshake_bytes_sent, `${program}: the same handshake bytes`);
  });
}

test("PSK: the resumed handshake from a saved session is byte-identical under Node, posix (wasm2c) and wasm3", async () => {
  const s = await startGnuTls();
  servers.push(s);
  await sameResumption("psk", s, ["--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX]);
});

test("raw public keys with client authentication: the resumed handshake is byte-identical under Node, posix and wasm3", async () => {
  const serverKeys = generateKeyPair("identity-server");
  const clientKeys = generateKeyPair("identity-client");
  const s = await startGnuTlsRpk(serverKeys, { requireClientKey: true });
  servers.push(s);
  await sameResumption("rpk", s, ["--rpk", "--server-key", serverKeys.pub, "--key", clientKeys.key]);
});

test("X.509 with client authentication (issue 11): the full handshake is byte-identical under Node, posix (wasm2c) and wasm3", async () => {
  const pki = makePki();
  const chain = pki.server[2];
  const port = await freeUdpPort();
  const s = new ServerProcess(spawn("gnutls-serv", ["--udp", "--echo", "-p", String(port), "--x509certfile", chain.pem,
    "--x509keyfile", chain.key, "--require-client-cert", "--x509cafile", pki.root.pem, "--priority",
    "NORMAL:-VERS-ALL:+VERS-DTLS1.2:-CIPHER-ALL:+AES-128-CCM-8:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:-GROUP-ALL:+GROUP-SECP256R1:-SIGN-ALL:+SIGN-ECDSA-SHA256"]), port);
  servers.push(s);
  await s.waitFor("listening");
  // max_fragment_length off: gnutls-serv reads one record per datagram under 512.
  const common = ["--ca", pki.root.pem, "--servername", pki.serverName, "--cert", pki.client[1].pem, "--key", pki.client[1].key,
    "--mfl", "off", "--seed", "identity-x509", "--rto", "5000", "--send", "the same certified bytes", "--wait", "10000", "--json"];
  const { node, recording, nodeSent } = await recordNode(s.port, common);
  assert.equal(node.json.verify_result, "ok");
  assert.equal(node.json.client_auth, true);
  await replayToPrograms(recording, nodeSent, common, ["--hal-p256"], (program, r) => {
    for (const key of ["verify_result", "server_chain", "failed_certificate", "client_auth", "received"]) {
      assert.deepEqual(r.json[key], node.json[key], `${program}: ${key}`);
    }
  });
});
