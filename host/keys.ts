// Reading P-256 keys for raw-public-key mode (RFC 7250) from PEM files or a hex hash.
import { createPrivateKey, createPublicKey, KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfigError } from "./engine";

/** The 26-byte DER prefix of a P-256 SubjectPublicKeyInfo; the 65-byte point follows. */
export const P256_SPKI_PREFIX = Buffer.from("3059301306072a8648ce3d020106082a8648ce3d030107034200", "hex");

function read(file: string): string {
  try { return readFileSync(file, "utf8"); } catch (e) { throw new ConfigError(`cannot read ${file}: ${(e as Error).message}`); }
}

function requireP256(key: KeyObject, file: string): void {
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new ConfigError(`${file} is not a P-256 (prime256v1) key`);
  }
}

/** The 32-byte private scalar of a PEM (PKCS#8 or SEC1) P-256 private key. */
export function readPrivateKey(file: string): Buffer {
  let key: KeyObject;
  try { key = createPrivateKey(read(file)); } catch (e) { throw new ConfigError(`${file}: not a PEM private key (${(e as Error).message})`); }
  requireP256(key, file);
  const d = Buffer.from(key.export({ format: "jwk" }).d as string, "base64url");
  return Buffer.concat([Buffer.alloc(32 - d.length), d]);
}

/** The uncompressed point of a P-256 public key (PEM public key, or the public half of a private key). */
export function readPublicPoint(file: string): Buffer {
  let key: KeyObject;
  try { key = createPublicKey(read(file)); } catch (e) { throw new ConfigError(`${file}: not a PEM key (${(e as Error).message})`); }
  requireP256(key, file);
  const spki = key.export({ format: "der", type: "spki" });
  if (spki.length !== 91 || !spki.subarray(0, 26).equals(P256_SPKI_PREFIX)) throw new ConfigError(`${file}: unexpected key encoding`);
  return Buffer.from(spki.subarray(26));
}

/** --server-key: a PEM file, or 64 hex digits of the SHA-256 of the server's SPKI. */
export function readServerPin(value: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, "hex");
  return readPublicPoint(value);
}
