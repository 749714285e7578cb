// The emulated link in real time against a real server (gnutls-serv --echo on 127.0.0.1):
// host/emulator/realtime.ts and `dtls-client emulate --server`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGnuTls, PSK_IDENTITY, PSK_HEX } from "./support/servers";
import { runCli } from "./support/cli";

test("emulate --server: through a link losing 30 % of the client's datagrams, in real time, to gnutls-serv", async () => {
  const dir = mkdtempSync(join(tmpdir(), "emulate-rt-"));
  let lossy = 0;
  for (const seed of ["1", "3"]) {
    // A server per run: gnutls-serv serves one client at a time, and a lost close_notify
    // would keep it on the last one.
    const server = await startGnuTls();
    try {
      const traceFile = join(dir, `${seed}.jsonl`);
      const r = await runCli(["emulate", "--server", `127.0.0.1:${server.port}`, "--psk-identity", PSK_IDENTITY, "--psk", PSK_HEX,
        "--loss-up", "0.3", "--rto", "200", "--timeout", "5000", "--seed", seed, "--trace-out", traceFile, "--json", "--quiet"], 30000);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.json.time, "real");
      assert.equal(r.json.completed, true);
      assert.equal(r.json.reply, true, "gnutls-serv echoed the data");
      // Each client datagram the link lost during the handshake cost a retransmission.
      const events = readFileSync(traceFile, "utf8").trim().split("\n").map((l) => JSON.parse(l));
      const lost = events.filter((e) => e.dir === "c>s" && e.what === "lose" && e.t < r.json.handshake_ms).length;
      assert.ok(r.json.client_retransmissions >= lost, `seed ${seed}: ${r.json.client_retransmissions} retransmissions, ${lost} lost`);
      assert.equal(events.filter((e) => e.what === "client flight-retransmitted").length, r.json.client_retransmissions);
      if (lost > 0) lossy++;
    } finally {
      await server.stop();
    }
  }
  assert.ok(lossy >= 2, "the seeds lost datagrams");
});
