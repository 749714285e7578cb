#!/usr/bin/env bash
# make demo: the emulated device makes real DTLS 1.2 handshakes with local GnuTLS echo
# servers and exchanges data: first build/dtls.wasm in the Node harness (PSK), then the
# emulated Cortex-M4 board (QEMU mps2-an386, nRF52840 memory budget) running the module
# under the wasm3 interpreter with the P-256/AES accelerator (ECDHE-ECDSA, mutual raw
# public keys), with the board's RAM and instruction figures.
set -euo pipefail
cd "$(dirname "$0")/.."
port=$(node -e 'const s=require("dgram").createSocket("udp4");s.bind(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
identity="demo-device"
psk="5f8b2c1d9e3a47a6b0c4d2e1f3a59687"
dir=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
echo "$identity:$psk" > "$dir/psk.txt"
gnutls-serv --udp --echo -p "$port" --pskpasswd "$dir/psk.txt" \
  --priority 'NONE:+VERS-DTLS1.2:+PSK:+AES-128-CCM-8:+AEAD:+COMP-NULL:+SIGN-ALL:+CTYPE-ALL' \
  > "$dir/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do grep -q listening "$dir/server.log" && break; sleep 0.1; done
echo "== gnutls-serv (echo) listening on 127.0.0.1:$port"
echo "== device: npx dtls-client 127.0.0.1:$port --psk-identity $identity --psk <hex> --sni demo.local --send 'hello from the device' --json"
node dist/host/cli.js "127.0.0.1:$port" --psk-identity "$identity" --psk "$psk" --sni demo.local \
  --send "hello from the device" --json
echo
echo "== the emulated board: make qemu-demo BACKEND=wasm3 MODULE=full-hw CRED=rpk"
make -s --no-print-directory qemu-demo BACKEND=wasm3 MODULE=full-hw CRED=rpk
