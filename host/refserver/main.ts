// node dist/host/refserver/main.js --port N [options]: the reference DTLS 1.2 server from the
// command line. Prints "listening on 127.0.0.1:PORT", then one line per event.
import { readFileSync } from "node:fs";
import { X509Certificate, createPublicKey } from "node:crypto";
import { RefServerUdp } from "./udp";
import { RefServerOptions, ServerChain } from "./server";

const USAGE = `usage: refserver [--host ADDR] [--port N]
  --psk HEX --psk-identity ID   a PSK (repeat the pair for more)   --psk-hint TEXT
  --cert FILE --key FILE        an X.509 chain (PEM, end-entity first) and its key (repeat for trusted_ca_keys)
  --root FILE                   the trust anchor of the last --cert (default: its last certificate)
  --rpk                         offer our key as a raw public key (RFC 7250)   --raw-key FILE (default: the first --key)
  --client-auth none|request|require   --client-ca FILE   --client-key FILE (public key PEM, repeatable) | --client-key any
  --no-hvr   --mtu N   --rto MS   --require-ems   --no-mfl   --no-echo   --max-peers N
  --cached-info [--cached-info-hash certificate_list|certificates|either]   --cert-url   --trusted-ca-keys
  --prefer-psk   --verbose`;

export function pemCertificates(file: string): Buffer[] {
  const text = readFileSync(file, "latin1");
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map((m) => new X509Certificate(m[0]).raw);
}

export function parseArgs(argv: string[]): { opts: RefServerOptions; host: string; port: number; verbose: boolean } {
  const opts: RefServerOptions = {};
  const psk: Record<string, Buffer> = {};
  const chains: ServerChain[] = [];
  let host = "127.0.0.1", port = 0, verbose = false, pendingKey: string | null = null, pendingPsk: Buffer | null = null, pendingId: string | null = null;
  const chainParts: Array<{ chain?: Buffer[]; key?: string; root?: Buffer }> = [];
  const last = () => { if (!chainParts.length) chainParts.push({}); return chainParts[chainParts.length - 1]; };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { const v = argv[++i]; if (v === undefined) throw new Error(`${a} needs a value`); return v; };
    switch (a) {
      case "--host": host = val(); break;
      case "--port": port = Number(val()); break;
      case "--psk": pendingPsk = Buffer.from(val(), "hex"); break;
      case "--psk-identity": pendingId = val(); break;
      case "--psk-hint": opts.pskHint = Buffer.from(val()); break;
      case "--cert": { const l = last(); if (l.chain) chainParts.push({ chain: pemCertificates(val()) }); else l.chain = pemCertificates(val()); break; }
      case "--key": { const l = last(); if (l.key) chainParts.push({ key: readFileSync(val(), "latin1") }); else l.key = readFileSync(val(), "latin1"); break; }
      case "--root": last().root = pemCertificates(val())[0]; break;
      case "--rpk": opts.rpk = true; break;
      case "--raw-key": pendingKey = readFileSync(val(), "latin1"); break;
      case "--client-auth": { const v = val(); if (v !== "none" && v !== "request" && v !== "require") throw new Error("--client-auth none|request|require"); opts.clientAuth = v; break; }
      case "--client-ca": opts.clientCa = [...(opts.clientCa ?? []), ...pemCertificates(val())]; break;
      case "--client-key": { const v = val(); opts.clientKeys = v === "any" ? "any" : [...(opts.clientKeys === "any" || !opts.clientKeys ? [] : opts.clientKeys),
        createPublicKey(readFileSync(v, "latin1")).export({ type: "spki", format: "der" }) as Buffer]; break; }
      case "--no-hvr": opts.hvr = false; break;
      case "--mtu": opts.mtu = Number(val()); break;
      case "--rto": opts.rtoMs = Number(val()); break;
      case "--require-ems": opts.requireEms = true; break;
      case "--no-mfl": opts.mfl = false; break;
      case "--no-echo": opts.echo = false; break;
      case "--max-peers": opts.maxPeers = Number(val()); break;
      case "--cached-info": opts.cachedInfo = true; break;
      case "--cached-info-hash": { const v = val(); if (v !== "certificate_list" && v !== "certificates" && v !== "either") throw new Error("--cached-info-hash certificate_list|certificates|either"); opts.cachedInfoHash = v; break; }
      case "--cert-url": opts.certUrl = true; break;
      case "--trusted-ca-keys": opts.trustedCaKeys = true; break;
      case "--prefer-psk": opts.suites = [0xc0a8, 0xc0ae]; break;
      case "--verbose": verbose = true; break;
      case "--help": case "-h": throw new Error(USAGE);
      default: throw new Error(`unknown option ${a}\n${USAGE}`);
    }
    if (pendingPsk && pendingId !== null) { psk[pendingId] = pendingPsk; pendingPsk = null; pendingId = null; }
  }
  if (pendingPsk) psk["Client_identity"] = pendingPsk; // openssl s_client's default identity
  if (Object.keys(psk).length) opts.psk = psk;
  for (const p of chainParts) {
    if (!p.chain || !p.key) throw new Error("each --cert needs its --key");
    chains.push({ chain: p.chain, key: p.key, root: p.root });
  }
  if (chains.length) opts.chains = chains;
  if (pendingKey) opts.rawKey = pendingKey;
  if (!opts.psk && !opts.chains && !opts.rawKey) throw new Error(`no credentials: --psk, --cert/--key or --raw-key\n${USAGE}`);
  return { opts, host, port, verbose };
}

async function main(): Promise<void> {
  let args;
  try { args = parseArgs(process.argv.slice(2)); } catch (e) { console.error((e as Error).message); process.exit(2); }
  const udp = await RefServerUdp.start(args.opts, { host: args.host, port: args.port });
  const s = udp.server;
  s.on("handshake", (i) => console.log(`handshake ${i.peer} suite=0x${i.suite.toString(16)} ems=${i.ems} sni=${i.sni ?? "-"} mfl=${i.mfl ?? "-"}` +
    ` server_cert=${i.serverCertType ?? "-"} client_cert=${i.clientCertType ?? "-"} cached_info=${i.cachedInfoUsed} cert_url=${i.certUrlUsed}` +
    ` chain=${i.chainIndex ?? "-"} psk_identity=${i.pskIdentity ?? "-"}`));
  s.on("data", (peer, d) => console.log(args.verbose ? `data ${peer} ${JSON.stringify(d.toString("latin1"))}` : d.toString("latin1").replace(/\n$/, "")));
  s.on("alert", (a) => console.log(`alert ${a.sent ? "sent to" : "from"} ${a.peer} level=${a.level} description=${a.description}${a.reason ? ` (${a.reason})` : ""}`));
  if (args.verbose) s.on("close", (p) => console.log(`close ${p}`));
  console.log(`listening on ${args.host}:${udp.port}`);
  const stop = () => { void udp.close().then(() => process.exit(0)); };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (require.main === module) void main();
