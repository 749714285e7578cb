// A small P-256 / ecdsa-with-SHA256 PKI made with the `openssl` command, for the reference
// server's tests: roots, intermediates, server leaves (dNSName) and client leaves.
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface MiniCert { name: string; pem: string; key: string; der: Buffer }

export class MiniPki {
  readonly dir = mkdtempSync(join(tmpdir(), "refserver-pki-"));
  private serial = 1;

  /** A certificate: self-signed when issuer is null; ca: a CA (keyCertSign); dns: a server
   *  leaf's dNSName; client: a client leaf (clientAuth). */
  make(name: string, issuer: MiniCert | null, o: { ca?: boolean; dns?: string; client?: boolean; days?: number } = {}): MiniCert {
    const key = join(this.dir, `${name}.key`), pem = join(this.dir, `${name}.pem`), csr = join(this.dir, `${name}.csr`), ext = join(this.dir, `${name}.ext`);
    execFileSync("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key], { stdio: "ignore" });
    const lines = o.ca
      ? ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign", "subjectKeyIdentifier=hash"]
      : ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature",
        `extendedKeyUsage=${o.client ? "clientAuth" : "serverAuth"}`, ...(o.dns ? [`subjectAltName=DNS:${o.dns}`] : [])];
    if (issuer) lines.push("authorityKeyIdentifier=keyid");
    writeFileSync(ext, lines.join("\n") + "\n");
    execFileSync("openssl", ["req", "-new", "-key", key, "-subj", `/CN=${name}`, "-out", csr], { stdio: "ignore" });
    const days = String(o.days ?? 30);
    const signer = issuer ? ["-CA", issuer.pem, "-CAkey", issuer.key] : ["-signkey", key];
    execFileSync("openssl", ["x509", "-req", "-in", csr, ...signer, "-set_serial", String(this.serial++), "-days", days,
      "-sha256", "-extfile", ext, "-out", pem], { stdio: "ignore" });
    return { name, pem, key, der: new X509Certificate(readFileSync(pem)).raw };
  }

  /** A PEM file of several certificates (a chain, end-entity first). */
  bundle(name: string, certs: MiniCert[]): string {
    const file = join(this.dir, `${name}.chain.pem`);
    writeFileSync(file, certs.map((c) => readFileSync(c.pem, "latin1")).join(""));
    return file;
  }
}
