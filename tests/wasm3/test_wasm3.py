"""build/dtls.wasm in the real wasm3 interpreter (pywasm3): links, and completes a PSK
handshake and an echo with openssl s_server. Run by `make wasm3-test`."""
import os
import socket
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import dtls_wasm3  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WASM = os.environ.get("DTLS_WASM", os.path.join(ROOT, "build", "dtls.wasm"))
WASM_PSK = os.path.join(ROOT, "build", "dtls-psk.wasm")
IDENTITY = b"wasm3-device"
PSK = bytes(range(16))


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class EchoServer:
    """openssl s_server (DTLS 1.2, PSK, CCM-8) on 127.0.0.1; every line the client sends is
    written back to the server's stdin, so the server sends it back: an echo."""

    def __init__(self, echo=True):
        self.port = free_udp_port()
        self.output = []
        self.ready = threading.Event()
        self.proc = subprocess.Popen(
            ["timeout", "60", "openssl", "s_server", "-dtls1_2", "-listen", "-psk", PSK.hex(),
             "-psk_identity", IDENTITY.decode(), "-cipher", "PSK-AES128-CCM8", "-nocert",
             "-accept", f"127.0.0.1:{self.port}"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.echo = echo
        threading.Thread(target=self._pump, daemon=True).start()
        if not self.ready.wait(10):
            self.stop()
            raise RuntimeError("openssl s_server did not start: " + "".join(self.output))

    def _pump(self):
        for raw in self.proc.stdout:
            line = raw.decode("latin-1")
            self.output.append(line)
            if line.startswith("ACCEPT"):
                self.ready.set()
            if self.echo and line.startswith("echo:"):
                try:
                    self.proc.stdin.write(raw)
                    self.proc.stdin.flush()
                except OSError:
                    pass

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass


def wasm_imports(path):
    """(module, name, kind) of every import, read from the binary."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:4] == b"\0asm"

    def uleb(i):
        result = shift = 0
        while True:
            b = data[i]
            i += 1
            result |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return result, i

    def name(i):
        n, i = uleb(i)
        return data[i:i + n].decode(), i + n

    i, out = 8, []
    while i < len(data):
        sid = data[i]
        size, i = uleb(i + 1)
        end = i + size
        if sid == 2:
            count, j = uleb(i)
            for _ in range(count):
                mod, j = name(j)
                nm, j = name(j)
                kind = data[j]
                j += 1
                if kind == 0:
                    _, j = uleb(j)
                else:
                    raise AssertionError(f"non-function import {mod}.{nm}")
                out.append((mod, nm, kind))
        i = end
    return out


class Wasm3Tests(unittest.TestCase):
    def test_imports_are_the_hal_list(self):
        for path in (WASM, WASM_PSK):
            if not os.path.exists(path):
                continue
            for mod, nm, _ in wasm_imports(path):
                self.assertEqual(mod, "hal", f"{path}: import from {mod}")
                self.assertIn(nm, dtls_wasm3.HAL_SIGNATURES, f"{path}: unknown import hal.{nm}")

    def test_links_in_wasm3(self):
        d = dtls_wasm3.Wasm3Dtls(WASM)
        self.assertGreater(d.buf, 0)
        self.assertGreaterEqual(d.buf_size, 512)
        self.assertEqual(d.call("dtls_state"), 0)
        d.call("dtls_config_reset")
        self.assertEqual(d.config_psk(IDENTITY, PSK), 0)

    def _handshake(self, wasm):
        server = EchoServer()
        try:
            message = b"echo: hello from wasm3\n"
            summary, d = dtls_wasm3.run_client(wasm, f"127.0.0.1:{server.port}", IDENTITY, PSK,
                                               message, wait_ms=20000)
            print(summary, file=sys.stderr)
            self.assertEqual(summary["state"], "connected", summary)
            self.assertEqual(summary["cipher"], "TLS_PSK_WITH_AES_128_CCM_8")
            self.assertEqual(summary["protocol"], "DTLSv1.2")
            self.assertEqual(summary["received"], message.decode(), summary)
            self.assertNotIn("hal_errors", summary)
        finally:
            server.stop()
        self.assertIn("echo: hello from wasm3", "".join(server.output))

    def test_psk_handshake_and_echo_with_openssl(self):
        self._handshake(WASM)

    def test_psk_only_build_handshake_and_echo(self):
        if not os.path.exists(WASM_PSK):
            self.skipTest("build/dtls-psk.wasm not built")
        self._handshake(WASM_PSK)


    def test_same_seed_same_client_hello_as_node(self):
        """Determinism across backends: wasm3 and V8 send byte-identical ClientHellos."""
        cli = os.path.join(ROOT, "dist", "host", "cli.js")
        if not os.path.exists(cli):
            self.skipTest("dist/host/cli.js not built")
        args = ["--psk-identity", IDENTITY.decode(), "--psk", PSK.hex(), "--seed", "wasm3-seed",
                "--rto", "200", "--timeout", "400"]
        hellos = []
        for cmd in (["node", cli], [sys.executable, os.path.join(os.path.dirname(__file__), "dtls_wasm3.py")]):
            sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sink.bind(("127.0.0.1", 0))
            sink.settimeout(20)
            p = subprocess.Popen(cmd + [f"127.0.0.1:{sink.getsockname()[1]}"] + args,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                hellos.append(sink.recv(4096))
            finally:
                p.wait(30)
                sink.close()
        self.assertGreater(len(hellos[0]), 50)
        self.assertEqual(hellos[1].hex(), hellos[0].hex())


if __name__ == "__main__":
    unittest.main(verbosity=2)
