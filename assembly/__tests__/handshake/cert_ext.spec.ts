// RFC 7925 s. 4.4's extensions (handshake/cert_ext.ts): the client_certificate_url
// configuration, the CertificateURL message, the ServerHello answers, the hash-only
// Certificate when nothing is cached.
import { setCertUrl, certExtStart, certExtWrite, certExtServerHello, buildCertificateUrl, cachedCertificateRead,
  certExtReset, certExtOffered, certUrlSent } from "../../handshake/cert_ext";
import { flightClear, flightEntryData, flightEntryLength } from "../../handshake/flight";
import { optionsReset, optionSet } from "../../options";
import { OPT_TRUSTED_CA_KEYS, CERT_EXT_TRUSTED_CA_KEYS } from "../../api_codes";
import { ERR_BAD_ARGUMENT, REASON_DECODE, REASON_CACHED_INFO_MISMATCH } from "../../errors";
import { ALERT_DECODE_ERROR, ALERT_BAD_CERTIFICATE_HASH_VALUE, HT_CERTIFICATE_URL } from "../../protocol";
import { readerInit } from "../../util/reader";
import { verdict } from "../../handshake/verdict";
import { ascii } from "../support/helpers";

function urlConfig(url: string): Uint8Array {
  const u = ascii(url);
  const b = new Uint8Array(20 + u.length);
  for (let i = 0; i < 20; i++) b[i] = <u8>(0xa0 + i);
  for (let i = 0; i < u.length; i++) b[20 + i] = u[i];
  return b;
}

describe("client_certificate_url configuration (RFC 6066 s. 5)", () => {
  it("takes a 20-byte hash and a printable URL of at most 255 bytes, or nothing", () => {
    certExtReset();
    expect(setCertUrl(0, 0)).toBe(0);
    expect(setCertUrl(urlConfig("").dataStart, 20)).toBe(ERR_BAD_ARGUMENT);
    expect(setCertUrl(urlConfig("http://a b/").dataStart, 31)).toBe(ERR_BAD_ARGUMENT);
    let long = "http://x/";
    while (long.length < 256) long += "a";
    expect(setCertUrl(urlConfig(long).dataStart, 20 + long.length)).toBe(ERR_BAD_ARGUMENT);
    expect(setCertUrl(urlConfig(long.substring(0, 255)).dataStart, 275)).toBe(0);
  });

  it("builds CertificateURL: individual_certs, one URLAndHash with padding 1 and the SHA-1", () => {
    certExtReset();
    const url = "http://127.0.0.1:8080/me.der";
    expect(setCertUrl(urlConfig(url).dataStart, 20 + url.length)).toBe(0);
    flightClear();
    expect(buildCertificateUrl(5)).not.toBe(0);
    expect(certUrlSent).toBe(true);
    const m = flightEntryData(0);
    const n = url.length;
    expect(flightEntryLength(0)).toBe(12 + 26 + n);
    expect(load<u8>(m)).toBe(<u8>HT_CERTIFICATE_URL);
    const body = m + 12;
    expect(load<u8>(body)).toBe(0);                                   // individual_certs
    expect(<i32>load<u8>(body + 1) << 8 | load<u8>(body + 2)).toBe(n + 23);  // url_and_hash_list
    expect(<i32>load<u8>(body + 3) << 8 | load<u8>(body + 4)).toBe(n);
    expect(load<u8>(body + 5)).toBe(<u8>0x68);                        // 'h'
    expect(load<u8>(body + 5 + <usize>n)).toBe(1);                    // padding
    expect(load<u8>(body + 6 + <usize>n)).toBe(0xa0);
    expect(load<u8>(body + 25 + <usize>n)).toBe(0xa0 + 19);
  });
});

describe("ServerHello answers", () => {
  it("accepts an empty trusted_ca_keys it offered, refuses one with data and those it did not offer", () => {
    optionsReset();
    certExtReset();
    optionSet(OPT_TRUSTED_CA_KEYS, 1);
    certExtStart();
    const hello = new Uint8Array(64);
    certExtWrite(hello.dataStart, 0);
    expect(certExtOffered).toBe(CERT_EXT_TRUSTED_CA_KEYS);
    const data = new Uint8Array(4);
    readerInit(data.dataStart, 0);
    expect(certExtServerHello(3)).toBe(CERT_EXT_TRUSTED_CA_KEYS << 16);
    readerInit(data.dataStart, 1);
    expect(certExtServerHello(3)).toBe(-verdict(REASON_DECODE, ALERT_DECODE_ERROR));
    readerInit(data.dataStart, 0);
    expect(certExtServerHello(25)).toBe(0);   // cached_info not offered: unsupported_extension there
    expect(certExtServerHello(2)).toBe(0);
    optionsReset();
  });

  it("a hash-only Certificate: 1 + 32 bytes, else decode_error; another hash than ours, bad_certificate_hash_value", () => {
    const c = new Uint8Array(33);
    c[0] = 32;
    expect(cachedCertificateRead(c.dataStart, 32)).toBe(verdict(REASON_DECODE, ALERT_DECODE_ERROR));
    c[0] = 31;
    expect(cachedCertificateRead(c.dataStart, 33)).toBe(verdict(REASON_DECODE, ALERT_DECODE_ERROR));
    c[0] = 32;
    c[1] = 1;
    expect(cachedCertificateRead(c.dataStart, 33)).toBe(verdict(REASON_CACHED_INFO_MISMATCH, ALERT_BAD_CERTIFICATE_HASH_VALUE));
  });
});
