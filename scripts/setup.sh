#!/usr/bin/env bash
# Everything the local provider needs on a fresh Debian/Ubuntu machine:
# Debian packages (when root) and the control plane built from the upstream
# Go modules (cached in ~/.cache/vipcheck, built only when missing).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

packages=(gobgpd iproute2 iptables nftables conntrack openssl util-linux iputils-ping procps)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

bash "$repo/scripts/build-control-plane.sh"
