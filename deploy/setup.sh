#!/usr/bin/env bash
# Installs omnigate's build and run dependencies from Debian bookworm packages.
# Idempotent: packages already present are skipped, and apt is not touched at all
# when nothing is missing. Both README commands call this first.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libcpp-httplib-dev libcurl4-openssl-dev libssl-dev libjsoncpp-dev libpq-dev
  libxml2-dev libboost1.81-dev libgmime-3.0-dev libfmt-dev libspdlog-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql wrk curl ca-certificates
  chromium   # the widget's browser tests (tests/e2e)
  dovecot-imapd python3-aiosmtpd   # the email tests' real IMAP and SMTP servers
  nginx-light gnuplot-nox          # bench/run: the HTTP baseline and the latency chart
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js for the browser tests: Debian's, unless a node is already installed.
command -v node >/dev/null || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "omnigate setup: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# omnigate never uses the cluster the postgresql package may create; it runs
# its own private one in its data directory.
$SUDO apt-get install -y -q --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
