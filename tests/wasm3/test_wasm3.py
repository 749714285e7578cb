"""build/dtls.wasm in the real wasm3 interpreter (pywasm3): links, and completes a PSK
handshake and an echo with openssl s_server, and an ECDHE-ECDSA handshake with raw public
keys and mutual authentication with gnutls-serv. Run by `make wasm3-test`."""
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
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


# GnuTLS priority: DTLS 1.2, ECDHE-ECDSA, AES-128-CCM-8, P-256, raw public keys only
# (the same string as GNUTLS_RPK_CCM8 in tests/support/servers.ts).
GNUTLS_RPK_CCM8 = ("NORMAL:-VERS-ALL:+VERS-DTLS1.2:-CIPHER-ALL:+AES-128-CCM-8:-MAC-ALL:+AEAD:"
                   "-KX-ALL:+ECDHE-ECDSA:-GROUP-ALL:+GROUP-SECP256R1:-SIGN-ALL:+SIGN-ECDSA-SHA256:"
                   "-CTYPE-ALL:+CTYPE-CLI-RAWPK:+CTYPE-SRV-RAWPK")


def generate_key_pair(directory, name):
    """A fresh P-256 key pair from `openssl genpkey`: (private key PEM, public key PEM) paths."""
    key, pub = os.path.join(directory, name + ".key"), os.path.join(directory, name + ".pub")
    subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-out", key], check=True, capture_output=True, timeout=30)
    subprocess.run(["openssl", "pkey", "-in", key, "-pubout", "-out", pub], check=True,
                   capture_output=True, timeout=30)
    return key, pub


def spki_der(pub):
    return subprocess.run(["openssl", "pkey", "-pubin", "-in", pub, "-outform", "DER"], check=True,
                          capture_output=True, timeout=30).stdout


class GnuTlsRpkServer:
    """gnutls-serv --udp --echo on 127.0.0.1 with a raw public key, requiring the client's."""

    def __init__(self, key, pub, require_client_key=True):
        self.port = free_udp_port()
        self.output = []
        self.ready = threading.Event()
        self.proc = subprocess.Popen(
            ["timeout", "60", "gnutls-serv", "--udp", "--echo", "-p", str(self.port), "--rawpkkeyfile", key,
             "--rawpkfile", pub, "--priority", GNUTLS_RPK_CCM8]
            + (["--require-client-cert"] if require_client_key else []),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=self._pump, daemon=True).start()
        if not self.ready.wait(10):
            self.stop()
            raise RuntimeError("gnutls-serv did not start: " + "".join(self.output))

    def _pump(self):
        for raw in self.proc.stdout:
            line = raw.decode("latin-1")
            self.output.append(line)
            if "listening" in line:
                self.ready.set()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc.stdout.close()


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
            self.assertEqual(summary["state"], "closed", summary)  # after our close_notify
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


    def test_pem_keys_read_like_openssl(self):
        """The harness's DER reader gives openssl's public point and a private key whose
        public key the module derives to the same point (PKCS#8 and SEC1 files)."""
        with tempfile.TemporaryDirectory() as tmp:
            key, pub = generate_key_pair(tmp, "k")
            sec1 = os.path.join(tmp, "sec1.key")
            subprocess.run(["openssl", "ec", "-in", key, "-out", sec1], check=True, capture_output=True, timeout=30)
            point = spki_der(pub)[26:]
            self.assertEqual(dtls_wasm3.read_public_point(pub), point)
            self.assertEqual(dtls_wasm3.read_public_point(key), point)
            self.assertEqual(dtls_wasm3.read_private_key(sec1), dtls_wasm3.read_private_key(key))
            self.assertEqual(len(dtls_wasm3.read_private_key(key)), 32)
            with self.assertRaises(ValueError):
                dtls_wasm3.read_private_key(pub)
            d = dtls_wasm3.Wasm3Dtls(WASM)
            d.call("dtls_config_reset")
            self.assertEqual(d.config_rpk(dtls_wasm3.read_private_key(key), point), 0)
            self.assertEqual(d.config_rpk(bytes(32), point), dtls_wasm3.CODES["ERR_BAD_ARGUMENT"])

    def test_rpk_mutual_auth_handshake_and_echo_with_gnutls(self):
        """TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, raw public keys, the server requiring ours."""
        if shutil.which("gnutls-serv") is None:
            self.skipTest("gnutls-serv not installed")
        with tempfile.TemporaryDirectory() as tmp:
            server_key, server_pub = generate_key_pair(tmp, "server")
            client_key, _ = generate_key_pair(tmp, "client")
            pin_hash = hashlib.sha256(spki_der(server_pub)).hexdigest()
            server = GnuTlsRpkServer(server_key, server_pub)
            try:
                message = b"rpk from wasm3"
                rpk = (dtls_wasm3.read_private_key(client_key), dtls_wasm3.read_server_pin(server_pub))
                summary, _ = dtls_wasm3.run_client(WASM, f"127.0.0.1:{server.port}", None, None, message,
                                                   wait_ms=20000, rpk=rpk)
                print(summary, file=sys.stderr)
                self.assertEqual(summary["state"], "closed", summary)  # after our close_notify
                self.assertEqual(summary["cipher"], "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8")
                self.assertTrue(summary["client_auth"])
                self.assertEqual(summary["server_key_sha256"], pin_hash)
                self.assertEqual(summary["received"], message.decode(), summary)
                self.assertNotIn("hal_errors", summary)
                # The same through the command line, the pin given as the SPKI's hash.
                p = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "dtls_wasm3.py"),
                                    f"127.0.0.1:{server.port}", "--rpk", "--server-key", pin_hash, "--key", client_key,
                                    "--send", "by hash", "--json", "--wasm", WASM],
                                   capture_output=True, text=True, timeout=60)
                self.assertEqual(p.returncode, 0, p.stderr + p.stdout)
                self.assertIn('"client_auth":true', p.stdout)
                self.assertIn('"received":"by hash"', p.stdout)
            finally:
                server.stop()

    def test_stop_before_connect_sends_nothing(self):
        """--stop-before connect (the baseline of `make bench`) configures and exits 0 silently."""
        with tempfile.TemporaryDirectory() as tmp:
            key, pub = generate_key_pair(tmp, "k")
            sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sink.bind(("127.0.0.1", 0))
            sink.settimeout(0.2)
            try:
                p = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "dtls_wasm3.py"),
                                    f"127.0.0.1:{sink.getsockname()[1]}", "--rpk", "--server-key", pub, "--key", key,
                                    "--stop-before", "connect", "--wasm", WASM],
                                   capture_output=True, text=True, timeout=60)
                self.assertEqual(p.returncode, 0, p.stderr)
                with self.assertRaises(socket.timeout):
                    sink.recv(4096)
            finally:
                sink.close()

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
