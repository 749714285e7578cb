// The per-peer state: record layer epochs and keys, handshake progress, the flight in hand.
import { createECDH, KeyObject } from "node:crypto";
import { CcmKey } from "./crypto";
import { HandshakeInfo, ServerChain } from "./options";

/** A flight item: rebuilt into fresh records on every (re)transmission (RFC 6347 s. 4.2.4). */
export type FlightItem = { kind: "hs"; type: number; seq: number; body: Buffer; epoch: number } | { kind: "ccs" };

export interface Fragments { type: number; length: number; buf: Buffer; have: Uint8Array; missing: number }

/** One client's association. */
export class Connection {
  // Record layer.
  readEpoch = 0;
  writeEpoch = 0;
  writeSeq = [0, 0];
  readKey: CcmKey | null = null;
  writeKey: CcmKey | null = null;
  pendingRead: CcmKey | null = null;
  pendingWrite: CcmKey | null = null;
  replayMax = -1;
  replayMask = 0n;
  early: Array<{ type: number; epoch: number; seq: number; payload: Buffer }> = [];
  // Handshake.
  sendMsgSeq = 0;
  recvMsgSeq = 0;
  frags = new Map<number, Fragments>();
  transcript: Buffer[] = [];
  flight: FlightItem[] = [];
  flightName = "";
  timerAt: number | null = null;
  rto: number;
  retransmissions = 0;
  blocked = false;
  ccsPending = false;
  expect: number[] = [];
  done = false;
  closed = false;
  clientRandom: Buffer = Buffer.alloc(0);
  serverRandom: Buffer = Buffer.alloc(0);
  masterSecret: Buffer | null = null;
  ecdh: ReturnType<typeof createECDH> | null = null;
  chain: ServerChain | null = null;
  signKey: KeyObject | null = null;
  clientKey: KeyObject | null = null;
  plainMax = 16384;
  info: HandshakeInfo;
  constructor(readonly peer: string, rto: number) {
    this.rto = rto;
    this.info = { peer, suite: 0, ems: false, sni: null, mfl: null, serverCertType: null, clientCertType: null,
      clientCertificates: null, pskIdentity: null, cookieExchanged: false, cachedInfoUsed: false, cachedInfoForm: null, certUrlUsed: false,
      chainIndex: null, trustedCaMatched: false };
  }
}
