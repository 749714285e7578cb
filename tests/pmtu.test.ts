// Small PMTUs (RFC 7925 section 11 and Appendix A: 127 bytes for IEEE 802.15.4, 140 for SMS)
// against gnutls-serv --udp --mtu N: a relay between client and server sees every datagram,
// and none of the client's may exceed the PMTU (ClientHello, the cookie ClientHello,
// flight 5 with Certificate / CertificateVerify, CCS + Finished, application data of the
// largest size allowed, close_notify, retransmissions). The ClientHello stays whole and
// leaves out what it can spare (assembly/handshake/client_hello.ts); one that still does
// not fit is never sent. The JSON max_datagram is checked against the wire.
// gnutls-serv takes --mtu from 0 to 17000; measured with this client: its PSK handshake
// completes down to --mtu 64 (at 50 its own Finished, 53 bytes, no longer fits).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import * as codes from "../host/codes";
import { DtlsEngine } from "../host/engine";
import { UdpDtlsClient } from "../host/udp-client";
import { readPrivateKey, readPublicPoint } from "../host/keys";
import { generateKeyPair, startGnuTls, startGnuTlsRpk, ServerProcess, PSK_IDENTITY, PSK_HEX, KeyPair,
  bindLoopbackUdp } from "./support/servers";
import { UdpRelay } from "./support/udp-relay";
import { parseRecords, record, handshake } from "./support/wire";
import { clientHelloOf, handshakeFragments, ClientHello } from "./support/hellos";
import { runProgram, CliResult, buildPrograms } from "./support/cli";
import { ROOT, BUILD, CLI, POSIX, WASM3_PYTHON, WASM3_HARNESS } from "./support/paths";

const servers: ServerProcess[] = [];
after(async () => { for (const s of servers) await s.stop(); });
let serverKeys: KeyPair;
let clientKeys: KeyPair;
before(() => {
  buildPrograms();
  serverKeys = generateKeyPair("pmtu-server");
  clientKeys = generateKeyPair("pmtu-client");
});

const PROGRAMS: Record<string, string[]> = {
  "dtls-client": [process.execPath, CLI],
  "dtls-posix": [POSIX],
  "dtls_wasm3.py": [WASM3_PYTHON, WASM3_HARNESS, "--hal-p256"],
};
const PSK_ARGS = ["--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX];
const rpkArgs = () => ["--rpk", "--server-key", serverKeys.pub, "--key", clientKeys.key];
const EXT_POINT_FORMATS = 11, EXT_MFL = 1, EXT_RENEGOTIATION_INFO = 0xff01, SCSV = 0x00ff;

async function gnutls(cred: "psk" | "rpk", mtu: number): Promise<ServerProcess> {
  const s = cred === "psk" ? await startGnuTls({ extra: ["--mtu", String(mtu)] })
    : await startGnuTlsRpk(serverKeys, { requireClientKey: true, extra: ["--mtu", String(mtu)] });
  servers.push(s);
  return s;
}

/** The largest application record a PMTU lets through: PMTU - 29 (RFC 7925 Appendix B). */
const maxWrite = (pmtu: number) => pmtu - 13 - 8 - 8;

function hellosOf(sent: Buffer[]): ClientHello[] {
  return sent.map((d) => clientHelloOf(d)).filter((h) => h !== null).map((h) => h!.hello);
}
const extTypes = (h: ClientHello) => h.extensions.map((e) => e.type);

/** Every datagram the client sent is within the PMTU, and max_datagram says the largest. */
function assertWithin(relay: UdpRelay, pmtu: number, json: any, what: string): void {
  const sizes = relay.sentBy("client").map((d) => d.length);
  assert.ok(sizes.length > 0, `${what}: the client sent`);
  assert.ok(sizes.every((n) => n <= pmtu), `${what}: a datagram over ${pmtu}: ${sizes}`);
  assert.equal(json.max_datagram, Math.max(...sizes), `${what}: max_datagram is the largest datagram on the wire`);
}

// 100 as well: there the PSK flight 5 (105 bytes: ClientKeyExchange, CCS, Finished) must be split.
const CASES: Array<[number, "psk" | "rpk"]> = [[127, "psk"], [127, "rpk"], [140, "psk"], [140, "rpk"], [100, "psk"]];
for (const [pmtu, cred] of CASES) {
  {
    test(`PMTU ${pmtu}, ${cred === "psk" ? "PSK" : "ECDHE-ECDSA, mutual raw public keys"}, gnutls-serv --mtu ${pmtu}: handshake and an echo of the largest record, no datagram of ours over ${pmtu}`, async () => {
      const s = await gnutls(cred, pmtu);
      const relay = await UdpRelay.start(s.port);
      try {
        const text = "x".repeat(maxWrite(pmtu));
        const r = await runProgram(PROGRAMS["dtls-client"][0], [...PROGRAMS["dtls-client"].slice(1), `127.0.0.1:${relay.port}`,
          ...(cred === "psk" ? PSK_ARGS : rpkArgs()), "--pmtu", String(pmtu), "--send", text, "--json"]);
        assert.equal(r.code, 0, r.stderr + s.output);
        assert.equal(r.json.received, text, "the echo came back");
        if (cred === "rpk") assert.equal(r.json.client_auth, true);
        assertWithin(relay, pmtu, r.json, "dtls-client");
        assert.equal(r.json.max_datagram, pmtu, "the largest record fills a datagram exactly");
        const sent = relay.sentBy("client");
        const hellos = hellosOf(sent);
        assert.equal(hellos.length, 2, "ClientHello, then again with the cookie (each whole: clientHelloOf checks)");
        assert.deepEqual(hellos[1].suites, hellos[0].suites, "the cookie ClientHello keeps the suites (RFC 6347 4.2.1)");
        assert.deepEqual(hellos[1].sessionId, hellos[0].sessionId);
        // Flight 5 was spread over datagrams, and the server's flight, cut to its MTU, was
        // reassembled.
        const ours = sent.flatMap((d) => parseRecords(d)).filter((x) => x.type === 22 && x.epoch === 0)
          .flatMap((x) => handshakeFragments(x.payload));
        if (pmtu === 100) {
          const flight5 = sent.filter((d) => parseRecords(d).some((x) => x.type === 20 || (x.type === 22 && x.payload[0] === 16) || x.epoch === 1));
          assert.ok(flight5.length >= 2, `flight 5 and close_notify in ${flight5.length} datagrams`);
        }
        if (cred === "rpk") {
          for (const type of [11, 16, 15]) assert.ok(ours.some((f) => f.type === type), `handshake message ${type} sent`);
          const flight5 = sent.filter((d) => parseRecords(d).some((x) => x.type === 22 && [11, 15, 16].includes(x.payload[0])));
          assert.ok(flight5.length >= 3, `Certificate, ClientKeyExchange, CertificateVerify in ${flight5.length} datagrams`);
        }
        const theirs = relay.sentBy("server").flatMap((d) => parseRecords(d)).filter((x) => x.type === 22 && x.epoch === 0)
          .flatMap((x) => handshakeFragments(x.payload));
        if (cred === "rpk") assert.ok(theirs.some((f) => f.body.length < f.length), "the server fragmented its flight");
        assert.ok(relay.sentBy("server").every((d) => d.length <= pmtu), "gnutls kept to its --mtu");
      } finally {
        relay.close();
      }
    });
  }
}

test("PMTU 127, mutual raw public keys: the ClientHellos leave out what they can spare, in order; all three programs agree with the wire", async () => {
  const s = await gnutls("rpk", 127);
  for (const [name, cmd] of Object.entries(PROGRAMS)) {
    const relay = await UdpRelay.start(s.port);
    try {
      const r: CliResult = await runProgram(cmd[0], [...cmd.slice(1), `127.0.0.1:${relay.port}`, ...rpkArgs(),
        "--pmtu", "127", "--send", "small", "--json"], 60000);
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.equal(r.json.received, "small", name);
      assertWithin(relay, 127, r.json, name);
      const [first, second] = hellosOf(relay.sentBy("client"));
      // Without cookie the ClientHello is 117 bytes on the wire, 16 more with gnutls' cookie.
      // In the first, renegotiation_info became the SCSV so that even its shortest form has
      // room for a 32-byte cookie (the second must keep its suites: RFC 6347 4.2.1).
      assert.ok(first.suites.includes(SCSV) && !extTypes(first).includes(EXT_RENEGOTIATION_INFO), `${name}: SCSV in the first`);
      assert.ok(extTypes(first).includes(EXT_POINT_FORMATS), `${name}: the first still has ec_point_formats`);
      assert.ok(!extTypes(second).includes(EXT_POINT_FORMATS), `${name}: the cookie ClientHello leaves ec_point_formats out`);
      assert.ok(extTypes(second).includes(EXT_MFL), `${name}: max_fragment_length kept`);
      assert.equal(relay.sentBy("client")[1].length, 127 - 3, `${name}: ${relay.sentBy("client")[1].length}`);
    } finally {
      relay.close();
    }
  }
});

test("a lost flight 5 is sent again within the PMTU", async () => {
  const s = await gnutls("rpk", 127);
  let dropped = 0;
  // Drop the first copy of our Finished's datagram: the server never sees it, we resend flight 5.
  const relay = await UdpRelay.start(s.port, (d, from) =>
    from === "client" && dropped === 0 && parseRecords(d).some((x) => x.type === 22 && x.epoch === 1) ? (dropped++, null) : d);
  try {
    const r = await runProgram(process.execPath, [CLI, `127.0.0.1:${relay.port}`, ...rpkArgs(), "--pmtu", "127",
      "--rto", "300", "--send", "after loss", "--json"]);
    assert.equal(r.code, 0, r.stderr + s.output);
    assert.equal(r.json.received, "after loss");
    assert.ok(r.json.flights_retransmitted >= 1, "flight 5 was retransmitted");
    assertWithin(relay, 127, r.json, "with a retransmission");
    const finished = relay.sentBy("client").filter((d) => parseRecords(d).some((x) => x.type === 22 && x.epoch === 1));
    assert.ok(finished.length >= 2, "our Finished went twice");
  } finally {
    relay.close();
  }
});

test("session resumption at small PMTUs: at 140 the session ID fits (PSK resumes); at 127 it is left out and a full handshake follows, without error", async () => {
  for (const [pmtu, resumes] of [[140, true], [127, false]] as const) {
    const s = await gnutls("psk", pmtu);
    const relay = await UdpRelay.start(s.port);
    try {
      const opts = { psk: { identity: Buffer.from(PSK_IDENTITY), key: Buffer.from(PSK_HEX, "hex") }, resume: true, pmtu, rtoMs: 1000 };
      let engine: DtlsEngine | undefined;
      for (let i = 0; i < 2; i++) {
        const c = new UdpDtlsClient("127.0.0.1", relay.port, engine ?? opts);
        engine = c.engine;
        try {
          await c.connect();
          c.write(Buffer.from(`conn ${i}`));
          assert.equal((await c.readOne(5000))?.toString(), `conn ${i}`);
        } finally {
          await c.close();
        }
      }
      assert.equal(engine!.info(codes.INFO_RESUMED), resumes ? 1 : 0, `PMTU ${pmtu}`);
      const hellos = hellosOf(relay.sentBy("client"));
      assert.equal(hellos.length, 4);
      assert.equal(hellos[2].sessionId.length, resumes ? 32 : 0, `PMTU ${pmtu}: the second connection's offer`);
      assert.deepEqual(hellos[3].sessionId, hellos[2].sessionId, "the cookie ClientHello repeats it");
      assert.ok(relay.sentBy("client").every((d) => d.length <= pmtu), `PMTU ${pmtu}: a datagram too large`);
    } finally {
      relay.close();
    }
  }
});

test("a ClientHello that cannot fit (a 255-byte server name at PMTU 127): pmtu_too_small, nothing sent, in all three programs", async () => {
  const sink = await bindLoopbackUdp();
  const got: Buffer[] = [];
  sink.on("message", (m) => got.push(m));
  try {
    const sni = `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}`;
    assert.equal(sni.length, 255);
    for (const [name, cmd] of Object.entries(PROGRAMS)) {
      const r = await runProgram(cmd[0], [...cmd.slice(1), `127.0.0.1:${sink.address().port}`, ...PSK_ARGS, "--sni", sni,
        "--pmtu", "127", "--json"]);
      assert.equal(r.code, 1, `${name}: ${r.stderr}`);
      assert.equal(r.json.reason, "pmtu_too_small", name);
      assert.equal(r.json.max_datagram, 0, `${name}: nothing sent`);
      assert.match(r.stderr, /does not fit the PMTU/, name);
    }
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(got.length, 0, "no datagram left any program");
  } finally {
    sink.close();
  }
});

test("a cookie that leaves no room in the second ClientHello: pmtu_too_small, and it is not sent", () => {
  const sent: Buffer[] = [];
  const engine = new DtlsEngine({ psk: { identity: Buffer.from(PSK_IDENTITY), key: Buffer.from(PSK_HEX, "hex") }, pmtu: 127 },
    (d) => sent.push(Buffer.from(d)));
  engine.connect();
  assert.equal(sent.length, 1);
  assert.equal(sent[0].length, 83, "the PSK ClientHello");
  // HelloVerifyRequest (RFC 6347 4.2.1) with a 60-byte cookie: 83 + 60 - 5 (max_fragment_length) > 127.
  const hvr = Buffer.concat([Buffer.from([0xfe, 0xff, 60]), Buffer.alloc(60, 7)]);
  engine.receive(record(22, 0, 0, handshake(3, 0, hvr)));
  assert.equal(engine.state, codes.STATE_FAILED);
  assert.equal(engine.wasm.dtls_last_error(), codes.REASON_PMTU_TOO_SMALL);
  assert.equal(sent.length, 1, "no second ClientHello, no alert");
  assert.equal(engine.info(codes.INFO_MAX_DATAGRAM_SENT), 83);
});

test("a cookie that fits once max_fragment_length is left out of the second ClientHello", () => {
  const sent: Buffer[] = [];
  const engine = new DtlsEngine({ psk: { identity: Buffer.from(PSK_IDENTITY), key: Buffer.from(PSK_HEX, "hex") }, pmtu: 127 },
    (d) => sent.push(Buffer.from(d)));
  engine.connect();
  const hvr = Buffer.concat([Buffer.from([0xfe, 0xff, 49]), Buffer.alloc(49, 7)]);
  engine.receive(record(22, 0, 0, handshake(3, 0, hvr)));
  assert.equal(engine.state, codes.STATE_HANDSHAKING);
  assert.equal(sent.length, 2);
  assert.equal(sent[1].length, 83 + 49 - 5, "exactly the PMTU");
  const [first, second] = hellosOf(sent);
  assert.ok(extTypes(first).includes(EXT_MFL));
  assert.ok(!extTypes(second).includes(EXT_MFL), "max_fragment_length left out");
  assert.deepEqual(second.suites, first.suites);
  assert.equal(engine.info(codes.INFO_MAX_DATAGRAM_SENT), 127);
});
