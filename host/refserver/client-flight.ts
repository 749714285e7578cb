// The client's flight 5 processed in order: the ChangeCipherSpec, each message as expected,
// ClientKeyExchange to the master secret and keys, Finished checked and ours sent.
import { timingSafeEqual, verify } from "node:crypto";
import { ClientAuth } from "./client-auth";
import { Connection } from "./connection";
import { prf, sha256 } from "./crypto";
import { ALERT, HT, TLS_PSK_WITH_AES_128_CCM_8 } from "./protocol";
import { Fatal, hsHeader, Reader, u16, v16 } from "./wire";

export abstract class ClientFlight extends ClientAuth {
  /** Processes complete messages in order, and the CCS when its turn comes. */
  protected advance(c: Connection): void {
    try {
      while (!c.blocked && !c.closed) {
        const f = c.frags.get(c.recvMsgSeq);
        if (c.expect.length === 0 && c.readEpoch === 0 && c.ccsPending && c.pendingRead) {
          // The client's ChangeCipherSpec, in order: its records are now read with the new keys.
          c.readEpoch = 1; c.readKey = c.pendingRead; c.ccsPending = false;
          c.expect.push(HT.FINISHED);
          const early = c.early; c.early = [];
          for (const r of early) this.recordIn(c, r.type, r.epoch, r.seq, r.payload, true);
          continue;
        }
        if (!f || f.missing > 0) return;
        c.frags.delete(c.recvMsgSeq);
        const seq = c.recvMsgSeq++;
        const header = hsHeader(f.type, seq, f.length, 0, f.length);
        this.message(c, f.type, f.buf, header);
      }
    } catch (e) {
      if (e instanceof Fatal) this.fail(c, e.alert, e.message); else throw e;
    }
  }

  protected message(c: Connection, type: number, body: Buffer, header: Buffer): void {
    const want = c.expect.shift();
    if (want === undefined || (type !== want && !(want === -HT.CERTIFICATE && (type === HT.CERTIFICATE || type === HT.CERTIFICATE_URL)))) {
      throw new Fatal(ALERT.UNEXPECTED_MESSAGE, `unexpected handshake message ${type}`);
    }
    const before = Buffer.concat(c.transcript);
    if (type !== HT.FINISHED) c.transcript.push(header, body);
    switch (type) {
      case HT.CERTIFICATE: return this.clientCertificate(c, body);
      case HT.CERTIFICATE_URL: return this.certificateUrl(c, body);
      case HT.CLIENT_KEY_EXCHANGE: return this.clientKeyExchange(c, body);
      case HT.CERTIFICATE_VERIFY: {
        // RFC 5246 s. 7.4.8: the signature covers every message before this one.
        const r = new Reader(body);
        const hash = r.u8(), alg = r.u8(), sig = r.vec16();
        r.done();
        if (hash !== 4 || alg !== 3) throw new Fatal(ALERT.ILLEGAL_PARAMETER, "CertificateVerify not ecdsa_secp256r1_sha256");
        if (!verify("sha256", before, c.clientKey!, sig)) throw new Fatal(ALERT.DECRYPT_ERROR, "CertificateVerify does not verify");
        return;
      }
      case HT.FINISHED: return this.finished(c, body, before, header);
    }
  }

  protected clientKeyExchange(c: Connection, body: Buffer): void {
    const r = new Reader(body);
    let pms: Buffer;
    if (c.info.suite === TLS_PSK_WITH_AES_128_CCM_8) {
      const identity = Buffer.from(r.vec16());
      r.done();
      const table = this.opts.psk!;
      const key = typeof table === "function" ? table(identity) : table[identity.toString("latin1")] ?? null;
      if (!key) throw new Fatal(ALERT.UNKNOWN_PSK_IDENTITY, "unknown PSK identity"); // RFC 4279 s. 2
      c.info.pskIdentity = identity.toString("latin1");
      // RFC 4279 s. 2: uint16 N, N zero octets, uint16 N, the PSK.
      pms = Buffer.concat([u16(key.length), Buffer.alloc(key.length), v16(key)]);
    } else {
      const point = r.vec8();
      r.done();
      try { pms = c.ecdh!.computeSecret(point); } catch { throw new Fatal(ALERT.ILLEGAL_PARAMETER, "client ECDH point invalid"); }
    }
    // RFC 7627 s. 4: session_hash covers the handshake up to and including this message.
    c.masterSecret = c.info.ems
      ? prf(pms, "extended master secret", sha256(Buffer.concat(c.transcript)), 48)
      : prf(pms, "master secret", Buffer.concat([c.clientRandom, c.serverRandom]), 48);
    pms.fill(0);
    // RFC 5246 s. 6.3; AES-128-CCM-8: no MAC keys, 16-byte keys, 4-byte implicit IVs.
    const kb = prf(c.masterSecret, "key expansion", Buffer.concat([c.serverRandom, c.clientRandom]), 40);
    c.pendingRead = { key: kb.subarray(0, 16), salt: kb.subarray(32, 36) };
    c.pendingWrite = { key: kb.subarray(16, 32), salt: kb.subarray(36, 40) };
  }

  protected finished(c: Connection, body: Buffer, before: Buffer, header: Buffer): void {
    const expected = prf(c.masterSecret!, "client finished", sha256(before), 12);
    if (body.length !== 12 || !timingSafeEqual(body, expected)) throw new Fatal(ALERT.DECRYPT_ERROR, "client Finished does not verify");
    c.transcript.push(header, body);
    const ours = prf(c.masterSecret!, "server finished", sha256(Buffer.concat(c.transcript)), 12);
    c.writeKey = c.pendingWrite;
    c.writeEpoch = 1;
    c.done = true;
    this.sendFlight(c, ["ccs", [HT.FINISHED, ours]], "flight 6", false);
    this.stats.handshakes++;
    this.event("handshake", c.peer, { ...c.info });
  }
}
