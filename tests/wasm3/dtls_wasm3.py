#!/usr/bin/env python3
"""Runs build/dtls.wasm in the wasm3 interpreter (PyPI package pywasm3) with a HAL in Python:
a connected UDP socket, os.urandom (or a seeded SHA-256 stream for replayable runs),
time.monotonic, and no AES engine (the core uses its software AES).

Same PSK options as the Node CLI; prints one JSON summary line.

    python3 tests/wasm3/dtls_wasm3.py 127.0.0.1:PORT --psk-identity ID --psk HEX [--send TEXT] [--json]
"""
import argparse
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
    "dtls_config_sni", "dtls_connect", "dtls_on_datagram", "dtls_poll", "dtls_write", "dtls_read",
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


def summary_of(d, sni, received):
    """dtls-client's JSON summary (host/engine.ts summary() plus "received")."""
    info = lambda k: d.call("dtls_info", CODES["INFO_" + k])  # noqa: E731
    suite, mfl, state = info("CIPHER_SUITE"), info("MFL"), d.call("dtls_state")
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
        "state": STATE_NAMES.get(state, f"state_{state}"),
        "received": received.decode("utf-8", "replace"),
    }


def run_client(wasm_path, target, identity, psk, send=None, wait_ms=5000, seed=None,
               options=(), sni=None, log_level=-1, guard_ms=120000):
    """The CLI's flow: configure, handshake, send `send` and wait for the reply, close."""
    host, port = target.rsplit(":", 1)
    host = host.strip("[]")
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect((host, int(port)))
    d = Wasm3Dtls(wasm_path, sock=sock, seed=seed, log_level=log_level)
    d.call("dtls_config_reset")
    if d.config_psk(identity, psk) != 0:
        raise ValueError("the module refused the PSK")
    if sni is not None and d.config_sni(sni) != 0:
        raise ValueError(f"invalid server name: {sni}")
    for k, v in options:
        if d.call("dtls_config_set", k, v) != 0:
            raise ValueError(f"option {k}={v} refused")
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
    summary = summary_of(d, sni, received)
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
    p.add_argument("--psk-identity", required=True)
    p.add_argument("--psk", required=True, help="key in hex")
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
    p.add_argument("--wasm", default=os.path.join(os.path.dirname(__file__), "..", "..", "build", "dtls.wasm"))
    a = p.parse_args(argv)
    options = []
    if a.mfl is not None:
        options.append((CODES["OPT_MFL"], 0 if a.mfl == "off" else int(a.mfl)))
    for value, name in ((a.rto, "OPT_RTO_INITIAL_MS"), (a.timeout, "OPT_HANDSHAKE_BUDGET_MS"), (a.pmtu, "OPT_PMTU")):
        if value is not None:
            options.append((CODES[name], value))
    if a.require_ems:
        options.append((CODES["OPT_REQUIRE_EMS"], 1))
    try:
        summary, _ = run_client(a.wasm, a.target, a.psk_identity.encode(), bytes.fromhex(a.psk),
                                a.send.encode() if a.send is not None else None, a.wait, a.seed,
                                options, a.sni, 3 if a.verbose else -1)
    except ValueError as e:
        print(f"dtls_wasm3: {e}", file=sys.stderr)
        return 2
    if a.json:
        print(json.dumps(summary, separators=(",", ":")))
    else:
        print(f"{summary['state']}: {summary['cipher']}, reply {summary['received']!r}")
    return 0 if summary["state"] in ("connected", "closed") else 1


if __name__ == "__main__":
    sys.exit(main())
