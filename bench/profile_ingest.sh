#!/usr/bin/env bash
# Profiles the gateway on scenario 1's path (WeChat plain-mode webhook ->
# adapter -> group commit -> PostgreSQL) with valgrind's callgrind, which
# counts instructions: unlike wall-clock figures on a shared machine, the
# instructions per request barely move between runs, so a before/after of a
# change is trustworthy. (perf with hardware counters is the better tool
# where the machine exposes them; this sandbox does not.)
#
#   bench/profile_ingest.sh [--duration 20] [--connections 16] [--binary PATH]
#                           [--out FILE]   (default /tmp/omnigate-callgrind.out)
#
# The gateway runs under callgrind (about 50 times slower, so the load is
# whatever it can answer); collection is zeroed after start-up and dumped
# after the load, so the profile holds the requests only. Prints the
# instructions per answered request and the functions with the largest
# inclusive cost; `callgrind_annotate --inclusive=yes FILE` shows the rest.
set -euo pipefail

bench_name=profile_ingest
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$bench_dir/.." && pwd)"
# shellcheck source=bench/lib/gateway.sh
source "$bench_dir/lib/gateway.sh"
# shellcheck source=bench/lib/wechat.sh
source "$bench_dir/lib/wechat.sh"

duration=20 connections=16 threads=2 binary="" out_file=/tmp/omnigate-callgrind.out
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration)    duration="${2:?}"; shift 2 ;;
    --connections) connections="${2:?}"; shift 2 ;;
    --binary)      binary="${2:?}"; shift 2 ;;
    --out)         out_file="${2:?}"; shift 2 ;;
    -h|--help)     sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
check_wrk_options duration connections threads
require_tools valgrind callgrind_control callgrind_annotate wrk curl
find_psql
ensure_gateway_binary

make_data_dir omnigate-profile
install_cleanup_traps
pick_port_pair 12000
log "starting the gateway under callgrind (data dir $tmp)"
start_gateway "$binary" valgrind --tool=callgrind --callgrind-out-file="$out_file" --dump-instr=no
wait_gateway_ready 300
admin_login "$binary"
create_wechat_channel plain

callgrind_control -z "$gw_pid" >/dev/null   # forget start-up and set-up
declare -A R
OG_MODE=plain OG_WX_TOKEN="$wx_token" OG_APP_ID="$wechat_app_id" OG_ACCOUNT="$wechat_account" OG_USERS=1000 \
OG_SENT_FILE="$work/sent.txt" OG_RESULT_FILE="$work/result.txt" \
  run_wrk "$bench_dir/wechat_ingest.lua" "$base/v1/hooks/$hook_token" "$work/result.txt" "$work/sent.txt"
sleep 2   # the requests wrk left in flight
callgrind_control -d "$gw_pid" >/dev/null
stop_gateway || true

# the dump taken after the load (callgrind appends .1 for the first dump)
profile="$(ls -1t "$out_file".* 2>/dev/null | head -n 1 || true)"
[[ -s "$profile" ]] || die "no callgrind dump found next to $out_file"
total="$(callgrind_annotate "$profile" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(/,/, "", $1); print $1; exit }')"
answered="${R[acked]}"
echo
echo "profile: $profile"
echo "answered \"success\": $answered in ${duration} s under callgrind"
awk -v t="$total" -v n="$answered" 'BEGIN { if (n > 0) printf "instructions per answered request: %.0f (total %s)\n", t / n, t }'
echo
callgrind_annotate --inclusive=yes "$profile" 2>/dev/null | sed -n "/^Ir/,\$p" | awk "NR <= 45"
