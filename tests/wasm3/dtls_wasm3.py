#!/usr/bin/env python3
"""Runs build/dtls.wasm in the wasm3 interpreter (PyPI package pywasm3) with a HAL in Python:
a connected UDP socket, os.urandom (or a seeded SHA-256 stream for replayable runs),
time.monotonic, and no AES engine (the core uses its software AES).

The Node CLI's options (PSK, or raw public keys from PEM files: --rpk --server-key --key);
prints one JSON summary line.

    python3 tests/wasm3/dtls_wasm3.py 127.0.0.1:PORT --psk-identity ID --psk HEX [--send TEXT] [--json]
    python3 tests/wasm3/dtls_wasm3.py 127.0.0.1:PORT --rpk --server-key PEM|SHA256HEX [--key PEM] [--json]
"""
import argparse
import base64
import binascii
import hashlib
import json
import os
import re
import select
import socket
import sys
import time

import wasm3

HAL_OK = 0
HAL_UNSUPPORTED = -1
STATE_NAMES = {0: "idle", 1: "handshaking", 2: "connected", 3: "closed", 4: "failed"}
STATE_CONNECTED = 2
STATE_HANDSHAKING = 1

# The HAL imports with wasm3 signatures: the list in boards/hal/hal.h and assembly/hal.ts.
HAL_SIGNATURES = {
    "aes128_encrypt": "i(iii)",
    "random": "i(ii)",
    "clock_ms": "i()",
    "wall_time_s": "I()",
    "send": "i(ii)",
    "log": "v(iii)",
}

EXPORTS = [
    "dtls_buffer", "dtls_buffer_size", "dtls_config_reset", "dtls_config_set", "dtls_config_psk",
    "dtls_config_sni", "dtls_config_rpk", "dtls_connect", "dtls_on_datagram", "dtls_poll", "dtls_write", "dtls_read",
    "dtls_close", "dtls_state", "dtls_last_alert", "dtls_last_error", "dtls_info",
]


class Wasm3Dtls:
    """One instance of the module in wasm3, with the HAL implemented on a UDP socket."""

    def __init__(self, wasm_path, sock=None, seed=None, log_level=-1, stack_bytes=64 * 1024):
        self.sock = sock
        self.log_level = log_level
        self.logs = []
        self.sent = []
        self.hal_errors = []
        self._seed = seed  # text: the Node host's seeded stream (host/hal.ts seededBytes)
        self._counter = 0
        self._pool = b""
        self._t0 = time.monotonic()
        with open(wasm_path, "rb") as f:
            self._bytes = f.read()
        self.env = wasm3.Environment()
        self.rt = self.env.new_runtime(stack_bytes)
        self.mod = self.env.parse_module(self._bytes)
        self.rt.load(self.mod)
        for name, sig in HAL_SIGNATURES.items():
            self.mod.link_function("hal", name, sig, self._guard(getattr(self, "_hal_" + name)))
        self.fn = {name: self.rt.find_function(name) for name in EXPORTS}
        self.buf = self.call("dtls_buffer")
        self.buf_size = self.call("dtls_buffer_size")

    # ---- HAL (any exception in a callback would trap the module: report instead) ----
    def _guard(self, f):
        def wrapped(*args):
            try:
                return f(*args)
            except Exception as e:  # noqa: BLE001 - a HAL must never trap the core
                self.hal_errors.append(f"{f.__name__}: {e!r}")
                return -1
        wrapped.__name__ = f.__name__
        return wrapped

    def mem(self):
        return self.rt.get_memory(0)

    def _hal_aes128_encrypt(self, key, inp, out):
        return HAL_UNSUPPORTED

    def _hal_random(self, buf, length):
        if self._seed is None:
            data = os.urandom(length)
        else:
            while len(self._pool) < length:
                block = self._seed.encode() + str(self._counter).encode()
                self._pool += hashlib.sha256(block).digest()
                self._counter += 1
            data, self._pool = self._pool[:length], self._pool[length:]
        self.mem()[buf:buf + length] = data
        return HAL_OK

    def _hal_clock_ms(self):
        ms = int((time.monotonic() - self._t0) * 1000) & 0xFFFFFFFF
        return ms - (1 << 32) if ms >= (1 << 31) else ms

    def _hal_wall_time_s(self):
        return int(time.time())

    def _hal_send(self, buf, length):
        data = bytes(self.mem()[buf:buf + length])
        self.sent.append(data)
        if self.sock is None:
            return -1
        try:
            self.sock.send(data)
        except OSError:
            return -1
        return 0

    def _hal_log(self, level, msg, length):
        text = bytes(self.mem()[msg:msg + length]).decode("ascii", "replace")
        self.logs.append((level, text))
        if level <= self.log_level:
            print(f"[{['error', 'warn', 'info', 'debug'][level] if 0 <= level <= 3 else level}] {text}",
                  file=sys.stderr)

    # ---- exports ----
    def call(self, name, *args):
        r = self.fn[name](*args)
        return 0 if r is None else r

    def _put(self, data):
        if len(data) > self.buf_size:
            raise ValueError(f"{len(data)} bytes exceed the module's I/O buffer ({self.buf_size})")
        self.mem()[self.buf:self.buf + len(data)] = data

    def config_psk(self, identity, psk):
        self._put(identity + psk)
        return self.call("dtls_config_psk", len(identity), len(psk))

    def config_rpk(self, private_key, server_pin):
        """Raw public keys: our 32-byte private key (or b"") then the server's pin (65-byte
        point or 32-byte SHA-256 of its SPKI), as host/engine.ts passes them."""
        private_key = private_key or b""
        self._put(private_key + server_pin)
        r = self.call("dtls_config_rpk", len(private_key), len(server_pin))
        self.mem()[self.buf:self.buf + len(private_key) + len(server_pin)] = bytes(len(private_key) + len(server_pin))
        return r

    def peer_key_hash(self):
        """SHA-256 of the server's SPKI as seen in the handshake (hex), or None."""
        if self.call("dtls_info", CODES["INFO_PEER_KEY_HASH"]) != 32:
            return None
        return bytes(self.mem()[self.buf:self.buf + 32]).hex()

    def config_sni(self, name):
        data = name.encode("ascii") if name else b""
        self._put(data)
        return self.call("dtls_config_sni", len(data))

    def on_datagram(self, data):
        self._put(data)
        return self.call("dtls_on_datagram", len(data))

    def write(self, data):
        self._put(data)
        return self.call("dtls_write", len(data))

    def read(self):
        n = self.call("dtls_read")
        if n < 0:
            return None
        return bytes(self.mem()[self.buf:self.buf + n])

    def memory_size(self):
        return len(self.mem())


# ---- P-256 keys from PEM files (a small DER reader: SPKI, PKCS#8 and SEC1 only) ----

class KeyFileError(ValueError):
    pass


OID_EC_PUBLIC_KEY = bytes.fromhex("2a8648ce3d0201")
OID_PRIME256V1 = bytes.fromhex("2a8648ce3d030107")
# The 26-byte DER prefix of a P-256 SubjectPublicKeyInfo; the 65-byte point follows.
P256_SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200")


def _der(data, i=0):
    """(tag, contents, next index) of the DER element at data[i]."""
    if i + 2 > len(data):
        raise KeyFileError("truncated DER")
    tag, n = data[i], data[i + 1]
    i += 2
    if n & 0x80:
        k = n & 0x7F
        if k == 0 or k > 3 or i + k > len(data):
            raise KeyFileError("bad DER length")
        n = int.from_bytes(data[i:i + k], "big")
        i += k
    if i + n > len(data):
        raise KeyFileError("truncated DER")
    return tag, data[i:i + n], i + n


def _der_items(data):
    items, i = [], 0
    while i < len(data):
        tag, body, i = _der(data, i)
        items.append((tag, body))
    return items


def _pem_blocks(text, path):
    blocks = re.findall(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", text, re.S)
    if not blocks:
        raise KeyFileError(f"{path}: not a PEM key")
    try:
        return [(label, base64.b64decode("".join(body.split()), validate=True)) for label, body in blocks]
    except binascii.Error as e:
        raise KeyFileError(f"{path}: bad base64 ({e})") from None


def _sec1(der, path, curve_known):
    """(d, point or None) of an ECPrivateKey (RFC 5915)."""
    items = _der_items(_der(der)[1])
    if len(items) < 2 or items[0] != (0x02, b"\x01") or items[1][0] != 0x04 or len(items[1][1]) > 32:
        raise KeyFileError(f"{path}: not an EC private key")
    d, point = items[1][1].rjust(32, b"\0"), None
    for tag, body in items[2:]:
        if tag == 0xA0:
            curve_known = _der(body)[1] == OID_PRIME256V1
        elif tag == 0xA1:
            bits = _der(body)[1]
            if len(bits) == 66 and bits[0] == 0 and bits[1] == 4:
                point = bits[1:]
    if not curve_known:
        raise KeyFileError(f"{path} is not a P-256 (prime256v1) key")
    return d, point


def _private(label, der, path):
    if label == "EC PRIVATE KEY":
        return _sec1(der, path, False)
    if label == "PRIVATE KEY":  # PKCS#8
        items = _der_items(_der(der)[1])
        if len(items) < 3 or items[1][0] != 0x30 or items[2][0] != 0x04:
            raise KeyFileError(f"{path}: not a PKCS#8 private key")
        alg = _der_items(items[1][1])
        if len(alg) != 2 or alg[0] != (0x06, OID_EC_PUBLIC_KEY) or alg[1] != (0x06, OID_PRIME256V1):
            raise KeyFileError(f"{path} is not a P-256 (prime256v1) key")
        return _sec1(items[2][1], path, True)
    return None


def read_private_key(path):
    """--key: the 32-byte private scalar of a PEM (PKCS#8 or SEC1) P-256 private key."""
    with open(path) as f:
        blocks = _pem_blocks(f.read(), path)
    for label, der in blocks:
        got = _private(label, der, path)
        if got:
            return got[0]
    raise KeyFileError(f"{path}: not a PEM private key")


def read_public_point(path):
    """The uncompressed point of a P-256 PEM public key (or the public half of a private key)."""
    with open(path) as f:
        blocks = _pem_blocks(f.read(), path)
    for label, der in blocks:
        if label == "PUBLIC KEY":
            if len(der) != 91 or der[:26] != P256_SPKI_PREFIX:
                raise KeyFileError(f"{path} is not a P-256 (prime256v1) key")
            return der[26:]
        got = _private(label, der, path)
        if got:
            if got[1] is None:
                raise KeyFileError(f"{path}: the private key does not carry its public key")
            return got[1]
    raise KeyFileError(f"{path}: not a PEM key")


def read_server_pin(value):
    """--server-key: a PEM file (the 65-byte point) or 64 hex digits (SHA-256 of the SPKI)."""
    if re.fullmatch(r"[0-9a-fA-F]{64}", value):
        return bytes.fromhex(value)
    return read_public_point(value)


def load_codes():
    """The core's numbers from the generated C header (boards/hal/dtls_codes.h)."""
    path = os.path.join(os.path.dirname(__file__), "..", "..", "boards", "hal", "dtls_codes.h")
    codes = {}
    with open(path) as f:
        for m in re.finditer(r"#define DTLS_(\w+) \((-?\d+)\)", f.read()):
            codes[m.group(1)] = int(m.group(2))
    return codes


CODES = load_codes()
CIPHER_NAMES = {CODES.get("TLS_PSK_WITH_AES_128_CCM_8"): "TLS_PSK_WITH_AES_128_CCM_8",
                CODES.get("TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8"): "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8"}


def summary_of(d, sni, received, rpk=False):
    """dtls-client's JSON summary (host/engine.ts summary() plus "received")."""
    info = lambda k: d.call("dtls_info", CODES["INFO_" + k])  # noqa: E731
    suite, mfl, state = info("CIPHER_SUITE"), info("MFL"), d.call("dtls_state")
    keys = {"server_key_sha256": d.peer_key_hash(), "client_auth": info("CLIENT_AUTH") == 1} if rpk else {}
    return {
        "protocol": "DTLSv1.2" if info("VERSION") == CODES["DTLS_1_2"] else None,
        "cipher": CIPHER_NAMES.get(suite) or (f"0x{suite:x}" if suite else None),
        "mfl": mfl or None,
        "ems": info("EMS") == 1,
        "sni": sni,
        "sni_accepted": info("SNI_ACCEPTED") == 1,
        "resumed": info("RESUMED") == 1,
        "handshake_ms": info("HANDSHAKE_MS"),
        "flights_sent": info("FLIGHTS_SENT"),
        "flights_received": info("FLIGHTS_RECEIVED"),
        "flights_retransmitted": info("FLIGHTS_RETRANSMITTED"),
        "records_dropped": info("RECORDS_DROPPED"),
        **keys,
        "state": STATE_NAMES.get(state, f"state_{state}"),
        "received": received.decode("utf-8", "replace"),
    }


def run_client(wasm_path, target, identity, psk, send=None, wait_ms=5000, seed=None,
               options=(), sni=None, log_level=-1, guard_ms=120000, rpk=None, stop_before=None):
    """The CLI's flow: configure, handshake, send `send` and wait for the reply, close.
    identity/psk may be None when rpk = (private key or None, server pin) is given.
    stop_before="connect" returns (None, d) once the module is configured (a baseline)."""
    host, port = target.rsplit(":", 1)
    host = host.strip("[]")
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect((host, int(port)))
    d = Wasm3Dtls(wasm_path, sock=sock, seed=seed, log_level=log_level)
    d.call("dtls_config_reset")
    if identity is not None and d.config_psk(identity, psk) != 0:
        raise ValueError("the module refused the PSK")
    if rpk is not None:
        r = d.config_rpk(rpk[0], rpk[1])
        if r == CODES["ERR_UNSUPPORTED"]:
            raise ValueError("this module was built without raw public keys (PSK only)")
        if r != 0:
            raise ValueError("the module refused the raw public keys (not a valid P-256 key?)")
    if sni is not None and d.config_sni(sni) != 0:
        raise ValueError(f"invalid server name: {sni}")
    for k, v in options:
        if d.call("dtls_config_set", k, v) != 0:
            raise ValueError(f"option {k}={v} refused")
    if stop_before == "connect":
        sock.close()
        return None, d
    start = time.monotonic()
    rc = d.call("dtls_connect")
    connected_at, sent, received = None, False, b""
    while rc >= 0 or rc == CODES["ERR_FAILED"]:
        state = d.call("dtls_state")
        now = time.monotonic()
        if state == STATE_CONNECTED:
            if connected_at is None:
                connected_at = now
                if send is None:
                    break
            if not sent:
                if d.write(send) < 0:
                    break
                sent = True
            while (rec := d.read()) is not None:
                received += rec
            if received or (now - connected_at) * 1000 >= wait_ms:
                break
            wait = 10
        elif state == STATE_HANDSHAKING:
            wait = d.call("dtls_poll")
            if wait < 0:
                wait = 1000
        else:
            break
        if (now - start) * 1000 > guard_ms:
            break
        r, _, _ = select.select([sock], [], [], wait / 1000.0)
        if r:
            try:
                data = sock.recv(4096)
            except OSError:
                data = b""
            if data:
                d.on_datagram(data)
    summary = summary_of(d, sni, received, rpk is not None)
    if summary["state"] not in ("connected", "closed"):
        summary["reason"] = d.call("dtls_last_error")
        summary["alert"] = d.call("dtls_last_alert")
    if d.hal_errors:
        summary["hal_errors"] = d.hal_errors
    if d.call("dtls_state") == STATE_CONNECTED:
        d.call("dtls_close")
    sock.close()
    return summary, d


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("target", help="HOST:PORT of the DTLS server")
    p.add_argument("--psk-identity")
    p.add_argument("--psk", help="key in hex")
    p.add_argument("--rpk", action="store_true",
                   help="raw public keys (RFC 7250) with TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8")
    p.add_argument("--server-key", help="the server's P-256 public key: a PEM file, or the hex SHA-256 of its SPKI")
    p.add_argument("--key", help="our P-256 private key (PEM), for client authentication")
    p.add_argument("--sni")
    p.add_argument("--mfl", help="512, 1024, 2048, 4096 or off")
    p.add_argument("--rto", type=int, help="initial retransmission timeout (ms)")
    p.add_argument("--timeout", type=int, help="give up on a flight after MS")
    p.add_argument("--pmtu", type=int)
    p.add_argument("--require-ems", action="store_true")
    p.add_argument("--send", help="send TEXT once connected, print the reply, close")
    p.add_argument("--wait", type=int, default=5000, help="ms to wait for the reply")
    p.add_argument("--json", action="store_true", help="print one JSON summary")
    p.add_argument("--verbose", action="store_true")
    p.add_argument("--seed", help="deterministic random bytes (the Node host's stream)")
    p.add_argument("--software-aes", action="store_true", help="(always: this HAL has no AES)")
    p.add_argument("--stop-before", choices=("init", "connect"),
                   help="exit 0 before a stage (the baseline of `make bench`): init (options parsed, keys read) "
                        "or connect (module instantiated and configured)")
    p.add_argument("--wasm", default=os.path.join(os.path.dirname(__file__), "..", "..", "build", "dtls.wasm"))
    a = p.parse_args(argv)
    if (a.psk_identity is None) != (a.psk is None):
        p.error("--psk-identity and --psk go together")
    if not a.rpk and (a.key is not None or a.server_key is not None):
        p.error("--key and --server-key need --rpk")
    if a.rpk and a.server_key is None:
        p.error("--rpk needs --server-key (the server's key is pinned, RFC 7925 s. 4.3)")
    if not a.rpk and a.psk_identity is None:
        p.error("--psk-identity and --psk are required (or --rpk)")
    identity = psk = rpk = None
    try:
        if a.psk_identity is not None:
            identity, psk = a.psk_identity.encode(), bytes.fromhex(a.psk)
        if a.rpk:
            rpk = (read_private_key(a.key) if a.key is not None else None, read_server_pin(a.server_key))
    except (OSError, ValueError) as e:
        print(f"dtls_wasm3: {e}", file=sys.stderr)
        return 2
    if a.stop_before == "init":
        return 0
    options = []
    if a.mfl is not None:
        options.append((CODES["OPT_MFL"], 0 if a.mfl == "off" else int(a.mfl)))
    for value, name in ((a.rto, "OPT_RTO_INITIAL_MS"), (a.timeout, "OPT_HANDSHAKE_BUDGET_MS"), (a.pmtu, "OPT_PMTU")):
        if value is not None:
            options.append((CODES[name], value))
    if a.require_ems:
        options.append((CODES["OPT_REQUIRE_EMS"], 1))
    try:
        summary, _ = run_client(a.wasm, a.target, identity, psk,
                                a.send.encode() if a.send is not None else None, a.wait, a.seed,
                                options, a.sni, 3 if a.verbose else -1, rpk=rpk, stop_before=a.stop_before)
    except ValueError as e:
        print(f"dtls_wasm3: {e}", file=sys.stderr)
        return 2
    if summary is None:  # --stop-before connect
        return 0
    if a.json:
        print(json.dumps(summary, separators=(",", ":")))
    else:
        print(f"{summary['state']}: {summary['cipher']}, reply {summary['received']!r}")
    return 0 if summary["state"] in ("connected", "closed") else 1


if __name__ == "__main__":
    sys.exit(main())
