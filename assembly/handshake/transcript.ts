// The running SHA-256 of the handshake messages (RFC 5246 7.4.9, RFC 6347 4.2.6: each
// message as if sent in one fragment: fragment_offset 0, fragment_length = length).
// ClientHello without cookie and HelloVerifyRequest stay out (RFC 6347 4.2.1).
import { SHA256_CTX_SIZE, sha256Init, sha256Update, sha256Final, sha256Copy } from "../crypto/sha256";
import { put24 } from "../util/bytes";

const running = memory.data(SHA256_CTX_SIZE);
const scratch = memory.data(SHA256_CTX_SIZE);
const header = memory.data(12);

export function transcriptReset(): void { sha256Init(running); }

// Adds a message whose 12-byte DTLS header is at p (fragment fields rewritten to whole).
export function transcriptAddMessage(p: usize, bodyLen: i32): void {
  memory.copy(header, p, 6);     // type, length, message_seq
  put24(header + 6, 0);          // fragment_offset
  put24(header + 9, bodyLen);    // fragment_length
  sha256Update(running, header, 12);
  sha256Update(running, p + 12, bodyLen);
}

// Adds a message given as type/seq and a separate body.
export function transcriptAddParts(type: i32, seq: i32, body: usize, bodyLen: i32): void {
  transcriptAddHeader(type, seq, bodyLen);
  sha256Update(running, body, bodyLen);
}

// A message added piece by piece (the server's Certificate, read through a window): its
// header, then its body in order (transcriptAddBody).
export function transcriptAddHeader(type: i32, seq: i32, bodyLen: i32): void {
  store<u8>(header, <u8>type);
  put24(header + 1, bodyLen);
  store<u8>(header + 4, <u8>(seq >> 8));
  store<u8>(header + 5, <u8>seq);
  put24(header + 6, 0);
  put24(header + 9, bodyLen);
  sha256Update(running, header, 12);
}
export function transcriptAddBody(p: usize, n: i32): void { sha256Update(running, p, n); }

// The hash of everything so far; the running hash goes on.
export function transcriptHash(out32: usize): void {
  sha256Copy(scratch, running);
  sha256Final(scratch, out32);
}
