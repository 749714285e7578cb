// The server flight of TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 with raw public keys, step by
// step: a fresh client is brought past ServerHello and then k of [Certificate,
// ServerKeyExchange, CertificateRequest] (RFC 5246 7.3 order), then gets one input. The
// server's messages are made here with node:crypto from RFC 8422 / RFC 7250, not by the core.
import { generateKeyPairSync, sign, KeyObject } from "node:crypto";
import * as codes from "../../host/codes";
import { DtlsEngine } from "../../host/engine";
import { describeAlert } from "../../host/names";
import { record, handshake, serverHelloBody, ext, parseRecords } from "./wire";

export const ECDHE_STEPS = ["after ServerHello", "after Certificate", "after ServerKeyExchange",
  "after CertificateRequest"] as const;
export type EcdheStep = typeof ECDHE_STEPS[number];

const SERVER_RANDOM = Buffer.alloc(32, 0xab);   // what serverHelloBody() writes

function keyPair(): { privateKey: KeyObject; spki: Buffer; point: Buffer } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  return { privateKey, spki, point: spki.subarray(spki.length - 65) };
}
const serverKey = keyPair();
const otherKey = keyPair();
const ephemeral = keyPair();

const ecdheHello = () => serverHelloBody({
  suite: codes.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,
  extensions: Buffer.concat([ext(23, Buffer.alloc(0)), ext(0xff01, Buffer.from([0])), ext(11, Buffer.from([1, 0])),
    ext(20, Buffer.from([2]))]),
});

function certificate(spki: Buffer): Buffer {
  const len = Buffer.alloc(3);
  len.writeUIntBE(spki.length, 0, 3);
  return Buffer.concat([len, spki]);
}

/** ServerKeyExchange: named_curve secp256r1, the ephemeral point, ecdsa_secp256r1_sha256. */
function serverKeyExchange(clientRandom: Buffer, signer: KeyObject, tamper = false): Buffer {
  const params = Buffer.concat([Buffer.from([3, 0, 23, 65]), ephemeral.point]);
  const sig = sign("sha256", Buffer.concat([clientRandom, SERVER_RANDOM, params]), { key: signer, dsaEncoding: "der" });
  if (tamper) sig[sig.length - 1] ^= 1;
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0x0403, 0);
  head.writeUInt16BE(sig.length, 2);
  return Buffer.concat([params, head, sig]);
}

const certificateRequest = () => Buffer.from([1, 64, 0, 2, 4, 3, 0, 0]);

interface EcdheInput { name: string; message: (clientRandom: Buffer) => [number, Buffer] | null; type?: number; raw?: Buffer }

export const ECDHE_INPUTS: EcdheInput[] = [
  { name: "Certificate (the pinned key)", message: () => [11, certificate(serverKey.spki)] },
  { name: "Certificate (another key)", message: () => [11, certificate(otherKey.spki)] },
  { name: "ServerKeyExchange (signed by the server)", message: (r) => [12, serverKeyExchange(r, serverKey.privateKey)] },
  { name: "ServerKeyExchange (bad signature)", message: (r) => [12, serverKeyExchange(r, serverKey.privateKey, true)] },
  { name: "CertificateRequest", message: () => [13, certificateRequest()] },
  { name: "ServerHelloDone", message: () => [14, Buffer.alloc(0)] },
  { name: "ServerHello (again)", message: () => [2, ecdheHello()] },
  { name: "Finished", message: () => [20, Buffer.alloc(12)] },
  { name: "ChangeCipherSpec", message: () => null, type: 20, raw: Buffer.from([1]) },
  { name: "application data", message: () => null, type: 23, raw: Buffer.from("early") },
];

const NAMES: Record<number, string> = { 11: "Certificate", 15: "CertificateVerify", 16: "ClientKeyExchange", 20: "Finished" };

/** A client (no key of its own) brought to `step` of the server's ECDHE flight; `probe` input next. */
export function probeEcdhe(step: EcdheStep, input: EcdheInput): { step: EcdheStep; input: string; response: string } {
  const sent: Buffer[] = [];
  const engine = new DtlsEngine({ rpk: { serverPin: serverKey.point }, seed: `ecdhe-${step}`, clock: () => 0 },
    (d) => sent.push(Buffer.from(d)));
  engine.connect();
  const clientRandom = parseRecords(sent[0])[0].payload.subarray(14, 46);
  const steps: Array<[number, Buffer]> = [[2, ecdheHello()], [11, certificate(serverKey.spki)],
    [12, serverKeyExchange(clientRandom, serverKey.privateKey)], [13, certificateRequest()]];
  const done = ECDHE_STEPS.indexOf(step) + 1;
  let seq = 0;
  for (const [t, body] of steps.slice(0, done)) engine.receive(record(22, 0, seq, handshake(t, seq++, body)));
  const before = { sent: sent.length, dropped: engine.info(codes.INFO_RECORDS_DROPPED), state: engine.state };
  const m = input.message(clientRandom);
  engine.receive(m ? record(22, 0, seq, handshake(m[0], seq, m[1])) : record(input.type!, 0, seq, input.raw!));
  const out: string[] = [];
  for (const r of sent.slice(before.sent).flatMap((x) => parseRecords(x))) {
    if (r.type === 21 && r.epoch === 0) out.push(describeAlert((1 << 16) | (r.payload[0] << 8) | r.payload[1])!.replace(/ sent$/, ""));
    else if (r.type === 20) out.push("ChangeCipherSpec");
    else if (r.type === 22) out.push(r.epoch === 0 ? NAMES[r.payload[0]] ?? `handshake ${r.payload[0]}` : "Finished");
    else out.push(`content ${r.type}`);
  }
  let response = out.length ? `sends ${[...new Set(out)].join(", ")}` : "";
  if (engine.state === codes.STATE_FAILED && before.state !== codes.STATE_FAILED) response += `${response ? " " : ""}→ failed`;
  if (!response) response = engine.info(codes.INFO_RECORDS_DROPPED) > before.dropped ? "drop" : "no response";
  return { step, input: input.name, response };
}

export function observeEcdhe() {
  return ECDHE_INPUTS.flatMap((i) => ECDHE_STEPS.map((s) => probeEcdhe(s, i)));
}

export function renderEcdheTable(observations: ReturnType<typeof observeEcdhe>): string {
  const cell = (s: string, i: string) => observations.find((o) => o.step === s && o.input === i)!.response;
  return [
    `| input \\ server flight so far | ${ECDHE_STEPS.join(" | ")} |`,
    `|---|${ECDHE_STEPS.map(() => "---").join("|")}|`,
    ...ECDHE_INPUTS.map((i) => `| ${i.name} | ${ECDHE_STEPS.map((s) => cell(s, i.name)).join(" | ")} |`),
  ].join("\n") + "\n";
}
