// The X.509 builds (asconfig targets full and cert-hw: build/dtls.wasm, build/dtls-cert-hw.wasm,
// X509_ENABLED=1): the API of index.ts plus the certificate configuration (RFC 7925 s. 4.4).
// The other builds leave these three exports out, so their size does not change.
import { ERR_BAD_ARGUMENT, ERR_BAD_STATE } from "./errors";
import { IO_BUFFER_SIZE } from "./config";
import { STATE_HANDSHAKING, STATE_CONNECTED } from "./api_codes";
import { dtls_buffer, dtls_state } from "./index";
import { sessionForget } from "./handshake/resumption";
import { clientChainAdd, setPeerName } from "./handshake/certificate";
import { anchorAdd } from "./x509/anchors";
import { setCertUrl } from "./handshake/cert_ext";
export * from "./index";

// index.ts's checks of a configuration call: not while a connection runs; within the buffer.
function refusal(len: i32): i32 {
  const s = dtls_state();
  if (s == STATE_HANDSHAKING || s == STATE_CONNECTED) return ERR_BAD_STATE;
  return len < 0 || len > IO_BUFFER_SIZE ? ERR_BAD_ARGUMENT : 0;
}

// X.509 (RFC 7925 s. 4.4). One trust anchor, a CA certificate (DER) from the I/O buffer;
// repeatable up to TRUST_ANCHOR_MAX. With anchors and no raw-key pin, the handshake uses
// certificates. Only in the X.509 builds.
export function dtls_config_ca(len: i32): i32 {
  const r = refusal(len);
  if (r != 0) return r;
  sessionForget();
  return anchorAdd(dtls_buffer(), len);
}

// One certificate (DER) of our own chain, leaf first, appended; sent with a CertificateVerify
// by our dtls_config_rpk private key when the server asks (RFC 7925 s. 4.4.2). At most
// CLIENT_CHAIN_MAX bytes in all (3 more per certificate): ERR_TOO_LARGE.
export function dtls_config_cert(len: i32): i32 {
  const r = refusal(len);
  if (r != 0) return r;
  sessionForget();
  return clientChainAdd(dtls_buffer(), len);
}

// The name the server's certificate must carry (RFC 6125 DNS-ID, RFC 7925 s. 4.4.1) when it
// is not the SNI value (dtls_config_sni); 0 = the SNI value.
export function dtls_config_peer_name(len: i32): i32 {
  const r = refusal(len);
  if (r != 0) return r;
  sessionForget();
  return setPeerName(dtls_buffer(), len);
}

// client_certificate_url (RFC 6066 s. 5, RFC 7925 s. 4.4.5): the SHA-1 hash of our certificate
// (20 bytes, DER) then its URL (printable ASCII, at most CERT_URL_MAX), len = 20 + the URL's
// length; 0 = none. Offered with our chain and key; a server that echoes it gets a
// CertificateURL instead of our Certificate.
export function dtls_config_cert_url(len: i32): i32 {
  const r = refusal(len);
  if (r != 0) return r;
  return setCertUrl(dtls_buffer(), len);
}
