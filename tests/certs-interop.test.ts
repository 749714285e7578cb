// X.509 certificates in the handshake (issue 11, RFC 7925 s. 4.4) against real servers:
// openssl s_server -dtls1_2 and gnutls-serv --udp with chains made by tests/support/certs.ts
// (a root, 0 to 3 intermediates, P-256 / ecdsa-with-SHA256). The servers' MTU keeps every
// datagram under 1000 bytes, so a chain of 1.4 to 1.9 KB crosses in fragments, and the
// client reads its Certificate message through the reassembly window (RFC 7925 s. 4.4:
// RAM does not grow with the chain). Refusals: the chain the validator must refuse, the
// RFC 7925 s. 6 alert seen on the wire (a relay), and a message naming the certificate.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as codes from "../host/codes";
import { UdpDtlsClient } from "../host/udp-client";
import { makePki, derToPem, scalarOf, Chain } from "./support/certs";
import { freeUdpPort, ServerProcess } from "./support/servers";
import { UdpRelay } from "./support/udp-relay";
import { parseRecords } from "./support/wire";
import { runCli, runProgram, buildPrograms } from "./support/cli";
import { WASM3_PYTHON, WASM3_HARNESS } from "./support/paths";
import { subjectOf } from "../host/certs";

const pki = makePki();
const servers: ServerProcess[] = [];
const relays: UdpRelay[] = [];
after(async () => { for (const s of servers) await s.stop(); for (const r of relays) r.close(); });

const MTU = "1000";

/** The leaf alone and the intermediates alone as PEM files (s_server -cert / -cert_chain). */
function split(c: Chain): { leaf: string; rest: string | null } {
  const leaf = join(pki.dir, `${c.name}.leaf-only.pem`);
  writeFileSync(leaf, derToPem(c.certs[0]));
  if (c.certs.length === 1) return { leaf, rest: null };
  const rest = join(pki.dir, `${c.name}.intermediates.pem`);
  writeFileSync(rest, c.certs.slice(1).map(derToPem).join(""));
  return { leaf, rest };
}

async function openssl(c: Chain, requireClient = false): Promise<ServerProcess> {
  const port = await freeUdpPort();
  const { leaf, rest } = split(c);
  const args = ["s_server", "-dtls1_2", "-listen", "-mtu", MTU, "-accept", String(port), "-cert", leaf, "-key", c.key,
    ...(rest ? ["-cert_chain", rest] : []), "-cipher", "ECDHE-ECDSA-AES128-CCM8",
    ...(requireClient ? ["-Verify", "4", "-CAfile", pki.root.pem] : [])];
  const s = new ServerProcess(spawn("openssl", args), port);
  servers.push(s);
  await s.waitFor("ACCEPT");
  return s;
}

const GNUTLS_X509_CCM8 = "NORMAL:-VERS-ALL:+VERS-DTLS1.2:-CIPHER-ALL:+AES-128-CCM-8:-MAC-ALL:+AEAD:" +
  "-KX-ALL:+ECDHE-ECDSA:-GROUP-ALL:+GROUP-SECP256R1:-SIGN-ALL:+SIGN-ECDSA-SHA256";

async function gnutls(c: Chain, requireClient = false): Promise<ServerProcess> {
  const port = await freeUdpPort();
  const args = ["--udp", "--echo", "-p", String(port), "--mtu", MTU, "--x509certfile", c.pem, "--x509keyfile", c.key,
    "--priority", GNUTLS_X509_CCM8, ...(requireClient ? ["--require-client-cert", "--x509cafile", pki.root.pem] : [])];
  const s = new ServerProcess(spawn("gnutls-serv", args), port);
  servers.push(s);
  await s.waitFor("listening");
  return s;
}

const subjects = (c: Chain) => c.certs.map(subjectOf);
const CA = ["--ca", pki.root.pem, "--servername", pki.serverName];

for (const n of [1, 2, 3]) {
  test(`openssl s_server, a chain with ${n} intermediate(s): the server authenticated by its certificate`, async () => {
    const chain = pki.server[n];
    const s = await openssl(chain);
    const r = await runCli([`127.0.0.1:${s.port}`, ...CA, "--json", "--rto", "1000"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.cipher, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8");
    assert.equal(r.json.verify_result, "ok");
    assert.deepEqual(r.json.server_chain, subjects(chain), "the chain as sent, leaf first");
    assert.equal(r.json.client_auth, false);
    assert.ok(r.json.handshake_bytes_received > chain.certs.reduce((a, b) => a + b.length, 0));
  });
}

test("openssl s_server, 3 intermediates: the reassembly window holds less than the Certificate message; mutual authentication", async () => {
  const chain = pki.server[3];
  const certificateMessage = 3 + chain.certs.reduce((a, b) => a + 3 + b.length, 0);
  const s = await openssl(chain, true);
  const client = new UdpDtlsClient("127.0.0.1", s.port, {
    x509: { anchors: [pki.root.der], chain: pki.client[1].certs, privateKey: scalarOf(pki.client[1].key), peerName: pki.serverName },
    rtoMs: 1000,
  });
  try {
    await client.connect();
    const e = client.engine;
    assert.equal(e.info(codes.INFO_CERT_RESULT), 0);
    assert.equal(e.info(codes.INFO_CERT_COUNT), 4);
    assert.equal(e.info(codes.INFO_CERT_TYPE), 0, "X.509");
    assert.equal(e.info(codes.INFO_CLIENT_AUTH), 1, "our chain and CertificateVerify were asked for and sent");
    const peak = e.info(codes.INFO_REGION_PEAK + codes.REGION_REASSEMBLY);
    const size = e.info(codes.INFO_REGION_SIZE + codes.REGION_REASSEMBLY);
    assert.ok(certificateMessage > size, `the ${certificateMessage}-byte Certificate message is larger than the ${size}-byte buffer`);
    assert.ok(peak <= size, `peak ${peak} within the buffer`);
    assert.equal(e.info(codes.INFO_REGION_PEAK + codes.REGION_CLIENT_CHAIN), pki.client[1].certs.reduce((a, b) => a + 3 + b.length, 0));
    console.log(`# figures: Certificate message ${certificateMessage} B, REGION_REASSEMBLY peak ${peak} B of ${size}; ` +
      `handshake bytes sent ${e.info(codes.INFO_HANDSHAKE_BYTES_SENT)}, received ${e.info(codes.INFO_HANDSHAKE_BYTES_RECEIVED)}`);
    await s.waitFor("Test Intermediate 1", 5000); // s_server printed the client chain it verified
  } finally {
    client.close();
  }
});

test("gnutls-serv, 3 intermediates: server-only and mutual authentication, echo", async () => {
  const chain = pki.server[3];
  const s = await gnutls(chain);
  const r = await runCli([`127.0.0.1:${s.port}`, ...CA, "--send", "x509 hello", "--json", "--rto", "1000"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.received, "x509 hello");
  assert.equal(r.json.verify_result, "ok");
  assert.deepEqual(r.json.server_chain, subjects(chain));
  // gnutls-serv under max_fragment_length 512 reads no more than one such record per datagram
  // (the rest of a datagram is lost), and our Certificate flight packs several: MFL off.
  const m = await gnutls(chain, true);
  const mutual = await runCli([`127.0.0.1:${m.port}`, ...CA, "--cert", pki.client[1].pem, "--key", pki.client[1].key,
    "--mfl", "off", "--send", "mutual", "--json", "--rto", "1000"]);
  assert.equal(mutual.code, 0, mutual.stderr);
  assert.equal(mutual.json.received, "mutual");
  assert.equal(mutual.json.client_auth, true);
  // Without a chain of ours the Certificate is empty: gnutls-serv, requiring one, refuses.
  const anonymous = await runCli([`127.0.0.1:${m.port}`, ...CA, "--mfl", "off", "--json", "--rto", "500", "--timeout", "3000"]);
  assert.equal(anonymous.code, 1, "no client chain: refused by the server");
  assert.equal(anonymous.json.verify_result, "ok", "the server's chain was fine");
});

/** The fatal alerts the client sent, as [level, description], seen by the relay. */
function clientAlerts(relay: UdpRelay): number[][] {
  return relay.sentBy("client").flatMap((d) => parseRecords(d)).filter((r) => r.type === 21 && r.epoch === 0)
    .map((r) => [r.payload[0], r.payload[1]]);
}

for (const name of ["unknownRoot", "expired", "wrongName", "tamperedSignature"] as const) {
  test(`refused: ${name}: the RFC 7925 s. 6 alert on the wire, the rule and the certificate in the message`, async () => {
    const bad = pki.refusals[name];
    const s = await openssl(bad);
    const relay = await UdpRelay.start(s.port);
    relays.push(relay);
    const r = await runCli([`127.0.0.1:${relay.port}`, "--ca", bad.anchorPem, "--servername", bad.refName || pki.serverName,
      "--json", "--rto", "1000"]);
    assert.equal(r.code, 1, r.stderr);
    const reason = bad.reason.replace(/^REASON_/, "").toLowerCase();
    assert.equal(r.json.reason, reason);
    assert.equal(r.json.verify_result, reason);
    assert.equal(r.json.failed_certificate, bad.index);
    const subject = subjectOf(bad.certs[bad.index]).replace(/[()]/g, ".");
    assert.match(r.stderr, new RegExp(`the server's certificate ${bad.index}( of ${bad.certs.length})? \\(${subject}\\): `), "names the certificate");
    await relay.waitFor(() => clientAlerts(relay).length > 0, "the client's alert", 5000);
    assert.deepEqual(clientAlerts(relay), [[2, bad.alert]], "one fatal alert, the rule's description");
  });
}

test("no trusted time: refused by default, accepted with --accept-unknown-time; --time before notBefore is not_yet_valid", async () => {
  // A refused handshake leaves s_server -listen stuck on it: one server per run.
  const at = async () => `127.0.0.1:${(await openssl(pki.server[1])).port}`;
  const refused = await runCli([await at(), ...CA, "--time", "unknown", "--json", "--rto", "1000"]);
  assert.equal(refused.code, 1);
  assert.equal(refused.json.reason, "cert_time_unknown");
  const early = await runCli([await at(), ...CA, "--time", "1000000000", "--json", "--rto", "1000"]);
  assert.equal(early.json.reason, "cert_not_yet_valid");
  const accepted = await runCli([await at(), ...CA, "--time", "unknown", "--accept-unknown-time", "--json", "--rto", "1000"]);
  assert.equal(accepted.code, 0, accepted.stderr);
  assert.equal(accepted.json.verify_result, "ok");
});

test("the server's flight reversed on the wire: what falls beyond the window or the stash comes again, the chain validates", async () => {
  const chain = pki.server[3];
  const s = await openssl(chain);
  // Server datagram 0 is the HelloVerifyRequest (-listen); the next burst, its flight 4, is
  // held and delivered last datagram first; retransmissions pass as they come.
  const held: Buffer[] = [];
  let flushed = false;
  const relay: UdpRelay = await UdpRelay.start(s.port, (d, from, i) => {
    if (from !== "server" || i === 0 || flushed) return d;
    if (held.length === 0) setTimeout(() => { flushed = true; for (const h of held.reverse()) relay.sendToClient(h); }, 200);
    held.push(d);
    return null;
  });
  relays.push(relay);
  const client = new UdpDtlsClient("127.0.0.1", relay.port, { x509: { anchors: [pki.root.der], peerName: pki.serverName }, rtoMs: 1000 });
  try {
    await client.connect();
    assert.ok(held.length >= 3, `the flight came in ${held.length} datagrams`);
    assert.equal(client.engine.info(codes.INFO_CERT_RESULT), 0);
    assert.deepEqual(client.engine.serverChain.subjects(), subjects(chain));
    const e = client.engine;
    const peak = e.info(codes.INFO_REGION_PEAK + codes.REGION_REASSEMBLY), size = e.info(codes.INFO_REGION_SIZE + codes.REGION_REASSEMBLY);
    assert.ok(peak <= size, `peak ${peak} of ${size}`);
  } finally {
    client.close();
  }
});

test("dtls_wasm3.py (the module under wasm3): the same flags, mutual authentication with 3 intermediates, and a refusal in the same words", async () => {
  buildPrograms();
  const wasm3 = (args: string[]) => runProgram(WASM3_PYTHON, [WASM3_HARNESS, ...args], 60000);
  const chain = pki.server[3];
  const s = await openssl(chain, true);
  const r = await wasm3([`127.0.0.1:${s.port}`, ...CA, "--cert", pki.client[1].pem, "--key", pki.client[1].key, "--json", "--rto", "3000"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.verify_result, "ok");
  assert.deepEqual(r.json.server_chain, subjects(chain));
  assert.equal(r.json.client_auth, true);
  const bad = pki.refusals.expired;
  const args = (port: number) => [`127.0.0.1:${port}`, "--ca", bad.anchorPem, "--servername", bad.refName || pki.serverName, "--json", "--rto", "3000"];
  const [py, node] = [await wasm3(args((await openssl(bad)).port)), await runCli(args((await openssl(bad)).port))];
  assert.equal(py.code, 1, py.stderr);
  for (const key of ["reason", "verify_result", "failed_certificate", "alert", "error"]) assert.deepEqual(py.json[key], node.json[key], key);
  assert.equal(py.stderr.split("\n").filter((l) => l.startsWith("dtls_wasm3.py: ")).join(), node.stderr.split("\n").filter((l) => l.startsWith("dtls-client: ")).join().replace(/dtls-client/g, "dtls_wasm3.py"));
});
