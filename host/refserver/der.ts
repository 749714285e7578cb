// Just enough DER to pick fields out of a certificate (RFC 5280 s. 4.1): subject, issuer, the
// SubjectPublicKeyInfo and its key bits. Throws on anything it cannot walk.
export interface Tlv { tag: number; start: number; body: number; end: number }

export function tlv(b: Uint8Array, p: number, limit = b.length): Tlv {
  if (p + 2 > limit) throw new Error("DER: truncated");
  const tag = b[p];
  let len = b[p + 1];
  let body = p + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 3 || body + n > limit) throw new Error("DER: bad length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[body + i];
    body += n;
  }
  if (body + len > limit) throw new Error("DER: overlong");
  return { tag, start: p, body, end: body + len };
}

export function children(b: Uint8Array, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = t.body; p < t.end;) { const c = tlv(b, p, t.end); out.push(c); p = c.end; }
  return out;
}

/** The fields of a certificate's tbsCertificate, version skipped: serial, signature, issuer,
 *  validity, subject, subjectPublicKeyInfo, ... */
function tbsFields(cert: Uint8Array): Tlv[] {
  const top = tlv(cert, 0);
  const tbs = children(cert, top)[0];
  const f = children(cert, tbs);
  return f[0].tag === 0xa0 ? f.slice(1) : f;
}

const slice = (b: Uint8Array, t: Tlv) => Buffer.from(b.subarray(t.start, t.end));
export const certIssuer = (cert: Uint8Array): Buffer => slice(cert, tbsFields(cert)[2]);
export const certSubject = (cert: Uint8Array): Buffer => slice(cert, tbsFields(cert)[4]);
export const certSpki = (cert: Uint8Array): Buffer => slice(cert, tbsFields(cert)[5]);

/** The subjectPublicKey BIT STRING's bits without the unused-bits octet (RFC 6066 s. 6
 *  key_sha1_hash input for EC keys: the point). */
export function spkiKeyBits(spki: Uint8Array): Buffer {
  const [, bits] = children(spki, tlv(spki, 0));
  return Buffer.from(spki.subarray(bits.body + 1, bits.end));
}

/** The certificates of a PkiPath (RFC 6066 s. 5: SEQUENCE OF Certificate). */
export function pkiPathCerts(der: Uint8Array): Buffer[] {
  return children(der, tlv(der, 0)).map((t) => slice(der, t));
}
