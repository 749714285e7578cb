// The state table: every input in every client state gets the response the RFCs
// prescribe (an alert, a flight, a transition, or a silent drop), and never a forbidden
// transition. The observations come from tests/support/state-probe.ts; the expectations
// below are written from RFC 5246, RFC 6347 and RFC 7925, independently of the core.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { observeAll, renderTable, STATES, INPUTS, ProbeState } from "./support/state-probe";
import { observeEcdhe, renderEcdheTable, EcdheStep } from "./support/state-probe-ecdhe";

const UNEXPECTED = "sends fatal unexpected_message → failed";
const HANDSHAKING: ProbeState[] = ["wait_server_hello", "wait_server_flight", "wait_ticket", "wait_change_cipher_spec", "wait_finished"];

/** The one legal answer to each handshake message in the state that expects it. */
const LEGAL: Record<string, Partial<Record<ProbeState, string>>> = {
  "ServerHello": { wait_server_hello: "→ wait_server_flight" },
  "HelloVerifyRequest": { wait_server_hello: "sends ClientHello" },          // RFC 6347 4.2.1
  "ServerKeyExchange (PSK hint)": { wait_server_flight: "no response" },     // waits for ServerHelloDone
  "ServerHelloDone": { wait_server_flight: "sends ClientKeyExchange, ChangeCipherSpec, Finished → wait_change_cipher_spec" },
  "Finished (correct)": { wait_finished: "→ connected" },
  "Finished (wrong)": { wait_finished: "sends fatal decrypt_error → failed" }, // RFC 5246 7.4.9
  // RFC 5077 3.3: announced by the ServerHello, before the server's ChangeCipherSpec; taken
  // in, the client still waits for that ChangeCipherSpec.
  "NewSessionTicket": { wait_ticket: "no response" },
};

function expected(state: ProbeState, input: string): string {
  if (state === "closed" || state === "failed") return "no response";     // nothing after the end
  const handshaking = HANDSHAKING.includes(state);
  const isHandshakeMessage = INPUTS.find((i) => i.name === input)!.type === 22;
  if (input === "HelloRequest") return handshaking ? "no response" : "sends warning no_renegotiation"; // 5246 7.4.1.1, 7925 s. 17
  if (isHandshakeMessage) {
    const legal = LEGAL[input]?.[state];
    if (legal) return legal;
    // After the handshake the server's last flight may still be retransmitted: never acted on.
    return handshaking ? UNEXPECTED : "no response";
  }
  switch (input) {
    // An unauthenticated or out-of-place ChangeCipherSpec is dropped (RFC 6347 4.1: records
    // may be lost, reordered or injected); only the expected one moves to epoch 1.
    case "ChangeCipherSpec": return state === "wait_change_cipher_spec" ? "→ wait_finished" : "drop";
    case "warning alert (unrecognized_name)": return "noted";                  // RFC 7925 s. 6
    case "close_notify": return handshaking ? "→ failed" : "sends warning close_notify → closed"; // 5246 7.2.1
    case "fatal alert (handshake_failure)": return "→ failed";
    case "application data": return handshaking ? "drop" : "delivered";        // only after Finished
    case "heartbeat request (negotiated)": return handshaking ? "drop" : "sends HeartbeatResponse"; // RFC 6520 s. 3: answered only once connected
    default: return "drop";  // heartbeat not negotiated (RFC 6520 s. 2), unknown content types
  }
}

const observations = observeAll();

test("every input in every state gets the response the RFCs prescribe", () => {
  const wrong = observations.filter((o) => o.response !== expected(o.state, o.input))
    .map((o) => `${o.input} in ${o.state}: got "${o.response}", expected "${expected(o.state, o.input)}"`);
  assert.deepEqual(wrong, []);
  assert.equal(observations.length, STATES.length * INPUTS.length);
});

test("no forbidden transition: only the correct Finished in wait_finished connects; failures come with an alert", () => {
  for (const o of observations) {
    if (o.response.includes("→ connected")) assert.deepEqual([o.input, o.state], ["Finished (correct)", "wait_finished"]);
    if (o.response.includes("→ failed") && !o.input.includes("alert") && o.input !== "close_notify") {
      assert.match(o.response, /^sends fatal \w+ → failed$/, `${o.input} in ${o.state} failed without one fatal alert`);
    }
  }
});

test("docs/STATE_TABLE.md is the table the module produces (regenerate: make state-table)", () => {
  const doc = readFileSync(join(__dirname, "..", "..", "docs", "STATE_TABLE.md"), "utf8");
  assert.ok(doc.includes(renderTable(observations)), "docs/STATE_TABLE.md is stale: run `make state-table`");
});

// The ECDHE_ECDSA server flight (RFC 5246 7.3 order; Certificate and ServerKeyExchange are
// required with this suite, RFC 8422 s. 2): each message only right after its predecessor.
const ECDHE_LEGAL: Record<string, Partial<Record<EcdheStep, string>>> = {
  "Certificate (the pinned key)": { "after ServerHello": "no response" },
  // RFC 7925 s. 6: with raw public keys a key that is not the pinned one is handshake_failure.
  "Certificate (another key)": { "after ServerHello": "sends fatal handshake_failure → failed" },
  "ServerKeyExchange (signed by the server)": { "after Certificate": "no response" },
  "ServerKeyExchange (bad signature)": { "after Certificate": "sends fatal decrypt_error → failed" },
  "CertificateRequest": { "after ServerKeyExchange": "no response" },
  "ServerHelloDone": {
    "after ServerKeyExchange": "sends ClientKeyExchange, ChangeCipherSpec, Finished",
    // Asked for a certificate without a key: an empty Certificate, no CertificateVerify (5246 7.4.6).
    "after CertificateRequest": "sends Certificate, ClientKeyExchange, ChangeCipherSpec, Finished",
  },
};

function expectedEcdhe(step: EcdheStep, input: string): string {
  if (input === "ChangeCipherSpec" || input === "application data") return "drop";
  return ECDHE_LEGAL[input]?.[step] ?? UNEXPECTED;
}

test("the ECDHE_ECDSA server flight: every message only in its place, each refusal with its alert", () => {
  const ecdhe = observeEcdhe();
  const wrong = ecdhe.filter((o) => o.response !== expectedEcdhe(o.step, o.input))
    .map((o) => `${o.input} ${o.step}: got "${o.response}", expected "${expectedEcdhe(o.step, o.input)}"`);
  assert.deepEqual(wrong, []);
  const doc = readFileSync(join(__dirname, "..", "..", "docs", "STATE_TABLE.md"), "utf8");
  assert.ok(doc.includes(renderEcdheTable(ecdhe)), "docs/STATE_TABLE.md is stale: run `make state-table`");
});
