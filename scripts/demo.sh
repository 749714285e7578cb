#!/usr/bin/env bash
# make demo: the emulated device (build/dtls.wasm in the Node harness) makes a real DTLS
# 1.2 PSK handshake with a local GnuTLS echo server and exchanges data with it.
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
