#!/usr/bin/env bash
# CTest entry for the browser tests: starts a real gateway (the binary given
# as $1) with a fresh embedded database on free loopback ports, creates an
# agent and a web channel, then runs widget.spec.mjs (the real gateway),
# mock.spec.mjs (the widget's own behaviour) and workbench.spec.mjs (the
# agent workbench and admin console, with a WeChat API stand-in) in headless
# Chromium.
# Exits 77 (CTest "skipped") only when node or chromium is missing, which
# deploy/setup.sh installs.
set -euo pipefail
binary="$1"
here="$(cd "$(dirname "$0")" && pwd)"
artifacts="${2:-$here/artifacts}"
mail_servers="${3:-}"  # og_mail_servers: IMAP + SMTP test servers for the email case
command -v node >/dev/null && command -v "${OMNIGATE_CHROMIUM:-chromium}" >/dev/null || {
  echo "e2e: node or chromium missing (deploy/setup.sh installs them); skipping" >&2
  exit 77
}
[ -d "$here/node_modules/playwright-core" ] || (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

tmp="$(mktemp -d /tmp/omnigate-e2e-XXXXXX)"
chmod 711 "$tmp"  # the embedded cluster may run as `postgres`
gw_pid=""
cleanup() {
  [ -n "$gw_pid" ] && kill -TERM "$gw_pid" 2>/dev/null && wait "$gw_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 1 50); do
  port=$(( 21000 + RANDOM % 20000 ))
  port_busy "$port" || port_busy "$((port + 1))" || break
done
base="http://127.0.0.1:$port"

OMNIGATE_PASSWORD=e2e-admin-password "$binary" user add --data-dir "$tmp/data" --login admin --role admin >/dev/null
OMNIGATE_PASSWORD=e2e-agent-password "$binary" user add --data-dir "$tmp/data" --login agent --role agent >/dev/null
"$binary" serve --data-dir "$tmp/data" --listen "127.0.0.1:$port" --log-level warn >"$tmp/gateway.log" 2>&1 &
gw_pid=$!
for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done

token_of() {
  curl -fsS "$base/v1/auth/login" -d "{\"login\":\"$1\",\"password\":\"$2\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/'
}
admin="$(token_of admin e2e-admin-password)"
agent="$(token_of agent e2e-agent-password)"
channel="$(curl -fsS "$base/v1/admin/channels" -H "Authorization: Bearer $admin" \
  -d "{\"type\":\"web\",\"name\":\"e2e\",\"config\":{\"allowed_origins\":[\"$base\"]}}")"
key="$(sed -E 's/.*"key":"([^"]+)".*/\1/' <<<"$channel")"

mkdir -p "$artifacts"
cd "$here"
OMNIGATE_URL="$base" OMNIGATE_RT_URL="ws://127.0.0.1:$((port + 1))" OMNIGATE_CHANNEL_KEY="$key" \
OMNIGATE_AGENT_TOKEN="$agent" OMNIGATE_ARTIFACT_DIR="$artifacts" \
OMNIGATE_ADMIN_PASSWORD=e2e-admin-password OMNIGATE_AGENT_PASSWORD=e2e-agent-password \
OMNIGATE_MAIL_SERVERS="$mail_servers" \
  node --test --test-concurrency=1 widget.spec.mjs mock.spec.mjs workbench.spec.mjs || {
    echo "--- gateway log ---" >&2; tail -n 30 "$tmp/gateway.log" >&2; exit 1; }
