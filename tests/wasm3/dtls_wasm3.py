#!/usr/bin/env python3
"""Runs build/dtls.wasm in the wasm3 interpreter (PyPI package pywasm3) with a HAL in Python:
a connected UDP socket, os.urandom (or a seeded SHA-256 stream for replayable runs),
time.monotonic, and no AES engine (the core uses its software AES).

The Node CLI's command line (cli_words.py: host/messages.json's options, messages and exit
codes) and behaviour: PSK, or raw public keys from PEM files (--rpk --server-key --key); with
--json the CLI's summary.

    python3 tests/wasm3/dtls_wasm3.py 127.0.0.1:PORT --psk-identity ID --psk HEX [--send TEXT] [--json]
    python3 tests/wasm3/dtls_wasm3.py 127.0.0.1:PORT --rpk --server-key PEM|SHA256HEX [--key PEM] [--json]
"""
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_words import (CODES, EXIT, MSG, PROGRAM, SUMMARY_COUNTERS, USAGE, HelpRequested, UsageError,  # noqa: E402
                       cipher_name, describe_alert, describe_failure, parse_args, reason_name, state_name)

HAL_OK = 0
HAL_UNSUPPORTED = -1
STATE_CONNECTED = CODES["STATE_CONNECTED"]
STATE_HANDSHAKING = CODES["STATE_HANDSHAKING"]
STATE_FAILED = CODES["STATE_FAILED"]

# The HAL imports with wasm3 signatures: the list in boards/hal/hal.h and assembly/hal.ts.
HAL_SIGNATURES = {
    "aes128_encrypt": "i(iii)",
    "random": "i(ii)",
    "clock_ms": "i()",
    "wall_time_s": "I()",
    "send": "i(ii)",
    "log": "v(iii)",
    "p256_public": "i(ii)",
    "p256_ecdh": "i(iii)",
    "p256_sign": "i(iiii)",
    "p256_verify": "i(iii)",
    "p256_validate": "i(i)",
}

EXPORTS = [
    "dtls_buffer", "dtls_buffer_size", "dtls_config_reset", "dtls_config_set", "dtls_config_psk",
    "dtls_config_sni", "dtls_config_rpk", "dtls_connect", "dtls_on_datagram", "dtls_poll", "dtls_write", "dtls_read",
    "dtls_close", "dtls_state", "dtls_last_alert", "dtls_last_error", "dtls_info", "dtls_session_export", "dtls_session_import",
]


X509_EXPORTS = ["dtls_config_ca", "dtls_config_cert", "dtls_config_peer_name", "dtls_config_cert_url"]

ACCEL_WASM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "accel.wasm")


class Accelerator:
    """build/accel.wasm (our P-256 and AES) in a wasm3 runtime of its own."""

    def __init__(self, path=ACCEL_WASM):
        with open(path, "rb") as f:
            self._bytes = f.read()
        self.env = wasm3.Environment()
        self.rt = self.env.new_runtime(16 * 1024)
        self.mod = self.env.parse_module(self._bytes)
        self.rt.load(self.mod)
        self.io = self.rt.find_function("accel_io")()
        self.io_size = self.rt.find_function("accel_io_size")()
        self.calls = 0

    def run(self, core, name, ins, outs):
        """Copies ins (offset, length) of the core's memory into the I/O area, calls name
        with their offsets then the outputs' offsets, copies outs back on success, wipes."""
        mem = self.rt.get_memory(0)
        offs, at = [], 0
        for ptr, n in ins:
            mem[self.io + at:self.io + at + n] = bytes(core[ptr:ptr + n])
            offs.append(at)
            at += n
        for _, n in outs:
            offs.append(at)
            at += n
        if at > self.io_size:
            return 1
        self.calls += 1
        rc = self.rt.find_function(name)(*offs)
        mem = self.rt.get_memory(0)
        if rc == 0:
            for (ptr, n), off in zip(outs, offs[len(ins):]):
                core[ptr:ptr + n] = bytes(mem[self.io + off:self.io + off + n])
        mem[self.io:self.io + self.io_size] = bytes(self.io_size)
        return 0 if rc == 0 else 1


class Wasm3Dtls:
    """One instance of the module in wasm3, with the HAL implemented on a UDP socket."""

    def __init__(self, wasm_path, sock=None, seed=None, log_level=-1, stack_bytes=64 * 1024, accel=False):
        # accel: answer hal.p256_* and hal.aes128_encrypt with build/accel.wasm in its own wasm3
        # runtime, as boards answer with its wasm2c translation (boards/runtime/hal_accel.c).
        self.accel = Accelerator() if accel else None
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
        for name, sig in HAL_SIGNATURES.items():  # pywasm3 skips what the module does not import
            self.mod.link_function("hal", name, sig, self._guard(getattr(self, "_hal_" + name)))
        self.fn = {name: self.rt.find_function(name) for name in EXPORTS}
        for name in X509_EXPORTS:  # only the X.509 builds have them
            try:
                self.fn[name] = self.rt.find_function(name)
            except RuntimeError:
                pass
        self.wall_time = None  # --time: None = the host's clock, "unknown" = -1, else seconds
        self.chain = None      # X.509: a ChainObserver of the server's Certificate message
        self.x509_exts = (False, False, False)  # --cached-info, --cert-url, --trusted-ca-keys given
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

    # AES and P-256 from the board: the accelerator when asked for, else "unsupported" (the
    # core's own code runs; a -hw module then refuses to connect).
    def _accel(self, name, ins, outs):
        if self.accel is None:
            return HAL_UNSUPPORTED
        return self.accel.run(self.mem(), name, ins, outs)

    def _hal_aes128_encrypt(self, key, inp, out):
        return self._accel("accel_aes128_encrypt", [(key, 16), (inp, 16)], [(out, 16)])

    def _hal_p256_public(self, priv, pub):
        return self._accel("accel_p256_public", [(priv, 32)], [(pub, 65)])

    def _hal_p256_ecdh(self, priv, peer, shared):
        return self._accel("accel_p256_ecdh", [(priv, 32), (peer, 65)], [(shared, 32)])

    def _hal_p256_sign(self, priv, hash_, extra, sig):
        return self._accel("accel_p256_sign", [(priv, 32), (hash_, 32), (extra, 32)], [(sig, 64)])

    def _hal_p256_verify(self, pub, hash_, sig):
        return self._accel("accel_p256_verify", [(pub, 65), (hash_, 32), (sig, 64)], [])

    def _hal_p256_validate(self, pub):
        return self._accel("accel_p256_validate", [(pub, 65)], [])

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
        if self.wall_time == "unknown":
            return -1
        return int(time.time()) if self.wall_time is None else self.wall_time

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

    def connection_ids(self):
        """RFC 9146: {"sent": hex, "received": hex} ("" for an empty CID), or None when not
        negotiated (host/engine.ts connectionIds)."""
        out = {}
        for key, name in (("INFO_CID_SENT_LEN", "sent"), ("INFO_CID_RECEIVED_LEN", "received")):
            n = self.call("dtls_info", CODES[key])
            if n < 0:
                return None
            out[name] = bytes(self.mem()[self.buf:self.buf + n]).hex()
        return out

    def config_sni(self, name):
        data = name.encode("ascii") if name else b""
        self._put(data)
        return self.call("dtls_config_sni", len(data))

    def on_datagram(self, data):
        if self.chain is not None:
            self.chain.feed(data)
        self._put(data)
        return self.call("dtls_on_datagram", len(data))

    def write(self, data):
        self._put(data)
        return self.call("dtls_write", len(data))

    def session_export(self):
        """The kept session as a blob (docs/API.md), or None; the module's copy is wiped."""
        n = self.call("dtls_session_export")
        if n < 0:
            return None
        blob = bytes(self.mem()[self.buf:self.buf + n])
        self._put(bytes(n))
        return blob

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


# ---- X.509 (RFC 7925 s. 4.4): PEM certificates, and the server's chain as received ----
def read_pem_certificates(path):
    """--ca / --cert: every CERTIFICATE block of a PEM file, as DER, in file order."""
    with open(path) as f:
        blocks = re.findall(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", f.read(), re.S)
    if not blocks:
        raise KeyFileError(f"{path}: no PEM certificate in it")
    return [base64.b64decode("".join(b.split())) for b in blocks]


NAME_OIDS = {b"\x55\x04\x03": "CN", b"\x55\x04\x0a": "O", b"\x55\x04\x0b": "OU", b"\x55\x04\x06": "C",
             b"\x55\x04\x07": "L", b"\x55\x04\x08": "ST", b"\x55\x04\x05": "serialNumber"}


def subject_of(der):
    """The subject in one line, as host/certs.ts subjectOf ("O=..., CN=...")."""
    try:
        tbs = _der_items(_der(der)[1])[0][1]
        fields = _der_items(tbs)
        if fields[0][0] == 0xA0:
            fields = fields[1:]
        parts = []
        for _, rdn in _der_items(fields[4][1]):
            for _, atv in _der_items(rdn):
                oid, value = _der_items(atv)[:2]
                parts.append(f"{NAME_OIDS.get(oid[1], oid[1].hex())}={value[1].decode('utf-8', 'replace')}")
        return ", ".join(parts)
    except (KeyFileError, IndexError, ValueError):
        return "(unparsable)"


class ChainObserver:
    """The server's Certificate message reassembled from the plaintext epoch-0 datagrams
    (host/certs.ts ChainObserver): the certificates that arrived whole, in order."""

    def __init__(self):
        self.body, self.have, self.seq = None, None, -1

    def feed(self, d):
        p = 0
        while p + 13 <= len(d):
            kind, epoch, n = d[p], int.from_bytes(d[p + 3:p + 5], "big"), int.from_bytes(d[p + 11:p + 13], "big")
            rec, p = d[p + 13:p + 13 + n], p + 13 + n
            if kind != 22 or epoch != 0:
                continue
            q = 0
            while q + 12 <= len(rec):
                total, seq = int.from_bytes(rec[q + 1:q + 4], "big"), int.from_bytes(rec[q + 4:q + 6], "big")
                off, m = int.from_bytes(rec[q + 6:q + 9], "big"), int.from_bytes(rec[q + 9:q + 12], "big")
                if rec[q] == 11 and total <= 65536 and off + m <= total and q + 12 + m <= len(rec):
                    if self.seq != seq or self.body is None or len(self.body) != total:
                        self.body, self.have, self.seq = bytearray(total), bytearray(total), seq
                    self.body[off:off + m] = rec[q + 12:q + 12 + m]
                    self.have[off:off + m] = b"\x01" * m
                q += 12 + m

    def complete(self):
        return self.have is not None and 0 not in self.have

    def subjects(self):
        if self.body is None or len(self.body) < 3:
            return None
        end = self.have.index(0) if 0 in self.have else len(self.body)
        out, p = [], 3
        while p + 3 <= end:
            n = int.from_bytes(self.body[p:p + 3], "big")
            if p + 3 + n > end:
                break
            out.append(subject_of(bytes(self.body[p + 3:p + 3 + n])))
            p += 3 + n
        return out


def certificate_failed(d):
    """The certificate the chain failed at, in host/engine.ts's words, or None."""
    info = lambda k: d.call("dtls_info", CODES["INFO_" + k])  # noqa: E731
    if d.chain is None or info("CERT_RESULT") <= 0 or info("CERT_FAIL_INDEX") < 0:
        return None
    i, subjects = info("CERT_FAIL_INDEX"), d.chain.subjects() or []
    of = f" of {len(subjects)}" if d.chain.complete() else ""
    return f"{i}{of}" + (f" ({subjects[i]})" if i < len(subjects) else "")


class ConfigError(ValueError):
    """A configuration the module or the network refuses before anything is sent: exit code 2."""


def open_socket(target):
    """A UDP socket connected to the first address of HOST:PORT that takes one (as
    dtls-posix's getaddrinfo loop and dtls-client's lookup do)."""
    host, port = target.rsplit(":", 1)
    host = host[1:-1] if host.startswith("[") else host
    host = "127.0.0.1" if host == "localhost" else host
    try:
        addresses = socket.getaddrinfo(host, int(port), socket.AF_UNSPEC, socket.SOCK_DGRAM)
    except (OSError, UnicodeError):
        raise ConfigError(MSG["cannot_resolve"] % host) from None
    for family, kind, proto, _, address in addresses:
        try:
            sock = socket.socket(family, kind, proto)
        except OSError:
            continue
        try:
            sock.connect(address)
            return sock
        except OSError:
            sock.close()
    raise ConfigError(MSG["cannot_reach"] % target)


def configure_x509(d, x509):
    """Trust anchors, our key and chain, the reference name, the unknown-time policy
    (host/engine.ts configureX509)."""
    anchors, chain, key, peer_name, accept_unknown, cached_info, cert_url, trusted_ca_keys = x509
    if "dtls_config_ca" not in d.fn:
        raise ConfigError(MSG["x509_unsupported"])
    for i, der in enumerate(anchors):
        d._put(der)
        if d.call("dtls_config_ca", len(der)) != 0:
            raise ConfigError(f"the module refused trust anchor {i + 1}")
    if key is not None:
        d._put(key)
        r = d.call("dtls_config_rpk", len(key), 0)
        d.mem()[d.buf:d.buf + len(key)] = bytes(len(key))
        if r != 0:
            raise ConfigError("the module refused the client key (not a valid P-256 key?)")
    for i, der in enumerate(chain or []):
        d._put(der)
        if d.call("dtls_config_cert", len(der)) != 0:
            raise ConfigError(f"our chain does not fit the module (at certificate {i + 1})")
    if peer_name is not None:
        data = peer_name.encode("ascii", "replace")
        d._put(data)
        if d.call("dtls_config_peer_name", len(data)) != 0:
            raise ConfigError(MSG["sni_invalid"] % peer_name)
    if accept_unknown and d.call("dtls_config_set", CODES["OPT_CERT_UNKNOWN_TIME"], 1) != 0:
        raise ConfigError(MSG["option_refused"] % ("--accept-unknown-time", 1))
    # RFC 7925 s. 4.4's extensions (host/engine.ts configureX509).
    for on, opt, flag in ((cached_info, "OPT_CACHED_INFO", "--cached-info"), (trusted_ca_keys, "OPT_TRUSTED_CA_KEYS", "--trusted-ca-keys")):
        if on and d.call("dtls_config_set", CODES[opt], 1) != 0:
            raise ConfigError(MSG["option_refused"] % (flag, 1))
    if cert_url is not None:
        url = cert_url.encode("latin-1", "replace")
        d._put(hashlib.sha1(chain[0]).digest() + url)
        if d.call("dtls_config_cert_url", 20 + len(url)) != 0:
            raise ConfigError(f"invalid certificate URL (printable ASCII, at most 255 bytes): {cert_url}")
    d.x509_exts = (cached_info, cert_url is not None, trusted_ca_keys)
    d.chain = ChainObserver()


def configure(d, identity, psk, options, sni, rpk, x509=None):
    d.call("dtls_config_reset")
    if x509 is not None:
        configure_x509(d, x509)
    if identity is not None and d.config_psk(identity, psk) != 0:
        raise ConfigError(MSG["psk_refused"])
    if rpk is not None:
        r = d.config_rpk(rpk[0], rpk[1])
        if r != 0:
            if r == CODES["ERR_UNSUPPORTED"] and d.call("dtls_info", CODES["INFO_CRYPTO_FROM_HAL"]) & CODES["CRYPTO_FROM_HAL_P256"]:
                raise ConfigError(MSG["rpk_needs_hal_p256"])
            raise ConfigError(MSG["rpk_unsupported"] if r == CODES["ERR_UNSUPPORTED"] else MSG["rpk_refused"])
    if sni is not None and d.config_sni(sni) != 0:
        raise ConfigError(MSG["sni_invalid"] % sni)
    for k, v, *option in options:  # (OPT_ code, value[, the option's name])
        if d.call("dtls_config_set", k, v) != 0:
            raise ConfigError(MSG["option_refused"] % (option[0] if option else f"option {k}", v))


def import_session(d, blob, file):
    """--session-in: the blob becomes the kept session, offered by dtls_connect (OPT_RESUME)."""
    d.call("dtls_config_set", CODES["OPT_RESUME"], 1)
    if len(blob) > d.call("dtls_buffer_size"):
        r = CODES["ERR_BAD_ARGUMENT"]
    else:
        d._put(blob)
        r = d.call("dtls_session_import", len(blob))
    if r != 0:
        why = {CODES["ERR_SESSION_REFUSED"]: "session_why_refused", CODES["ERR_UNSUPPORTED"]: "session_why_unsupported"}
        raise ConfigError(MSG["session_refused"] % (file, MSG[why.get(r, "session_why_malformed")]))


def open_keylog(file):
    """--keylog FILE: created (mode 0600) or appended to; OSError when it cannot be."""
    return os.fdopen(os.open(file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a")


def save_keylog(d, file):
    """--keylog: this connection's NSS key log line, CLIENT_RANDOM <client_random> <master
    secret> (dtls_info(INFO_KEYLOG): 32 + 48 bytes once the handshake is over; docs/API.md)."""
    if d.call("dtls_info", CODES["INFO_KEYLOG"]) != 80:
        return
    k = bytes(d.mem()[d.buf:d.buf + 80])
    d._put(bytes(80))
    try:
        with open_keylog(file) as f:
            f.write(f"CLIENT_RANDOM {k[:32].hex()} {k[32:].hex()}\n")
    except OSError:
        print(f"{PROGRAM}: {MSG['keylog_unwritable'] % file}", file=sys.stderr)


def save_session(d, file, say):
    """--session-out: the kept session, readable by its owner only (it holds the master secret)."""
    blob = d.session_export()
    if blob is None:
        say(MSG["session_none"] % file)
        return
    try:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
    except OSError:
        say(MSG["session_unwritable"] % file)


class Flights:
    """"-> flight N sent" lines as host/cli.ts prints them (say: a function, or None)."""

    def __init__(self, d, say):
        self.d, self.say, self.sent, self.received, self.retransmitted = d, say, 0, 0, 0

    def report(self):
        if self.say is None:
            return
        info = lambda k: self.d.call("dtls_info", CODES["INFO_" + k])  # noqa: E731
        s, r, x = info("FLIGHTS_SENT"), info("FLIGHTS_RECEIVED"), info("FLIGHTS_RETRANSMITTED")
        while self.received < r:
            self.received += 1
            self.say(f"<- flight {self.received} received")
        while self.sent < s:
            self.sent += 1
            self.say(f"-> flight {self.sent} sent")
        while self.retransmitted < x:
            self.retransmitted += 1
            self.say(f"-> flight {self.sent} retransmitted")


class Session:
    """What happened: connected, the records received (after --send: the replies), a --send
    too large for a record."""

    def __init__(self):
        self.connected, self.sent, self.replies, self.too_large, self.max_write = False, False, 0, False, 0
        self.received = b""


def summary_of(d, sni, session, send, rpk=False, false_start=False):
    """dtls-client's JSON summary: host/engine.ts summary() plus received, reply and the failure.
    What the handshake negotiated only once it completed (INFO_HANDSHAKE_MS set), else null."""
    info = lambda k: d.call("dtls_info", CODES["INFO_" + k])  # noqa: E731
    suite, mfl, state, ms = info("CIPHER_SUITE"), info("MFL"), d.call("dtls_state"), info("HANDSHAKE_MS")
    done = ms >= 0
    negotiated = lambda v: v if done else None  # noqa: E731
    keys = {"server_key_sha256": d.peer_key_hash(), "client_auth": negotiated(info("CLIENT_AUTH") == 1)} if rpk else {}
    if d.chain is not None and not rpk:  # X.509: host/engine.ts summary()
        result = info("CERT_RESULT")
        keys = {"server_chain": d.chain.subjects(), "verify_result": None if result < 0 else "ok" if result == 0 else reason_name(result),
                "failed_certificate": info("CERT_FAIL_INDEX") if result > 0 and info("CERT_FAIL_INDEX") >= 0 else None,
                "client_auth": negotiated(info("CLIENT_AUTH") == 1)}
        # With cached_info the Certificate carried only the hash: the chain is the one cached.
        if info("CACHED_INFO_USED") == 1:
            keys["server_chain"] = None
        for on, key, k in zip(d.x509_exts, ("cached_info_used", "cert_url_used", "trusted_ca_keys_accepted"),
                              ("CACHED_INFO_USED", "CERT_URL_USED", "TRUSTED_CA_KEYS")):
            keys[key] = negotiated(info(k) == 1) if on else None
    summary = {
        "protocol": negotiated("DTLSv1.2" if info("VERSION") == CODES["DTLS_1_2"] else None),
        "cipher": negotiated(cipher_name(suite) if suite else None),
        "mfl": negotiated(mfl or None),
        "ems": negotiated(info("EMS") == 1),
        "sni": sni,
        "sni_accepted": negotiated(info("SNI_ACCEPTED") == 1),
        "resumed": negotiated(info("RESUMED") == 1),
        "heartbeats": {"sent": info("HEARTBEATS_SENT"), "responses": info("HEARTBEAT_RESPONSES"),
                       "answered": info("HEARTBEATS_ANSWERED")} if done and info("HEARTBEAT_PEER_MODE") else None,
        "cid": negotiated(d.connection_ids()),
        "false_start": info("FALSE_START") == 1 if false_start else None,
        "ticket": negotiated(info("TICKET") == 1),
        "handshake_ms": negotiated(ms),
        **{key: d.call("dtls_info", code) for key, code in SUMMARY_COUNTERS},
        **keys,
        "state": state_name(state),
        "received": session.received.decode("utf-8", "replace"),
        "reply": None if send is None or session.too_large else session.replies > 0,
    }
    if state == STATE_FAILED:
        reason, alert = d.call("dtls_last_error"), d.call("dtls_last_alert")
        error = describe_failure(reason, alert)
        failed = certificate_failed(d)
        if failed:
            error = f"the server's certificate {failed}: {error}"
        summary.update(error=error, reason=reason_name(reason), alert=describe_alert(alert))
    return summary


def run_session(wasm_path, target, identity, psk, send=None, wait_ms=5000, seed=None, options=(), sni=None,
                log_level=-1, guard_ms=120000, rpk=None, stop_before=None, say=None, on_data=None, accel=False,
                session_in=None, session_out=None, hold=False, keylog=None, x509=None, wall_time=None):
    """The CLI's flow: configure, handshake, send `send` and wait for its reply, close
    (close_notify when still connected). Returns (summary, module, Session), or (None, module,
    None) with stop_before="connect" (configured, nothing sent: a baseline). ConfigError
    when the host does not resolve or the module refuses the configuration. hold: stay connected
    the whole wait_ms, a reply or not (heartbeats)."""
    sock = open_socket(target)
    d = Wasm3Dtls(wasm_path, sock=sock, seed=seed, log_level=log_level, accel=accel)
    d.wall_time = wall_time
    configure(d, identity, psk, options, sni, rpk, x509)
    if session_out is not None:
        d.call("dtls_config_set", CODES["OPT_RESUME"], 1)
    if session_in is not None:
        import_session(d, session_in[1], session_in[0])
    if stop_before == "connect":
        sock.close()
        return None, d, None
    flights, session = Flights(d, say), Session()
    start = time.monotonic()

    def drain():
        while (rec := d.read()) is not None:
            session.received += rec
            session.replies += 1 if session.sent else 0
            if on_data:
                on_data(rec)

    # --false-start: `send` goes as soon as the module allows, before the server's Finished.
    false_start = any(o[0] == CODES["OPT_FALSE_START"] and o[1] == 1 for o in options)
    rc = d.call("dtls_connect")
    flights.report()
    connected_at = None
    while rc >= 0 or rc == CODES["ERR_FAILED"]:
        state = d.call("dtls_state")
        now = time.monotonic()
        if state == STATE_CONNECTED:
            if connected_at is None:
                connected_at, session.connected = now, True
                if say:
                    say(MSG["connected"] % (cipher_name(d.call("dtls_info", CODES["INFO_CIPHER_SUITE"])),
                                            d.call("dtls_info", CODES["INFO_MFL"]) or "none"))
                if send is None and not hold:
                    break
                if send is not None:
                    session.max_write = d.call("dtls_info", CODES["INFO_MAX_WRITE"])
                    if len(send) > session.max_write:
                        session.too_large = True
                        break
                    if not session.sent and d.write(send) < 0:
                        break
                    session.sent = True
            drain()
            left = wait_ms - (now - connected_at) * 1000
            if (session.replies and not hold) or left <= 0:
                break
            wait = min(left, 10)
            nxt = d.call("dtls_poll")  # timers run while connected too (heartbeats): -1 when none
            if 0 <= nxt < wait:
                wait = nxt
            if d.call("dtls_state") != STATE_CONNECTED:
                continue
        elif state == STATE_HANDSHAKING:
            if (false_start and send is not None and not session.sent
                    and len(send) <= d.call("dtls_info", CODES["INFO_MAX_WRITE"]) and d.write(send) >= 0):
                session.sent = True
            wait = d.call("dtls_poll")
            flights.report()
            if wait < 0:
                wait = 1000
        else:
            break  # failed, or closed by the server
        if (now - start) * 1000 > guard_ms:
            break
        r, _, _ = select.select([sock], [], [], wait / 1000.0)
        if r:
            try:
                data = sock.recv(65536)
            except OSError:
                data = b""
            if data:
                d.on_datagram(data)
                flights.report()
                drain()
    if d.call("dtls_state") == STATE_CONNECTED:
        d.call("dtls_close")  # close_notify: the summary's state is then "closed"
    if session_out is not None:
        save_session(d, session_out, say or (lambda line: None))
    if keylog is not None:
        save_keylog(d, keylog)
    summary = summary_of(d, sni, session, send, rpk is not None)
    summary = summary_of(d, sni, session, send, rpk is not None, false_start)
    if d.hal_errors:
        summary["hal_errors"] = d.hal_errors
    sock.close()
    return summary, d, session


def run_client(wasm_path, target, identity, psk, send=None, wait_ms=5000, **kwargs):
    """run_session without the Session: (summary, module), or (None, module) with stop_before."""
    summary, d, _ = run_session(wasm_path, target, identity, psk, send, wait_ms, **kwargs)
    return summary, d


def main(argv=None):
    err = lambda msg: print(f"{PROGRAM}: {msg}", file=sys.stderr)  # noqa: E731
    try:
        a = parse_args(sys.argv[1:] if argv is None else argv)
    except HelpRequested:
        sys.stdout.write(USAGE)
        return EXIT["done"]
    except UsageError as e:
        err(e)
        sys.stderr.write(USAGE)
        return EXIT["usage"]
    rpk = x509 = None
    try:
        if a.rpk:
            rpk = (read_private_key(a.key) if a.key is not None else None, read_server_pin(a.server_key))
        if a.ca:
            x509 = ([der for f in a.ca for der in read_pem_certificates(f)],
                    read_pem_certificates(a.cert) if a.cert is not None else None,
                    read_private_key(a.key) if a.key is not None else None, a.servername, a.accept_unknown_time,
                    a.cached_info, a.cert_url, a.trusted_ca_keys)
    except (OSError, ValueError) as e:
        err(e)
        return EXIT["usage"]
    if a.keylog is not None:  # refused before anything is sent, as dtls-client does
        try:
            open_keylog(a.keylog).close()
        except OSError:
            err(MSG["keylog_unwritable"] % a.keylog)
            return EXIT["usage"]
    session_in = None
    if a.session_in is not None:
        try:
            with open(a.session_in, "rb") as f:
                session_in = (a.session_in, f.read())
        except OSError:
            err(MSG["session_unreadable"] % a.session_in)
            return EXIT["usage"]
    if a.stop_before == "init":
        return EXIT["done"]
    options = []
    if a.mfl is not None:
        options.append((CODES["OPT_MFL"], 0 if a.mfl == "off" else int(a.mfl), "--mfl"))
    for value, name, option in ((a.rto, "OPT_RTO_INITIAL_MS", "--rto"), (a.timeout, "OPT_HANDSHAKE_BUDGET_MS", "--timeout"),
                                (a.pmtu, "OPT_PMTU", "--pmtu"), (a.cid, "OPT_CID", "--cid")):
        if value is not None:
            options.append((CODES[name], value, option))
    if a.require_ems:
        options.append((CODES["OPT_REQUIRE_EMS"], 1, "--require-ems"))
    if a.tickets:
        options.append((CODES["OPT_TICKETS"], 1, "--tickets"))
    # RFC 6520: --heartbeat alone offers peer_allowed_to_send (as host/cli.ts)
    mode = {"allow": 1, "deny": 2}.get(a.heartbeat_mode, 1 if a.heartbeat else None)
    if mode is not None:
        options.append((CODES["OPT_HEARTBEAT"], mode, "--heartbeat-mode"))
    if a.heartbeat:
        options.append((CODES["OPT_HEARTBEAT_INTERVAL_MS"], a.heartbeat * 1000, "--heartbeat"))
    if a.false_start:
        options.append((CODES["OPT_FALSE_START"], 1, "--false-start"))
    if a.keylog is not None:
        options.append((CODES["OPT_KEYLOG"], 1, "--keylog"))
    # Text lines go to stdout, or to stderr when stdout carries the JSON summary.
    out = sys.stderr if a.json else sys.stdout
    say = lambda line: print(line, file=out, flush=True)  # noqa: E731
    on_data = None if a.json else (lambda rec: (sys.stdout.buffer.write(rec), sys.stdout.buffer.flush()))
    send = a.send.encode("utf-8", "surrogateescape") if a.send is not None else None
    try:
        summary, d, session = run_session(a.wasm, a.target, a.identity, a.psk, send, a.wait, a.seed, options, a.sni,
                                          3 if a.verbose else -1, rpk=rpk, stop_before=a.stop_before, say=say,
                                          on_data=on_data, accel=a.hal_p256, session_in=session_in,
                                          session_out=a.session_out, hold=mode is not None, keylog=a.keylog, x509=x509,
                                          wall_time=None if a.time in (None, "now") else "unknown" if a.time == "unknown" else int(a.time))
    except ConfigError as e:
        err(e)
        return EXIT["usage"]
    if summary is None:  # --stop-before connect
        return EXIT["done"]
    if a.json:
        print(json.dumps(summary, separators=(",", ":")), flush=True)
    if not session.connected or "error" in summary:
        reason = summary.get("error") or describe_failure(d.call("dtls_last_error"), d.call("dtls_last_alert"))
        err((MSG["connection_failed"] if session.connected else MSG["handshake_failed"]) % reason)
        return EXIT["failed"]
    if session.too_large:
        err(MSG["send_too_large"] % (len(send), session.max_write))
        return EXIT["usage"]
    if a.expect_reply and not session.replies:
        err(MSG["no_reply"] % a.wait)
        return EXIT["no_reply"]
    return EXIT["done"]


if __name__ == "__main__":
    sys.exit(main())
