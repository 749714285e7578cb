#!/usr/bin/env python3
"""A DTLS 1.2 echo server on tinydtls, through PyPI's DTLSSocket wrapper (tinydtls built from
its source by pip), for the interop tests (tests/interop-tinydtls.test.ts).

Listens on 127.0.0.1:PORT (an IPv6 socket bound to ::ffff:127.0.0.1: the wrapper's sessions
are IPv6 only), echoes every application record back, and prints one line per event:
    ready on 127.0.0.1:PORT
    psk key asked for identity ID       (tinydtls looks the client's identity up)
    handshake completed
    alert level=L code=C                (an alert tinydtls reports, sent or received)
    echo N bytes
PSK only (TLS_PSK_WITH_AES_128_CCM_8): the wrapper hands tinydtls no ECDSA key callbacks, so
TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 cannot be served through it.
"""
import argparse
import select
import socket
import sys

from DTLSSocket import dtls

EVENT_CONNECTED = 0x1DE  # DTLS_EVENT_CONNECTED in tinydtls's dtls.h


def say(line):
    print(line, flush=True)


class ReportingStore(dict):
    """The PSK store; tinydtls asks it for the key of the identity the client sent."""

    def __getitem__(self, identity):
        say("psk key asked for identity " + identity.decode("latin-1"))
        return dict.__getitem__(self, identity)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--psk", required=True, help="IDENTITY:HEX")
    p.add_argument("--log-level", type=int, default=dtls.DTLS_LOG_EMERG, help="tinydtls log level (0..7)")
    a = p.parse_args()
    identity, sep, key = a.psk.rpartition(":")
    if not sep or not identity or not 0 < a.port < 65536:
        p.error("--port 1..65535 and --psk IDENTITY:HEX are needed")
    a.identity, a.key = identity.encode(), bytes.fromhex(key)
    return a


def main():
    a = parse_args()
    sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind(("::ffff:127.0.0.1", a.port))
    received = []  # records to echo once tinydtls has returned from handleMessage

    def on_read(addr, data):
        received.append((addr, data))
        return len(data)

    def on_write(addr, data):
        return sock.sendto(data, addr)

    def on_event(level, code):
        if level == 0 and code == EVENT_CONNECTED:
            say("handshake completed")
        elif level != 0:
            say("alert level=%d code=%d" % (level, code))

    store = ReportingStore({a.identity: a.key})
    d = dtls.DTLS(read=on_read, write=on_write, event=on_event, pskId=a.identity, pskStore=store)
    dtls.setLogLevel(a.log_level)
    say("ready on 127.0.0.1:%d" % a.port)
    while True:
        ready, _, _ = select.select([sock], [], [], 0.1)
        if ready:
            data, src = sock.recvfrom(65535)
            ret = d.handleMessageAddr(src[0], src[1], data)
            if ret != 0:
                say("handleMessage returned %d" % ret)
        for (host, port), data in received:
            say("echo %d bytes" % len(data))
            d.write(dtls.Session(host, port), data)
        received.clear()
        d.checkRetransmit()


if __name__ == "__main__":
    sys.exit(main())
