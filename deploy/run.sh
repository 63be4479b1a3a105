#!/usr/bin/env bash
# Installs what is missing, builds a release binary and serves omnigate with
# the embedded PostgreSQL in ./data (or $OMNIGATE_DATA_DIR). Extra arguments
# go to `omnigate serve` (e.g. --listen 0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target omnigate
exec build/release/gateway/omnigate serve --data-dir "${OMNIGATE_DATA_DIR:-./data}" "$@"
