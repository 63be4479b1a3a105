#!/usr/bin/env bash
# WeChat Official Account ingest benchmark: text messages through
# POST /v1/hooks/{token}, in plain mode and in safe (encrypted) mode, then a
# durability check of what the gateway answered "success" to.
#
#   bench/wechat_ingest.sh [--mode both|plain|safe] [--duration 10]
#                          [--connections 64] [--threads 2] [--users 1000]
#                          [--binary PATH] [--result-file PATH] [--dump-rows PATH]
#
# --result-file: the figures and the check of each mode as key=value lines
# (MODE.msgs_per_s, MODE.p50_ms, MODE.p99_ms, MODE.check, ...), for bench/run.
# --dump-rows: the rows the plain run stored, in COPY text format, with the
# columns og_ingest writes: og_copy_ceiling inserts the same rows by COPY.
#
# For each mode (plain first, then safe):
#   1. starts its own gateway (`omnigate serve`) on a free 127.0.0.1 port with
#      a fresh data directory under /tmp, so the embedded PostgreSQL holds
#      nothing but this run (bench/lib/gateway.sh);
#   2. creates an admin, logs in, creates a `wechat_mp` channel through
#      POST /v1/admin/channels (older gateways call the type "wechat") in that
#      mode; the gateway generates the Token and, in safe mode, the
#      EncodingAESKey, and returns them under "secrets";
#   3. runs wrk with bench/wechat_ingest.lua: every request is a new text
#      message (unique MsgId, FromUserName among --users OpenIDs) signed like
#      WeChat signs it, and encrypted (WXBizMsgCrypt, via LuaJIT FFI +
#      libcrypto) in safe mode;
#   4. waits for the requests wrk abandoned at the end to settle, then checks
#      in PostgreSQL, by MsgId (messages.external_id), that: no MsgId is
#      stored twice; every stored row is a message wrk sent, with the text and
#      sender it was sent with; at least as many rows as "success" answers
#      are stored (WeChat's answer names no message, so this part is by
#      count), and no more than that plus what can have been in flight
#      (one per connection, lost answers, 5xx answers such as the 503 of a
#      slow store; a 4xx refusal must store nothing); every conversation's
#      seq runs 1..last_seq without gaps;
#   5. stops the gateway with SIGTERM and removes the temp directory.
# Then prints a Markdown table (one row per mode) and the encrypted/plain
# throughput ratio. Exit status is non-zero if any check fails.
#
# Needs bash, wrk (Debian's, LuaJIT), curl, psql, awk and OpenSSL's
# libcrypto: deploy/setup.sh installs them. No python/jq.
set -euo pipefail

bench_name=wechat_ingest
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$bench_dir/.." && pwd)"
# shellcheck source=bench/lib/gateway.sh
source "$bench_dir/lib/gateway.sh"

mode=both duration=10 connections=64 threads=2 users=1000 binary="" results_out="" dump_rows=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --mode)        mode="${2:?}"; shift 2 ;;
    --duration)    duration="${2:?}"; shift 2 ;;
    --connections) connections="${2:?}"; shift 2 ;;
    --threads)     threads="${2:?}"; shift 2 ;;
    --users)       users="${2:?}"; shift 2 ;;
    --binary)      binary="${2:?}"; shift 2 ;;
    --result-file) results_out="${2:?}"; shift 2 ;;
    --dump-rows)   dump_rows="${2:?}"; shift 2 ;;
    -h|--help)     sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
case "$mode" in
  both)        modes=(plain safe) ;;
  plain|safe)  modes=("$mode") ;;
  *) die "--mode must be both, plain or safe, got '$mode'" ;;
esac
check_wrk_options duration connections threads users
(( threads <= 99 )) || die "--threads must be at most 99"

# psql's \copy takes the path as it is written
[[ -z "$dump_rows" || "$dump_rows" =~ ^[A-Za-z0-9/._-]+$ ]] || die "unexpected characters in --dump-rows $dump_rows"
[[ -z "$results_out" ]] || : >"$results_out"

lua_script="$bench_dir/wechat_ingest.lua"
[[ -f "$lua_script" ]] || die "missing $lua_script"

require_tools wrk curl awk sed
find_psql

ensure_gateway_binary

# shellcheck source=bench/lib/wechat.sh
source "$bench_dir/lib/wechat.sh"   # create_wechat_channel

declare -A ROW_RATE   # mode -> msgs/s
rows=() notes=() all_failures=()

# run_mode MODE: one gateway, one channel, one wrk run, the checks; appends
# to rows/notes/all_failures.
run_mode() {
  local m="$1"
  make_data_dir omnigate-wechat-bench
  install_cleanup_traps
  pick_port_pair 12000   # 20000..31999: below the ephemeral range wrk draws from
  log "[$m] starting gateway on 127.0.0.1:$port (data dir $tmp)"
  start_gateway "$binary"
  wait_gateway_ready 60
  admin_login "$binary"

  local hook_token wx_token aes_key channel_id channel_type channel_json
  create_wechat_channel "$m"   # sets those (lib/wechat.sh)

  # --- the load ---------------------------------------------------------------
  local sent_file="$work/sent.txt" result_file="$work/result.txt"
  log "[$m] wrk: ${duration}s, $connections connections, $threads threads, $users users (channel type $channel_type)"
  local -A R
  # CPU time the gateway and PostgreSQL spend per message: unlike msgs/s, it
  # hardly moves when other work shares the machine.
  # (The pool opens its connections as the load needs them: PostgreSQL's
  # processes are listed again afterwards; a new one started from 0.)
  local hz gw_ticks0 pg_ticks0 gw_ticks pg_ticks
  hz="$(getconf CLK_TCK)"
  gw_ticks0="$(cpu_ticks "$gw_pid")"
  # shellcheck disable=SC2046
  pg_ticks0="$(cpu_ticks $(postgres_pids))"
  OG_MODE="$m" OG_WX_TOKEN="$wx_token" OG_AES_KEY="$aes_key" OG_APP_ID="$wechat_app_id" OG_ACCOUNT="$wechat_account" \
  OG_USERS="$users" OG_SENT_FILE="$sent_file" OG_RESULT_FILE="$result_file" \
    run_wrk "$lua_script" "$base/v1/hooks/$hook_token" "$result_file" "$sent_file"
  gw_ticks=$(( $(cpu_ticks "$gw_pid") - gw_ticks0 ))
  # shellcheck disable=SC2046
  pg_ticks=$(( $(cpu_ticks $(postgres_pids)) - pg_ticks0 ))
  R[gw_cpu_us]="$(awk -v t="$gw_ticks" -v hz="$hz" -v n="${R[acked]}" 'BEGIN { printf "%.0f", (n > 0 ? t / hz * 1e6 / n : 0) }')"
  R[pg_cpu_us]="$(awk -v t="$pg_ticks" -v hz="$hz" -v n="${R[acked]}" 'BEGIN { printf "%.0f", (n > 0 ? t / hz * 1e6 / n : 0) }')"

  # --- let the requests wrk abandoned settle -----------------------------------
  # When wrk stops, up to one request per connection is still being
  # committed; wait until the row count stops moving so DB rows is final.
  local count_sql="SELECT count(*) FROM messages WHERE channel_id = $channel_id;" before now
  before="$(psql_q <<<"$count_sql")"
  for _ in $(seq 1 50); do
    sleep 0.3
    now="$(psql_q <<<"$count_sql")"
    [[ "$now" == "$before" ]] && break
    before="$now"
  done

  # --- the check, by MsgId ---------------------------------------------------------
  [[ "$sent_file" =~ ^[A-Za-z0-9/._-]+$ ]] || die "unexpected path: $sent_file"
  log "[$m] checking the database"
  local check_out
  check_out="$(psql_q -F '|' -v chan="$channel_id" <<SQL
CREATE TEMP TABLE sent (external_id text NOT NULL);
\copy sent FROM '$sent_file'
CREATE INDEX ON sent (external_id);
ANALYZE sent;
$channel_cte_sql
SELECT
  (SELECT count(*) FROM sent),
  (SELECT count(DISTINCT external_id) FROM sent),
  (SELECT count(*) FROM m),
  (SELECT count(DISTINCT external_id) FROM m),
  (SELECT count(*) FROM m WHERE external_id IS NULL),
  (SELECT count(*) FROM m WHERE NOT EXISTS (SELECT 1 FROM sent s WHERE s.external_id = m.external_id)),
  (SELECT count(*) FROM m WHERE direction <> 'in' OR sender_type <> 'contact'
     OR sender_id !~ '^oBench[0-9]{22}\$'
     OR parts->0->>'type' IS DISTINCT FROM 'text'
     OR parts->0->>'text' IS DISTINCT FROM 'bench ' || external_id),
  (SELECT count(DISTINCT sender_id) FROM m),
$conv_checks_sql;
SQL
)" || die "database check query failed"
  local sent_rows sent_distinct db_rows db_distinct db_null stray bad_content senders n_conv bad_conv wrong_channel
  IFS='|' read -r sent_rows sent_distinct db_rows db_distinct db_null stray bad_content senders \
    n_conv bad_conv wrong_channel <<<"$check_out"

  local failures=()
  (( sent_rows == R[sent] )) || failures+=("sent-ids file has $sent_rows lines, Lua counted ${R[sent]}")
  (( sent_distinct == sent_rows )) || failures+=("the bench sent $((sent_rows - sent_distinct)) MsgIds twice (bench bug)")
  (( db_distinct == db_rows && db_null == 0 )) || failures+=("MsgId not unique in the database: $db_rows rows, $db_distinct distinct, $db_null without one")
  (( stray == 0 )) || failures+=("$stray stored messages have a MsgId the bench never sent")
  (( bad_content == 0 )) || failures+=("$bad_content stored messages differ from what was sent (text, sender or direction)")
  (( senders <= users )) || failures+=("$senders distinct senders stored, only $users were used")
  (( bad_conv == 0 )) || failures+=("$bad_conv of $n_conv conversations have seq gaps/duplicates or last_seq != count(messages)")
  (( wrong_channel == 0 )) || failures+=("$wrong_channel messages sit in a conversation of another channel")
  (( R[bad_bodies] == 0 )) || failures+=("${R[bad_bodies]} answers were 200 without the body \"success\"")
  (( R[acked] > 0 )) || failures+=("no request was answered \"success\"")
  local lost_answers=$(( R[err_timeout] + R[err_read] + R[err_write] ))
  local extra=$(( db_rows - R[acked] ))
  local max_extra=$(( connections + lost_answers + R[non200_5xx] ))
  (( extra >= 0 )) || failures+=("$((-extra)) messages answered \"success\" are NOT in the database (${R[acked]} answered, $db_rows stored)")
  (( extra <= max_extra )) || failures+=("$extra stored messages were never answered \"success\"; at most $max_extra can be in flight ($connections connections + $lost_answers lost answers + ${R[non200_5xx]} 5xx answers)")

  if [[ -n "$dump_rows" && "$m" == plain ]]; then
    psql_q <<SQL || die "dumping the stored rows failed"
\copy (SELECT conversation_id, seq, channel_id, direction, sender_type, sender_id, sender_name, parts, delivery_status, external_id, metadata, channel_timestamp FROM messages WHERE channel_id = $channel_id ORDER BY id) TO '$dump_rows'
SQL
  fi

  local gw_rc=0
  stop_gateway || gw_rc=$?
  (( gw_rc == 0 )) || failures+=("gateway exited with status $gw_rc on SIGTERM")
  local warnings
  warnings="$(report_gateway_warnings)"

  local check="pass"
  (( ${#failures[@]} == 0 )) || check="FAIL"
  local non2xx="${R[non200]}"
  [[ "${R[non200_by_status]}" == "-" ]] || non2xx="${R[non200]} (${R[non200_by_status]})"
  rows+=("| $m | ${R[requests]} | ${R[msgs_per_s]} | ${R[p50_ms]} | ${R[p99_ms]} | $non2xx | $db_rows | $check |")
  ROW_RATE[$m]="${R[msgs_per_s]}"
  if [[ -n "$results_out" ]]; then
    local k
    for k in requests acked msgs_per_s p50_ms p90_ms p99_ms p999_ms max_ms duration_s non200 non200_by_status \
             gw_cpu_us pg_cpu_us; do
      echo "$m.$k=${R[$k]}"
    done >>"$results_out"
    printf '%s\n' "$m.db_rows=$db_rows" "$m.db_distinct=$db_distinct" "$m.in_flight=$extra" \
      "$m.conversations=$n_conv" "$m.check=$check" >>"$results_out"
  fi
  notes+=("$m: ${R[acked]} answered \"success\" in ${R[duration_s]} s, $db_rows stored ($extra in flight at the stop, bound $max_extra), $senders users, $n_conv conversations; socket errors connect ${R[err_connect]} read ${R[err_read]} write ${R[err_write]} timeout ${R[err_timeout]}; max latency ${R[max_ms]} ms; CPU per message: gateway ${R[gw_cpu_us]} µs, PostgreSQL ${R[pg_cpu_us]} µs; $warnings")
  local f
  for f in "${failures[@]}"; do all_failures+=("$m: $f"); done

  rm -rf "$tmp"
}

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
for m in "${modes[@]}"; do run_mode "$m"; done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

cat <<EOF

WeChat Official Account text-message ingest, ${duration}s per mode, c=$connections, t=$threads, users=$users, $(nproc) CPUs (wrk and the gateway share them)

| mode | requests | msgs/s | p50 ms | p99 ms | non-2xx | DB rows | check |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |
EOF
printf '%s\n' "${rows[@]}"
echo
if [[ -n "${ROW_RATE[plain]:-}" && -n "${ROW_RATE[safe]:-}" ]]; then
  awk -v s="${ROW_RATE[safe]}" -v p="${ROW_RATE[plain]}" \
    'BEGIN { if (p > 0) printf "encrypted/plain throughput: %.2f\n", s / p }'
fi
echo "load average (1/5/15 min) before: $load_before, after: $load_after"
printf '%s\n' "${notes[@]}"

if (( ${#all_failures[@]} > 0 )); then
  for f in "${all_failures[@]}"; do echo "CHECK FAILED: $f" >&2; done
  exit 1
fi
echo "check passed: every message answered \"success\" is stored (by count), no MsgId twice, contents as sent, seq without gaps"
