// dtls-client: the DTLS 1.2 (RFC 7925) client on the command line.
//   dtls-client HOST:PORT --psk-identity ID --psk HEX [--sni NAME]
//     [--mfl 512|1024|2048|4096|off] [--rto MS] [--pmtu BYTES] [--send TEXT] [--json] [--verbose]
// Exit codes: 0 done, 1 the connection failed, 2 bad usage or configuration.
import { createInterface } from "node:readline";
import { ConfigError, DtlsError, EngineOptions } from "./engine";
import { UdpDtlsClient } from "./udp-client";
import * as codes from "./codes";
import { readPrivateKey, readServerPin } from "./keys";

const USAGE = `usage: dtls-client HOST:PORT (--psk-identity ID --psk HEX | --rpk --server-key KEY [--key FILE]) [options]
  --psk-identity ID   PSK identity (1 to 128 bytes)
  --psk HEX           pre-shared key in hex (1 to 64 bytes)
  --rpk               raw public keys (RFC 7250) with TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8
  --server-key KEY    the server's P-256 public key: a PEM file, or the hex SHA-256 of its SubjectPublicKeyInfo
  --key FILE          our P-256 private key (PEM), sent when the server asks for client authentication
  --sni NAME          send server_name (RFC 6066)
  --mfl N|off         max_fragment_length to offer: 512 (default), 1024, 2048, 4096, off
  --rto MS            initial retransmission timeout (default 9000, RFC 7925 s. 11)
  --timeout MS        give up on a flight after MS (default 7 x the initial timeout)
  --pmtu BYTES        largest datagram to send (default 1232)
  --require-ems       refuse servers without extended master secret (RFC 7627)
  --send TEXT         send TEXT once connected, print the reply, close
  --wait MS           how long to wait for replies after sending (default 5000)
  --json              print one JSON summary at the end
  --verbose           log the core's messages to stderr
  --seed TEXT         deterministic "random" bytes (tests only: never in production)
  --software-aes      make the HAL report no hardware AES (exercise the core's AES)
  --wasm FILE         module to run (default build/dtls.wasm)`;

class UsageError extends Error {}

interface CliArgs {
  host: string;
  port: number;
  engine: EngineOptions;
  send?: string;
  waitMs: number;
  json: boolean;
  verbose: boolean;
}

function parseTarget(target: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(target) ?? /^([^:]+):(\d+)$/.exec(target);
  if (!m) throw new UsageError(`expected HOST:PORT, got "${target}"`);
  const port = Number(m[2]);
  if (port < 1 || port > 65535) throw new UsageError(`port out of range: ${m[2]}`);
  return { host: m[1] === "localhost" ? "127.0.0.1" : m[1], port };
}

function parseInteger(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${name} needs a whole number, got "${value}"`);
  return Number(value);
}

export function parseArgs(argv: string[]): CliArgs {
  const engine: EngineOptions = {};
  let target: string | undefined;
  let identity: string | undefined;
  let pskHex: string | undefined;
  let rpk = false;
  let keyFile: string | undefined;
  let serverKey: string | undefined;
  const out: Partial<CliArgs> = { waitMs: 5000, json: false, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case "--psk-identity": identity = value(); break;
      case "--psk": pskHex = value(); break;
      case "--sni": engine.sni = value(); break;
      case "--mfl": {
        const v = value();
        engine.mfl = v === "off" ? 0 : parseInteger(a, v);
        if (![0, 512, 1024, 2048, 4096].includes(engine.mfl)) throw new UsageError(`--mfl must be 512, 1024, 2048, 4096 or off, got "${v}"`);
        break;
      }
      case "--rto": engine.rtoMs = parseInteger(a, value()); break;
      case "--timeout": engine.budgetMs = parseInteger(a, value()); break;
      case "--pmtu": engine.pmtu = parseInteger(a, value()); break;
      case "--require-ems": engine.requireEms = true; break;
      case "--rpk": rpk = true; break;
      case "--key": keyFile = value(); break;
      case "--server-key": serverKey = value(); break;
      case "--send": out.send = value(); break;
      case "--wait": out.waitMs = parseInteger(a, value()); break;
      case "--json": out.json = true; break;
      case "--verbose": out.verbose = true; break;
      case "--seed": engine.seed = value(); break;
      case "--software-aes": engine.hardwareAes = false; break;
      case "--wasm": engine.wasmPath = value(); break;
      case "-h": case "--help": throw new UsageError("");
      default:
        if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
        if (target !== undefined) throw new UsageError(`unexpected argument "${a}"`);
        target = a;
    }
  }
  if (target === undefined) throw new UsageError("missing HOST:PORT");
  if ((identity === undefined) !== (pskHex === undefined)) throw new UsageError("--psk-identity and --psk go together");
  if (!rpk && (keyFile !== undefined || serverKey !== undefined)) throw new UsageError("--key and --server-key need --rpk");
  if (rpk && serverKey === undefined) throw new UsageError("--rpk needs --server-key (the server's key is pinned, RFC 7925 s. 4.3)");
  if (!rpk && identity === undefined) throw new UsageError("--psk-identity and --psk are required (or --rpk)");
  if (identity !== undefined && pskHex !== undefined) {
    if (!/^([0-9a-fA-F]{2})+$/.test(pskHex)) throw new UsageError(`--psk must be hex digits (an even number of them), got "${pskHex}"`);
    const id = Buffer.from(identity, "utf8");
    if (id.length > 128) throw new UsageError(`--psk-identity is ${id.length} bytes; RFC 7925 clients allow at most 128`);
    if (id.length === 0) throw new UsageError("--psk-identity must not be empty");
    const key = Buffer.from(pskHex, "hex");
    if (key.length > 64) throw new UsageError(`--psk is ${key.length} bytes; at most 64 are supported`);
    engine.psk = { identity: id, key };
  }
  if (rpk) engine.rpk = { serverPin: readServerPin(serverKey!), privateKey: keyFile === undefined ? undefined : readPrivateKey(keyFile) };
  return { ...parseTarget(target), engine, ...out } as CliArgs;
}

async function run(args: CliArgs): Promise<number> {
  const say = (line: string) => (args.json ? process.stderr : process.stdout).write(line + "\n");
  if (args.verbose) args.engine.log = (level, line) => process.stderr.write(`[core ${level}] ${line}\n`);
  const client = new UdpDtlsClient(args.host, args.port, args.engine);
  let flightsIn = 0, flightsOut = 0;
  client.onFlight = (e) => {
    if (e === "flight-sent") say(`-> flight ${++flightsOut} sent`);
    else if (e === "flight-received") say(`<- flight ${++flightsIn} received`);
    else say(`-> flight ${flightsOut} retransmitted`);
  };
  const received: Buffer[] = [];
  client.onData = (d) => { received.push(d); if (!args.json) process.stdout.write(d); };
  let error: unknown = null;
  try {
    await client.connect();
    say(`connected: ${JSON.stringify(client.engine.summary().cipher)}, mfl ${client.engine.info(codes.INFO_MFL) || "none"}`);
    if (args.send !== undefined) {
      client.write(Buffer.from(args.send, "utf8"));
      await waitForReply(client, args.waitMs, () => received.length > 0);
    } else {
      const rl = createInterface({ input: process.stdin, terminal: false });
      for await (const line of rl) {
        if (client.state !== codes.STATE_CONNECTED) break;
        client.write(Buffer.from(line + "\n", "utf8"));
      }
      await waitForReply(client, Math.min(args.waitMs, 1000), () => false);
    }
    if (client.state !== codes.STATE_CONNECTED && client.state !== codes.STATE_CLOSED) throw client.engine.failure();
  } catch (e) {
    error = e;
  }
  const summary = { ...client.engine.summary(), received: Buffer.concat(received).toString("utf8") };
  await client.close();
  if (args.json) {
    const failure = error instanceof DtlsError ? { error: error.message, reason: error.reason, alert: error.alert } : {};
    process.stdout.write(JSON.stringify({ ...summary, ...failure }) + "\n");
  }
  if (error) {
    if (error instanceof DtlsError) { process.stderr.write(`dtls-client: handshake failed: ${error.message}\n`); return 1; }
    throw error;
  }
  return 0;
}

function waitForReply(client: UdpDtlsClient, ms: number, done: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const start = Date.now();
    const tick = () => {
      if (done() || Date.now() - start >= ms || client.state !== codes.STATE_CONNECTED) resolve();
      else setTimeout(tick, 10);
    };
    tick();
  });
}

export async function main(argv: string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
    return await run(args);
  } catch (e) {
    if (e instanceof UsageError) {
      if (e.message) process.stderr.write(`dtls-client: ${e.message}\n`);
      process.stderr.write(USAGE + "\n");
      return e.message ? 2 : 0;
    }
    if (e instanceof ConfigError) { process.stderr.write(`dtls-client: ${e.message}\n`); return 2; }
    process.stderr.write(`dtls-client: ${(e as Error).stack ?? e}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
