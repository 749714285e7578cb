// X.509 for the host (RFC 7925 s. 4.4): PEM files to DER, and the server's certificate chain
// as it crossed the wire. The core validates the chain certificate by certificate and keeps
// none of it; the host, which sees the plaintext epoch-0 datagrams, reassembles the
// Certificate message itself to name the certificates (subjects) in summaries and errors.
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfigError } from "./engine";

/** Every CERTIFICATE block of a PEM file, as DER (in file order). */
export function readPemCertificates(file: string): Buffer[] {
  let text: string;
  try { text = readFileSync(file, "utf8"); } catch (e) { throw new ConfigError(`cannot read ${file}: ${(e as Error).message}`); }
  const out = [...text.matchAll(/-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/g)]
    .map((m) => Buffer.from(m[1].replace(/\s+/g, ""), "base64"));
  if (out.length === 0) throw new ConfigError(`${file}: no PEM certificate in it`);
  return out;
}

/** The subject of a DER certificate in one line ("CN=..., O=..."), or "(unparsable)". */
export function subjectOf(der: Buffer): string {
  try { return new X509Certificate(der).subject.split("\n").join(", "); } catch { return "(unparsable)"; }
}

const HANDSHAKE = 22;
const CERTIFICATE = 11;
const MAX = 1 << 16;

/** Reassembles the server's Certificate message from the datagrams fed to it (epoch 0,
 *  plaintext), whatever the fragmentation; certificates() once it is complete. */
export class ChainObserver {
  private body: Buffer | null = null;
  private have: Uint8Array | null = null;
  private seq = -1;

  reset(): void { this.body = null; this.have = null; this.seq = -1; }

  feed(d: Uint8Array): void {
    for (let p = 0; p + 13 <= d.length;) {
      const type = d[p], epoch = (d[p + 3] << 8) | d[p + 4], len = (d[p + 11] << 8) | d[p + 12];
      const rec = Buffer.from(d.subarray(p + 13, Math.min(d.length, p + 13 + len)));
      p += 13 + len;
      if (type !== HANDSHAKE || epoch !== 0) continue;
      for (let q = 0; q + 12 <= rec.length;) {
        const total = rec.readUIntBE(q + 1, 3), seq = rec.readUInt16BE(q + 4);
        const off = rec.readUIntBE(q + 6, 3), n = rec.readUIntBE(q + 9, 3);
        if (rec[q] === CERTIFICATE && total <= MAX && off + n <= total && q + 12 + n <= rec.length) {
          if (this.seq !== seq || !this.body || this.body.length !== total) {
            this.body = Buffer.alloc(total); this.have = new Uint8Array(total); this.seq = seq;
          }
          rec.copy(this.body, off, q + 12, q + 12 + n);
          this.have!.fill(1, off, off + n);
        }
        q += 12 + n;
      }
    }
  }

  /** Whether the whole message arrived. */
  complete(): boolean { return this.have !== null && !this.have.includes(0); }

  /** The certificates (DER, as sent: the server's first) that arrived whole, in order up to
   *  the first gap (a refusal may come before the rest of the message), or null. */
  certificates(): Buffer[] | null {
    if (!this.body || !this.have || this.body.length < 3) return null;
    const end = this.have.indexOf(0) < 0 ? this.body.length : this.have.indexOf(0);
    const out: Buffer[] = [];
    for (let p = 3; p + 3 <= end;) {
      const n = this.body.readUIntBE(p, 3);
      if (p + 3 + n > end) break;
      out.push(this.body.subarray(p + 3, p + 3 + n));
      p += 3 + n;
    }
    return out;
  }

  subjects(): string[] | null { return this.certificates()?.map(subjectOf) ?? null; }
}
