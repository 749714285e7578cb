// A DTLS 1.2 echo server on pion/dtls, for the interop tests (tests/interop-pion.test.ts).
// Listens on 127.0.0.1:PORT with TLS_PSK_WITH_AES_128_CCM_8 only, echoes every application
// record back, and prints one line per event on stdout:
//
//	ready on 127.0.0.1:PORT
//	handshake completed cipher=SUITE peer=psk:IDENTITY
//	handshake failed: REASON
//	echo N bytes from ADDRESS
//
// With -cid N the server offers RFC 9146 connection IDs of N random bytes (0: it asks for
// none) to clients that offer the extension; dtls.Listen then routes records by their CID,
// so a client whose address or port changed keeps its connection, and the echo goes to
// the address the latest record came from (ADDRESS above shows it). -pad N pads every
// record of the server with N zeros inside its DTLSInnerPlaintext.
// PSK only: pion/dtls has no raw public keys (RFC 7250: no client_certificate_type or
// server_certificate_type extension), and our client's ECDHE_ECDSA suite uses nothing else.
package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/pion/dtls/v3"
)

var out sync.Mutex

func say(format string, a ...any) {
	out.Lock()
	defer out.Unlock()
	fmt.Printf(format+"\n", a...)
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(2)
}

func main() {
	port := flag.Int("port", 0, "UDP port on 127.0.0.1")
	psk := flag.String("psk", "", "IDENTITY:HEX")
	ems := flag.String("ems", "require", "extended master secret: require, request or disable")
	mtu := flag.Int("mtu", 0, "largest datagram the server sends (0: pion's default)")
	hint := flag.String("hint", "", "PSK identity hint to send in ServerKeyExchange")
	cid := flag.Int("cid", -1, "RFC 9146: the server's connection ID length (-1: no connection IDs)")
	pad := flag.Int("pad", 0, "RFC 9146: zero bytes of padding in each record with a connection ID")
	flag.Parse()
	if *port < 1 || *port > 65535 {
		fail("--port 1..65535 is needed")
	}
	colon := strings.LastIndex(*psk, ":")
	if colon < 1 {
		fail("--psk IDENTITY:HEX is needed")
	}
	identity, keyHex := (*psk)[:colon], (*psk)[colon+1:]
	key, err := hex.DecodeString(keyHex)
	if err != nil {
		fail("--psk: bad hex key")
	}
	emsMode := map[string]dtls.ExtendedMasterSecretType{
		"require": dtls.RequireExtendedMasterSecret,
		"request": dtls.RequestExtendedMasterSecret,
		"disable": dtls.DisableExtendedMasterSecret,
	}
	mode, ok := emsMode[*ems]
	if !ok {
		fail("--ems: require, request or disable")
	}
	opts := []dtls.ServerOption{
		dtls.WithCipherSuites(dtls.TLS_PSK_WITH_AES_128_CCM_8),
		dtls.WithExtendedMasterSecret(mode),
		dtls.WithPSK(func(id []byte) ([]byte, error) {
			if string(id) != identity {
				return nil, fmt.Errorf("unknown PSK identity %q", id)
			}
			return key, nil
		}),
	}
	if *hint != "" {
		opts = append(opts, dtls.WithPSKIdentityHint([]byte(*hint)))
	}
	if *mtu > 0 {
		opts = append(opts, dtls.WithMTU(*mtu))
	}
	if *cid >= 0 {
		opts = append(opts, dtls.WithConnectionIDGenerator(dtls.RandomCIDGenerator(*cid)))
	}
	if *pad > 0 {
		n := uint(*pad)
		opts = append(opts, dtls.WithPaddingLengthGenerator(func(uint) uint { return n }))
	}
	listener, err := dtls.ListenWithOptions("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: *port}, opts...)
	if err != nil {
		fail("listen: " + err.Error())
	}
	say("ready on 127.0.0.1:%d", *port)
	for {
		conn, err := listener.Accept()
		if err != nil {
			fail("accept: " + err.Error())
		}
		go serve(conn.(*dtls.Conn))
	}
}

// serve runs one connection's handshake (bounded) and echoes its records until it ends.
func serve(conn *dtls.Conn) {
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	err := conn.HandshakeContext(ctx)
	cancel()
	if err != nil {
		say("handshake failed: %v", err)
		return
	}
	state, _ := conn.ConnectionState()
	say("handshake completed cipher=%s peer=psk:%s", state.CipherSuiteID, state.IdentityHint)
	buf := make([]byte, 16384)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				say("connection ended: %v", err)
			}
			return
		}
		say("echo %d bytes from %s", n, conn.RemoteAddr())
		if _, err := conn.Write(buf[:n]); err != nil {
			say("write failed: %v", err)
			return
		}
	}
}
