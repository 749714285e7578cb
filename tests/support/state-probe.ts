// Drives a fresh client into each handshake state against the scripted PSK server,
// delivers one input (a handshake message, ChangeCipherSpec, an alert, application data,
// heartbeat or an unknown content type) and observes the client's response: the alert it
// sends, the flight it sends, the state it moves to, or a silent drop. The state table of
// docs/STATE_TABLE.md and tests/state-table.test.ts are made from these observations.
import { createHash } from "node:crypto";
import * as codes from "../../host/codes";
import { DtlsEngine } from "../../host/engine";
import { describeAlert, stateName } from "../../host/names";
import { MockPskServer, prf } from "./mock-psk-server";
import { record, handshake, serverHelloBody, parseRecords, ext } from "./wire";

const key = Buffer.from("5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e", "hex");

// wait_ticket: wait_change_cipher_spec after a ServerHello that announced a NewSessionTicket
// (RFC 5077 3.2; the client with OPT_TICKETS), which has not come yet.
export const STATES = ["wait_server_hello", "wait_server_flight", "wait_ticket", "wait_change_cipher_spec", "wait_finished",
  "connected", "closed", "failed"] as const;
export type ProbeState = typeof STATES[number];

/** heartbeat: the client offers peer_allowed_to_send and the server's ServerHello accepts (RFC 6520). */
interface Input { name: string; type: number; body: (ctx: Ctx) => Buffer; heartbeat?: boolean }
interface Ctx { server: MockPskServer; nextSeq: number }

const hs = (t: number, body: (ctx: Ctx) => Buffer = () => Buffer.alloc(0)) =>
  (ctx: Ctx) => handshake(t, ctx.nextSeq, body(ctx));

/** The server's correct verify_data at this point of the scripted handshake. */
function serverVerify(server: MockPskServer): Buffer {
  const hash = createHash("sha256").update(Buffer.concat(server.transcript)).digest();
  return prf(server.master, "server finished", hash, 12);
}

export const INPUTS: Input[] = [
  { name: "HelloRequest", type: 22, body: hs(0) },
  { name: "ClientHello", type: 22, body: hs(1, () => Buffer.alloc(40)) },
  { name: "ServerHello", type: 22, body: hs(2, () => serverHelloBody()) },
  { name: "HelloVerifyRequest", type: 22, body: hs(3, () => Buffer.from([0xfe, 0xff, 2, 0xc0, 0x0c])) },
  { name: "NewSessionTicket", type: 22, body: hs(4, () => Buffer.from([0, 0, 0, 60, 0, 2, 1, 2])) },
  { name: "Certificate", type: 22, body: hs(11, () => Buffer.from([0, 0, 0])) },
  { name: "ServerKeyExchange (PSK hint)", type: 22, body: hs(12, () => Buffer.from([0, 0])) },
  { name: "CertificateRequest", type: 22, body: hs(13, () => Buffer.from([1, 64, 0, 2, 4, 3, 0, 0])) },
  { name: "ServerHelloDone", type: 22, body: hs(14) },
  { name: "CertificateVerify", type: 22, body: hs(15, () => Buffer.from([4, 3, 0, 0])) },
  { name: "ClientKeyExchange", type: 22, body: hs(16, () => Buffer.from([0, 0])) },
  { name: "Finished (correct)", type: 22, body: hs(20, (c) => (c.server.master ? serverVerify(c.server) : Buffer.alloc(12))) },
  { name: "Finished (wrong)", type: 22, body: hs(20, () => Buffer.alloc(12, 0xee)) },
  { name: "unknown handshake type 99", type: 22, body: hs(99) },
  { name: "ChangeCipherSpec", type: 20, body: () => Buffer.from([1]) },
  { name: "warning alert (unrecognized_name)", type: 21, body: () => Buffer.from([1, 112]) },
  { name: "close_notify", type: 21, body: () => Buffer.from([1, 0]) },
  { name: "fatal alert (handshake_failure)", type: 21, body: () => Buffer.from([2, 40]) },
  { name: "application data", type: 23, body: () => Buffer.from("early data") },
  { name: "heartbeat request (not negotiated)", type: 24, body: () => Buffer.from([1, 0, 16, ...Buffer.alloc(32)]) },
  { name: "heartbeat request (negotiated)", type: 24, body: () => Buffer.from([1, 0, 16, ...Buffer.alloc(32)]), heartbeat: true },
  { name: "unknown content type 99", type: 99, body: () => Buffer.from([1, 2, 3]) },
];

const HS_NAMES: Record<number, string> = {
  [codes.HS_IDLE]: "idle", [codes.HS_WAIT_SERVER_HELLO]: "wait_server_hello",
  [codes.HS_WAIT_SERVER_FLIGHT]: "wait_server_flight", [codes.HS_WAIT_CHANGE_CIPHER_SPEC]: "wait_change_cipher_spec",
  [codes.HS_WAIT_FINISHED]: "wait_finished", [codes.HS_DONE]: "connected",
};

const MESSAGE_NAMES: Record<number, string> = { 1: "ClientHello", 11: "Certificate", 16: "ClientKeyExchange", 15: "CertificateVerify", 20: "Finished" };

/** Where the client is, in the words of the table: the public state, or the handshake's. */
function where(engine: DtlsEngine): string {
  const s = engine.state;
  if (s === codes.STATE_HANDSHAKING) return HS_NAMES[engine.info(codes.INFO_HANDSHAKE_STATE)] ?? "handshaking";
  return stateName(s);
}

interface Driven { engine: DtlsEngine; sent: Buffer[]; server: MockPskServer; epoch: number; nextSeq: number }

/** A fresh client brought to `state` by a well-behaved scripted server. */
export function driveTo(state: ProbeState, heartbeat = false): Driven {
  const sent: Buffer[] = [];
  const ticket = state === "wait_ticket";
  const engine = new DtlsEngine({ psk: { identity: Buffer.from("probe"), key }, seed: `probe-${state}`, clock: () => 0,
    heartbeat: heartbeat ? 1 : 0, tickets: ticket }, (d) => sent.push(Buffer.from(d)));
  // MFL 512, EMS, renegotiation_info (serverHelloBody's), and the heartbeat or SessionTicket extension.
  const extra = [...(heartbeat ? [ext(15, Buffer.from([1]))] : []), ...(ticket ? [ext(35, Buffer.alloc(0))] : [])];
  const hello = extra.length > 0 ? { extensions: Buffer.concat([ext(1, Buffer.from([1])), ext(23, Buffer.alloc(0)),
    ext(0xff01, Buffer.from([0])), ...extra]) } : {};
  const server = new MockPskServer(key, hello);
  engine.connect();
  const d: Driven = { engine, sent, server, epoch: 0, nextSeq: 0 };
  if (state === "wait_server_hello") return d;
  if (state === "wait_server_flight") {
    const [ch] = parseRecords(sent[0]);
    server.clientRandom = Buffer.from(ch.payload.subarray(14, 46));
    engine.receive(record(22, 0, 0, handshake(2, 0, serverHelloBody(hello))));
    return { ...d, nextSeq: 1 };
  }
  engine.receive(server.answerClientHello(sent[0]));
  // The server takes our flight 5 (and so knows the keys) but answers only from here on.
  const { ccs, finished } = server.answerFinishedFlight(sent.slice(1));
  if (state === "wait_change_cipher_spec" || ticket) return { ...d, nextSeq: 2 };
  engine.receive(ccs);
  if (state === "wait_finished") return { ...d, epoch: 1, nextSeq: 2 };
  engine.receive(finished);
  if (state === "connected") return { ...d, epoch: 1, nextSeq: 3 };
  if (state === "closed") { engine.close(); return { ...d, epoch: 1, nextSeq: 3 }; }
  engine.receive(server.seal(21, Buffer.from([2, 80])));   // failed: the server's fatal alert
  return { ...d, epoch: 1, nextSeq: 3 };
}

export interface Observation { state: ProbeState; input: string; response: string }

/** Delivers one input in `state`, in a record of the state's epoch; describes the response. */
export function probe(state: ProbeState, input: Input): Observation {
  const d = driveTo(state, input.heartbeat);
  const { engine, sent, server } = d;
  const before = { where: where(engine), sent: sent.length, dropped: engine.info(codes.INFO_RECORDS_DROPPED),
    alert: engine.wasm.dtls_last_alert() };
  const payload = input.body({ server, nextSeq: d.nextSeq });
  engine.receive(d.epoch === 0 ? record(input.type, 0, 50, payload) : server.seal(input.type, payload));
  const out: string[] = [];
  for (const r of sent.slice(before.sent).flatMap((x) => parseRecords(x))) {
    const p = r.epoch === 0 ? r.payload : server.keys ? server.open(r) : null;
    if (!p) { out.push(r.type === 22 ? "Finished" : `protected content ${r.type}`); continue; }
    if (r.type === 21) out.push(describeAlert((1 << 16) | (p[0] << 8) | p[1])!.replace(/ sent$/, ""));
    else if (r.type === 20) out.push("ChangeCipherSpec");
    else if (r.type === 22) out.push(MESSAGE_NAMES[p[0]] ?? `handshake ${p[0]}`);
    else if (r.type === 24) out.push(p[0] === 2 ? "HeartbeatResponse" : `heartbeat ${p[0]}`);
    else out.push(`content ${r.type}`);
  }
  const after = where(engine);
  const received = engine.wasm.dtls_last_alert();
  let response = out.length ? `sends ${[...new Set(out)].join(", ")}` : "";
  if (after !== before.where) response += `${response ? " " : ""}→ ${after}`;
  if (!response) {
    if (engine.read() !== null) response = "delivered";
    else if (engine.info(codes.INFO_RECORDS_DROPPED) > before.dropped) response = "drop";
    else if (received !== before.alert && ((received >> 16) & 1) === 0) response = "noted";
    else response = "no response";
  }
  return { state, input: input.name, response };
}

export function observeAll(): Observation[] {
  const all: Observation[] = [];
  for (const input of INPUTS) for (const state of STATES) all.push(probe(state, input));
  return all;
}

/** The table as Markdown: one row per input, one column per state. */
export function renderTable(observations: Observation[]): string {
  const cell = (s: string, i: string) => observations.find((o) => o.state === s && o.input === i)!.response;
  const lines = [
    `| input \\ state | ${STATES.join(" | ")} |`,
    `|---|${STATES.map(() => "---").join("|")}|`,
    ...INPUTS.map((i) => `| ${i.name} | ${STATES.map((s) => cell(s, i.name)).join(" | ")} |`),
  ];
  return lines.join("\n") + "\n";
}
