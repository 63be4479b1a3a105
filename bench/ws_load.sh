#!/usr/bin/env bash
# Realtime hub load: many idle visitor WebSockets, then a chat load whose
# round trip is visitor -> agent -> visitor.
#
#   bench/ws_load.sh [--connections 2000] [--rate 200] [--duration 5]
#                    [--sources 0] [--http-pool 32] [--binary PATH] [--tool PATH]
#                    [--wrapper 'CMD ARGS'] [--result-file PATH]
#                    [-- EXTRA og_ws_load ARGS]
#
# Quick (CI smoke):    bench/ws_load.sh --connections 2000 --rate 200 --duration 5
# Real measurement:    bench/ws_load.sh --connections 20000 --rate 1000 --duration 20
# Memory profile:      bench/ws_load.sh --connections 2000 --wrapper 'valgrind --tool=massif
#                        --massif-out-file=/tmp/massif.out' -- --settle 20
#                      (then `vgdb --pid=<gateway pid> detailed_snapshot /tmp/snap` while settling)
#
# --result-file: og_ws_load's key=value figures plus the database check's
# (db_in, db_out) and check=pass|FAIL, for bench/run.
#
# --http-pool: keep-alive HTTP connections the tool's agent posts replies on.
# A reply POST waits for its durable commit (a few ms), so at 1,000 msg/s
# fewer than ~16 connections queue replies inside the tool and inflate the
# round trip. The gateway serves at most http_threads (128) at once.
#
# What it does:
#   1. raises the open-files limit (`ulimit -n`) for itself and so for the
#      gateway and the tool it starts: each connection is one fd in the
#      gateway and one in the tool, so both need connections + a few hundred.
#      It asks for 200000 and falls back to the hard limit (raising the hard
#      limit needs root with CAP_SYS_RESOURCE, or `ulimit -Hn`/limits.conf
#      before running); it refuses to start if that is too low;
#   2. starts its own gateway (`omnigate serve`) on a free 127.0.0.1 port pair
#      with a fresh data directory under /tmp;
#   3. creates an admin, logs in, creates a `web` channel without
#      allowed_origins (any origin);
#   4. runs og_ws_load (bench/ws_load.cpp) with the gateway's pid, so it reads
#      the gateway's VmRSS before and after connecting;
#   5. checks in PostgreSQL that every visitor message and every reply is
#      stored exactly once;
#   6. stops the gateway with SIGTERM and removes the temp directory.
# Exit status is non-zero if any check fails. Loopback only.
set -euo pipefail

bench_name=ws_load
# die, log and the gateway launcher shared with webhook_ingest.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/gateway.sh"

connections=2000 rate=200 duration=5 sources=0 http_pool=32 binary="" tool="" wrapper="" results_out=""
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --connections) connections="${2:?}"; shift 2 ;;
    --rate)        rate="${2:?}"; shift 2 ;;
    --duration)    duration="${2:?}"; shift 2 ;;
    --sources)     sources="${2:?}"; shift 2 ;;
    --http-pool)   http_pool="${2:?}"; shift 2 ;;
    --binary)      binary="${2:?}"; shift 2 ;;
    --tool)        tool="${2:?}"; shift 2 ;;
    --wrapper)     wrapper="${2:?}"; shift 2 ;;
    --result-file) results_out="${2:?}"; shift 2 ;;
    --)            shift; extra=("$@"); break ;;
    -h|--help)     sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
for v in connections rate duration http_pool; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "--${v//_/-} must be a positive integer, got '${!v}'"
done
[[ "$sources" =~ ^[0-9]+$ ]] || die "--sources must be a non-negative integer"

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$bench_dir/.." && pwd)"

require_tools curl awk
find_psql

# --- binaries (built if missing) ----------------------------------------------
[[ -n "$binary" ]] || binary="$(default_gateway_binary "$repo_root")"
[[ -n "$tool" ]] || tool="$repo_root/build/release/bench/og_ws_load"
if [[ ! -x "$binary" || ! -x "$tool" ]]; then
  log "building omnigate and og_ws_load (release preset)"
  (cd "$repo_root" && cmake --preset release >/dev/null && ninja -C build/release omnigate og_ws_load) >&2
fi
[[ -x "$binary" ]] || die "gateway binary not found: $binary"
[[ -x "$tool" ]] || die "load tool not found: $tool"

# --- open files ---------------------------------------------------------------
# One fd per connection on each side, plus the gateway's own (about 40: database pool,
# HTTP threads' sockets, log, epoll) and the tool's HTTP pool.
need=$(( connections + 100 ))
ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
have="$(ulimit -n)"
if [[ "$have" != unlimited ]] && (( have < need )); then
  die "open-files limit is $have (hard $(ulimit -Hn)); $connections connections need about $need.
  Raise the hard limit first (as root: ulimit -Hn 200000, or prlimit / limits.conf / systemd LimitNOFILE),
  or run with --connections $(( have - 100 )) or fewer."
fi
log "open-files limit: $have (needed about $need)"

# --- temp dir, cleanup, port, start (bench/lib/gateway.sh) ----------------------
make_data_dir omnigate-wsload
install_cleanup_traps
# below the ephemeral range (32768-60999): the tool opens --connections
# client sockets from it
pick_port_pair 12000
rt_port=$((port + 1))

log "starting gateway on 127.0.0.1:$port, realtime 127.0.0.1:$rt_port (data dir $tmp)"
# --wrapper runs the gateway under a profiler that execs in place (valgrind),
# so $! is still the gateway's pid.
read -r -a wrap <<<"$wrapper"
start_gateway "$binary" "${wrap[@]}"
wait_gateway_ready 180
log "gateway pid $gw_pid, open-files limit $(awk '/Max open files/{print $4}' "/proc/$gw_pid/limits")"

# --- admin, login, web channel ---------------------------------------------------------
admin_login "$binary"
create_channel '{"type":"web","name":"load"}'
key="$(json_str key <<<"$channel_json")"
[[ "$key" =~ ^[A-Za-z0-9_-]+$ ]] || die "no usable config.key in the channel answer: $channel_json"
channel_id="$(psql_q -v k="$key" <<<"SELECT id FROM channels WHERE config->>'key' = :'k';")"
[[ "$channel_id" =~ ^[0-9]+$ ]] || die "channel not found in the database"

# --- the load ----------------------------------------------------------------------------
result_file="$work/result.txt"
tool_rc=0
"$tool" --ws-port "$rt_port" --http-port "$port" --token "$bearer" --channel "$key" \
  --gateway-pid "$gw_pid" --connections "$connections" --rate "$rate" --duration "$duration" \
  --sources "$sources" --http-pool "$http_pool" --result-file "$result_file" "${extra[@]}" || tool_rc=$?
kill -0 "$gw_pid" 2>/dev/null || die "the gateway died during the load"

# --- the store check: each visitor message and each reply stored exactly once ------------
declare -A R
if [[ -s "$result_file" ]]; then while IFS='=' read -r k v; do R[$k]="$v"; done <"$result_file"; fi
failures=()
if [[ -n "${R[acked]:-}" ]]; then
  IFS='|' read -r n_in n_in_distinct n_out n_out_distinct <<<"$(psql_q -F '|' -v chan="$channel_id" <<'SQL'
SELECT count(*) FILTER (WHERE direction = 'in'),
       count(DISTINCT external_id) FILTER (WHERE direction = 'in'),
       count(*) FILTER (WHERE direction = 'out'),
       count(DISTINCT external_id) FILTER (WHERE direction = 'out')
FROM messages WHERE channel_id = :chan;
SQL
)"
  (( n_in == n_in_distinct )) || failures+=("visitor messages stored twice: $n_in rows, $n_in_distinct distinct ids")
  (( n_out == n_out_distinct )) || failures+=("replies stored twice: $n_out rows, $n_out_distinct distinct ids")
  (( n_in >= R[acked] )) || failures+=("${R[acked]} sends acknowledged but only $n_in visitor messages stored")
  (( n_in <= R[sent] )) || failures+=("$n_in visitor messages stored for ${R[sent]} sent")
  (( n_out >= R[replies] )) || failures+=("${R[replies]} replies received but only $n_out stored")
  echo "database: $n_in visitor messages, $n_out replies (each stored once)"
fi

# Group commits (each one ends in a WAL flush): their size and duration show
# how much of the latency is the disk.
metrics="$(curl -fsS "$base/metrics" 2>/dev/null | grep -E '^omnigate_ingest_(commit_duration_seconds|batch_messages)_(bucket|sum|count)' || true)"
if [[ -n "$metrics" ]]; then
  awk '
    /^omnigate_ingest_batch_messages_sum /   { bs = $2 }
    /^omnigate_ingest_batch_messages_count / { bc = $2 }
    /^omnigate_ingest_commit_duration_seconds_bucket/ {
      match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5); n++; B[n] = le; C[n] = $2 }
    /^omnigate_ingest_commit_duration_seconds_sum /   { ds = $2 }
    /^omnigate_ingest_commit_duration_seconds_count / { dc = $2 }
    function q(p,   i) { for (i = 1; i <= n; i++) if (C[i] >= p * dc) return B[i] * 1000 " ms"; return "-" }
    END {
      if (bc > 0) printf "group commits: %d, mean %.1f messages each, mean %.2f ms; commit p50 <= %s, p99 <= %s (histogram bounds)\n",
        dc, bs / bc, ds / dc * 1000, q(0.5), q(0.99)
    }' <<<"$metrics"
fi

gw_rc=0
stop_gateway || gw_rc=$?
(( gw_rc == 0 )) || failures+=("gateway exited with status $gw_rc on SIGTERM")
report_gateway_warnings

(( tool_rc == 0 )) || failures+=("og_ws_load reported a failure (exit $tool_rc)")
if [[ -n "$results_out" ]]; then
  check=pass
  (( ${#failures[@]} == 0 )) || check=FAIL
  { [[ ! -s "$result_file" ]] || cat "$result_file"
    printf '%s\n' "db_in=${n_in:-}" "db_out=${n_out:-}" "check=$check"; } >"$results_out"
fi
if (( ${#failures[@]} > 0 )); then
  for f in "${failures[@]}"; do echo "CHECK FAILED: $f" >&2; done
  exit 1
fi
echo "ws_load: pass"
