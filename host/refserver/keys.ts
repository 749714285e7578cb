// P-256 key objects: from PEM/DER/KeyObject, to SPKI, the curve check.
import { createPrivateKey, createPublicKey, KeyObject } from "node:crypto";

export const keyOf = (k: string | Buffer | KeyObject): KeyObject => (k instanceof KeyObject ? k : createPrivateKey(k));
export const spkiOf = (k: KeyObject): Buffer => (k.type === "private" ? createPublicKey(k) : k).export({ type: "spki", format: "der" }) as Buffer;
export const isP256 = (k: KeyObject) => k.asymmetricKeyType === "ec" && k.asymmetricKeyDetails?.namedCurve === "prime256v1";
