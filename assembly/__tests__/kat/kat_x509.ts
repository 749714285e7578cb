// Test-only entry (build/kat-x509.wasm): the X.509 library (assembly/x509/) over a scratch
// buffer, for tests/x509.test.ts and the instruction counts of `make bench-x509`.
// Every offset is relative to the buffer returned by kat_buffer().
import { anchorsReset, anchorAdd, anchorCount, anchorWriteTrustedAuthorities } from "../../x509/anchors";
import { chainBegin, chainAdd, chainEnd, chainCount, chainFailIndex, chainLeafKey, chainLeafEui64, chainLeafHasEui64 } from "../../x509/chain";

const KAT_BUFFER_SIZE: i32 = 16384;
const buf = memory.data(KAT_BUFFER_SIZE);

// @ts-ignore: decorator
@inline function at(off: i32): usize { return buf + <usize>off; }

export function kat_buffer(): usize { return buf; }
export function kat_buffer_size(): i32 { return KAT_BUFFER_SIZE; }

export function x509_anchors_reset(): void { anchorsReset(); }
export function x509_anchor_add(off: i32, len: i32): i32 { return anchorAdd(at(off), len); }
export function x509_anchor_count(): i32 { return anchorCount(); }
export function x509_trusted_authorities(off: i32, max: i32): i32 { return anchorWriteTrustedAuthorities(at(off), max); }

export function x509_chain_begin(nameOff: i32, nameLen: i32, nowS: i64, acceptUnknownTime: i32, purpose: i32): void {
  chainBegin(at(nameOff), nameLen, nowS, acceptUnknownTime != 0, purpose);
}
export function x509_chain_add(off: i32, len: i32): i32 { return chainAdd(at(off), len); }
export function x509_chain_end(): i32 { return chainEnd(); }
export function x509_chain_count(): i32 { return chainCount(); }
export function x509_fail_index(): i32 { return chainFailIndex(); }
// Copies the leaf's key (65 bytes) and EUI-64 (8) to off; returns 1 when it has an EUI-64.
export function x509_leaf(off: i32): i32 {
  memory.copy(at(off), chainLeafKey, 65);
  memory.copy(at(off + 65), chainLeafEui64, 8);
  return chainLeafHasEui64 ? 1 : 0;
}

// One validation of the chain laid out at off as [u16 length, DER]* (count certificates),
// the reference name at nameOff: what `make bench-x509` counts.
export function x509_validate(nameOff: i32, nameLen: i32, nowS: i64, off: i32, count: i32): i32 {
  chainBegin(at(nameOff), nameLen, nowS, false, 0);
  let p = off;
  for (let i = 0; i < count; i++) {
    const len = (<i32>load<u8>(at(p)) << 8) | <i32>load<u8>(at(p + 1));
    const v = chainAdd(at(p + 2), len);
    if (v != 0) return v;
    p += 2 + len;
  }
  return chainEnd();
}
