// Test PKIs made with the `openssl` command (issue 11): a root, a line of intermediates,
// server leaves (one dNSName, RFC 7925 s. 4.4.1) and client leaves (an EUI-64, s. 4.4.2),
// all P-256 / ecdsa-with-SHA256 (s. 4.4.4 Table 1), plus one chain for every refusal the
// issue lists, each with the reason, alert and failing certificate the validator must give.
// makePki() runs openssl once per process (two short commands per certificate) into a temp dir and
// returns the same PKI to every later caller.
import { execFileSync } from "node:child_process";
import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./paths";

/** One certificate: its PEM file, its key's PEM file, its DER bytes. */
export interface CertFile {
  name: string;
  pem: string;
  key: string;
  der: Buffer;
}

/** What a server (or a client) sends: certs[0] is the leaf, then the intermediates
 *  toward the root (RFC 5246 7.4.2 order); pem holds the same certificates in one file
 *  (for openssl s_server -cert / gnutls-serv --x509certfile), key the leaf's key. */
export interface Chain {
  name: string;
  certs: Buffer[];
  pem: string;
  key: string;
  /** The leaf alone, and the intermediates alone ("" when there are none), as PEM files
   *  (openssl s_server -cert LEAF -cert_chain INTERMEDIATES). */
  leafPem: string;
  intermediatesPem: string;
  /** The leaf's private key as the 32-byte P-256 scalar (empty for a non-EC leaf). */
  scalar: Buffer;
  /** The trust anchors the validator should be given (DER), and the same as one PEM file. */
  anchors: Buffer[];
  anchorPem: string;
  /** The reference name to check the leaf against (CHAIN_SERVER), "" for a client chain. */
  refName: string;
}

/** A chain the validator must refuse: the REASON_ constant's name (errors.ts), the alert
 *  description (RFC 5246 7.2.2) and the index of the certificate that fails (0 = leaf). */
export interface Refusal extends Chain {
  reason: string;
  alert: number;
  index: number;
}

export type RefusalName =
  | "unknownRoot" | "expired" | "notYetValid" | "wrongName" | "wildcard" | "twoNames" | "cnOnly"
  | "rsaKey" | "sha1" | "caWithoutCa" | "pathLen" | "noKeyCertSign" | "tooLong" | "tamperedSignature"
  | "criticalExtension" | "clientAuthOnly";

export interface Pki {
  dir: string;
  serverName: string;
  /** The client leaves' EUI-64, as written in their subjectAltName dNSName and CN. */
  eui64: string;
  root: CertFile;
  /** intermediates[0] is issued by the root, intermediates[i] by intermediates[i - 1]. */
  intermediates: CertFile[];
  /** server[n]: a server leaf issued by intermediates[n - 1] (the root for n = 0) and the
   *  n intermediates, n = 0..3 (1..4 certificates not counting the anchor: good chains
   *  while n < CHAIN_DEPTH_MAX); n = 4 is refusals.tooLong. */
  server: Chain[];
  /** client[n]: the same for client leaves (extendedKeyUsage clientAuth), n = 0..3. */
  client: Chain[];
  refusals: Record<RefusalName, Refusal>;
  /** More chains to accept: an intermediate without keyUsage (RFC 5280 6.1.4 (n) checks
   *  keyCertSign only when the extension is present), and a self-signed server certificate
   *  that is its own anchor, and a client leaf whose EUI-64 is only in its CN (RFC 7925
   *  s. 4.4.2 allows either place). */
  accepted: { caWithoutKeyUsage: Chain; selfSigned: Chain; clientEuiInCn: Chain };
}

// The core's chain limit (assembly/config.ts, the one source of truth): refusals.tooLong
// fails at this index.
export const CHAIN_DEPTH_MAX = Number(/CHAIN_DEPTH_MAX: i32 = (\d+)/.exec(
  readFileSync(join(ROOT, "assembly", "config.ts"), "utf8"))?.[1] ?? NaN);

export const ALERT_BAD_CERTIFICATE = 42;
export const ALERT_UNSUPPORTED_CERTIFICATE = 43;
export const ALERT_CERTIFICATE_EXPIRED = 45;
export const ALERT_CERTIFICATE_UNKNOWN = 46;
export const ALERT_UNKNOWN_CA = 48;

const CA_CONF = `[ca]
default_ca = d
[d]
database = ./index.txt
serial = ./serial
new_certs_dir = .
unique_subject = no
default_md = sha256
policy = p
email_in_dn = no
copy_extensions = none
[p]
commonName = optional
[req]
distinguished_name = dn
[dn]
`;
const CA_EXT = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n";
// Validity of the good certificates: notAfter 2049 is a UTCTime, 2051 a GeneralizedTime
// (RFC 5280 4.1.2.5), so both encodings are in every chain with an intermediate.
const GOOD_LEAF = ["20200101000000Z", "20491231235959Z"];
const GOOD_CA = ["20200101000000Z", "20510101000000Z"];

let cached: Pki | undefined;

export function makePki(): Pki {
  if (!cached) cached = build();
  return cached;
}

function build(): Pki {
  const dir = mkdtempSync(join(tmpdir(), "x509-pki-"));
  const serverName = "server.example";
  const eui64 = "02-00-5e-10-00-00-00-01";
  writeFileSync(join(dir, "ca.cnf"), CA_CONF);
  writeFileSync(join(dir, "index.txt"), "");
  writeFileSync(join(dir, "serial"), "01\n");
  const ssl = (args: string[]): Buffer => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });

  const key = (name: string, rsa = false): string => {
    // node:crypto makes the keys (openssl genpkey would cost a process each).
    const path = join(dir, `${name}.key`);
    const { privateKey } = rsa ? generateKeyPairSync("rsa", { modulusLength: 2048 })
      : generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    writeFileSync(path, privateKey.export({ format: "pem", type: "pkcs8" }));
    return path;
  };
  // Issues a certificate for `subject` with the extensions `ext` (openssl x509v3_config
  // lines), signed by `issuer` (self-signed when undefined).
  const issue = (name: string, subject: string, ext: string, issuer: CertFile | undefined,
    opts: { dates?: string[]; rsa?: boolean; md?: string } = {}): CertFile => {
    const k = key(name, opts.rsa);
    const csr = join(dir, `${name}.csr`);
    const extFile = join(dir, `${name}.ext`);
    const pem = join(dir, `${name}.pem`);
    writeFileSync(extFile, `[x]\n${ext}`);
    ssl(["req", "-new", "-config", "ca.cnf", "-key", k, "-subj", subject, "-out", csr]);
    const [start, end] = opts.dates ?? (ext.includes("CA:TRUE") ? GOOD_CA : GOOD_LEAF);
    ssl(["ca", "-batch", "-config", "ca.cnf", "-in", csr, "-out", pem, "-notext", "-preserveDN", "-rand_serial",
      "-startdate", start, "-enddate", end, "-extfile", extFile, "-extensions", "x", "-md", opts.md ?? "sha256",
      ...(issuer ? ["-cert", issuer.pem, "-keyfile", issuer.key] : ["-selfsign", "-keyfile", k])]);
    const der = pemToDers(readFileSync(pem, "latin1"))[0];
    return { name, pem, key: k, der };
  };
  const serverExt = (san: string, more = ""): string =>
    `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n${san ? `subjectAltName=${san}\n` : ""}${more}`;
  const clientExt = `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectAltName=DNS:${eui64}\n`;

  const root = issue("root", "/O=Test PKI/CN=Test Root", CA_EXT, undefined);
  const intermediates: CertFile[] = [];
  for (let i = 0; i < 4; i++) {
    intermediates.push(issue(`int${i + 1}`, `/O=Test PKI/CN=Test Intermediate ${i + 1}`, CA_EXT, i == 0 ? root : intermediates[i - 1]));
  }
  const issuerOf = (n: number): CertFile => (n == 0 ? root : intermediates[n - 1]);

  const chain = (name: string, leaf: CertFile, cas: CertFile[], refName: string, anchor: CertFile = root): Chain => {
    const certs = [leaf, ...cas];
    const pem = join(dir, `${name}.chain.pem`);
    writeFileSync(pem, certs.map((c) => readFileSync(c.pem, "latin1")).join(""), "latin1");
    const intermediatesPem = cas.length ? join(dir, `${name}.intermediates.pem`) : "";
    if (cas.length) writeFileSync(intermediatesPem, cas.map((c) => readFileSync(c.pem, "latin1")).join(""), "latin1");
    return { name, certs: certs.map((c) => c.der), pem, key: leaf.key, leafPem: leaf.pem, intermediatesPem, scalar: scalarOf(leaf.key), anchors: [anchor.der], anchorPem: anchor.pem, refName };
  };
  // The intermediates a leaf issued by issuerOf(n) comes with, nearest first.
  const line = (n: number): CertFile[] => intermediates.slice(0, n).reverse();

  const server: Chain[] = [];
  const client: Chain[] = [];
  for (let n = 0; n <= 4; n++) {
    server.push(chain(`server${n}`, issue(`server${n}`, "/O=Test PKI/CN=Test Server", serverExt(`DNS:${serverName}`), issuerOf(n)), line(n), serverName));
  }
  for (let n = 0; n <= 3; n++) {
    client.push(chain(`client${n}`, issue(`client${n}`, `/O=Test PKI/CN=${eui64}`, clientExt, issuerOf(n)), line(n), ""));
  }

  const int1 = intermediates[0];
  const bad = (name: RefusalName, reason: string, alert: number, index: number, c: Chain): Refusal =>
    ({ ...c, reason, alert, index });
  // A server leaf under intermediate 1 with something wrong with it.
  const badLeaf = (name: RefusalName, reason: string, alert: number, subject: string, ext: string,
    opts: { dates?: string[]; rsa?: boolean; md?: string } = {}): Refusal =>
    bad(name, reason, alert, 0, chain(name, issue(name, subject, ext, int1, opts), [int1], serverName));
  const cn = "/O=Test PKI/CN=Test Server";

  const otherRoot = issue("otherRoot", "/O=Other PKI/CN=Other Root", CA_EXT, undefined);
  const otherInt = issue("otherInt", "/O=Other PKI/CN=Other Intermediate", CA_EXT, otherRoot);
  const otherLeaf = issue("otherLeaf", cn, serverExt(`DNS:${serverName}`), otherInt);

  // A CA with basicConstraints cA FALSE, one with pathLen 0 above another CA, one whose
  // keyUsage lacks keyCertSign (RFC 5280 4.2.1.9, 4.2.1.3).
  const notCa = issue("notCa", "/O=Test PKI/CN=Not A CA", "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyCertSign\n", root);
  const notCaLeaf = issue("notCaLeaf", cn, serverExt(`DNS:${serverName}`), notCa);
  const pathLen0 = issue("pathLen0", "/O=Test PKI/CN=PathLen Zero", "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign\n", root);
  const underPathLen0 = issue("underPathLen0", "/O=Test PKI/CN=Below PathLen Zero", CA_EXT, pathLen0);
  const pathLenLeaf = issue("pathLenLeaf", cn, serverExt(`DNS:${serverName}`), underPathLen0);
  const noSign = issue("noSign", "/O=Test PKI/CN=No keyCertSign", "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature\n", root);
  const noSignLeaf = issue("noSignLeaf", cn, serverExt(`DNS:${serverName}`), noSign);

  // The leaf's last DER byte is the last byte of the signature's s: flip one bit of it.
  const tampered = chain("tamperedSignature", issueCopy(dir, "tampered", issue("tamperedSrc", cn, serverExt(`DNS:${serverName}`), int1)), [int1], serverName);

  const refusals: Record<RefusalName, Refusal> = {
    unknownRoot: bad("unknownRoot", "REASON_CERT_UNKNOWN_CA", ALERT_UNKNOWN_CA, 1, chain("unknownRoot", otherLeaf, [otherInt], serverName)),
    expired: badLeaf("expired", "REASON_CERT_EXPIRED", ALERT_CERTIFICATE_EXPIRED, cn, serverExt(`DNS:${serverName}`), { dates: ["20200101000000Z", "20210101000000Z"] }),
    notYetValid: badLeaf("notYetValid", "REASON_CERT_NOT_YET_VALID", ALERT_CERTIFICATE_EXPIRED, cn, serverExt(`DNS:${serverName}`), { dates: ["20450101000000Z", "20460101000000Z"] }),
    wrongName: badLeaf("wrongName", "REASON_CERT_NAME_MISMATCH", ALERT_BAD_CERTIFICATE, cn, serverExt("DNS:other.example")),
    wildcard: badLeaf("wildcard", "REASON_CERT_NAME_MISMATCH", ALERT_BAD_CERTIFICATE, cn, serverExt("DNS:*.example")),
    twoNames: badLeaf("twoNames", "REASON_CERT_NAME_MISMATCH", ALERT_BAD_CERTIFICATE, cn, serverExt(`DNS:${serverName},DNS:alt.example`)),
    cnOnly: badLeaf("cnOnly", "REASON_CERT_NAME_MISMATCH", ALERT_BAD_CERTIFICATE, `/O=Test PKI/CN=${serverName}`, serverExt("")),
    rsaKey: badLeaf("rsaKey", "REASON_CERT_UNSUPPORTED_ALGORITHM", ALERT_UNSUPPORTED_CERTIFICATE, cn, serverExt(`DNS:${serverName}`), { rsa: true }),
    sha1: badLeaf("sha1", "REASON_CERT_UNSUPPORTED_ALGORITHM", ALERT_UNSUPPORTED_CERTIFICATE, cn, serverExt(`DNS:${serverName}`), { md: "sha1" }),
    caWithoutCa: bad("caWithoutCa", "REASON_CERT_NOT_CA", ALERT_BAD_CERTIFICATE, 1, chain("caWithoutCa", notCaLeaf, [notCa], serverName)),
    pathLen: bad("pathLen", "REASON_CERT_PATH_LEN", ALERT_BAD_CERTIFICATE, 2, chain("pathLen", pathLenLeaf, [underPathLen0, pathLen0], serverName)),
    noKeyCertSign: bad("noKeyCertSign", "REASON_CERT_KEY_USAGE", ALERT_BAD_CERTIFICATE, 1, chain("noKeyCertSign", noSignLeaf, [noSign], serverName)),
    // 5 certificates not counting the anchor: over CHAIN_DEPTH_MAX (4, config.ts); the
    // certificate at index CHAIN_DEPTH_MAX is refused.
    tooLong: bad("tooLong", "REASON_CERT_CHAIN_TOO_LONG", ALERT_CERTIFICATE_UNKNOWN, CHAIN_DEPTH_MAX, server[4]),
    tamperedSignature: bad("tamperedSignature", "REASON_CERT_BAD_SIGNATURE", ALERT_BAD_CERTIFICATE, 0, tampered),
    criticalExtension: badLeaf("criticalExtension", "REASON_CERT_CRITICAL_EXTENSION", ALERT_UNSUPPORTED_CERTIFICATE, cn,
      serverExt(`DNS:${serverName}`, "1.3.6.1.4.1.55555.1=critical,ASN1:NULL\n")),
    // A client certificate offered as a server's: extendedKeyUsage lacks serverAuth.
    clientAuthOnly: bad("clientAuthOnly", "REASON_CERT_KEY_USAGE", ALERT_BAD_CERTIFICATE, 0,
      chain("clientAuthOnly", issue("clientAsServer", cn, `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectAltName=DNS:${serverName}\n`, int1), [int1], serverName)),
  };
  server.pop(); // server[4] lives on as refusals.tooLong
  const noKu = issue("noKu", "/O=Test PKI/CN=No keyUsage", "basicConstraints=critical,CA:TRUE\n", root);
  const self = issue("selfSigned", cn, serverExt(`DNS:${serverName}`), undefined);
  const accepted = {
    caWithoutKeyUsage: chain("caWithoutKeyUsage", issue("noKuLeaf", cn, serverExt(`DNS:${serverName}`), noKu), [noKu], serverName),
    selfSigned: chain("selfSigned", self, [], serverName, self),
    clientEuiInCn: chain("clientEuiInCn", issue("clientCn", `/O=Test PKI/CN=${eui64.replace(/-/g, ":")}`,
      "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n", int1), [int1], ""),
  };
  return { dir, serverName, eui64, root, intermediates, server, client, refusals, accepted };
}

// A copy of `src` whose DER has the last bit of its signature flipped (PEM and DER).
function issueCopy(dir: string, name: string, src: CertFile): CertFile {
  const der = Buffer.from(src.der);
  der[der.length - 1] ^= 0x01;
  const pem = join(dir, `${name}.pem`);
  writeFileSync(pem, derToPem(der));
  return { name, pem, key: src.key, der };
}

export function derToPem(der: Buffer): string {
  const b64 = der.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/** All certificates of a PEM file, as DER. */
export function pemToDers(text: string): Buffer[] {
  const out: Buffer[] = [];
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(Buffer.from(m[1].replace(/\s+/g, ""), "base64"));
  return out;
}

/** A PEM EC private key's 32-byte scalar (empty for another key type). */
export function scalarOf(keyPem: string): Buffer {
  const k = createPrivateKey(readFileSync(keyPem));
  if (k.asymmetricKeyType != "ec") return Buffer.alloc(0);
  const jwk = k.export({ format: "jwk" });
  return Buffer.from(jwk.d as string, "base64url");
}
