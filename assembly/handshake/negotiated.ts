// What the ClientHello offered and what the ServerHello chose.

// Offered.
export let offeredPsk: bool = false;
export let offeredEcdhe: bool = false;
export let offeredMflCode: i32 = 0;   // 0 = extension not sent
export let offeredSni: bool = false;

// Chosen by the server.
export let chosenSuite: i32 = 0;
export let chosenVersion: i32 = 0;
export let mflLength: i32 = 0;        // 0 = no max_fragment_length in force
export let emsNegotiated: bool = false;
export let sniAccepted: bool = false;
export let renegotiationInfoSeen: bool = false;

export function negotiatedReset(): void {
  offeredPsk = false;
  offeredEcdhe = false;
  offeredMflCode = 0;
  offeredSni = false;
  chosenSuite = 0;
  chosenVersion = 0;
  mflLength = 0;
  emsNegotiated = false;
  sniAccepted = false;
  renegotiationInfoSeen = false;
}

export function setOffers(pskSuite: bool, ecdheSuite: bool, mflCode: i32, sni: bool): void {
  offeredPsk = pskSuite;
  offeredEcdhe = ecdheSuite;
  offeredMflCode = mflCode;
  offeredSni = sni;
}

export function setChosen(suite: i32, version: i32): void { chosenSuite = suite; chosenVersion = version; }
export function setMflLength(len: i32): void { mflLength = len; }
export function setEms(v: bool): void { emsNegotiated = v; }
export function setSniAccepted(v: bool): void { sniAccepted = v; }
export function setRenegotiationInfoSeen(v: bool): void { renegotiationInfoSeen = v; }
