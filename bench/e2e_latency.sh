#!/usr/bin/env bash
# End-to-end latency: a WeChat webhook request until the agent's socket
# receives the message.created push, at a steady rate (og_e2e_latency,
# bench/e2e_latency.cpp), then a check in PostgreSQL that every message
# answered "success" is stored exactly once.
#
#   bench/e2e_latency.sh [--rate 2000] [--duration 10] [--warmup 1]
#                        [--users 1000] [--http-pool 64]
#                        [--binary PATH] [--tool PATH] [--result-file PATH]
#                        [--wrapper 'CMD ARGS']
#
# The gateway, with a fresh embedded database, a plain-mode Official Account
# channel and an admin whose bearer token opens the agent socket
# (/v1/ws/agent?token=...), is started as bench/lib/gateway.sh does for every
# bench. --result-file gets the tool's key=value figures plus db_rows,
# db_distinct, db_missing and check. --wrapper runs the gateway under a
# command that execs it in place (perf record, valgrind, env VAR=...).
set -euo pipefail

bench_name=e2e_latency
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$bench_dir/.." && pwd)"
# shellcheck source=bench/lib/gateway.sh
source "$bench_dir/lib/gateway.sh"
# shellcheck source=bench/lib/wechat.sh
source "$bench_dir/lib/wechat.sh"

rate=2000 duration=10 warmup=1 users=1000 http_pool=64 binary="" tool="" results_out="" wrapper=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rate)        rate="${2:?}"; shift 2 ;;
    --duration)    duration="${2:?}"; shift 2 ;;
    --warmup)      warmup="${2:?}"; shift 2 ;;
    --users)       users="${2:?}"; shift 2 ;;
    --http-pool)   http_pool="${2:?}"; shift 2 ;;
    --binary)      binary="${2:?}"; shift 2 ;;
    --tool)        tool="${2:?}"; shift 2 ;;
    --result-file) results_out="${2:?}"; shift 2 ;;
    --wrapper)     wrapper="${2:?}"; shift 2 ;;
    -h|--help)     sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
ensure_gateway_binary
[[ -n "$tool" ]] || tool="$(dirname "$binary")/../bench/og_e2e_latency"
[[ -x "$tool" ]] || die "og_e2e_latency not found: $tool (build the og_e2e_latency target)"
require_tools curl sed
find_psql

make_data_dir omnigate-e2e
install_cleanup_traps
pick_port_pair 12000
log "starting gateway on 127.0.0.1:$port, realtime $((port + 1)) (data dir $tmp)"
read -r -a wrap <<<"$wrapper"
start_gateway "$binary" ${wrap[@]+"${wrap[@]}"}
wait_gateway_ready 120
admin_login "$binary"
create_wechat_channel plain

result_file="$work/result.txt" acked_file="$work/acked.txt"
tool_rc=0
"$tool" --http-port "$port" --ws-port "$((port + 1))" --token "$bearer" --hook-path "/v1/hooks/$hook_token" \
  --wx-token "$wx_token" --rate "$rate" --duration "$duration" --warmup "$warmup" --users "$users" \
  --http-pool "$http_pool" --result-file "$result_file" --acked-file "$acked_file" || tool_rc=$?
[[ -s "$result_file" ]] || die "og_e2e_latency wrote no results (exit $tool_rc)"
declare -A R
while IFS='=' read -r k v; do R[$k]="$v"; done <"$result_file"

# Every answered message stored once: rows = distinct MsgIds, each acked
# MsgId among them, and no more rows than requests sent.
[[ "$acked_file" =~ ^[A-Za-z0-9/._-]+$ ]] || die "unexpected path: $acked_file"
IFS='|' read -r db_rows db_distinct db_missing <<<"$(psql_q -F '|' -v chan="$channel_id" <<SQL
CREATE TEMP TABLE acked (external_id text NOT NULL);
\copy acked FROM '$acked_file'
SELECT (SELECT count(*) FROM messages WHERE channel_id = :chan),
       (SELECT count(DISTINCT external_id) FROM messages WHERE channel_id = :chan),
       (SELECT count(*) FROM acked a WHERE NOT EXISTS
          (SELECT 1 FROM messages m WHERE m.channel_id = :chan AND m.external_id = a.external_id));
SQL
)"
failures=()
(( tool_rc == 0 )) || failures+=("og_e2e_latency reported a failure (exit $tool_rc)")
(( db_rows == db_distinct )) || failures+=("$((db_rows - db_distinct)) MsgIds stored twice")
(( db_missing == 0 )) || failures+=("$db_missing messages answered \"success\" are not in the database")
(( db_rows <= R[sent] )) || failures+=("$db_rows rows stored for ${R[sent]} messages sent")
echo "database: $db_rows rows, $db_distinct distinct MsgIds, $db_missing acknowledged but missing"

gw_rc=0
stop_gateway || gw_rc=$?
(( gw_rc == 0 )) || failures+=("gateway exited with status $gw_rc on SIGTERM")
report_gateway_warnings

check=pass
(( ${#failures[@]} == 0 )) || check=FAIL
if [[ -n "$results_out" ]]; then
  cp "$result_file" "$results_out"
  printf '%s\n' "db_rows=$db_rows" "db_distinct=$db_distinct" "db_missing=$db_missing" "check=$check" >>"$results_out"
fi
for f in "${failures[@]}"; do echo "CHECK FAILED: $f" >&2; done
[[ "$check" == pass ]] || exit 1
echo "e2e_latency: pass"
