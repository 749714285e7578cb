// Fuzz-only entry (build/fuzz/fuzz-parsers.wasm, mk/fuzz.mk): number-only wrappers over the
// core's parsers of peer-supplied bytes, for the libFuzzer targets fuzz/src/fuzz_der.c and
// fuzz/src/fuzz_point.c. Every offset is relative to the buffer fz_buffer() returns; the
// wrappers call the core exactly as the handshake does (handshake/ecdhe.ts).
import { p256ValidatePublic, p256Ecdh, p256Verify, ecdsaSigToDer, ecdsaSigFromDer } from "../../crypto/p256/p256";
import { spkiPoint } from "../../handshake/rpk";
import { anchorsReset, anchorAdd } from "../../x509/anchors";
import { chainBegin, chainAdd, chainEnd, chainFailIndex } from "../../x509/chain";

const FZ_BUFFER_SIZE: i32 = 1024;
const buf = memory.data(FZ_BUFFER_SIZE, 16);

// @ts-ignore: decorator
@inline function at(off: i32): usize { return buf + <usize>off; }

export function fz_buffer(): usize { return buf; }
export function fz_buffer_size(): i32 { return FZ_BUFFER_SIZE; }

// ServerKeyExchange's signature (RFC 8422 5.4): strict DER Ecdsa-Sig-Value -> r || s.
export function fz_sig_from_der(derOff: i32, len: i32, sigOff: i32): i32 {
  return ecdsaSigFromDer(at(derOff), len, at(sigOff)) ? 1 : 0;
}
export function fz_sig_to_der(sigOff: i32, outOff: i32, cap: i32): i32 { return ecdsaSigToDer(at(sigOff), at(outOff), cap); }
export function fz_verify(pubOff: i32, hashOff: i32, sigOff: i32): i32 {
  return p256Verify(at(pubOff), at(hashOff), at(sigOff)) ? 1 : 0;
}

// The server's Certificate (RFC 7250): its SubjectPublicKeyInfo -> the offset of the point
// in the buffer, or -1; then the point's validation, as parseServerCertificateRpk does.
export function fz_spki_point(off: i32, len: i32): i32 {
  const p = spkiPoint(at(off), len);
  return p == 0 ? -1 : <i32>(p - buf);
}
export function fz_validate(off: i32, len: i32): i32 { return p256ValidatePublic(at(off), len) ? 1 : 0; }
// ECDH with the server's ephemeral point (ClientKeyExchange's premaster).
export function fz_ecdh(privOff: i32, pubOff: i32, len: i32, outOff: i32): i32 {
  return p256Ecdh(at(privOff), at(pubOff), at(outOff), len);
}

// ---- the X.509 validator (assembly/x509/, issue 11): target x509 (fuzz/src/fuzz_x509.c) ----
// The certificate at off (len bytes) as a trust anchor (anchorAdd's result), then as a
// one-certificate chain checked against that store: chainBegin with the reference name at
// nameOff, the time nowS, the policy and purpose of mode (bit 0 accept unknown time, bit 1
// CHAIN_CLIENT); chainAdd; chainEnd. Returns anchorAdd's result (0, -2, -5) in the low
// byte and the chain's verdict above it; fz_x509_fail_index() tells the failing index.
export function fz_x509(off: i32, len: i32, nameOff: i32, nameLen: i32, nowS: i64, mode: i32): i32 {
  anchorsReset();
  const a = anchorAdd(at(off), len);
  chainBegin(at(nameOff), nameLen, nowS, (mode & 1) != 0, (mode >> 1) & 1);
  let v = chainAdd(at(off), len);
  if (v == 0) v = chainEnd();
  return (v << 8) | (a & 0xff);
}
export function fz_x509_fail_index(): i32 { return chainFailIndex(); }
