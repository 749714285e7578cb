// Connection IDs (RFC 9146). Each side names, in its hello's connection_id extension, the CID
// it wants to find in the records it receives (s. 3): ours is drawn from the TRNG at connect
// (OPT_CID bytes); the server's comes in its ServerHello. CIDs are used only when both hellos
// carried the extension, from epoch 1 on, and only in a direction whose CID is not empty:
// records then have content type tls12_cid, the CID in the header and the real content type
// inside the encryption (s. 4). The module never looks at addresses, so a client whose
// address or port changes (NAT rebinding) keeps its connection: the server finds it by CID.
import { CID_MAX, CID_PEER_MAX } from "../config";
import { EXT_CONNECTION_ID } from "../protocol";
import { halRandom } from "../hal";

// Our connection_id extension as the ClientHello carries it (type, length, cid<0..2^8-1>),
// built at connect: its last bytes are our CID, which the server's records carry.
// @ts-ignore: decorator
@lazy export const cidExtension = memory.data(5 + CID_MAX);
export const ownCid: usize = cidExtension + 5;
// @ts-ignore: decorator
@lazy export const peerCid = memory.data(CID_PEER_MAX);  // in our records to the server
export let cidOffered: i32 = -1;   // our CID's length in the ClientHello; -1: not offered
// Once negotiated: the CID lengths of each direction; -1 while not (or not negotiated).
export let rxCidLen: i32 = -1;
export let txCidLen: i32 = -1;

export function cidReset(): void { cidOffered = -1; rxCidLen = -1; txCidLen = -1; }

// A new handshake offers a CID of len bytes (-1: none). False if the TRNG failed.
export function cidStart(len: i32): bool {
  cidReset();
  if (len > 0 && halRandom(ownCid, len) != 0) return false;
  store<u32>(cidExtension, bswap<u32>(<u32>((EXT_CONNECTION_ID << 16) | (len + 1))));
  store<u8>(cidExtension + 4, <u8>len);
  cidOffered = len;
  return true;
}

// The ServerHello's cid<0..2^8-1> (len <= CID_PEER_MAX): negotiated.
export function cidNegotiated(p: usize, len: i32): void {
  memory.copy(peerCid, p, <usize>len);
  txCidLen = len;
  rxCidLen = cidOffered;
}

// The CID a record of ours in this epoch carries (RFC 9146 s. 4): 0 in epoch 0 and when the
// server's CID is empty or not negotiated (RFC 6347 records), else txCidLen; such a record
// also carries the real content type, one byte more.
export function cidTx(epoch: i32): i32 {
  return epoch > 0 && txCidLen > 0 ? txCidLen : 0;
}
