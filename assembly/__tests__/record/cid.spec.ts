// Connection IDs (RFC 9146): the additional data and the inner plaintext, checked against
// bytes written out by hand from the RFC's layouts; records with a CID on receive; the
// ServerHello's connection_id.
import { buildAad, aad, innerTypeAt } from "../../record/protect";
import { cidStart, cidNegotiated, cidReset, ownCid, rxCidLen, txCidLen, cidTx, cidExtension } from "../../record/cid";
import { recordsBegin, recordNext, recordCidValid, recType, recEpoch, recSeq, recHeaderLen, recFragmentLen,
  resetDropCount, recordsDropped } from "../../record/receive";
import { parseServerHello } from "../../handshake/server_hello";
import { setOffers } from "../../handshake/negotiated";
import { verdictAlert, verdictReason } from "../../handshake/verdict";
import { REASON_PEER_CID_TOO_LONG } from "../../errors";
import { hex, toHex } from "../support/helpers";

describe("RFC 9146 s. 5: additional data", () => {
  it("a tls12_cid record: 8 x ff, tls12_cid, cid_length, tls12_cid, version, epoch, seq, cid, inner length", () => {
    // Header: tls12_cid, DTLS 1.2, epoch 1, sequence 0x0000000a0b0c, CID a1b2c3d4, length.
    const record = hex("19" + "fefd" + "0001" + "00000a0b0c0d" + "a1b2c3d4" + "0040");
    const n = buildAad(record.dataStart, 4, 0x0123);
    const expected =
      "ffffffffffffffff" +   // seq_num_placeholder
      "19" +                 // tls12_cid
      "04" +                 // cid_length
      "19" +                 // tls12_cid
      "fefd" +               // DTLSCiphertext.version
      "0001" +               // epoch
      "00000a0b0c0d" +       // sequence_number
      "a1b2c3d4" +           // cid
      "0123";                // length_of_DTLSInnerPlaintext
    expect(n).toBe(expected.length / 2);
    expect(toHex(aad, n)).toBe(expected);
  });
  it("a one-byte CID and a long one", () => {
    const one = hex("19fefd0001000000000007" + "5a" + "0000");
    expect(toHex(aad, buildAad(one.dataStart, 1, 1))).toBe("ffffffffffffffff" + "19" + "01" + "19fefd0001000000000007" + "5a" + "0001");
    let cid = "";
    for (let i = 0; i < 32; i++) cid += "c" + (i & 15).toString(16);
    const long = hex("19fefd0001000000000007" + cid + "0000");
    expect(toHex(aad, buildAad(long.dataStart, 32, 0x1ff))).toBe("ffffffffffffffff" + "19" + "20" + "19fefd0001000000000007" + cid + "01ff");
  });
  it("a record without CID keeps RFC 5246's: epoch, seq, type, version, length", () => {
    const record = hex("17" + "fefd" + "0001" + "00000a0b0c0d" + "0040");
    const n = buildAad(record.dataStart, 0, 0x0123);
    expect(toHex(aad, n)).toBe("0001" + "00000a0b0c0d" + "17" + "fefd" + "0123");
  });
});

describe("RFC 9146 s. 4: DTLSInnerPlaintext = content || real_type || zeros", () => {
  it("finds the real type after the content, before the padding", () => {
    const p = hex("414217" + "000000");
    expect(innerTypeAt(p.dataStart, p.length)).toBe(2);
    const q = hex("4142" + "16");
    expect(innerTypeAt(q.dataStart, q.length)).toBe(2);
  });
  it("an empty content: the type alone", () => {
    const p = hex("17" + "0000");
    expect(innerTypeAt(p.dataStart, p.length)).toBe(0);
  });
  it("zeros inside the content are content", () => {
    const p = hex("00410017" + "00");
    expect(innerTypeAt(p.dataStart, p.length)).toBe(3);
  });
  it("all zeros, or nothing: no content type (-1)", () => {
    const p = hex("00000000");
    expect(innerTypeAt(p.dataStart, p.length)).toBe(-1);
    expect(innerTypeAt(p.dataStart, 0)).toBe(-1);
  });
});

describe("the connection_id extension", () => {
  // (Its bytes come from the HAL's TRNG, which as-pect's specs cannot use: tests/cid.test.ts.)
  it("ours: type 54, length, cid<0..2^8-1>", () => {
    expect(cidStart(4)).toBe(true);
    expect(toHex(cidExtension, 5)).toBe("0036" + "0005" + "04");
    expect(cidStart(0)).toBe(true);
    expect(toHex(cidExtension, 5)).toBe("0036000100");
  });
  it("not negotiated until the ServerHello answers; then both directions", () => {
    cidStart(3);
    expect(rxCidLen).toBe(-1);
    expect(txCidLen).toBe(-1);
    const theirs = hex("0102030405");
    cidNegotiated(theirs.dataStart, 5);
    expect(rxCidLen).toBe(3);
    expect(txCidLen).toBe(5);
    expect(cidTx(0)).toBe(0);
    expect(cidTx(1)).toBe(5);
    cidNegotiated(theirs.dataStart, 0);
    expect(cidTx(1)).toBe(0);
    cidReset();
  });
});

const RANDOM = "abababababababababababababababababababababababababababababababab";
function serverHello(extensions: string): i32 {
  setOffers(true, false, 0, false);
  const h = hex("fefd" + RANDOM + "00" + "c0a8" + "00" + (extensions.length / 2).toString(16).padStart(4, "0") + extensions);
  return parseServerHello(h.dataStart, h.length);
}

describe("ServerHello connection_id (RFC 9146 s. 3)", () => {
  it("accepted when offered: the server's CID is what we send", () => {
    cidStart(2);
    expect(serverHello("0036" + "0004" + "03aabbcc")).toBe(0);
    expect(txCidLen).toBe(3);
    expect(rxCidLen).toBe(2);
  });
  it("an empty CID of the server: negotiated, our records stay RFC 6347 ones", () => {
    cidStart(2);
    expect(serverHello("0036" + "0001" + "00")).toBe(0);
    expect(txCidLen).toBe(0);
    expect(cidTx(1)).toBe(0);
  });
  it("not offered: unsupported_extension (RFC 5246 7.4.1.4)", () => {
    cidStart(-1);
    expect(verdictAlert(serverHello("0036" + "0004" + "03aabbcc"))).toBe(110);
    expect(txCidLen).toBe(-1);
  });
  it("malformed: decode_error, nothing negotiated", () => {
    cidStart(2);
    expect(verdictAlert(serverHello("0036" + "0004" + "04aabbcc"))).toBe(50);   // cid runs past the extension
    expect(verdictAlert(serverHello("0036" + "0004" + "02aabbcc"))).toBe(50);   // a byte left over
    expect(verdictAlert(serverHello("0036" + "0000"))).toBe(50);               // no length byte
    expect(verdictAlert(serverHello("0036000100" + "0036000100"))).toBe(50);   // twice
    expect(txCidLen).toBe(-1);
  });
  it("longer than we keep (CID_PEER_MAX 32): illegal_parameter, reason peer_cid_too_long", () => {
    cidStart(2);
    let cid = "";
    for (let i = 0; i < 33; i++) cid += "ee";
    const v = serverHello("0036" + "0022" + "21" + cid);
    expect(verdictAlert(v)).toBe(47);
    expect(verdictReason(v)).toBe(REASON_PEER_CID_TOO_LONG);
    expect(serverHello("0036" + "0021" + "20" + cid.substr(2))).toBe(0);
    expect(txCidLen).toBe(32);
  });
});

describe("records with a connection ID on receive (RFC 9146 s. 4)", () => {
  it("before negotiation a tls12_cid record cannot be delimited: the rest of the datagram is dropped", () => {
    cidReset();
    resetDropCount();
    const d = hex("19fefd00010000000000010004aabbccdd" + "15fefd0001000000000002000101");
    recordsBegin(d.dataStart, d.length);
    expect(recordNext()).toBe(false);
    expect(recordsDropped()).toBe(1);
  });
  it("with an empty CID of ours the same (the server must send RFC 6347 records)", () => {
    cidStart(0);
    const none = hex("");
    cidNegotiated(none.dataStart, 0);
    resetDropCount();
    const d = hex("19fefd00010000000000010004aabbccdd");
    recordsBegin(d.dataStart, d.length);
    expect(recordNext()).toBe(false);
    expect(recordsDropped()).toBe(1);
  });
  it("once negotiated: the CID before the length, then the next record", () => {
    cidStart(2);
    const theirs = hex("77");
    cidNegotiated(theirs.dataStart, 1);
    store<u16>(ownCid, 0x3412);   // our CID: 12 34
    const d = hex("19fefd0001000000000009" + "1234" + "0003aabbcc" + "17fefd000100000000000a0001ff");
    recordsBegin(d.dataStart, d.length);
    expect(recordNext()).toBe(true);
    expect(recType).toBe(25);
    expect(recEpoch).toBe(1);
    expect(recSeq).toBe(9);
    expect(recHeaderLen).toBe(15);
    expect(recFragmentLen).toBe(3);
    expect(recordCidValid()).toBe(true);
    expect(recordNext()).toBe(true);
    expect(recType).toBe(23);
    expect(recordCidValid()).toBe(false);   // epoch 1 without our CID: invalid
    expect(recordNext()).toBe(false);
  });
  it("another CID, or tls12_cid in epoch 0: invalid; epoch 0 without CID: fine", () => {
    store<u16>(ownCid, 0x3412);
    const wrong = hex("19fefd0001000000000009" + "1235" + "0000");
    recordsBegin(wrong.dataStart, wrong.length);
    expect(recordNext()).toBe(true);
    expect(recordCidValid()).toBe(false);
    const epoch0 = hex("19fefd0000000000000009" + "1234" + "0000");
    recordsBegin(epoch0.dataStart, epoch0.length);
    expect(recordNext()).toBe(true);
    expect(recordCidValid()).toBe(false);
    const plain = hex("16fefd0000000000000009" + "0000");
    recordsBegin(plain.dataStart, plain.length);
    expect(recordNext()).toBe(true);
    expect(recordCidValid()).toBe(true);
  });
  it("never reads outside the datagram for any truncation", () => {
    const d = hex("19fefd0001000000000009" + "1234" + "0003aabbcc" + "19fefd000100000000000a" + "1234" + "0001ff");
    for (let n = 0; n <= d.length; n++) {
      recordsBegin(d.dataStart, n);
      let count = 0;
      while (recordNext()) count++;
      expect(count).toBe(n >= 34 ? 2 : n >= 18 ? 1 : 0);
    }
    cidReset();
  });
});
