#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with warnings as
# errors under AddressSanitizer + UndefinedBehaviorSanitizer, runs every test
# (integration tests start their own PostgreSQL on a unix socket).
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/setup.sh
cmake --preset debug-asan >/dev/null
cmake --build --preset debug-asan
ctest --preset debug-asan
