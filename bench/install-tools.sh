#!/bin/sh
# Installs the reference tools `npm run bench` compares hcbench with (Debian/Ubuntu packages):
#   sockperf (TCP ping-pong floor), haproxy and socat (plain TCP proxy hops), wrk (HTTP load).
# Idempotent: packages already present are left alone, and nothing happens when all are there.
# Needs root (or sudo). Entries whose tool is still missing are reported as `skipped` by the bench.
set -eu

PACKAGES="sockperf haproxy socat wrk"
missing=""
for pkg in $PACKAGES; do
  if ! command -v "$pkg" >/dev/null 2>&1; then missing="$missing $pkg"; fi
done
if [ -z "$missing" ]; then
  echo "bench tools already installed:$(for p in $PACKAGES; do printf ' %s' "$p"; done)"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
  echo "need root or sudo to install:$missing" >&2
  exit 1
fi

echo "installing:$missing"
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
for pkg in $missing; do
  command -v "$pkg" >/dev/null 2>&1 || { echo "still missing after install: $pkg" >&2; exit 1; }
done
echo "bench tools installed:$missing"
