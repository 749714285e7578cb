// The ClientHello answered: the stateless cookie exchange (HelloVerifyRequest), the suite and
// chain chosen, the extensions negotiated (RFC 6066, 7250, 7627, 7924) and flight 4 sent.
import { createECDH, sign, timingSafeEqual } from "node:crypto";
import { ClientHello, parseClientHello } from "./client-hello";
import { Connection } from "./connection";
import { hmac256, sha1, sha256 } from "./crypto";
import { certSpki, certSubject, spkiKeyBits } from "./der";
import { Flights } from "./flights";
import { spkiOf } from "./keys";
import { ALERT, CERT_TYPE_RPK, CERT_TYPE_X509, CT, EXT, HT, MFL_SIZES, TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, TLS_PSK_WITH_AES_128_CCM_8 } from "./protocol";
import { ext, Fatal, hsHeader, Reader, u16, u8, v16, v24, v8 } from "./wire";

export abstract class ServerHello extends Flights {
  protected clientHello(payload: Buffer, recordSeq: number, peer: string): void {
    if (payload.length < 12) return;
    const total = payload.readUIntBE(1, 3), msgSeq = payload.readUInt16BE(4), offset = payload.readUIntBE(6, 3), fragLen = payload.readUIntBE(9, 3);
    // A fragmented ClientHello is not reassembled (statelessness before the cookie, RFC 6347 s. 4.2.1).
    if (offset !== 0 || fragLen !== total || payload.length < 12 + total) return;
    const body = payload.subarray(12, 12 + total);
    let ch: ClientHello;
    try { ch = parseClientHello(body); } catch { return; }
    const existing = this.conns.get(peer);
    if (existing && existing.clientRandom.equals(ch.random)) {
      // The same ClientHello again: our flight was lost (RFC 6347 s. 4.2.4).
      if (!existing.done) this.transmitFlight(existing, true);
      return;
    }
    const hvr = this.opts.hvr !== false;
    if (hvr) {
      // RFC 6347 s. 4.2.1: Cookie = HMAC(Secret, Client-IP, Client-Parameters), no state kept.
      const cookie = hmac256(this.cookieSecret, Buffer.from(peer), ch.cookieFree).subarray(0, 16);
      if (ch.cookie.length !== cookie.length || !timingSafeEqual(ch.cookie, cookie)) {
        const hv = Buffer.concat([u16(0xfefd), v8(cookie)]);
        // The HelloVerifyRequest reuses the ClientHello's record sequence number (s. 4.2.1).
        const rec = this.rawRecord(CT.HANDSHAKE, 0, recordSeq, Buffer.concat([hsHeader(HT.HELLO_VERIFY_REQUEST, msgSeq, hv.length, 0, hv.length), hv]));
        this.stats.hvr++;
        this.output(peer, [rec], "HelloVerifyRequest", false);
        return;
      }
    }
    // RFC 6347 s. 4.2.8: a new handshake from a known address (a client that lost its state),
    // once the cookie proves the address, replaces the old association.
    if (existing) this.forget(existing);
    if (this.conns.size >= (this.opts.maxPeers ?? 64)) {
      // Bounded state: the least recently active peer makes room (its cookie proved this one).
      const [oldest] = this.conns.values();
      this.drop(oldest, "evicted: too many peers");
    }
    const c = new Connection(peer, this.opts.rtoMs ?? 1000);
    this.conns.set(peer, c);
    c.info.cookieExchanged = hvr;
    c.writeSeq[0] = recordSeq;  // above the HelloVerifyRequest's
    c.recvMsgSeq = msgSeq + 1;
    c.sendMsgSeq = msgSeq;      // RFC 6347 s. 4.2.2: our message_seq follows the client's
    c.clientRandom = Buffer.from(ch.random);
    c.transcript.push(hsHeader(HT.CLIENT_HELLO, msgSeq, total, 0, total), Buffer.from(body));
    try {
      this.serverFlight(c, ch);
    } catch (e) {
      if (e instanceof Fatal) this.fail(c, e.alert, e.message); else throw e;
    }
  }

  protected pickSuite(c: Connection, ch: ClientHello): number {
    const exts = new Map(ch.exts.map((e) => [e.type, e.data]));
    const ecdheOk = (): boolean => {
      if (!this.chains.length && !this.rawKey) return false;
      const groups = exts.get(EXT.SUPPORTED_GROUPS);
      if (groups && !new Reader(groups).vec16().toString("hex").match(/^(....)*0017/)) return false;
      const formats = exts.get(EXT.EC_POINT_FORMATS);
      if (formats && !new Reader(formats).vec8().includes(0)) return false;
      const algs = exts.get(EXT.SIGNATURE_ALGORITHMS);
      if (algs && !new Reader(algs).vec16().toString("hex").match(/^(....)*0403/)) return false;
      return true;
    };
    const order = this.opts.suites ?? [TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, TLS_PSK_WITH_AES_128_CCM_8];
    for (const s of order) {
      if (!ch.suites.includes(s)) continue;
      if (s === TLS_PSK_WITH_AES_128_CCM_8 && this.opts.psk) return s;
      if (s === TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 && ecdheOk()) return s;
    }
    throw new Fatal(ALERT.HANDSHAKE_FAILURE, "no cipher suite in common");
  }

  /** Which configured chain to send: the one whose root matches a TrustedAuthority. */
  protected pickChain(c: Connection, data: Buffer | undefined): number {
    if (!data || !this.opts.trustedCaKeys) return 0;
    const r = new Reader(new Reader(data).vec16());
    while (r.left() > 0) {
      const type = r.u8();
      let match: (ch: (typeof this.chains)[number]) => boolean;
      if (type === 0) match = (ch) => ch.preAgreed ?? ch === this.chains[0];
      else if (type === 1) { const h = r.bytes(20); match = (ch) => sha1(spkiKeyBits(certSpki(ch.rootDer))).equals(h); }
      else if (type === 2) { const n = r.vec16(); match = (ch) => certSubject(ch.rootDer).equals(n); }
      else if (type === 3) { const h = r.bytes(20); match = (ch) => sha1(ch.rootDer).equals(h); }
      else throw new Fatal(ALERT.ILLEGAL_PARAMETER, `TrustedAuthority type ${type}`);
      const i = this.chains.findIndex(match);
      if (i >= 0) { c.info.trustedCaMatched = true; return i; }
    }
    return 0;
  }

  /** Flight 4: ServerHello .. ServerHelloDone. */
  protected serverFlight(c: Connection, ch: ClientHello): void {
    const o = this.opts;
    const exts = new Map(ch.exts.map((e) => [e.type, e.data]));
    const suite = this.pickSuite(c, ch);
    c.info.suite = suite;
    const ecdhe = suite === TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8;
    const reply: Buffer[] = [];
    // RFC 5746 s. 3.6: the SCSV or an empty renegotiation_info gets an empty one back.
    const reneg = exts.get(EXT.RENEGOTIATION_INFO);
    if (reneg && !(reneg.length === 1 && reneg[0] === 0)) throw new Fatal(ALERT.HANDSHAKE_FAILURE, "renegotiation_info not empty");
    if (reneg || ch.suites.includes(0x00ff)) reply.push(ext(EXT.RENEGOTIATION_INFO, u8(0)));
    // RFC 7627 s. 5.1.
    if (exts.has(EXT.EXTENDED_MASTER_SECRET)) { c.info.ems = true; reply.push(ext(EXT.EXTENDED_MASTER_SECRET, Buffer.alloc(0))); }
    else if (o.requireEms) throw new Fatal(ALERT.HANDSHAKE_FAILURE, "no extended_master_secret");
    // RFC 6066 s. 3: the name is accepted (recorded) and acknowledged with an empty extension.
    const sni = exts.get(EXT.SERVER_NAME);
    if (sni) {
      const list = new Reader(new Reader(sni).vec16());
      while (list.left() > 0) { const t = list.u8(); const n = list.vec16(); if (t === 0) c.info.sni = n.toString("latin1"); }
      reply.push(ext(EXT.SERVER_NAME, Buffer.alloc(0)));
    }
    // RFC 6066 s. 4: max_fragment_length echoed; records and fragments kept within it.
    const mfl = exts.get(EXT.MAX_FRAGMENT_LENGTH);
    if (mfl && o.mfl !== false) {
      if (mfl.length !== 1 || !MFL_SIZES[mfl[0]]) throw new Fatal(ALERT.ILLEGAL_PARAMETER, "bad max_fragment_length");
      c.info.mfl = MFL_SIZES[mfl[0]];
      c.plainMax = c.info.mfl;
      reply.push(ext(EXT.MAX_FRAGMENT_LENGTH, mfl));
    }
    let chainIndex = -1, certType = -1, clientType = -1;
    if (ecdhe) {
      if (exts.has(EXT.EC_POINT_FORMATS)) reply.push(ext(EXT.EC_POINT_FORMATS, v8(u8(0)))); // RFC 4492 s. 5.2
      // RFC 7250 s. 4.2: the certificate type the client accepts from us.
      const offered = exts.get(EXT.SERVER_CERTIFICATE_TYPE);
      const types = offered ? [...new Reader(offered).vec8()] : [CERT_TYPE_X509];
      const rpkOk = this.rawKey !== null && (o.rpk ?? (o.rawKey !== undefined || !this.chains.length));
      if (rpkOk && types.includes(CERT_TYPE_RPK)) certType = CERT_TYPE_RPK;
      else if (this.chains.length && types.includes(CERT_TYPE_X509)) certType = CERT_TYPE_X509;
      else throw new Fatal(ALERT.UNSUPPORTED_CERTIFICATE, "no server certificate type in common");
      if (offered) reply.push(ext(EXT.SERVER_CERTIFICATE_TYPE, u8(certType)));
      c.info.serverCertType = certType === CERT_TYPE_RPK ? "rpk" : "x509";
      if (certType === CERT_TYPE_X509) {
        chainIndex = this.pickChain(c, exts.get(EXT.TRUSTED_CA_KEYS));
        if (c.info.trustedCaMatched) reply.push(ext(EXT.TRUSTED_CA_KEYS, Buffer.alloc(0))); // RFC 6066 s. 6
        c.info.chainIndex = chainIndex;
        c.signKey = this.chains[chainIndex].keyObj;
      } else {
        c.signKey = this.rawKey;
      }
      if ((o.clientAuth ?? "none") !== "none") {
        const offeredClient = exts.get(EXT.CLIENT_CERTIFICATE_TYPE);
        const ctypes = offeredClient ? [...new Reader(offeredClient).vec8()] : [CERT_TYPE_X509];
        clientType = ctypes.find((t) => (t === CERT_TYPE_RPK && o.clientKeys !== undefined) || (t === CERT_TYPE_X509 && !!o.clientCa?.length)) ?? -1;
        if (clientType < 0 && o.clientAuth === "require") throw new Fatal(ALERT.UNSUPPORTED_CERTIFICATE, "no client certificate type in common");
        if (clientType >= 0 && offeredClient) reply.push(ext(EXT.CLIENT_CERTIFICATE_TYPE, u8(clientType)));
        if (clientType >= 0) c.info.clientCertType = clientType === CERT_TYPE_RPK ? "rpk" : "x509";
      }
    }
    // RFC 7924 s. 4: a cert CachedObject whose hash is our chain's is answered with the type.
    let cached: Buffer | null = null;
    const ci = exts.get(EXT.CACHED_INFO);
    if (ci && o.cachedInfo && certType === CERT_TYPE_X509) {
      const r = new Reader(new Reader(ci).vec16());
      const body = this.chains[chainIndex].certBody;
      const form = o.cachedInfoHash ?? "certificate_list";
      const forms: Array<["certificate_list" | "certificates", Buffer]> = [];
      if (form !== "certificates") forms.push(["certificate_list", sha256(body)]);
      if (form !== "certificate_list") forms.push(["certificates", sha256(body.subarray(3))]);
      while (r.left() > 0 && !cached) {
        const t = r.u8(), h = r.vec8();
        const hit = t === 1 ? forms.find(([, want]) => h.equals(want)) : undefined;
        if (hit) { cached = Buffer.from(h); c.info.cachedInfoForm = hit[0]; }
      }
      if (cached) { reply.push(ext(EXT.CACHED_INFO, v16(u8(1)))); c.info.cachedInfoUsed = true; }
    }
    // RFC 6066 s. 5: client_certificate_url acknowledged (empty) when we may ask for a certificate.
    const certUrl = exts.has(EXT.CLIENT_CERTIFICATE_URL) && !!o.certUrl && clientType === CERT_TYPE_X509;
    if (certUrl) reply.push(ext(EXT.CLIENT_CERTIFICATE_URL, Buffer.alloc(0)));

    c.serverRandom = Buffer.from(this.io.random(32));
    const sh = Buffer.concat([u16(0xfefd), c.serverRandom, v8(Buffer.alloc(0)), u16(suite), u8(0),
      ...(reply.length ? [v16(Buffer.concat(reply))] : [])]);
    const msgs: Array<[number, Buffer]> = [[HT.SERVER_HELLO, sh]];
    if (ecdhe) {
      if (certType === CERT_TYPE_RPK) {
        msgs.push([HT.CERTIFICATE, v24(spkiOf(this.rawKey!))]); // RFC 7250 s. 3
      } else if (cached) {
        msgs.push([HT.CERTIFICATE, v8(cached)]); // RFC 7924 s. 4.1: the hash the client sent
      } else {
        msgs.push([HT.CERTIFICATE, this.chains[chainIndex].certBody]);
      }
      c.ecdh = createECDH("prime256v1");
      for (;;) { try { c.ecdh.setPrivateKey(Buffer.from(this.io.random(32))); break; } catch { /* scalar out of range: draw again */ } }
      const params = Buffer.concat([u8(3), u16(23), v8(c.ecdh.getPublicKey())]); // named_curve secp256r1 (RFC 4492 s. 5.4)
      const sig = sign("sha256", Buffer.concat([c.clientRandom, c.serverRandom, params]), c.signKey!);
      msgs.push([HT.SERVER_KEY_EXCHANGE, Buffer.concat([params, u8(4), u8(3), v16(sig)])]);
      if (clientType >= 0) {
        // RFC 5246 s. 7.4.4: ecdsa_sign, ecdsa_secp256r1_sha256, our client CAs' names.
        const names = Buffer.concat((clientType === CERT_TYPE_X509 ? o.clientCa ?? [] : []).map((ca) => v16(certSubject(ca))));
        msgs.push([HT.CERTIFICATE_REQUEST, Buffer.concat([v8(u8(64)), v16(Buffer.from([4, 3])), v16(names)])]);
        c.expect.push(certUrl ? -HT.CERTIFICATE : HT.CERTIFICATE);
      }
    } else if (o.pskHint) {
      msgs.push([HT.SERVER_KEY_EXCHANGE, v16(o.pskHint)]); // RFC 4279 s. 2
    }
    msgs.push([HT.SERVER_HELLO_DONE, Buffer.alloc(0)]);
    c.expect.push(HT.CLIENT_KEY_EXCHANGE);
    this.sendFlight(c, msgs, "flight 4", true);
  }
}
