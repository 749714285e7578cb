// Sessions across deep sleep and reboots (issue 10): the session leaves one process as a blob
// (dtls_session_export, dtls-client --session-out) and an abbreviated handshake resumes it in
// another (--session-in), against gnutls-serv, PSK and raw public keys. Damaged, truncated,
// foreign or stale blobs are refused with an error, never trusted, and nothing is sent.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as codes from "../host/codes";
import { DtlsEngine } from "../host/engine";
import { generateKeyPair, spkiSha256, startGnuTls, startGnuTlsRpk, bindLoopbackUdp, ServerProcess,
  PSK_IDENTITY, PSK_HEX } from "./support/servers";
import { runCli, runProgram, buildPrograms } from "./support/cli";
import { ROOT, BUILD, POSIX, WASM3_PYTHON, WASM3_HARNESS } from "./support/paths";


const servers: ServerProcess[] = [];
after(async () => { for (const s of servers) await s.stop(); });
before(buildPrograms);
const dir = mkdtempSync(join(tmpdir(), "dtls-session-"));
const PSK = ["--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX];
const BLOB_FIXED = 141; // assembly/handshake/session_blob.ts: a blob without a ticket

/** A PSK session saved by one dtls-client process against a fresh gnutls-serv. */
async function savedPskSession(name: string): Promise<{ server: ServerProcess; file: string; first: any }> {
  const server = await startGnuTls();
  servers.push(server);
  const file = join(dir, name);
  const r = await runCli([`127.0.0.1:${server.port}`, ...PSK, "--session-out", file, "--send", "first", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.resumed, false);
  return { server, file, first: r.json };
}

test("PSK, gnutls-serv: a session saved by one process resumes in another (abbreviated handshake, fewer bytes and datagrams)", async () => {
  const { server, file, first } = await savedPskSession("psk.session");
  const blob = readFileSync(file);
  assert.equal(blob.length, BLOB_FIXED, "no ticket: the fixed layout");
  assert.equal(blob.subarray(0, 3).toString("latin1"), "DS\x01", "magic and version 1");
  assert.equal(statSync(file).mode & 0o077, 0, "only its owner may read a master secret");
  const r = await runCli([`127.0.0.1:${server.port}`, ...PSK, "--session-in", file, "--send", "after reboot", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.resumed, true, "the server accepted the session of the other process");
  assert.equal(r.json.received, "after reboot");
  // Full: ClientHello x2 (cookie), CKE+CCS+Finished; the server's HVR, hello flight, CCS+Finished.
  // Abbreviated: ClientHello x2 (each with the 32-byte session ID), CCS+Finished; the server's
  // HVR, ServerHello, CCS, Finished (gnutls-serv sends one message per datagram). With PSK our side is no shorter: the
  // two session IDs outweigh the ClientKeyExchange; the round trip saved is the gain.
  assert.equal(first.handshake_datagrams_sent, 3);
  assert.equal(r.json.handshake_datagrams_sent, 3);
  assert.ok(r.json.handshake_datagrams_received < first.handshake_datagrams_received,
    `the server's side in fewer datagrams: ${r.json.handshake_datagrams_received} < ${first.handshake_datagrams_received}`);
  assert.ok(r.json.handshake_bytes_received < first.handshake_bytes_received,
    `${r.json.handshake_bytes_received} < ${first.handshake_bytes_received}`);
  assert.equal(r.json.handshake_bytes_sent - first.handshake_bytes_sent, 2 * 32 - (13 + 12 + 2 + PSK_IDENTITY.length),
    "two 32-byte session IDs more, one ClientKeyExchange record (record and handshake headers, identity length, identity) less");
});

test("raw public keys, gnutls-serv with client authentication: resumed from a file, no key exchange, the server's key reported as in the session", async () => {
  const serverKeys = generateKeyPair("blob-server");
  const clientKeys = generateKeyPair("blob-client");
  const s = await startGnuTlsRpk(serverKeys, { requireClientKey: true });
  servers.push(s);
  const file = join(dir, "rpk.session");
  const rpk = ["--rpk", "--server-key", serverKeys.pub, "--key", clientKeys.key];
  const first = await runCli([`127.0.0.1:${s.port}`, ...rpk, "--session-out", file, "--send", "one", "--json"], 30000);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.json.client_auth, true);
  const again = await runCli([`127.0.0.1:${s.port}`, ...rpk, "--session-in", file, "--send", "two", "--json"], 30000);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.json.resumed, true);
  assert.equal(again.json.cipher, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8");
  assert.equal(again.json.server_key_sha256, spkiSha256(serverKeys.pub), "the peer of the session");
  assert.equal(again.json.client_auth, true, "we authenticated in that session");
  assert.equal(again.json.received, "two");
  assert.ok(again.json.handshake_bytes_sent < first.json.handshake_bytes_sent - 200,
    `no Certificate, ClientKeyExchange or CertificateVerify: ${again.json.handshake_bytes_sent} vs ${first.json.handshake_bytes_sent}`);
  // The same blob with another pinned server key: refused before anything is sent.
  const other = generateKeyPair("blob-other");
  const foreign = await runCli([`127.0.0.1:${s.port}`, "--rpk", "--server-key", other.pub, "--key", clientKeys.key,
    "--session-in", file, "--json"]);
  assert.equal(foreign.code, 2);
  assert.match(foreign.stderr, /was refused: damaged, or made with other credentials/);
});

test("a server that no longer knows the session: a full handshake, no error; the new session replaces the file", async () => {
  const { server, file } = await savedPskSession("stale.session");
  const before = readFileSync(file);
  await server.stop();
  const fresh = await startGnuTls(); // a new process: an empty session cache
  servers.push(fresh);
  const r = await runCli([`127.0.0.1:${fresh.port}`, ...PSK, "--session-in", file, "--session-out", file, "--send", "x", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.resumed, false, "declined: full handshake");
  assert.equal(r.json.received, "x");
  const afterwards = readFileSync(file);
  assert.notDeepEqual(afterwards.subarray(7, 7 + 32), before.subarray(7, 7 + 32), "the new session's ID was saved");
  const again = await runCli([`127.0.0.1:${fresh.port}`, ...PSK, "--session-in", file, "--json"]);
  assert.equal(again.json.resumed, true, "and it resumes");
});

test("damaged, truncated, extended, foreign or other-version blobs are refused with an error and nothing is sent", async () => {
  const { file } = await savedPskSession("good.session");
  const good = readFileSync(file);
  const sink = await bindLoopbackUdp();
  let datagrams = 0;
  sink.on("message", () => datagrams++);
  const port = sink.address().port;
  const flip = (at: number) => { const b = Buffer.from(good); b[at] ^= 0x01; return b; };
  const cases: Array<[string, Buffer, RegExp, string[]?]> = [
    ["magic", flip(0), /not a session blob/],
    ["version", flip(2), /another format version/],
    ["unknown flag", (() => { const b = Buffer.from(good); b[3] |= 0x80; return b; })(), /not a session blob/],
    ["suite", flip(5), /damaged/],
    ["session ID", flip(10), /damaged/],
    ["master secret", flip(7 + 32 + 20), /damaged/],
    ["check", flip(good.length - 1), /damaged/],
    ["truncated", good.subarray(0, good.length - 1), /not a session blob/],
    ["extended", Buffer.concat([good, Buffer.from([0])]), /not a session blob/],
    ["ticket length claimed", (() => { const b = Buffer.from(good); b.writeUInt16BE(5, BLOB_FIXED - 18); return b; })(), /not a session blob/],
    ["empty", Buffer.alloc(0), /not a session blob/],
    ["other PSK identity", good, /made with other credentials/, ["--psk-identity", "device-0002", "--psk", PSK_HEX]],
    ["other PSK", good, /made with other credentials/, ["--psk-identity", PSK_IDENTITY, "--psk", "00" + PSK_HEX.slice(2)]],
    ["other server name", good, /made with other credentials/, [...PSK, "--sni", "other.example"]],
  ];
  try {
    for (const [name, blob, message, creds] of cases) {
      const f = join(dir, `bad-${name.replace(/ /g, "-")}`);
      writeFileSync(f, blob);
      const r = await runCli([`127.0.0.1:${port}`, ...(creds ?? PSK), "--session-in", f, "--json"]);
      assert.equal(r.code, 2, `${name}: exit 2 (configuration), ${r.stderr}`);
      assert.match(r.stderr, message, name);
      assert.match(r.stderr, /the session in .* was refused/, name);
    }
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(datagrams, 0, "no ClientHello left for any refused blob");
  } finally {
    sink.close();
  }
});

test("module API: export needs a kept session; import needs an idle instance; an imported session is offered and the blob is wiped from the I/O buffer", () => {
  const psk = { identity: Buffer.from(PSK_IDENTITY), key: Buffer.from(PSK_HEX, "hex") };
  const a = new DtlsEngine({ psk, resume: true, seed: "blob-a" }, () => {});
  assert.equal(a.exportSession(), null, "no session yet");
  assert.equal(a.wasm.dtls_session_export(), codes.ERR_BAD_STATE);
  // A blob whose check is right needs the module to make it: build one from a real session above.
  const { blob } = exportedBlob();
  const b = new DtlsEngine({ psk, seed: "blob-b" }, () => {});
  b.importSession(blob);
  const io = new Uint8Array(b.wasm.memory.buffer, b.wasm.dtls_buffer(), blob.length);
  assert.ok(io.every((x) => x === 0), "the master secret does not linger in the shared buffer");
  const again = b.exportSession();
  assert.deepEqual(again, blob, "what was imported is what is kept, byte for byte");
  const sent: Buffer[] = [];
  const c = new DtlsEngine({ psk, session: blob, seed: "blob-c" }, (d) => sent.push(Buffer.from(d)));
  c.connect();
  assert.equal(c.state, codes.STATE_HANDSHAKING);
  const hello = sent[0];
  const sidLen = hello[13 + 12 + 34];
  assert.equal(sidLen, blob[6], "the ClientHello offers the imported session ID");
  assert.deepEqual(hello.subarray(13 + 12 + 35, 13 + 12 + 35 + sidLen), blob.subarray(7, 7 + sidLen));
  assert.equal(c.wasm.dtls_session_import(blob.length), codes.ERR_BAD_STATE, "not while a handshake runs");
  c.close();
});

/** A valid blob made by the module itself from a completed session, kept from the first test's kind of run. */
function exportedBlob(): { blob: Buffer } {
  const f = join(dir, "psk.session");
  assert.ok(existsSync(f), "the first test saved a session");
  return { blob: readFileSync(f) };
}

test("session tickets: a ticket-only session (gnutls-serv --nodb keeps no cache) saved to a file resumes by its ticket in another process", async () => {
  const server = await startGnuTls({ extra: ["--nodb"] });
  servers.push(server);
  const file = join(dir, "ticket.session");
  const first = await runCli([`127.0.0.1:${server.port}`, ...PSK, "--tickets", "--session-out", file, "--json"]);
  assert.equal(first.code, 0, first.stderr);
  const blob = readFileSync(file);
  const ticketLen = blob.readUInt16BE(BLOB_FIXED - 18);
  assert.ok(ticketLen > 0, "the server's ticket is in the blob");
  assert.equal(blob.length, BLOB_FIXED + ticketLen);
  const byId = await runCli([`127.0.0.1:${server.port}`, ...PSK, "--session-in", file, "--json"]);
  assert.equal(byId.code, 0, byId.stderr);
  assert.equal(byId.json.resumed, false, "without --tickets only the ID is offered, which a server without a cache does not know");
  const again = await runCli([`127.0.0.1:${server.port}`, ...PSK, "--tickets", "--session-in", file, "--json"]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.json.resumed, true);
  assert.equal(again.json.ticket, true, "resumed by the ticket from the file");
  // The same file in the C (wasm2c) and wasm3 programs: they resume by the ticket too.
  for (const [name, cmd] of [["posix", [POSIX]], ["wasm3", [WASM3_PYTHON, WASM3_HARNESS]]] as Array<[string, string[]]>) {
    const r = await runProgram(cmd[0], [...cmd.slice(1), `127.0.0.1:${server.port}`, ...PSK, "--tickets", "--session-in", file, "--json"], 30000);
    assert.equal(r.code, 0, `${name}: ${r.stderr}`);
    assert.equal(r.json.ticket, true, `${name} resumed by the ticket`);
  }
  // A ticket byte changed in the file: the blob's check refuses it before the server sees it.
  const bad = Buffer.from(blob);
  bad[BLOB_FIXED - 16 + 3] ^= 0x40;
  const badFile = join(dir, "ticket-bad.session");
  writeFileSync(badFile, bad);
  const refused = await runCli([`127.0.0.1:${server.port}`, ...PSK, "--tickets", "--session-in", badFile, "--json"]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /damaged/);
});
