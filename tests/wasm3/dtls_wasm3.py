#!/usr/bin/env python3
"""Runs build/dtls.wasm in the wasm3 interpreter (PyPI package pywasm3) with a HAL in Python:
a connected UDP socket, os.urandom (or a seeded SHA-256 stream for replayable runs),
time.monotonic, and no AES engine (the core uses its software AES).

Same PSK options as the Node CLI; prints one JSON summary line.

    python3 tests/wasm3/dtls_wasm3.py 127.0.0.1:PORT --psk-identity ID --psk HEX [--message TEXT]
"""
import argparse
import hashlib
import json
import os
import select
import socket
import struct
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
    "dtls_config_sni", "dtls_connect", "dtls_on_datagram", "dtls_poll", "dtls_write", "dtls_read",
    "dtls_close", "dtls_state", "dtls_last_alert", "dtls_last_error", "dtls_info",
]


class Wasm3Dtls:
    """One instance of the module in wasm3, with the HAL implemented on a UDP socket."""

    def __init__(self, wasm_path, sock=None, seed=None, log_level=1, stack_bytes=64 * 1024):
        self.sock = sock
        self.log_level = log_level
        self.logs = []
        self.sent = []
        self.hal_errors = []
        self._seed = hashlib.sha256(seed).digest() if seed is not None else None
        self._counter = 0
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
            data = b""
            while len(data) < length:
                data += hashlib.sha256(self._seed + struct.pack(">Q", self._counter)).digest()
                self._counter += 1
            data = data[:length]
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


def run_client(wasm_path, target, identity, psk, message=None, timeout_ms=30000, seed=None,
               options=(), sni=None, log_level=1):
    host, port = target.rsplit(":", 1)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect((host.strip("[]"), int(port)))
    d = Wasm3Dtls(wasm_path, sock=sock, seed=seed, log_level=log_level)
    d.call("dtls_config_reset")
    for k, v in options:
        rc = d.call("dtls_config_set", k, v)
        if rc != 0:
            raise ValueError(f"option {k}={v} refused ({rc})")
    rc = d.config_psk(identity, psk)
    if rc != 0:
        raise ValueError(f"PSK refused ({rc})")
    if sni:
        d.config_sni(sni)
    start = time.monotonic()
    rc = d.call("dtls_connect")
    connected, handshake_ms, sent, received = False, 0, False, None
    while rc >= 0:
        state = d.call("dtls_state")
        if state == STATE_CONNECTED:
            if not connected:
                connected = True
                handshake_ms = int((time.monotonic() - start) * 1000)
            if message is None:
                break
            if not sent:
                if d.write(message) < 0:
                    break
                sent = True
            while (rec := d.read()) is not None:
                received = (received or b"") + rec
            if received is not None:
                break
        elif state != STATE_HANDSHAKING:
            break
        remaining = timeout_ms - (time.monotonic() - start) * 1000
        if remaining <= 0:
            break
        wait = d.call("dtls_poll")
        if wait < 0 or wait > remaining:
            wait = remaining
        r, _, _ = select.select([sock], [], [], wait / 1000.0)
        if r:
            try:
                data = sock.recv(4096)
            except OSError:
                data = b""
            if data:
                d.on_datagram(data)
    state = d.call("dtls_state")
    ok = connected and (message is None or received == message)
    summary = {
        "backend": "wasm3",
        "peer": target,
        "state": STATE_NAMES.get(state, "error"),
        "handshake_ms": handshake_ms,
        "last_alert": d.call("dtls_last_alert"),
        "last_error": d.call("dtls_last_error"),
    }
    if message is not None:
        summary["sent"] = message.decode("latin-1")
        summary["received"] = received.decode("latin-1") if received is not None else None
    summary["datagrams_sent"] = len(d.sent)
    summary["memory_size"] = d.memory_size()
    if d.hal_errors:
        summary["hal_errors"] = d.hal_errors
    summary["ok"] = ok
    if state == STATE_CONNECTED:
        d.call("dtls_close")
    sock.close()
    return summary, d


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("target", help="HOST:PORT of the DTLS server")
    p.add_argument("--psk-identity", required=True)
    p.add_argument("--psk", required=True, help="key in hex")
    p.add_argument("--sni")
    p.add_argument("--message")
    p.add_argument("--timeout", type=int, default=30000, help="ms")
    p.add_argument("--seed", help="hex: replayable random bytes")
    p.add_argument("--option", action="append", default=[], help="NUM=VALUE for dtls_config_set")
    p.add_argument("--wasm", default=os.path.join(os.path.dirname(__file__), "..", "..", "build", "dtls.wasm"))
    p.add_argument("--verbose", "-v", action="store_true")
    a = p.parse_args(argv)
    options = [tuple(int(x, 0) for x in o.split("=", 1)) for o in a.option]
    summary, _ = run_client(a.wasm, a.target, a.psk_identity.encode(), bytes.fromhex(a.psk),
                            a.message.encode() if a.message is not None else None, a.timeout,
                            bytes.fromhex(a.seed) if a.seed else None, options, a.sni,
                            3 if a.verbose else 1)
    print(json.dumps(summary, separators=(",", ":")))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
