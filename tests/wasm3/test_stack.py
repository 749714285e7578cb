"""The module's stack, measured where a board has one to size: wasm3's. The module keeps no
stack in linear memory (tests/memory.test.ts); its locals and calls live on the engine's
stack. wasm3 checks at every function entry that the function's whole frame fits in the
runtime's stack and traps "stack overflow" otherwise, so the smallest runtime stack that
completes a handshake is that handshake's stack high-water, to the slot (4 bytes).

For PSK and for ECDHE-ECDSA with raw public keys and client authentication (gnutls-serv):
the high-water of one handshake + echo + close; 30 of them in one instance on exactly that
stack (so the high-water after 30 is the one after 1); and a 25 % margin below the smallest
DTLS_WASM3_STACK a board is built with (boards/). Run by `make wasm3-test`."""
import glob
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import dtls_wasm3  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WASM = os.path.join(ROOT, "build", "dtls.wasm")
WASM_FULL_HW = os.path.join(ROOT, "build", "dtls-full-hw.wasm")
WASM_PSK_HW = os.path.join(ROOT, "build", "dtls-psk-hw.wasm")
SLOT = 4  # wasm3 0.5.0 uses 32-bit stack slots (d_m3Use32BitSlots), as on the boards
STATE_HANDSHAKING, STATE_CONNECTED, STATE_CLOSED = 1, 2, 3
IDENTITY, PSK = b"stack-device", bytes(range(16))
PSK_PRIORITY = "NONE:+VERS-DTLS1.2:+PSK:+AES-128-CCM-8:+AEAD:+COMP-NULL:+SIGN-ALL:+CTYPE-ALL"
RPK_PRIORITY = ("NORMAL:-VERS-ALL:+VERS-DTLS1.2:-CIPHER-ALL:+AES-128-CCM-8:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:"
                "-GROUP-ALL:+GROUP-SECP256R1:-SIGN-ALL:+SIGN-ECDSA-SHA256:-CTYPE-ALL:+CTYPE-CLI-RAWPK:+CTYPE-SRV-RAWPK")


def board_stacks():
    """DTLS_WASM3_STACK for each kind of module (boards/runtime/dtls_port_config.h, the only
    place it is set): {"software": bytes for modules with their own AES and P-256, "hal": bytes
    for the -hw modules}; and any other definition found under boards/ (there must be none)."""
    found = {}
    for path in glob.glob(os.path.join(ROOT, "boards", "**", "*"), recursive=True):
        if not os.path.isfile(path) or not path.endswith((".h", ".c", ".ini", ".txt", ".cmake", ".conf")):
            continue
        with open(path, errors="replace") as f:
            text = f.read()
        for m in re.finditer(r"#define\s+DTLS_WASM3_STACK_(SOFTWARE|HAL)_CRYPTO\s+(\d+)", text):
            found[m.group(1).lower()] = int(m.group(2))
        for m in re.finditer(r"(?:#define\s+DTLS_WASM3_STACK\s+|-DDTLS_WASM3_STACK=)(\d+)", text):
            found[os.path.relpath(path, ROOT)] = int(m.group(1))
    return found


class Server:
    """gnutls-serv --udp --echo; a fresh one per measurement, so a run cut short by a trap
    leaves nothing behind for the next."""

    def __init__(self, args):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.proc = subprocess.Popen(["timeout", "120", "gnutls-serv", "--udp", "--echo", "-p", str(self.port), *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for line in self.proc.stdout:
            if b"listening" in line:
                return
        raise RuntimeError("gnutls-serv did not start")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(10)
        self.proc.stdout.close()


class Quiet:
    """wasm3 prints a backtrace at every trap; the binary search traps on purpose."""

    def __enter__(self):
        sys.stdout.flush()
        sys.stderr.flush()
        self.saved = [os.dup(1), os.dup(2)]
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.close(devnull)

    def __exit__(self, *exc):
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, saved in zip((1, 2), self.saved):
            os.dup2(saved, fd)
            os.close(saved)


def sessions(stack_bytes, count, configure, server_args, wasm=WASM):
    """Runs `count` handshake + echo + close_notify sessions in one module instance whose
    wasm3 stack is stack_bytes. Returns the number that completed (a trap ends the run).
    A -hw module (dtls_info(INFO_CRYPTO_FROM_HAL) != 0) gets its AES and P-256 from the
    accelerator (build/accel.wasm), as on the boards."""
    with Server(server_args) as server, Quiet():
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.connect(("127.0.0.1", server.port))
        completed = 0
        try:
            d = dtls_wasm3.Wasm3Dtls(wasm, sock=sock, stack_bytes=stack_bytes, accel=wasm != WASM and "-hw" in wasm)
            d.call("dtls_config_reset")
            if configure(d) != 0:
                raise AssertionError("the module refused the credentials")
            while completed < count and one_session(d, sock, f"round {completed}".encode()):
                completed += 1
            return completed
        except RuntimeError as e:  # pywasm3 raises the trap ("[trap] stack overflow")
            if "stack overflow" not in str(e):
                raise
            return completed
        finally:
            sock.close()


def one_session(d, sock, text):
    d.call("dtls_connect")
    deadline = time.monotonic() + 15
    while d.call("dtls_state") == STATE_HANDSHAKING and time.monotonic() < deadline:
        wait = d.call("dtls_poll")
        if select.select([sock], [], [], max(wait, 1) / 1000.0)[0]:
            d.on_datagram(sock.recv(65536))
    if d.call("dtls_state") != STATE_CONNECTED:
        return False
    if d.write(text) != len(text):
        return False
    reply = None
    while reply is None and time.monotonic() < deadline:
        if select.select([sock], [], [], 0.05)[0]:
            d.on_datagram(sock.recv(65536))
        reply = d.read()
    d.call("dtls_close")
    return reply == text and d.call("dtls_state") == STATE_CLOSED


def high_water(configure, server_args, wasm=WASM):
    """The smallest wasm3 stack (bytes, a multiple of the slot) on which one session completes."""
    lo, hi = 64, 64 * 1024  # lo fails (checked), hi completes (checked)
    assert sessions(lo, 1, configure, server_args, wasm) == 0, f"a {lo}-byte stack should not be enough"
    assert sessions(hi, 1, configure, server_args, wasm) == 1, f"no session on a {hi}-byte stack"
    while hi - lo > SLOT:
        mid = (lo + hi) // 2 // SLOT * SLOT
        if sessions(mid, 1, configure, server_args, wasm) == 1:
            hi = mid
        else:
            lo = mid
    return hi


class StackHighWater(unittest.TestCase):
    figures = {}

    @classmethod
    def tearDownClass(cls):
        stacks = board_stacks()
        print(f"\nwasm3 stack high-water (bytes): {cls.figures}; boards' DTLS_WASM3_STACK: {stacks}", file=sys.stderr)

    def measure(self, name, configure, server_args, wasm=WASM):
        need = high_water(configure, server_args, wasm)
        self.figures[name] = need
        # 30 sessions on exactly that stack: nothing deeper happens later; and one slot less fails.
        self.assertEqual(sessions(need, 30, configure, server_args, wasm), 30, f"{name}: 30 sessions on {need} bytes")
        self.assertEqual(sessions(need - SLOT, 1, configure, server_args, wasm), 0, f"{name}: {need - SLOT} bytes suffice")
        stacks = board_stacks()
        kind = "hal" if "-hw" in os.path.basename(wasm) else "software"
        self.assertEqual(sorted(stacks), ["hal", "software"],
                         f"DTLS_WASM3_STACK_SOFTWARE_CRYPTO and _HAL_CRYPTO, and no other value under boards/: {stacks}")
        self.assertLessEqual(need, stacks[kind] * 3 // 4,
                             f"{name} needs {need} bytes of wasm3 stack: less than 25 % margin below "
                             f"DTLS_WASM3_STACK_{kind.upper()}_CRYPTO = {stacks[kind]}")
        return need

    def psk(self, name, wasm=WASM):
        with tempfile.TemporaryDirectory() as tmp:
            psk_file = os.path.join(tmp, "psk.txt")
            with open(psk_file, "w") as f:
                f.write(f"{IDENTITY.decode()}:{PSK.hex()}\n")
            need = self.measure(name, lambda d: d.config_psk(IDENTITY, PSK),
                                ["--pskpasswd", psk_file, "--priority", PSK_PRIORITY], wasm)
        self.assertGreater(need, 256)

    def test_psk(self):
        """PSK + AES-128-CCM-8 with cookie exchange: stack high-water, the same over 30 sessions"""
        self.psk("psk")

    def test_psk_hw(self):
        """dtls-psk-hw.wasm (AES from the accelerator): PSK stack high-water, the same over 30 sessions"""
        self.psk("psk_hw", WASM_PSK_HW)

    def test_ecdhe_ecdsa_mutual(self):
        """ECDHE-ECDSA, raw public keys, client authentication: stack high-water, the same over 30 sessions"""
        with tempfile.TemporaryDirectory() as tmp:
            keys = {}
            for who in ("server", "client"):
                key, pub = os.path.join(tmp, f"{who}.key"), os.path.join(tmp, f"{who}.pub")
                subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                                "-out", key], check=True, capture_output=True)
                subprocess.run(["openssl", "pkey", "-in", key, "-pubout", "-out", pub], check=True, capture_output=True)
                keys[who] = (key, pub)
            private = dtls_wasm3.read_private_key(keys["client"][0])
            pin = dtls_wasm3.read_public_point(keys["server"][1])
            server = ["--rawpkkeyfile", keys["server"][0], "--rawpkfile", keys["server"][1],
                      "--priority", RPK_PRIORITY, "--require-client-cert"]
            need = self.measure("ecdhe_ecdsa_mutual", lambda d: d.config_rpk(private, pin), server)
            need_hw = self.measure("ecdhe_ecdsa_mutual_hw", lambda d: d.config_rpk(private, pin), server, WASM_FULL_HW)
        self.assertGreater(need, 256)
        self.assertGreater(need_hw, 256)
        self.assertLess(need_hw, need, "P-256 on the board: less of the interpreter's stack")


if __name__ == "__main__":
    unittest.main()
