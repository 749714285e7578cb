// The reference server's cryptography, all from node:crypto: the TLS 1.2 PRF with SHA-256
// (RFC 5246 s. 5), AES-128-CCM-8 records (RFC 6655 s. 3, RFC 7251 s. 2), a few digests.
import { createCipheriv, createDecipheriv, createHash, createHmac } from "node:crypto";

export const sha256 = (...parts: Uint8Array[]): Buffer => { const h = createHash("sha256"); for (const p of parts) h.update(p); return h.digest(); };
export const sha1 = (data: Uint8Array): Buffer => createHash("sha1").update(data).digest();
export const hmac256 = (key: Uint8Array, ...parts: Uint8Array[]): Buffer => { const h = createHmac("sha256", key); for (const p of parts) h.update(p); return h.digest(); };

/** PRF(secret, label, seed) = P_SHA256(secret, label + seed), n bytes (RFC 5246 s. 5). */
export function prf(secret: Uint8Array, label: string, seed: Uint8Array, n: number): Buffer {
  const labelSeed = Buffer.concat([Buffer.from(label, "latin1"), seed]);
  const out: Buffer[] = [];
  let a: Buffer = labelSeed;
  for (let got = 0; got < n; got += 32) {
    a = hmac256(secret, a);
    out.push(hmac256(secret, a, labelSeed));
  }
  return Buffer.concat(out).subarray(0, n);
}

/** One direction's AEAD state: key and the 4-byte implicit part of the nonce (salt). */
export interface CcmKey { key: Buffer; salt: Buffer }

/** The additional data of a DTLS 1.2 record (RFC 6347 s. 4.1.2.1, RFC 5246 s. 6.2.3.3):
 *  epoch || sequence_number || type || version || plaintext length. */
function aad(epochSeq: Buffer, type: number, length: number): Buffer {
  const a = Buffer.alloc(13);
  epochSeq.copy(a, 0);
  a[8] = type;
  a.writeUInt16BE(0xfefd, 9);
  a.writeUInt16BE(length, 11);
  return a;
}

/** Record payload: nonce_explicit (= epoch || seq, RFC 6655 s. 3) || ciphertext || 8-byte tag. */
export function ccmSeal(k: CcmKey, epochSeq: Buffer, type: number, plaintext: Uint8Array): Buffer {
  const c = createCipheriv("aes-128-ccm", k.key, Buffer.concat([k.salt, epochSeq]), { authTagLength: 8 });
  c.setAAD(aad(epochSeq, type, plaintext.length), { plaintextLength: plaintext.length });
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([epochSeq, body, c.getAuthTag()]);
}

/** The plaintext, or null when the record does not authenticate. */
export function ccmOpen(k: CcmKey, epochSeq: Buffer, type: number, payload: Buffer): Buffer | null {
  if (payload.length < 16) return null;
  const explicit = payload.subarray(0, 8);
  const ct = payload.subarray(8, payload.length - 8);
  try {
    const d = createDecipheriv("aes-128-ccm", k.key, Buffer.concat([k.salt, explicit]), { authTagLength: 8 });
    d.setAuthTag(payload.subarray(payload.length - 8));
    d.setAAD(aad(epochSeq, type, ct.length), { plaintextLength: ct.length });
    const pt = d.update(ct);
    d.final();
    return pt;
  } catch {
    return null;
  }
}
