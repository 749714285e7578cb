// dtls-client: the DTLS 1.2 (RFC 7925) client on the command line. Its options, messages and
// exit codes are host/messages.json's, shared with boards/posix/main.c (dtls-posix) and
// tests/wasm3/dtls_wasm3.py: the three programs behave alike and say the same words.
// Exit codes: 0 done, 1 the connection failed (handshake or later), 2 bad usage or
// configuration, 3 --expect-reply and no reply within --wait.
import { createInterface } from "node:readline";
import { format } from "node:util";
import { readFileSync, writeFileSync } from "node:fs";
import { ConfigError, DtlsEngine, DtlsError, EngineOptions, SessionError } from "./engine";
import { UdpDtlsClient, resolveHost } from "./udp-client";
import * as codes from "./codes";
import { EXIT, MSG, NUMBERS, PROGRAM, USAGE } from "./messages";
import { readPrivateKey, readServerPin } from "./keys";
import { emulateMain } from "./emulator/cli";
import { KeylogWriter } from "./keylog";
import { PcapWriter } from "./pcap";
import { Tracer } from "./trace";
import { appendFileSync } from "node:fs";
import { fleetProgress, fleetText, isLoopback, runFleet } from "./fleet";
import { readPemCertificates } from "./certs";

/** A usage error: the message, then the usage text, exit code 2. */
class UsageError extends Error {}
class HelpRequested extends Error {}

const usage = (template: string, ...values: Array<string | number>) => new UsageError(format(template, ...values));

interface CliArgs {
  host: string;
  port: number;
  engine: EngineOptions;
  send?: string;
  expectReply: boolean;
  waitMs: number;
  json: boolean;
  verbose: boolean;
  /** --resume N: after the first connection, reconnect N times offering its session. */
  resume: number;
  sessionIn?: string;
  sessionOut?: string;
  /** --rebind-after MS: MS ms after the handshake, move to a new UDP socket (source port). */
  rebindAfter?: number;
  /** --keylog FILE, --pcap FILE, --trace: the debugging tools (host/keylog.ts, pcap.ts, trace.ts). */
  keylog?: string;
  pcap?: string;
  trace?: boolean;
}

/** HOST:PORT or [IPV6]:PORT; a port from 1 to 65535 (never 0, never wrapped modulo 65536). */
function parseTarget(target: string): { host: string; port: number } {
  const m = /^\[([^[\]]+)\]:([^:]*)$/.exec(target) ?? /^([^:[\]]+):([^:]*)$/.exec(target);
  if (!m) throw usage(MSG.bad_target, target);
  const port = /^[0-9]+$/.test(m[2]) ? Number(m[2]) : NaN;
  if (!(port >= 1 && port <= 65535)) throw usage(MSG.bad_port, m[2]);
  return { host: m[1] === "localhost" ? "127.0.0.1" : m[1], port };
}

/** A whole number within the option's range of host/messages.json. */
function wholeNumber(option: string, value: string): number {
  const { min, max, unit } = NUMBERS[option];
  const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) throw usage(MSG.bad_number, option, String(min), String(max), unit, value);
  return n;
}

export function parseArgs(argv: string[]): CliArgs {
  const engine: EngineOptions = {};
  let target: string | undefined;
  let identity: string | undefined;
  let pskHex: string | undefined;
  let rpk = false;
  let keyFile: string | undefined;
  let serverKey: string | undefined;
  // X.509 (RFC 7925 s. 4.4): in all three CLIs (dtls-posix: boards/posix/x509_cli.c).
  const caFiles: string[] = [];
  let certFile: string | undefined;
  let serverName: string | undefined;
  let time: string | undefined;
  let acceptUnknownTime = false;
  let cachedInfo = false, trustedCaKeys = false;
  let certUrl: string | undefined;
  const out: Partial<CliArgs> = { waitMs: 5000, json: false, verbose: false, expectReply: false, resume: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      if (i + 1 >= argv.length) throw usage(MSG.needs_value, a);
      return argv[++i];
    };
    switch (a) {
      case "--psk-identity": identity = value(); break;
      case "--psk": pskHex = value(); break;
      case "--sni": {
        const v = value();
        if (v === "") throw usage(MSG.sni_empty);
        engine.sni = v;
        break;
      }
      case "--mfl": {
        const v = value();
        if (!["off", "512", "1024"].includes(v)) throw usage(MSG.bad_mfl, v);
        engine.mfl = v === "off" ? 0 : Number(v);
        break;
      }
      case "--rto": engine.rtoMs = wholeNumber(a, value()); break;
      case "--timeout": engine.budgetMs = wholeNumber(a, value()); break;
      case "--pmtu": engine.pmtu = wholeNumber(a, value()); break;
      case "--require-ems": engine.requireEms = true; break;
      case "--rpk": rpk = true; break;
      case "--key": keyFile = value(); break;
      case "--server-key": serverKey = value(); break;
      case "--ca": caFiles.push(value()); break;
      case "--cert": certFile = value(); break;
      case "--servername": serverName = value(); break;
      case "--time": time = value(); break;
      case "--accept-unknown-time": acceptUnknownTime = true; break;
      case "--cached-info": cachedInfo = true; break;
      case "--cert-url": certUrl = value(); break;
      case "--trusted-ca-keys": trustedCaKeys = true; break;
      case "--send": out.send = value(); break;
      case "--expect-reply": out.expectReply = true; break;
      case "--wait": out.waitMs = wholeNumber(a, value()); break;
      case "--json": out.json = true; break;
      case "--verbose": out.verbose = true; break;
      case "--seed": engine.seed = value(); break;
      case "--software-aes": engine.hardwareAes = false; break;
      case "--hal-p256": engine.p256 = true; break;
      case "--resume": out.resume = wholeNumber(a, value()); engine.resume = true; break;
      case "--session-in": out.sessionIn = value(); break;
      case "--session-out": out.sessionOut = value(); engine.resume = true; break;
      case "--heartbeat": engine.heartbeatIntervalMs = wholeNumber(a, value()) * 1000; engine.heartbeat ??= 1; break;
      case "--heartbeat-mode": {
        const v = value();
        if (v !== "allow" && v !== "deny") throw usage(MSG.bad_heartbeat_mode, v);
        engine.heartbeat = v === "allow" ? 1 : 2;
        break;
      }
      case "--cid": engine.cid = wholeNumber(a, value()); break;
      case "--rebind-after": out.rebindAfter = wholeNumber(a, value()); break;
      case "--false-start": engine.falseStart = true; break;
      case "--tickets": engine.tickets = true; break;
      case "--wasm": engine.wasmPath = value(); break;
      case "--keylog": out.keylog = value(); break;
      case "--pcap": out.pcap = value(); break;
      case "--trace": out.trace = true; break;
      case "-h": case "--help": throw new HelpRequested();
      default:
        if (a.startsWith("-")) throw usage(MSG.unknown_option, a);
        if (target !== undefined) throw usage(MSG.unexpected_argument, a);
        target = a;
    }
  }
  // The same checks in the same order as dtls-posix and dtls_wasm3.py.
  if (target === undefined) throw usage(MSG.missing_target);
  const where = parseTarget(target);
  if ((identity === undefined) !== (pskHex === undefined)) throw usage(MSG.psk_pair);
  const x509 = caFiles.length > 0;
  if (!rpk && (serverKey !== undefined || (keyFile !== undefined && !x509))) throw usage(MSG.rpk_only);
  if (rpk && serverKey === undefined) throw usage(MSG.rpk_needs_server_key);
  if (!rpk && !x509 && identity === undefined) throw usage(MSG.credentials_required);
  if (!x509 && (certFile !== undefined || serverName !== undefined || time !== undefined || acceptUnknownTime ||
    cachedInfo || trustedCaKeys || certUrl !== undefined)) throw usage(MSG.x509_only);
  if (certUrl !== undefined && certFile === undefined) throw usage(MSG.cert_url_needs_cert);
  if (x509 && rpk) throw usage(MSG.x509_with_rpk);
  if (certFile !== undefined && keyFile === undefined) throw usage(MSG.cert_needs_key);
  if (time !== undefined && !/^(now|unknown|[0-9]+)$/.test(time)) throw usage(MSG.bad_time, time);
  if (out.expectReply && out.send === undefined) throw usage(MSG.expect_reply_needs_send);
  if (identity !== undefined && pskHex !== undefined) {
    const id = Buffer.from(identity, "utf8");
    if (id.length === 0) throw usage(MSG.identity_empty);
    if (id.length > 128) throw usage(MSG.identity_too_long, id.length);
    if (!/^([0-9a-fA-F]{2})+$/.test(pskHex)) throw usage(MSG.psk_not_hex, pskHex);
    const key = Buffer.from(pskHex, "hex");
    if (key.length > 64) throw usage(MSG.psk_too_long, key.length);
    engine.psk = { identity: id, key };
  }
  if (rpk) engine.rpk = { serverPin: readServerPin(serverKey!), privateKey: keyFile === undefined ? undefined : readPrivateKey(keyFile) };
  if (out.keylog !== undefined) {
    // Created (mode 0600) or appended to; refused now, before anything is sent, if it cannot be.
    const file = out.keylog;
    try { appendFileSync(file, "", { mode: 0o600 }); } catch { throw new ConfigError(format(MSG.keylog_unwritable, file)); }
    const writer = new KeylogWriter(file);
    engine.keylog = (random, master) => {
      try { writer.write(random, master); } catch { process.stderr.write(`${PROGRAM}: ${format(MSG.keylog_unwritable, file)}\n`); }
    };
  }
  if (x509) {
    engine.x509 = { anchors: caFiles.flatMap(readPemCertificates), chain: certFile === undefined ? undefined : readPemCertificates(certFile),
      privateKey: keyFile === undefined ? undefined : readPrivateKey(keyFile), peerName: serverName, acceptUnknownTime,
      cachedInfo, certUrl, trustedCaKeys };
    if (time === "unknown") engine.wallTime = null;
    else if (time !== undefined && time !== "now") engine.wallTime = Number(time);
  }
  if (out.sessionIn !== undefined) {
    try { engine.session = readFileSync(out.sessionIn); } catch { throw new ConfigError(format(MSG.session_unreadable, out.sessionIn)); }
  }
  return { ...where, engine, ...out } as CliArgs;
}

/** A configuration value the module refused: the words of host/messages.json. */
function configMessage(e: ConfigError, args: CliArgs): string {
  if (args.engine.sni !== undefined && e.message === `invalid server name: ${args.engine.sni}`) return format(MSG.sni_invalid, args.engine.sni);
  const peerName = args.engine.x509?.peerName;
  if (peerName !== undefined && e.message === `invalid server name: ${peerName}`) return format(MSG.sni_invalid, peerName);
  if (e instanceof SessionError) return format(MSG.session_refused, args.sessionIn, e.message);
  return e.message;
}

async function run(args: CliArgs): Promise<number> {
  // Text lines go to stdout, or to stderr when stdout carries the JSON summary.
  const say = (line: string) => (args.json ? process.stderr : process.stdout).write(line + "\n");
  if (args.verbose) args.engine.log = (level, line) => process.stderr.write(`[core ${level}] ${line}\n`);
  const address = await resolveHost(args.host);
  let client: UdpDtlsClient;
  try {
    client = new UdpDtlsClient(address, args.port, args.engine);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(configMessage(e, args));
    throw e;
  }
  // --pcap and --trace see every datagram of every connection (--resume, --rebind-after too).
  let pcap: PcapWriter | undefined;
  if (args.pcap !== undefined) {
    try { pcap = new PcapWriter(args.pcap); } catch { await client.close(); throw new ConfigError(format(MSG.pcap_unwritable, args.pcap)); }
  }
  const tracer = args.trace ? new Tracer(args.engine.cid) : undefined;
  const tap = (c: UdpDtlsClient) => {
    if (!pcap && !tracer) return;
    c.onWire = (direction, datagram, localPort, peerPort) => {
      pcap?.packet(datagram, direction === "sent" ? localPort : peerPort, direction === "sent" ? peerPort : localPort);
      for (const line of tracer?.lines(direction, datagram) ?? []) process.stderr.write(line + "\n");
    };
  };
  tap(client);
  let flightsIn = 0, flightsOut = 0;
  client.onFlight = (e) => {
    if (e === "flight-sent") say(`-> flight ${++flightsOut} sent`);
    else if (e === "flight-received") say(`<- flight ${++flightsIn} received`);
    else say(`-> flight ${flightsOut} retransmitted`);
  };
  const received: Buffer[] = [];
  client.onData = (d) => { received.push(d); if (!args.json) process.stdout.write(d); };
  let connected = false;
  let failure: DtlsError | null = null;
  let tooLarge: string | null = null;
  // With heartbeats the session lasts the whole --wait, a reply or not, so they can run.
  const hold = (args.engine.heartbeat ?? 0) !== 0;
  // --rebind-after: the source ports used, and the number of records sent with --send.
  const ports: number[] = [];
  let sends = 0;
  let rebindTimer: NodeJS.Timeout | undefined;
  const rebind = async () => {
    if (client.state !== codes.STATE_CONNECTED) return;
    const from = client.localPort;
    ports.push(await client.rebind());
    say(format(MSG.rebound, from, client.localPort));
  };
  try {
    // --false-start: --send goes as soon as the module allows, before the server's Finished.
    const early = args.engine.falseStart === true && args.send !== undefined;
    await client.connect(early);
    let sent = false;
    if (early && client.state === codes.STATE_HANDSHAKING) {
      const text = Buffer.from(args.send!, "utf8");
      if (text.length <= client.engine.info(codes.INFO_MAX_WRITE)) { client.write(text); sent = true; }
      await client.established();
    }
    connected = true;
    const connectedAt = Date.now();
    if (args.rebindAfter !== undefined) ports.push(client.localPort);
    say(format(MSG.connected, client.engine.summary().cipher, client.engine.info(codes.INFO_MFL) || "none"));
    if (args.send !== undefined) {
      const text = Buffer.from(args.send, "utf8");
      const max = client.engine.info(codes.INFO_MAX_WRITE);
      if (text.length > max) tooLarge = format(MSG.send_too_large, text.length, max);
      else {
        if (!sent) client.write(text);
        sends++;
        await waitFor(client, args.waitMs, () => !hold && received.length >= sends);
        if (args.rebindAfter !== undefined && client.state === codes.STATE_CONNECTED) {
          // Then the same again from the new port: the server must still know us (RFC 9146).
          await sleep(connectedAt + args.rebindAfter - Date.now());
          await rebind();
          if (client.state === codes.STATE_CONNECTED) {
            client.write(text);
            sends++;
            await waitFor(client, args.waitMs, () => received.length >= sends);
          }
        }
      }
    } else {
      if (args.rebindAfter !== undefined) rebindTimer = setTimeout(() => void rebind(), args.rebindAfter);
      const rl = createInterface({ input: process.stdin, terminal: false });
      for await (const line of rl) {
        if (client.state !== codes.STATE_CONNECTED) break;
        client.write(Buffer.from(line + "\n", "utf8"));
      }
      await waitFor(client, hold ? args.waitMs : Math.min(args.waitMs, 1000), () => false);
    }
  } catch (e) {
    clearTimeout(rebindTimer);
    if (!(e instanceof DtlsError)) { await client.close(); throw e; }
    failure = e;
  }
  clearTimeout(rebindTimer);
  if (client.state === codes.STATE_FAILED && failure === null) failure = client.engine.failure();
  await client.close(); // close_notify when still connected: the summary's state is then "closed"
  // With --rebind-after, a reply to each record sent (before and after the move).
  const replied = args.send !== undefined && tooLarge === null ? received.length > 0 && received.length >= sends : null;
  const first = client.engine.summary();
  // --resume N: the same module instance connects again, offering the session it kept.
  const reconnects: Array<Record<string, unknown>> = [];
  for (let i = 1; i <= args.resume && !failure && tooLarge === null; i++) {
    const r = await reconnect(address, args, client.engine, i, say, tap);
    reconnects.push(r.summary);
    if (r.failure) { failure = r.failure; connected = r.connected; }
  }
  if (args.sessionOut !== undefined) saveSession(client.engine, args.sessionOut, say);
  pcap?.close();
  if (args.json) {
    const summary = { ...first, received: Buffer.concat(received).toString("utf8"), reply: replied,
      ...(args.resume > 0 ? { reconnects } : {}), ...(args.rebindAfter !== undefined ? { source_ports: ports } : {}) };
    const failed = failure ? { error: failure.message, reason: failure.reason, alert: failure.alert } : {};
    process.stdout.write(JSON.stringify({ ...summary, ...failed }) + "\n");
  }
  if (failure) {
    process.stderr.write(`${PROGRAM}: ${format(connected ? MSG.connection_failed : MSG.handshake_failed, failure.message)}\n`);
    return EXIT.failed;
  }
  if (tooLarge !== null) {
    process.stderr.write(`${PROGRAM}: ${tooLarge}\n`);
    return EXIT.usage;
  }
  if (args.expectReply && !replied) {
    process.stderr.write(`${PROGRAM}: ${format(MSG.no_reply, args.waitMs)}\n`);
    return EXIT.no_reply;
  }
  return EXIT.done;
}

/** One more connection of the same module (--resume): handshake (resumed when the server
 *  accepts the session), --send and its reply, close. Its summary, and its failure if any. */
async function reconnect(address: string, args: CliArgs, engine: DtlsEngine, n: number, say: (line: string) => void,
    tap: (c: UdpDtlsClient) => void): Promise<{ summary: Record<string, unknown>; failure: DtlsError | null; connected: boolean }> {
  const client = new UdpDtlsClient(address, args.port, engine);
  tap(client);
  const received: Buffer[] = [];
  client.onData = (d) => { received.push(d); if (!args.json) process.stdout.write(d); };
  let failure: DtlsError | null = null;
  let connected = false;
  try {
    await client.connect();
    connected = true;
    const how = engine.info(codes.INFO_TICKET) === 1 ? "resumed with its session ticket" : engine.info(codes.INFO_RESUMED) === 1 ? "resumed" : "full handshake";
    say(format(MSG.reconnected, n, how));
    if (args.send !== undefined) {
      client.write(Buffer.from(args.send, "utf8"));
      await waitFor(client, args.waitMs, () => received.length > 0);
    }
  } catch (e) {
    if (!(e instanceof DtlsError)) { await client.close(); throw e; }
    failure = e;
  }
  if (client.state === codes.STATE_FAILED && failure === null) failure = engine.failure();
  await client.close();
  const s = engine.summary();
  const summary = { resumed: s.resumed, ticket: s.ticket, handshake_ms: s.handshake_ms, flights_sent: s.flights_sent,
    flights_received: s.flights_received, handshake_bytes_sent: s.handshake_bytes_sent,
    handshake_bytes_received: s.handshake_bytes_received, handshake_datagrams_sent: s.handshake_datagrams_sent,
    handshake_datagrams_received: s.handshake_datagrams_received, state: s.state, received: Buffer.concat(received).toString("utf8"),
    ...(failure ? { reason: failure.reason } : {}) };
  return { summary, failure, connected };
}

/** --session-out: the kept session, written only for its owner (it holds the master secret). */
function saveSession(engine: DtlsEngine, file: string, say: (line: string) => void): void {
  const blob = engine.exportSession();
  if (blob === null) { say(format(MSG.session_none, file)); return; }
  try {
    writeFileSync(file, blob, { mode: 0o600 });
  } catch {
    say(format(MSG.session_unwritable, file));
  } finally {
    blob.fill(0);
  }
}
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Resolves after ms, when done() holds, or when the connection is no longer up. */
function waitFor(client: UdpDtlsClient, ms: number, done: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const start = Date.now();
    const tick = () => {
      if (done() || Date.now() - start >= ms || client.state !== codes.STATE_CONNECTED) resolve();
      else setTimeout(tick, 10);
    };
    tick();
  });
}

/** dtls-client fleet HOST:PORT --clients N [--duration SECONDS] [--handshakes N] and the
 *  client's options (credentials, --mfl, --rto, --send ...): host/fleet.ts. */
async function fleet(argv: string[]): Promise<number> {
  const own: Record<string, number> = { "--duration": 10, "--handshakes": 0 };
  const ownNames = ["--clients", "--duration", "--handshakes", "--concurrent"];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (ownNames.includes(a)) {
      if (i + 1 >= argv.length) throw usage(MSG.needs_value, a);
      own[a] = wholeNumber(a, argv[++i]);
    } else if (["--keylog", "--pcap", "--trace", "--resume", "--session-in", "--session-out", "--rebind-after",
                "--expect-reply", "--false-start"].includes(a)) {
      throw usage(MSG.fleet_refuses, a);
    } else rest.push(a);
  }
  if (own["--clients"] === undefined) throw usage(MSG.fleet_needs_clients);
  const args = parseArgs(rest);
  const address = await resolveHost(args.host);
  if (!isLoopback(address)) throw new ConfigError(format(MSG.fleet_loopback_only, args.host));
  const tty = process.stderr.isTTY === true;
  const report = await runFleet({
    host: address, port: args.port, engine: args.engine, clients: own["--clients"], durationMs: own["--duration"] * 1000,
    handshakes: own["--handshakes"], concurrent: own["--concurrent"], send: args.send, waitMs: args.waitMs,
    progress: tty ? (r, left) => process.stderr.write(fleetProgress(r, left)) : undefined,
  });
  if (tty) process.stderr.write("\r\x1b[K");
  process.stdout.write(args.json ? JSON.stringify(report) + "\n" : fleetText(report, `${args.host}:${args.port}`));
  return report.failures > 0 || report.handshakes === 0 ? EXIT.failed : EXIT.done;
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === "emulate") return emulateMain(argv.slice(1)); // host/emulator: virtual time, Node only
  try {
    if (argv[0] === "fleet") return await fleet(argv.slice(1));
    return await run(parseArgs(argv));
  } catch (e) {
    if (e instanceof HelpRequested) { process.stdout.write(USAGE); return EXIT.done; }
    if (e instanceof UsageError) { process.stderr.write(`${PROGRAM}: ${e.message}\n${USAGE}`); return EXIT.usage; }
    if (e instanceof ConfigError) { process.stderr.write(`${PROGRAM}: ${e.message}\n`); return EXIT.usage; }
    process.stderr.write(`${PROGRAM}: ${(e as Error).stack ?? e}\n`);
    return EXIT.failed;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
