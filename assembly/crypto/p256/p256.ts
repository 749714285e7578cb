// P-256 (secp256r1) for the DTLS core: key generation, ECDH, ECDSA with SHA-256 hashes,
// point validation and the DER signature format. Pointers are to big-endian byte strings
// in linear memory; return codes in codes.ts (0 ok, negative errors).
//
//   p256Keygen(priv32Out, pub65Out): i32
//   p256PublicFromPrivate(priv32, pub65Out): i32
//   p256ValidatePublic(pub65, len = 65): bool
//   p256Ecdh(priv32, peerPub65, shared32Out, peerLen = 65): i32
//   p256Sign(priv32, hash32, sig64Out): i32                (RFC 6979, hedged)
//   p256SignHedged(priv32, hash32, extra32, sig64Out): i32 (hedged with the caller's bytes)
//   p256SignDeterministic(priv32, hash32, sig64Out): i32   (RFC 6979, not hedged)
//   p256Verify(pub65, hash32, sig64): bool
//   ecdsaSigToDer(sig64, out, outCap): i32                 (length, or -1)
//   ecdsaSigFromDer(der, derLen, sig64Out): bool
export { p256Keygen, p256PublicFromPrivate, p256ValidatePublic, p256Ecdh, p256Wipe } from "./keys";
export { p256Sign, p256SignHedged, p256SignDeterministic, p256Verify } from "./ecdsa";
export { ecdsaSigToDer, ecdsaSigFromDer } from "./der";
export { P256_OK, P256_ERR_RANDOM, P256_ERR_PRIVATE, P256_ERR_POINT, P256_ERR_INTERNAL } from "./codes";
