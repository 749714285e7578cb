// Prints a client fuzz input (fuzz/src/client_input.h) op by op, each datagram as its DTLS
// records and, for plaintext handshake records, their fragments: for reading seeds and
// crash reproducers.
//   node fuzz/dump-input.mjs FILE...
import { readFileSync } from "node:fs";

const OPS = ["DATAGRAM", "ADVANCE", "WRITE", "CLOSE", "CONNECT", "SEAL"];
const CT = { 20: "change_cipher_spec", 21: "alert", 22: "handshake", 23: "application_data", 24: "heartbeat" };
const HT = {
  0: "hello_request", 1: "client_hello", 2: "server_hello", 3: "hello_verify_request", 11: "certificate",
  12: "server_key_exchange", 13: "certificate_request", 14: "server_hello_done", 15: "certificate_verify",
  16: "client_key_exchange", 20: "finished",
};
const FLAGS = ["RPK", "CLIENT_KEY", "PIN_HASH", "SMALL_PMTU", "NO_MFL", "REQUIRE_EMS", "NO_SNI", "bit7"];

function fragments(body, indent) {
  const lines = [];
  for (let p = 0; body.length - p >= 12;) {
    const flen = body.readUIntBE(p + 9, 3);
    lines.push(`${indent}${HT[body[p]] ?? `handshake ${body[p]}`} length=${body.readUIntBE(p + 1, 3)} ` +
      `message_seq=${body.readUInt16BE(p + 4)} fragment=${body.readUIntBE(p + 6, 3)}+${flen}`);
    p += 12 + flen;
  }
  return lines;
}

function records(d, indent) {
  const lines = [];
  let pos = 0;
  while (d.length - pos >= 13) {
    const type = d[pos], version = d.readUInt16BE(pos + 1), epoch = d.readUInt16BE(pos + 3);
    const seq = d.readUIntBE(pos + 5, 6), len = d.readUInt16BE(pos + 11);
    const avail = Math.min(len, d.length - pos - 13);
    lines.push(`${indent}record ${CT[type] ?? `type ${type}`} v=${version.toString(16)} epoch=${epoch} seq=${seq} len=${len}` +
      (avail < len ? ` (only ${avail} bytes left)` : ""));
    const body = d.subarray(pos + 13, pos + 13 + avail);
    if (type === 22 && epoch === 0) {
      lines.push(...fragments(body, `${indent}  `));
    } else if (type === 21 && epoch === 0 && body.length === 2) {
      lines.push(`${indent}  level=${body[0]} description=${body[1]}`);
    }
    pos += 13 + avail;
  }
  if (pos < d.length) lines.push(`${indent}${d.length - pos} trailing bytes`);
  return lines;
}

for (const file of process.argv.slice(2)) {
  const b = readFileSync(file);
  const flags = b.length ? b[0] : 0;
  console.log(`${file}: flags 0x${flags.toString(16)} (${FLAGS.filter((_, i) => flags & (1 << i)).join(" ") || "PSK"})`);
  let pos = 1, n = 0;
  while (b.length - pos >= 3) {
    const code = b[pos] % OPS.length, arg = b.readUInt16BE(pos + 1);
    pos += 3;
    if (code === 0 || code === 5) {
      if (arg > b.length - pos) { console.log(`  #${n} ${OPS[code]} ${arg} bytes: truncated, ignored`); break; }
      const d = b.subarray(pos, pos + arg);
      if (code === 0) {
        console.log(`  #${n} DATAGRAM ${arg} bytes`);
        for (const l of records(d, "      ")) console.log(l);
      } else if (arg >= 2) {
        const type = d[0] & 0x7f, skewed = d[0] & 0x80 ? " (explicit nonce says seq+1)" : "";
        console.log(`  #${n} SEAL ${CT[type] ?? `type ${type}`} epoch=1 seq=${d[1]}${skewed}, ${arg - 2} bytes of plaintext: ` +
          d.subarray(2, 34).toString("hex") + (arg > 34 ? "..." : ""));
        if (type === 22) for (const l of fragments(d.subarray(2), "      ")) console.log(l);
      } else {
        console.log(`  #${n} SEAL ${arg} bytes: too short, ignored`);
      }
      pos += arg;
    } else {
      console.log(`  #${n} ${OPS[code]} ${arg}`);
    }
    n++;
  }
}
