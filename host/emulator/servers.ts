// The server of an emulated run: host/refserver's RefServer in virtual time (its clock and
// random bytes from the emulator), PSK or ECDHE-ECDSA with raw public keys (RFC 7250).
import { createHash, createPublicKey, generateKeyPairSync, KeyObject } from "node:crypto";
import { RefServer } from "../refserver/server";
import { EngineOptions } from "../engine";
import { ServerFactory } from "./emulate";
import { Prng } from "./prng";

export const EMULATED_PSK = { identity: Buffer.from("emulated-device"), key: Buffer.from("000102030405060708090a0b0c0d0e0f", "hex") };

export interface ServerSetup {
  /** ECDHE-ECDSA with mutual raw public keys instead of PSK. */
  rpk?: boolean;
  /** The server's initial retransmission timer, ms. */
  rtoMs: number;
  /** The server's largest datagram (the link's PMTU). */
  mtu: number;
  /** HelloVerifyRequest (default true). */
  hvr?: boolean;
  /** Most peers with state at once (RefServer's default 64; fleet.ts: one per device). */
  maxPeers?: number;
}

let serverKey: KeyObject | undefined; // one per process: key generation is the slow part

/** The server factory and the client credentials that go with it (seed: the client's key). */
export function refServer(s: ServerSetup, seed: string): { factory: ServerFactory; credentials: Pick<EngineOptions, "psk" | "rpk"> } {
  const common = { hvr: s.hvr ?? true, mtu: s.mtu, rtoMs: s.rtoMs, ...(s.maxPeers ? { maxPeers: s.maxPeers } : {}) };
  if (!s.rpk) {
    const psk = { [EMULATED_PSK.identity.toString()]: EMULATED_PSK.key };
    return { factory: (io) => new RefServer({ ...common, psk }, io), credentials: { psk: EMULATED_PSK } };
  }
  serverKey ??= generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
  const spki = createPublicKey(serverKey).export({ format: "der", type: "spki" });
  const privateKey = new Prng(seed, "client key").bytes(32);
  return {
    factory: (io) => new RefServer({ ...common, rawKey: serverKey, rpk: true, clientAuth: "require", clientKeys: "any" }, io),
    credentials: { rpk: { privateKey, serverPin: createHash("sha256").update(spki).digest() } },
  };
}
