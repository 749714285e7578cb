// More real DTLS servers on 127.0.0.1: our echo servers on Eclipse Californium Scandium,
// pion/dtls and tinydtls (tests/interop/*), built by `make interop-servers` (mk/interop.mk).
// Each start function takes a free port, waits for the server's "ready on" line and returns
// the process; the test stops it.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { freeUdpPort, KeyPair, PSK_HEX, PSK_IDENTITY, ServerProcess } from "./servers";
import { BUILD, ROOT } from "./paths";

const INTEROP = join(BUILD, "interop");
/** A JVM on a loaded 2-core machine can take a while to start; this only bounds the wait. */
const START_MS = 30000;

function needBuilt(path: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`make interop-servers\` first`);
}

async function start(cmd: string, args: string[], port: number): Promise<ServerProcess> {
  const s = new ServerProcess(spawn(cmd, args), port);
  try {
    await s.waitFor(`ready on 127.0.0.1:${port}`, START_MS);
  } catch (e) {
    await s.stop();
    throw e;
  }
  return s;
}

/** What Scandium's client authentication does (DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE). */
export type ClientAuth = "NONE" | "WANTED" | "NEEDED";

export interface ScandiumOptions {
  /** TLS_PSK_WITH_AES_128_CCM_8 with this identity and key (hex). */
  psk?: { identity: string; hex: string };
  /** TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 with this raw public key (RFC 7250). */
  rpk?: KeyPair;
  clientAuth?: ClientAuth;
  /** The only client key trusted (default: any). */
  trust?: string;
  ems?: "NONE" | "OPTIONAL" | "ENABLED" | "REQUIRED";
  /** The largest datagram the server sends. */
  mtu?: number;
  /** Several handshake messages in one record. */
  multiHandshakeRecords?: boolean;
  /** false: no HelloVerifyRequest (the server answers the first ClientHello). */
  helloVerify?: boolean;
}

/** Scandium (Californium 3.x) echo server, tests/interop/scandium/EchoServer.java. */
export async function startScandium(o: ScandiumOptions): Promise<ServerProcess> {
  const classes = join(INTEROP, "scandium", "classes");
  needBuilt(join(classes, ".compiled"));
  const port = await freeUdpPort();
  const args = ["-cp", `${classes}:${join(INTEROP, "scandium", "lib", "*")}`,
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "EchoServer", "--port", String(port)];
  if (o.psk) args.push("--psk", `${o.psk.identity}:${o.psk.hex}`);
  if (o.rpk) args.push("--key", o.rpk.key, "--pub", o.rpk.pub);
  if (o.clientAuth) args.push("--client-auth", o.clientAuth);
  if (o.trust) args.push("--trust", o.trust);
  if (o.ems) args.push("--ems", o.ems);
  if (o.mtu) args.push("--mtu", String(o.mtu));
  if (o.multiHandshakeRecords) args.push("--multi-handshake-records", "true");
  if (o.helloVerify === false) args.push("--hello-verify", "false");
  return start("java", args, port);
}

export interface PionOptions {
  identity?: string;
  hex?: string;
  /** Extended master secret (default require). */
  ems?: "require" | "request" | "disable";
  hint?: string;
  /** RFC 9146: the server's connection ID length (offered to clients that offer one). */
  cid?: number;
  /** RFC 9146: zero bytes of padding in each of the server's records with a CID. */
  pad?: number;
}

/** pion/dtls v3 echo server, tests/interop/pion/main.go (PSK only). */
export async function startPion(o: PionOptions = {}): Promise<ServerProcess> {
  const bin = join(INTEROP, "pion-echo-server");
  needBuilt(bin);
  const port = await freeUdpPort();
  const args = ["--port", String(port), "--psk", `${o.identity ?? PSK_IDENTITY}:${o.hex ?? PSK_HEX}`,
    "--ems", o.ems ?? "require", ...(o.hint ? ["--hint", o.hint] : []),
    ...(o.cid !== undefined ? ["--cid", String(o.cid)] : []), ...(o.pad ? ["--pad", String(o.pad)] : [])];
  return start(bin, args, port);
}

/** tinydtls echo server through PyPI's DTLSSocket, tests/interop/tinydtls/echo_server.py (PSK only). */
export async function startTinyDtls(o: { identity?: string; hex?: string } = {}): Promise<ServerProcess> {
  const python = join(INTEROP, "venv-tinydtls", "bin", "python");
  needBuilt(join(INTEROP, "venv-tinydtls", ".installed"));
  const port = await freeUdpPort();
  const args = [join(ROOT, "tests", "interop", "tinydtls", "echo_server.py"), "--port", String(port),
    "--psk", `${o.identity ?? PSK_IDENTITY}:${o.hex ?? PSK_HEX}`];
  return start(python, args, port);
}
