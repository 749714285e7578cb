// `dtls-client emulate`: one handshake and one exchange of data over an emulated link, in
// virtual time against host/refserver's RefServer, or in real time against a real server
// (--server HOST:PORT); prints the timeline and a JSON summary.
// Node only (the emulator is the Node harness's). Exit codes as dtls-client: 0 done,
// 1 the handshake or the exchange failed, 2 bad usage.
import { appendFileSync, writeFileSync } from "node:fs";
import { KeylogWriter } from "../keylog";
import { VIRTUAL_PORTS, traceLines, writePcap } from "./capture";
import { emulate, Emulated } from "./emulate";
import { emulateRealtime, udpServer } from "./realtime";
import { cpuModel, CPU_MHZ, HANDSHAKE_MINSTR } from "./cpu";
import { DirectionParams } from "./link";
import { EngineOptions } from "../engine";
import { readPrivateKey, readServerPin } from "../keys";
import { LinkProfile, PROFILES, PROFILE_NAMES } from "./profiles";
import { refServer } from "./servers";
import { emulateFleet } from "./fleet";

export const EMULATE_USAGE = `usage: dtls-client emulate [options]
  one emulated handshake + data exchange in virtual time against the reference server
  --profile NAME      link: ${PROFILE_NAMES.join(", ")} (default lan)
  --seed TEXT         seeds the link, the client's and the server's random bytes (default 1)
  --loss P            datagram loss, both directions, 0 to 1 (--loss-up, --loss-down: one)
  --delay MS          one-way delay; --jitter MS: plus uniform 0..MS
  --reorder P         probability a datagram is held --reorder-ms (default: delay + jitter) more
  --duplicate P       probability a datagram arrives twice
  --corrupt P         probability one bit of a datagram flips
  --mtu BYTES         largest datagram the link carries (the client's PMTU too)
  --bandwidth BPS     bits per second (0 = unlimited)
  --OPTION-up, --OPTION-down   any of the link's options above (--delay-up, --mtu-down, ...)
                      for one direction only: client -> server (up) or server -> client (down)
  --rto MS            the client's initial retransmission timer (default 9000, RFC 7925 s. 11)
  --server-rto MS     the server's initial retransmission timer (default: as --rto)
  --timeout MS        the client's per-flight give-up time (default 63000: RFC 7925 s. 11's
                      worst case for both 9 s and 1 s; the module's own default is 7 x --rto)
  --rpk               ECDHE-ECDSA with mutual raw public keys (default PSK); signatures are
                      randomized, so only PSK runs repeat byte for byte
  --no-hvr            the server sends no HelloVerifyRequest
  --server HOST:PORT  a real DTLS server instead, in real time (not repeatable: the seed fixes
                      the link's draws only); with --psk-identity ID --psk HEX, or with --rpk
                      --server-key FILE|SHA256HEX [--key FILE] (P-256 PEM, as dtls-client's)
  --cpu PART:BACKEND  charge the client's compute: PART ${Object.keys(CPU_MHZ).join(", ")}; BACKEND ${Object.keys(HANDSHAKE_MINSTR).join(", ")}
  --send TEXT         application data sent once connected (default "hello"); its echo is awaited
  --limit S           virtual seconds before the run stops (default 200)
  --trace-out FILE    the trace as JSON lines (every datagram's bytes)
  --pcap FILE         the client's datagrams (sent, and received when the link delivered them)
                      as a pcap file, with virtual timestamps (0 = connect)
  --keylog FILE       the NSS key log (CLIENT_RANDOM line) so Wireshark/tshark decrypt the capture
  --trace             each record and handshake message the client sent or received, decoded,
                      one line each, after its (virtual) time
  --clients N         an emulated fleet: N devices (each its own module instance and link, seeds
                      SEED/i) against one reference server, one handshake + --send each; prints
                      the fleet's report (host/emulator/fleet.ts); with --spread S: devices
                      start at seeded times within S virtual seconds (default 10)
  --json              only the JSON summary on stdout (the timeline goes to stderr)
  --quiet             no timeline
  --wasm PATH         the module (default build/dtls.wasm)
`;

class Usage extends Error {}

/** The link's options: the parameter each sets and its range (--X-up / --X-down: one direction). */
const LINK_OPTIONS: Record<string, [keyof DirectionParams, number, number]> = {
  "--loss": ["loss", 0, 1], "--delay": ["delayMs", 0, 3600e3], "--jitter": ["jitterMs", 0, 3600e3],
  "--reorder": ["reorder", 0, 1], "--reorder-ms": ["reorderMs", 0, 3600e3], "--duplicate": ["duplicate", 0, 1],
  "--corrupt": ["corrupt", 0, 1], "--mtu": ["mtu", 64, 1536], "--bandwidth": ["bandwidthBps", 0, 1e10],
};

const number = (option: string, v: string | undefined, min: number, max: number): number => {
  const n = v !== undefined && /^[0-9]+(\.[0-9]+)?$/.test(v) ? Number(v) : NaN;
  if (!(n >= min && n <= max)) throw new Usage(`${option} needs a number from ${min} to ${max}, not ${v ?? "nothing"}`);
  return n;
};

export async function emulateMain(argv: string[]): Promise<number> {
  try {
    return await run(argv);
  } catch (e) {
    if (e instanceof Usage) { process.stderr.write(`dtls-client emulate: ${e.message}\n${EMULATE_USAGE}`); return 2; }
    throw e;
  }
}

async function run(argv: string[]): Promise<number> {
  let profile: LinkProfile = PROFILES.lan;
  const both: Partial<DirectionParams> = {};
  const up: Partial<DirectionParams> = {};
  const down: Partial<DirectionParams> = {};
  let seed = "1", rto = 9000, budget = 63000, serverRto: number | undefined, rpk = false, hvr = true, json = false, quiet = false;
  let cpu: string | undefined, send = "hello", limit = 200, traceOut: string | undefined, wasm: string | undefined;
  let serverKey: string | undefined, keyFile: string | undefined;
  let pcap: string | undefined, keylog: string | undefined, traced = false, clients: number | undefined, spread = 10;
  let target: { host: string; port: number } | undefined, identity: string | undefined, pskHex: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => { if (i + 1 >= argv.length) throw new Usage(`${a} needs a value`); return argv[++i]; };
    const one = /^(--[a-z-]+?)-(up|down)$/.exec(a);
    if (one && LINK_OPTIONS[one[1]]) {
      const [key, min, max] = LINK_OPTIONS[one[1]];
      (one[2] === "up" ? up : down)[key] = number(a, v(), min, max);
      continue;
    }
    switch (a) {
      case "--profile": {
        const name = v();
        if (!PROFILES[name]) throw new Usage(`unknown profile ${name} (${PROFILE_NAMES.join(", ")})`);
        profile = PROFILES[name];
        break;
      }
      case "--seed": seed = v(); break;
      case "--loss": both.loss = number(a, v(), 0, 1); break;
      case "--loss-up": up.loss = number(a, v(), 0, 1); break;
      case "--loss-down": down.loss = number(a, v(), 0, 1); break;
      case "--delay": both.delayMs = number(a, v(), 0, 3600e3); break;
      case "--jitter": both.jitterMs = number(a, v(), 0, 3600e3); break;
      case "--reorder": both.reorder = number(a, v(), 0, 1); break;
      case "--reorder-ms": both.reorderMs = number(a, v(), 0, 3600e3); break;
      case "--duplicate": both.duplicate = number(a, v(), 0, 1); break;
      case "--corrupt": both.corrupt = number(a, v(), 0, 1); break;
      case "--mtu": both.mtu = number(a, v(), 64, 1536); break;
      case "--bandwidth": both.bandwidthBps = number(a, v(), 0, 1e10); break;
      case "--rto": rto = number(a, v(), 1, 3600e3); break;
      case "--timeout": budget = number(a, v(), 1, 86400e3); break;
      case "--server-rto": serverRto = number(a, v(), 1, 3600e3); break;
      case "--rpk": rpk = true; break;
      case "--no-hvr": hvr = false; break;
      case "--cpu": cpu = v(); break;
      case "--server": {
        const m = /^(.+):([0-9]{1,5})$/.exec(v());
        if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new Usage(`--server needs HOST:PORT, not ${argv[i]}`);
        target = { host: m[1] === "localhost" ? "127.0.0.1" : m[1].replace(/^\[(.*)\]$/, "$1"), port: Number(m[2]) };
        break;
      }
      case "--psk-identity": identity = v(); break;
      case "--psk": pskHex = v(); break;
      case "--server-key": serverKey = v(); break;
      case "--key": keyFile = v(); break;
      case "--send": send = v(); break;
      case "--limit": limit = number(a, v(), 1, 86400); break;
      case "--trace-out": traceOut = v(); break;
      case "--pcap": pcap = v(); break;
      case "--clients": clients = number(a, v(), 1, 2000); break;
      case "--spread": spread = number(a, v(), 0, 86400); break;
      case "--keylog": keylog = v(); break;
      case "--trace": traced = true; break;
      case "--json": json = true; break;
      case "--quiet": quiet = true; break;
      case "--wasm": wasm = v(); break;
      case "-h": case "--help": process.stdout.write(EMULATE_USAGE); return 0;
      default: throw new Usage(`unknown option ${a}`);
    }
  }
  const link = withOverrides(profile, both, up, down);
  let model;
  if (cpu !== undefined) {
    const [part, backend] = cpu.split(":");
    try { model = cpuModel(part, backend ?? ""); } catch (e) { throw new Usage((e as Error).message); }
  }
  const pmtu = Math.min(link.up.mtu, link.down.mtu);
  const options = { seed, link: { ...link, pmtu }, data: Buffer.from(send, "utf8"), cpu: model, limitMs: limit * 1000 };
  const client: EngineOptions = { rtoMs: rto, budgetMs: budget, wasmPath: wasm };
  if (clients !== undefined) {
    if (target || pcap !== undefined || keylog !== undefined || traced || traceOut !== undefined) {
      throw new Usage("--clients runs in virtual time against the reference server, without --server, --pcap, --keylog, --trace or --trace-out");
    }
    if (!Number.isInteger(clients)) throw new Usage(`--clients needs a whole number, not ${clients}`);
    const r = emulateFleet({ ...options, clients, spreadMs: spread * 1000, client, server: { rtoMs: serverRto ?? rto, hvr, rpk } });
    const summary = { ...r, profile: profile.name, seed, rto_ms: rto, server_rto_ms: serverRto ?? rto, credential: rpk ? "rpk" : "psk",
      cpu: model?.name ?? null };
    process.stdout.write((json ? JSON.stringify(summary) : JSON.stringify(summary, null, 2)) + "\n");
    return r.completed === clients ? 0 : 1; // lost echoes are the link's (DTLS does not resend data)
  }
  // The files are refused before anything runs when they cannot be written (as dtls-client's).
  const writable = (file: string, mode: number) => {
    try { appendFileSync(file, "", { mode }); } catch { throw new Usage(`cannot write ${file}`); }
  };
  if (pcap !== undefined) writable(pcap, 0o600);
  if (keylog !== undefined) {
    writable(keylog, 0o600);
    const writer = new KeylogWriter(keylog);
    client.keylog = (random, master) => writer.write(random, master);
  }
  let out: Emulated;
  if (target) {
    if (cpu !== undefined) throw new Usage("--server runs without --cpu (the processing-time model is for virtual time)");
    let credentials: EngineOptions;
    if (rpk) {
      if (serverKey === undefined) throw new Usage("--server with --rpk needs --server-key FILE|SHA256HEX");
      try {
        credentials = { rpk: { serverPin: readServerPin(serverKey), privateKey: keyFile === undefined ? undefined : readPrivateKey(keyFile) } };
      } catch (e) { throw new Usage((e as Error).message); }
    } else {
      if (identity === undefined || pskHex === undefined || !/^([0-9a-fA-F]{2})+$/.test(pskHex)) {
        throw new Usage("--server needs --psk-identity ID and --psk HEX (or --rpk --server-key)");
      }
      credentials = { psk: { identity: Buffer.from(identity), key: Buffer.from(pskHex, "hex") } };
    }
    const real = await udpServer(target.host, target.port);
    try {
      out = await emulateRealtime({ ...options, client: { ...client, ...credentials }, server: real.factory });
    } finally {
      real.close();
    }
  } else {
    const server = refServer({ rpk, rtoMs: serverRto ?? rto, mtu: pmtu, hvr }, seed);
    out = emulate({ ...options, client: { ...client, ...server.credentials }, server: server.factory });
  }
  const { result, trace } = out;
  if (!quiet) (json ? process.stderr : process.stdout).write(trace.timeline().join("\n") + "\n");
  if (traceOut !== undefined) writeFileSync(traceOut, trace.jsonl());
  if (traced) process.stderr.write(traceLines(trace).map((l) => l + "\n").join(""));
  if (pcap !== undefined) writePcap(trace, pcap, { client: VIRTUAL_PORTS.client, server: target?.port ?? VIRTUAL_PORTS.server });
  const summary = { ...result, server: target ? `${target.host}:${target.port}` : "refserver", time: target ? "real" : "virtual",
    rto_ms: rto, flight_budget_ms: budget, server_rto_ms: target ? null : serverRto ?? rto, credential: rpk ? "rpk" : "psk", cpu: model?.name ?? null,
    link: { up: link.up, down: link.down } };
  process.stdout.write((json ? JSON.stringify(summary) : JSON.stringify(summary, null, 2)) + "\n");
  return result.completed && result.reply !== false ? 0 : 1;
}

/** The profile with the options' values; reorderMs defaults to delay + jitter. */
function withOverrides(p: LinkProfile, both: Partial<DirectionParams>, up: Partial<DirectionParams>, down: Partial<DirectionParams>): LinkProfile {
  const make = (d: DirectionParams, own: Partial<DirectionParams>): DirectionParams => {
    const out = { ...d, ...both, ...own };
    if (both.reorderMs === undefined && out.reorderMs === 0) out.reorderMs = out.delayMs + out.jitterMs;
    return out;
  };
  return { ...p, up: make(p.up, up), down: make(p.down, down) };
}
