#!/usr/bin/env bash
# Outbound delivery: N agent replies queued in the outbox, then delivered by
# the gateway's dispatcher to a local stand-in of WeChat's API
# (og_wechat_standin: tests/support/wechat_standin, the real wire format:
# /cgi-bin/token and /cgi-bin/message/custom/send). The stand-in counts the
# deliveries by their text, unique per reply: none may be lost or doubled.
#
#   bench/outbound.sh [--replies 50000] [--users 1000] [--workers N]
#                     [--api-latency-ms MS] [--binary PATH] [--standin PATH]
#                     [--result-file PATH]
#
# --api-latency-ms makes the stand-in answer each send after MS, as WeChat's
# API does over the Internet (tens of ms): on loopback with none the figure
# is what the gateway and the database can do; with some, it shows how many
# dispatcher workers a real channel needs.
#
# 1. starts the stand-in, then a gateway with outbox_workers 0 (nothing is
#    delivered yet) and an Official Account channel whose api_base is the
#    stand-in;
# 2. queues the replies through the store's own function, og_ingest (what
#    POST /v1/conversations/{id}/messages commits, and its trigger fills the
#    outbox): first one inbound message from each of --users followers, so
#    there are --users conversations, then --replies agent replies spread
#    over them, text "r<n>";
# 3. restarts the gateway with the dispatcher on (outbox_workers: its default,
#    or --workers) and waits until the outbox is empty;
# 4. checks: the stand-in accepted each reply exactly once, every reply is
#    marked sent in the database; deliveries/s is measured by the stand-in
#    between the first and the last delivery.
# --result-file gets key=value lines: the stand-in's counts plus db_sent,
# outbox_left, drain_s and check.
set -euo pipefail

bench_name=outbound
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$bench_dir/.." && pwd)"
# shellcheck source=bench/lib/gateway.sh
source "$bench_dir/lib/gateway.sh"
# shellcheck source=bench/lib/wechat.sh
source "$bench_dir/lib/wechat.sh"

replies=50000 users=1000 workers="" latency_ms=0 binary="" standin="" results_out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --replies)     replies="${2:?}"; shift 2 ;;
    --users)       users="${2:?}"; shift 2 ;;
    --workers)     workers="${2:?}"; shift 2 ;;
    --api-latency-ms) latency_ms="${2:?}"; shift 2 ;;
    --binary)      binary="${2:?}"; shift 2 ;;
    --standin)     standin="${2:?}"; shift 2 ;;
    --result-file) results_out="${2:?}"; shift 2 ;;
    -h|--help)     sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
[[ "$latency_ms" =~ ^[0-9]+$ ]] || die "--api-latency-ms must be a whole number of milliseconds, got '$latency_ms'"
for v in replies users; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "--$v must be a positive integer, got '${!v}'"
done
ensure_gateway_binary
[[ -n "$standin" ]] || standin="$(dirname "$binary")/../bench/og_wechat_standin"
[[ -x "$standin" ]] || die "og_wechat_standin not found: $standin (build the og_wechat_standin target)"
require_tools curl sed
find_psql

make_data_dir omnigate-outbound
standin_pid=""
stop_standin() {
  [[ -n "$standin_pid" ]] || return 0
  local pid="$standin_pid" rc=0
  standin_pid=""
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" || rc=$?
  return "$rc"
}
trap 'stop_standin || true; cleanup' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the stand-in ---------------------------------------------------------------
app_secret="benchsecret$RANDOM$RANDOM"
"$standin" --app-id "$wechat_app_id" --app-secret "$app_secret" --url-file "$work/standin.url" \
  --expect "$replies" --prefix r --report "$work/standin.txt" --latency-ms "$latency_ms" >"$work/standin.log" 2>&1 &
standin_pid=$!
for _ in $(seq 1 50); do [[ -s "$work/standin.url" ]] && break; sleep 0.1; done
api_base="$(cat "$work/standin.url" 2>/dev/null || true)"
[[ "$api_base" =~ ^http://127\.0\.0\.1:[0-9]+$ ]] || die "the stand-in did not start: $(cat "$work/standin.log")"

# --- gateway 1: set-up and queueing, dispatcher off --------------------------------
echo '{"outbox_workers": 0}' >"$work/no-dispatch.json"
gateway_extra_args=(--config "$work/no-dispatch.json")
pick_port_pair 12000
log "starting gateway (outbox_workers 0) on 127.0.0.1:$port (data dir $tmp); WeChat API stand-in at $api_base"
start_gateway "$binary"
wait_gateway_ready 120
admin_login "$binary"
create_wechat_channel plain "\"app_secret\":\"$app_secret\",\"api_base\":\"$api_base\""
agent_id="$(psql_q <<<"SELECT id FROM agents WHERE login = 'admin';")"
[[ "$agent_id" =~ ^[0-9]+$ ]] || die "admin agent not found"

log "queueing $replies replies over $users conversations through og_ingest"
started=$(date +%s.%N)
psql_q -v chan="$channel_id" -v users="$users" -v n="$replies" -v agent="$agent_id" <<'SQL' >/dev/null
-- one inbound message per follower: og_ingest opens their conversations
SELECT count(*) FROM og_ingest(
  array_fill(:chan::bigint, ARRAY[:users]), array_fill(NULL::bigint, ARRAY[:users]),
  array_fill('contact'::text, ARRAY[:users]),
  ARRAY(SELECT format('oOut%s', lpad(g::text, 24, '0')) FROM generate_series(1, :users) g),
  array_fill(''::text, ARRAY[:users]),
  ARRAY(SELECT 'in-' || g FROM generate_series(1, :users) g),
  array_fill('in'::text, ARRAY[:users]),
  ARRAY(SELECT jsonb_build_array(jsonb_build_object('type', 'text', 'text', 'hello ' || g))
        FROM generate_series(1, :users) g),
  array_fill(NULL::jsonb, ARRAY[:users]), array_fill(NULL::timestamptz, ARRAY[:users]),
  array_fill('none'::text, ARRAY[:users]));
SELECT set_config('bench.chan', :'chan', false), set_config('bench.n', :'n', false),
       set_config('bench.agent', :'agent', false);
-- the replies, 1,000 per og_ingest call as group commits would batch them
DO $$
DECLARE
  chan  bigint := current_setting('bench.chan')::bigint;
  n     int    := current_setting('bench.n')::int;
  agent text   := current_setting('bench.agent');
  convs bigint[] := ARRAY(SELECT id FROM conversations WHERE channel_id = chan ORDER BY id);
  k     int := array_length(convs, 1);
  lo    int;
  hi    int;
BEGIN
  FOR lo IN 0 .. n - 1 BY 1000 LOOP
    hi := least(lo + 999, n - 1);
    PERFORM count(*) FROM og_ingest(
      array_fill(chan, ARRAY[hi - lo + 1]),
      ARRAY(SELECT convs[1 + g % k] FROM generate_series(lo, hi) g),
      array_fill('agent'::text, ARRAY[hi - lo + 1]), array_fill(agent, ARRAY[hi - lo + 1]),
      array_fill('admin'::text, ARRAY[hi - lo + 1]),
      ARRAY(SELECT 'agent:' || agent || ':r' || g FROM generate_series(lo, hi) g),
      array_fill('out'::text, ARRAY[hi - lo + 1]),
      ARRAY(SELECT jsonb_build_array(jsonb_build_object('type', 'text', 'text', 'r' || g))
            FROM generate_series(lo, hi) g),
      array_fill(NULL::jsonb, ARRAY[hi - lo + 1]), array_fill(NULL::timestamptz, ARRAY[hi - lo + 1]),
      array_fill('pending'::text, ARRAY[hi - lo + 1]));
  END LOOP;
END $$;
SQL
queued="$(psql_q <<<"SELECT count(*) FROM outbox WHERE channel_id = $channel_id;")"
log "queued $queued outbox rows in $(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
(( queued == replies )) || die "expected $replies outbox rows, found $queued"
stop_gateway || die "gateway exited with an error on SIGTERM"

# --- gateway 2: the dispatcher delivers ----------------------------------------------
gateway_extra_args=()
if [[ -n "$workers" ]]; then
  [[ "$workers" =~ ^[1-9][0-9]*$ ]] || die "--workers must be a positive integer"
  echo "{\"outbox_workers\": $workers}" >"$work/dispatch.json"
  gateway_extra_args=(--config "$work/dispatch.json")
fi
log "restarting the gateway with the dispatcher on (outbox_workers ${workers:-default}); waiting for the outbox to drain"
start_gateway "$binary"
drain_start=$(date +%s.%N)
left="$replies" last_left="" still=0
while :; do
  kill -0 "$gw_pid" 2>/dev/null || die "the gateway died while delivering"
  left="$(psql_q <<<"SELECT count(*) FROM outbox WHERE channel_id = $channel_id;" 2>/dev/null || echo "$left")"
  (( left == 0 )) && break
  if [[ "$left" == "$last_left" ]]; then
    (( ++still < 150 )) || die "no delivery progress for 30 s ($left left)"
  else
    still=0 last_left="$left"
  fi
  sleep 0.2
done
drain_s="$(awk -v a="$drain_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')"

IFS='|' read -r db_out db_sent <<<"$(psql_q -F '|' <<SQL
SELECT count(*), count(*) FILTER (WHERE delivery_status = 'sent')
FROM messages WHERE channel_id = $channel_id AND direction = 'out';
SQL
)"
failures=()
standin_rc=0
stop_standin || standin_rc=$?
cat "$work/standin.log"
declare -A S
[[ -s "$work/standin.txt" ]] && while IFS='=' read -r k v; do S[$k]="$v"; done <"$work/standin.txt"
(( standin_rc == 0 )) || failures+=("the stand-in counted ${S[missing]:-?} missing, ${S[doubled]:-?} doubled, ${S[stray]:-?} stray deliveries")
(( db_out == replies )) || failures+=("$db_out replies in the database, $replies queued")
(( db_sent == replies )) || failures+=("$((replies - db_sent)) replies not marked sent")
gw_rc=0
stop_gateway || gw_rc=$?
(( gw_rc == 0 )) || failures+=("gateway exited with status $gw_rc on SIGTERM")
report_gateway_warnings

check=pass
(( ${#failures[@]} == 0 )) || check=FAIL
echo "outbound: $replies replies delivered in $drain_s s from the restart (stand-in: ${S[deliveries_per_s]:--} deliveries/s between the first and the last); database: $db_sent of $db_out marked sent"
if [[ -n "$results_out" ]]; then
  cat "$work/standin.txt" >"$results_out" 2>/dev/null || : >"$results_out"
  printf '%s\n' "replies=$replies" "api_latency_ms=$latency_ms" "db_sent=$db_sent" "drain_s=$drain_s" "check=$check" >>"$results_out"
fi
for f in "${failures[@]}"; do echo "CHECK FAILED: $f" >&2; done
[[ "$check" == pass ]] || exit 1
echo "outbound: pass"
