// Real DTLS servers on 127.0.0.1, started and stopped by the tests.
import { spawn, execFileSync, ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash } from "node:crypto";
import { createSocket, Socket } from "node:dgram";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const PSK_IDENTITY = "device-0001";
export const PSK_HEX = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

/** A UDP socket bound to an ephemeral port of 127.0.0.1 (the tests' own servers). */
export async function bindLoopbackUdp(): Promise<Socket> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => { socket.off("error", reject); resolve(); });
  });
  return socket;
}

/** A UDP port free right now on 127.0.0.1. */
export async function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket("udp4");
    s.once("error", reject);
    s.bind(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export class ServerProcess {
  output = "";
  private exited = false;
  constructor(readonly proc: ChildProcessWithoutNullStreams, readonly port: number) {
    proc.stdout.on("data", (d) => { this.output += d.toString(); });
    proc.stderr.on("data", (d) => { this.output += d.toString(); });
    proc.on("exit", () => { this.exited = true; });
  }
  /** Resolves when the output contains text (or rejects after ms). */
  async waitFor(text: string | RegExp, ms = 5000): Promise<void> {
    const start = Date.now();
    const has = () => (typeof text === "string" ? this.output.includes(text) : text.test(this.output));
    while (!has()) {
      if (Date.now() - start > ms) throw new Error(`server output never showed ${text}:\n${this.output}`);
      if (this.exited) throw new Error(`server exited before showing ${text}:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  /** Types a line into the server's stdin (s_server sends it to the client). */
  type(line: string): void { this.proc.stdin.write(line + "\n"); }
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise((r) => this.proc.once("exit", r));
    this.proc.kill("SIGTERM");
    await Promise.race([gone, new Promise((r) => setTimeout(r, 2000))]);
    if (!this.exited) this.proc.kill("SIGKILL");
  }
}

export interface OpenSslOptions { psk?: string; identity?: string; version?: "-dtls1_2" | "-dtls1" | "-dtls"; cipher?: string; extra?: string[] }

/** openssl s_server in DTLS mode with -listen, so the cookie exchange always runs. */
export async function startOpenSsl(o: OpenSslOptions = {}): Promise<ServerProcess> {
  const port = await freeUdpPort();
  const args = [
    "s_server", o.version ?? "-dtls1_2", "-listen", "-accept", String(port), "-nocert",
    "-psk", o.psk ?? PSK_HEX, "-psk_identity", o.identity ?? PSK_IDENTITY,
    "-cipher", o.cipher ?? "PSK-AES128-CCM8", ...(o.extra ?? []),
  ];
  const server = new ServerProcess(spawn("openssl", args), port);
  await server.waitFor("ACCEPT");
  return server;
}

export interface GnuTlsOptions { psk?: string; identity?: string; echo?: boolean; hint?: string; extra?: string[] }

/** The priority string allowing only DTLS 1.2 + PSK + AES-128-CCM-8. */
export const GNUTLS_PSK_CCM8 = "NONE:+VERS-DTLS1.2:+PSK:+AES-128-CCM-8:+AEAD:+COMP-NULL:+SIGN-ALL:+CTYPE-ALL";

export async function startGnuTls(o: GnuTlsOptions = {}): Promise<ServerProcess> {
  const port = await freeUdpPort();
  const dir = mkdtempSync(join(tmpdir(), "gnutls-psk-"));
  const pskFile = join(dir, "psk.txt");
  writeFileSync(pskFile, `${o.identity ?? PSK_IDENTITY}:${o.psk ?? PSK_HEX}\n`);
  const args = [
    "--udp", "-p", String(port), "--pskpasswd", pskFile, "--priority", GNUTLS_PSK_CCM8,
    ...(o.echo === false ? [] : ["--echo"]), ...(o.hint ? ["--pskhint", o.hint] : []), ...(o.extra ?? []),
  ];
  const server = new ServerProcess(spawn("gnutls-serv", args), port);
  await server.waitFor("listening");
  return server;
}

/** GnuTLS priority: DTLS 1.2, ECDHE-ECDSA, AES-128-CCM-8, P-256, raw public keys only. */
export const GNUTLS_RPK_CCM8 = "NORMAL:-VERS-ALL:+VERS-DTLS1.2:-CIPHER-ALL:+AES-128-CCM-8:-MAC-ALL:+AEAD:" +
  "-KX-ALL:+ECDHE-ECDSA:-GROUP-ALL:+GROUP-SECP256R1:-SIGN-ALL:+SIGN-ECDSA-SHA256:-CTYPE-ALL:+CTYPE-CLI-RAWPK:+CTYPE-SRV-RAWPK";

export interface KeyPair { key: string; pub: string; dir: string }

/** A fresh P-256 key pair from `openssl genpkey`, as PEM files. */
export function generateKeyPair(name: string): KeyPair {
  const dir = mkdtempSync(join(tmpdir(), `p256-${name}-`));
  const key = join(dir, `${name}.key`);
  const pub = join(dir, `${name}.pub`);
  execFileSync("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key], { stdio: "ignore" });
  execFileSync("openssl", ["pkey", "-in", key, "-pubout", "-out", pub], { stdio: "ignore" });
  return { key, pub, dir };
}

/** SHA-256 of a public key's SubjectPublicKeyInfo, computed by openssl (hex). */
export function spkiSha256(pub: string): string {
  const der = execFileSync("openssl", ["pkey", "-pubin", "-in", pub, "-outform", "DER"]);
  return createHash("sha256").update(der).digest("hex");
}

export async function startGnuTlsRpk(server: KeyPair, o: { requireClientKey?: boolean; extra?: string[] } = {}): Promise<ServerProcess> {
  const port = await freeUdpPort();
  const args = ["--udp", "--echo", "-p", String(port), "--rawpkkeyfile", server.key, "--rawpkfile", server.pub,
    "--priority", GNUTLS_RPK_CCM8, ...(o.requireClientKey ? ["--require-client-cert"] : []), ...(o.extra ?? [])];
  const s = new ServerProcess(spawn("gnutls-serv", args), port);
  await s.waitFor("listening");
  return s;
}
