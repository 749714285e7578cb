// Client authentication: the client's Certificate (X.509 chain or raw key, RFC 7250) or
// CertificateURL (RFC 6066 s. 5), checked against clientCa / clientKeys.
import { createPublicKey, KeyObject, X509Certificate } from "node:crypto";
import { Connection } from "./connection";
import { sha1, sha256 } from "./crypto";
import { pkiPathCerts } from "./der";
import { httpGet } from "./http-get";
import { isP256 } from "./keys";
import { ALERT, HT } from "./protocol";
import { ServerHello } from "./server-hello";
import { Fatal, Reader } from "./wire";

export abstract class ClientAuth extends ServerHello {
  protected clientCertificate(c: Connection, body: Buffer): void {
    const r = new Reader(body);
    let certs: Buffer[] = [];
    if (c.info.clientCertType === "rpk") {
      const spki = r.vec24();
      r.done();
      if (spki.length) certs = [Buffer.from(spki)];
    } else {
      const list = new Reader(r.vec24());
      r.done();
      while (list.left() > 0) certs.push(Buffer.from(list.vec24()));
    }
    this.acceptClientChain(c, certs);
  }

  protected acceptClientChain(c: Connection, certs: Buffer[]): void {
    c.info.clientCertificates = certs;
    if (!certs.length) {
      // RFC 5246 s. 7.4.6: an empty list; fatal only when we require one.
      if (this.opts.clientAuth === "require") throw new Fatal(ALERT.HANDSHAKE_FAILURE, "client sent no certificate");
      return;
    }
    if (c.info.clientCertType === "rpk") {
      let key: KeyObject;
      try { key = createPublicKey({ key: certs[0], format: "der", type: "spki" }); } catch { throw new Fatal(ALERT.BAD_CERTIFICATE, "client raw key does not parse"); }
      if (!isP256(key)) throw new Fatal(ALERT.UNSUPPORTED_CERTIFICATE, "client raw key is not P-256");
      const pins = this.opts.clientKeys;
      if (pins !== "any" && !(pins ?? []).some((p) => p.equals(certs[0]) || p.equals(sha256(certs[0])))) throw new Fatal(ALERT.CERTIFICATE_UNKNOWN, "client raw key not pinned");
      c.clientKey = key;
    } else {
      c.clientKey = this.verifyClientChain(certs);
    }
    c.expect.splice(1, 0, HT.CERTIFICATE_VERIFY); // after the ClientKeyExchange
  }

  /** The client's X.509 chain against clientCa (node:crypto X509Certificate); its leaf key. */
  protected verifyClientChain(certs: Buffer[]): KeyObject {
    let xs: X509Certificate[];
    try { xs = certs.map((d) => new X509Certificate(d)); } catch { throw new Fatal(ALERT.BAD_CERTIFICATE, "client certificate does not parse"); }
    const now = new Date(this.io.now() > 1e12 ? this.io.now() : Date.now());
    for (const x of xs) {
      if (new Date(x.validFrom) > now || new Date(x.validTo) < now) throw new Fatal(ALERT.CERTIFICATE_EXPIRED, `client certificate ${x.subject} out of its validity`);
    }
    for (let i = 0; i + 1 < xs.length; i++) {
      if (!xs[i].checkIssued(xs[i + 1]) || !xs[i].verify(xs[i + 1].publicKey)) throw new Fatal(ALERT.BAD_CERTIFICATE, `client certificate ${i} not signed by the next`);
    }
    const last = xs[xs.length - 1];
    const anchors = (this.opts.clientCa ?? []).map((d) => new X509Certificate(d));
    const ok = anchors.some((a) => a.raw.equals(last.raw) || (last.checkIssued(a) && last.verify(a.publicKey)));
    if (!ok) throw new Fatal(ALERT.UNKNOWN_CA, "client chain does not reach a configured CA");
    const key = xs[0].publicKey;
    if (!isP256(key)) throw new Fatal(ALERT.UNSUPPORTED_CERTIFICATE, "client key is not P-256");
    return key;
  }

  /** RFC 6066 s. 5: CertificateURL: fetch each URL, check its SHA-1, then as a Certificate. */
  protected certificateUrl(c: Connection, body: Buffer): void {
    const r = new Reader(body);
    const chainType = r.u8();
    const list = new Reader(r.vec16());
    r.done();
    const entries: Array<{ url: string; hash: Buffer | null }> = [];
    while (list.left() > 0) {
      const url = list.vec16().toString("latin1");
      const padding = list.u8();
      if (padding !== 1) throw new Fatal(ALERT.DECODE_ERROR, "URLAndHash padding is not 0x01");
      entries.push({ url, hash: Buffer.from(list.bytes(20)) });
    }
    if (chainType > 1 || !entries.length || (chainType === 1 && entries.length !== 1)) throw new Fatal(ALERT.ILLEGAL_PARAMETER, "bad CertificateURL");
    c.info.certUrlUsed = true;
    c.blocked = true;
    const get = this.io.fetch ?? httpGet;
    Promise.all(entries.map((e) => get(e.url))).then((bodies) => {
      if (c.closed) return;
      c.blocked = false;
      try {
        bodies.forEach((b, i) => { if (!sha1(b).equals(entries[i].hash!)) throw new Fatal(ALERT.BAD_CERTIFICATE_HASH_VALUE, `hash of ${entries[i].url} differs`); });
        // individual_certs: one certificate per URL, end-entity first; pkipath: one SEQUENCE OF
        // Certificate, the end-entity last.
        const certs = chainType === 0 ? bodies : pkiPathCerts(bodies[0]).reverse();
        this.acceptClientChain(c, certs);
      } catch (e) {
        if (e instanceof Fatal) this.fail(c, e.alert, e.message);
        else this.fail(c, ALERT.BAD_CERTIFICATE, String(e));
        this.io.wake?.();
        return;
      }
      this.advance(c);
      this.io.wake?.();
    }, (err) => {
      if (c.closed) return;
      this.fail(c, ALERT.CERTIFICATE_UNOBTAINABLE, `fetch failed: ${err}`);
      this.io.wake?.();
    });
  }
}
