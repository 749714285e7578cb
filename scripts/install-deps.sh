#!/usr/bin/env bash
# Installs the Debian packages the tests and demo need, only when something is missing.
set -euo pipefail
need=()
command -v openssl >/dev/null || need+=(openssl)
command -v gnutls-serv >/dev/null || need+=(gnutls-bin)
# Extra packages named by mk/*.mk fragments (one per line in scripts/apt-packages.txt).
if [ -f scripts/apt-packages.txt ]; then
  while read -r cmd pkg; do
    [ -z "${cmd:-}" ] || [[ "$cmd" == \#* ]] && continue
    command -v "$cmd" >/dev/null || need+=("$pkg")
  done < scripts/apt-packages.txt
fi
# pywasm3 (the wasm3 tests, mk/boards.mk) is built from source by pip in a venv: it needs
# Python's venv module (ensurepip) and headers (Python.h) besides a C compiler. Neither has a
# command to test for; python3 itself, when missing, needs both.
python3 -c 'import ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
include=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["include"])' 2>/dev/null || true)
[ -n "$include" ] && [ -f "$include/Python.h" ] || need+=(python3-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "install-deps: apt-get install ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  # tshark's wireshark-common asks whether non-root users may capture: preseed "no", so the
  # install never stops at a question (we only read pcap files, we never capture).
  if [[ " ${need[*]} " == *" tshark "* ]]; then
    echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
