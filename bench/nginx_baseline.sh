#!/usr/bin/env bash
# Baseline A, the HTTP ceiling: the very requests of the WeChat ingest bench
# (bench/wechat_ingest.lua, plain mode: signed, unique MsgIds) sent by wrk to
# a private nginx that answers each with a static 200 "success" (the body the
# gateway answers) and stores nothing. What the gateway reaches on the same
# machine, divided by this, is how close it gets to what HTTP alone allows.
#
#   bench/nginx_baseline.sh [--duration 10] [--connections 64] [--threads 2]
#                           [--workers 2] [--result-file PATH]
#
# --workers: nginx worker processes (default: the number of CPUs, as
# `worker_processes auto`). --result-file gets key=value lines (msgs_per_s,
# p50_ms, p90_ms, p99_ms, p999_ms, acked, requests, check).
# Needs nginx (nginx-light), wrk, curl: deploy/setup.sh installs them.
set -euo pipefail

bench_name=nginx_baseline
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=bench/lib/gateway.sh
source "$bench_dir/lib/gateway.sh"
# shellcheck source=bench/lib/nginx.sh
source "$bench_dir/lib/nginx.sh"

duration=10 connections=64 threads=2 workers="$(nproc)" result_file=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration)    duration="${2:?}"; shift 2 ;;
    --connections) connections="${2:?}"; shift 2 ;;
    --threads)     threads="${2:?}"; shift 2 ;;
    --workers)     workers="${2:?}"; shift 2 ;;
    --result-file) result_file="${2:?}"; shift 2 ;;
    -h|--help)     sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
check_wrk_options duration connections threads workers
require_tools wrk curl

work="$(mktemp -d /tmp/omnigate-nginx-bench.XXXXXX)"
trap 'stop_nginx; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pick_port_pair 12000
log "starting nginx ($workers workers) on 127.0.0.1:$port"
start_nginx "$port" "$workers"

declare -A R
log "wrk: ${duration}s, $connections connections, $threads threads, against nginx"
OG_MODE=plain OG_WX_TOKEN=nginxbaseline OG_APP_ID=wx0000000000000000 OG_USERS=1000 \
OG_SENT_FILE="$work/sent.txt" OG_RESULT_FILE="$work/result.txt" \
  run_wrk "$bench_dir/wechat_ingest.lua" "$base/v1/hooks/nginx-baseline-token" "$work/result.txt" "$work/sent.txt"
stop_nginx

# nginx answered every request itself: each must have been a 200 "success".
check=pass
(( R[acked] > 0 && R[bad_bodies] == 0 && R[non200] == 0 )) || check=FAIL
echo
echo "nginx static 200 \"success\", ${duration}s, c=$connections, t=$threads: ${R[msgs_per_s]} requests/s, p50 ${R[p50_ms]} ms, p99 ${R[p99_ms]} ms ($check)"
if [[ -n "$result_file" ]]; then
  for k in requests acked msgs_per_s p50_ms p90_ms p99_ms p999_ms max_ms duration_s non200; do
    echo "$k=${R[$k]}"
  done >"$result_file"
  echo "check=$check" >>"$result_file"
fi
[[ "$check" == pass ]] || die "nginx answered something other than 200 \"success\" (${R[non200_by_status]} non-200, ${R[bad_bodies]} other bodies)"
