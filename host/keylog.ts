// --keylog FILE: the NSS key log format Wireshark and tshark read to decrypt a session
// ("CLIENT_RANDOM <client_random hex> <master_secret hex>", one line per handshake, resumed
// ones included). The secrets come from the module's OPT_KEYLOG / INFO_KEYLOG (docs/API.md):
// a debugging aid; the file decrypts every session it lists, so it is written for its owner only.
import { appendFileSync } from "node:fs";

export const KEYLOG_RANDOM_LEN = 32;
export const KEYLOG_MASTER_LEN = 48;

/** One line of the NSS key log format (with its newline). */
export function keylogLine(clientRandom: Uint8Array, masterSecret: Uint8Array): string {
  if (clientRandom.length !== KEYLOG_RANDOM_LEN || masterSecret.length !== KEYLOG_MASTER_LEN) {
    throw new RangeError("a key log line needs a 32-byte client random and a 48-byte master secret");
  }
  return `CLIENT_RANDOM ${Buffer.from(clientRandom).toString("hex")} ${Buffer.from(masterSecret).toString("hex")}\n`;
}

/** Appends lines to FILE (created with mode 0600), one per handshake. */
export class KeylogWriter {
  constructor(readonly file: string) {}

  write(clientRandom: Uint8Array, masterSecret: Uint8Array): void {
    appendFileSync(this.file, keylogLine(clientRandom, masterSecret), { mode: 0o600 });
  }
}
