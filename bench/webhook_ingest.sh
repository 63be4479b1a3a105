#!/usr/bin/env bash
# Webhook ingest benchmark: signed messages into a `webhook` channel, then a
# durability check of what the gateway acknowledged.
#
#   bench/webhook_ingest.sh [--duration 10] [--connections 64] [--threads 2]
#                           [--contacts 1000] [--binary PATH]
#
# What it does:
#   1. starts its own gateway (`omnigate serve`) on a free 127.0.0.1 port with
#      a fresh data directory under /tmp, so the embedded PostgreSQL holds
#      nothing but this run;
#   2. creates an admin, logs in, creates a webhook channel;
#   3. runs wrk with bench/webhook_ingest.lua, which signs every request
#      (HMAC-SHA256 via LuaJIT FFI + libcrypto), gives each a unique external_id
#      and a contact among --contacts, and records every acknowledged id;
#   4. checks in PostgreSQL that every acknowledged message is stored, that no
#      external_id is stored twice, and that every conversation's seq runs
#      1..last_seq without gaps;
#   5. prints a Markdown results table and the mean group-commit batch size;
#   6. stops the gateway with SIGTERM and removes the temp directory.
# Exit status is non-zero if any check fails.
#
# Needs bash, wrk (Debian's, LuaJIT), curl, psql and awk: deploy/setup.sh
# installs them. Deliberately no python/jq, so it runs on a fresh Debian.
set -euo pipefail

bench_name=webhook_ingest
# die, log and the gateway launcher shared with ws_load.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/gateway.sh"

duration=10 connections=64 threads=2 contacts=1000 binary=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration)    duration="${2:?}"; shift 2 ;;
    --connections) connections="${2:?}"; shift 2 ;;
    --threads)     threads="${2:?}"; shift 2 ;;
    --contacts)    contacts="${2:?}"; shift 2 ;;
    --binary)      binary="${2:?}"; shift 2 ;;
    -h|--help)     sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
check_wrk_options duration connections threads contacts

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$bench_dir/.." && pwd)"
lua_script="$bench_dir/webhook_ingest.lua"
[[ -f "$lua_script" ]] || die "missing $lua_script"

# --- tools -------------------------------------------------------------------
require_tools wrk curl awk
find_psql

# --- the gateway binary (built if missing) -----------------------------------
ensure_gateway_binary

# --- temp dir, cleanup, port, start (bench/lib/gateway.sh) --------------------
make_data_dir omnigate-bench
install_cleanup_traps
pick_port_pair 40000

log "starting gateway on 127.0.0.1:$port (data dir $tmp)"
start_gateway "$binary"
wait_gateway_ready 60

# --- admin, login, channel ----------------------------------------------------
admin_login "$binary"
create_channel '{"type":"webhook","name":"bench"}'
hook_token="$(json_str token <<<"$channel_json")"
secret="$(json_str secret <<<"$channel_json")"
[[ -n "$hook_token" && -n "$secret" ]] || die "no token/secret in the channel answer: $channel_json"
[[ "$hook_token" =~ ^[A-Za-z0-9_-]+$ ]] || die "unexpected channel token: $hook_token"
lookup_channel_id "$hook_token"

# --- the load -----------------------------------------------------------------
acked_file="$work/acked.txt"
result_file="$work/result.txt"
run_id="$(date +%s)$$"
log "wrk: ${duration}s, $connections connections, $threads threads, $contacts contacts"
declare -A R
OG_SECRET="$secret" OG_CONTACTS="$contacts" OG_RUN_ID="$run_id" \
OG_ACKED_FILE="$acked_file" OG_RESULT_FILE="$result_file" \
  run_wrk "$lua_script" "$base/v1/hooks/$hook_token" "$result_file" "$acked_file"

# --- let the requests wrk abandoned finish ---------------------------------------
# When wrk stops, up to one request per connection is still being committed.
# Wait until the ingest counter stops moving, so that the DB row count and the
# metrics below are final (the check itself would be correct either way:
# nothing is acknowledged before it is committed).
batch_metrics() { curl -fsS "$base/metrics" | grep -E '^omnigate_ingest_batch_messages_(sum|count) ' || true; }
metrics="$(batch_metrics)"
for _ in $(seq 1 50); do
  sleep 0.2
  now="$(batch_metrics)"
  [[ "$now" == "$metrics" ]] && break
  metrics="$now"
done

# --- the durability check -------------------------------------------------------
# Everything stored is compared with what wrk saw acknowledged. Requests in
# flight when wrk stopped (at most one per connection) and requests whose
# answer was lost (client timeouts, socket errors) may have been committed
# without wrk recording them: those rows are "extra" and expected, up to that
# bound. Anything else is a failure.
[[ "$acked_file" =~ ^[A-Za-z0-9/._-]+$ ]] || die "unexpected path: $acked_file"
log "checking the database"
check_out="$(psql_q -F '|' -v chan="$channel_id" <<SQL
CREATE TEMP TABLE acked (external_id text NOT NULL);
\copy acked FROM '$acked_file'
ANALYZE acked;
$channel_cte_sql
SELECT
  (SELECT count(*) FROM acked),
  (SELECT count(DISTINCT external_id) FROM acked),
  (SELECT count(*) FROM acked a WHERE NOT EXISTS
     (SELECT 1 FROM m WHERE m.external_id = a.external_id)),
  (SELECT count(*) FROM m),
  (SELECT count(DISTINCT external_id) FROM m),
  (SELECT count(*) FROM m WHERE external_id IS NULL),
$conv_checks_sql;
SQL
)" || die "database check query failed"
IFS='|' read -r acked_rows acked_distinct missing db_rows db_distinct db_null \
  n_conv bad_conv wrong_channel <<<"$check_out"

failures=()
(( acked_rows == R[acked] )) || failures+=("acked-ids file has $acked_rows lines, Lua counted ${R[acked]} acks")
(( acked_distinct == acked_rows )) || failures+=("$((acked_rows - acked_distinct)) external ids acknowledged twice")
(( missing == 0 )) || failures+=("$missing acknowledged messages are NOT in the database")
(( db_distinct == db_rows && db_null == 0 )) || failures+=("external_id not unique in the database: $db_rows rows, $db_distinct distinct ids, $db_null without id")
(( bad_conv == 0 )) || failures+=("$bad_conv of $n_conv conversations have seq gaps/duplicates or last_seq != count(messages)")
(( wrong_channel == 0 )) || failures+=("$wrong_channel messages sit in a conversation of another channel")
(( R[duplicates] == 0 )) || failures+=("${R[duplicates]} answers said duplicate:true for ids sent once")
(( R[bad_bodies] == 0 )) || failures+=("${R[bad_bodies]} 200 answers without a readable external_id")
extra=$(( db_rows - acked_distinct ))
lost_answers=$(( R[err_timeout] + R[err_read] + R[err_write] ))
max_extra=$(( connections + lost_answers ))
if (( extra < 0 || extra > max_extra )); then
  failures+=("$extra stored messages were never acknowledged; at most $max_extra can be in flight ($connections connections + $lost_answers lost answers)")
fi

check="pass"
(( ${#failures[@]} == 0 )) || check="FAIL"

# --- stop the gateway before reporting, so a dirty stop shows up too -------------
# How long group commits took (a slow disk flush shows up here, not in the gateway).
commit_hist="$(curl -fsS "$base/metrics" 2>/dev/null | grep -E '^omnigate_ingest_commit_duration_seconds_(bucket|count)' || true)"
hook_hist="$(curl -fsS "$base/metrics" 2>/dev/null | grep -E '^omnigate_http_request_duration_seconds_(bucket|count)\{route="/v1/hooks/\{token\}"' || true)"
gw_rc=0
stop_gateway || gw_rc=$?
(( gw_rc == 0 )) || { failures+=("gateway exited with status $gw_rc on SIGTERM"); check="FAIL"; }

# --- report --------------------------------------------------------------------------
non2xx="${R[non200]}"
[[ "${R[non200_by_status]}" == "-" ]] || non2xx="${R[non200]} (${R[non200_by_status]})"
cat <<EOF

| scenario | requests | acked msgs | msgs/s | p50 ms | p99 ms | non-2xx | DB rows | check |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
| webhook ingest, ${duration}s, c=$connections, t=$threads, contacts=$contacts | ${R[requests]} | ${R[acked]} | ${R[msgs_per_s]} | ${R[p50_ms]} | ${R[p99_ms]} | $non2xx | $db_rows | $check |

EOF
echo "DB rows beyond the acknowledged ones (in flight when wrk stopped): $extra"
echo "conversations: $n_conv; wrk socket errors: connect ${R[err_connect]}, read ${R[err_read]}, write ${R[err_write]}, timeout ${R[err_timeout]}; max latency ${R[max_ms]} ms"
if [[ -n "$commit_hist" ]]; then
  echo "group commits slower than 100 ms / 1 s: $(awk -F'[ "]' '/le="0.1"/{a=$NF} /le="1"/{b=$NF} /_count/{c=$NF} END{print c-a " / " c-b " of " c}' <<<"$commit_hist")"
fi
if [[ -n "$hook_hist" ]]; then
  echo "hook handler (adapter + store, inside the gateway) slower than 100 ms / 1 s: $(awk -F'[ "]' '/le="0.1"/{a=$NF} /le="1"/{b=$NF} /_count/{c=$NF} END{print c-a " / " c-b " of " c}' <<<"$hook_hist")"
fi
if [[ -n "$metrics" ]]; then
  echo "gateway /metrics:"
  sed 's/^/  /' <<<"$metrics"
  awk '/_sum /{s=$2} /_count /{c=$2} END{if (c > 0) printf "  mean group-commit batch: %.1f messages\n", s/c}' <<<"$metrics"
fi

report_gateway_warnings

if [[ "$check" != "pass" ]]; then
  for f in "${failures[@]}"; do echo "CHECK FAILED: $f" >&2; done
  exit 1
fi
echo "check passed: every acknowledged message is stored once, seq has no gaps"
