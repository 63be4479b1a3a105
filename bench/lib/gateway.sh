# shellcheck shell=bash
# Shared launcher for the bench scripts (webhook_ingest.sh, wechat_ingest.sh,
# ws_load.sh): each of them runs its own throw-away gateway, and the steps to
# get one up, signed in and torn down again are the same; so are the wrk run
# and parts of the database check of the two ingest benches. Sourced, not
# executed:
#
#   bench_name=my_bench            # prefix of error messages
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/gateway.sh"
#
# The functions talk through plain globals, because the scripts use them
# afterwards: psql_bin, tmp (data dir), work (bench files), gw_pid, port,
# base (http://127.0.0.1:PORT), password, bearer, channel_json, channel_id;
# and they read the scripts' option variables (binary, repo_root, threads,
# connections, duration).
# Nothing here sets shell options; the callers run under `set -euo pipefail`.

die() { echo "$bench_name: $*" >&2; exit 1; }
log() { echo "==> $*" >&2; }

# require_tools TOOL...: fail early, with a hint, rather than midway through a run.
require_tools() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null || die "$t not found (deploy/setup.sh installs it)"
  done
}

# find_psql: sets psql_bin. Debian keeps psql out of PATH unless
# postgresql-client-common is installed, so fall back to the newest
# /usr/lib/postgresql/*/bin/psql (the one the embedded cluster comes from).
find_psql() {
  psql_bin="$(command -v psql || true)"
  if [[ -z "$psql_bin" ]]; then
    psql_bin="$(ls -1 /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1 || true)"
  fi
  [[ -n "$psql_bin" && -x "$psql_bin" ]] || die "psql not found"
}

# default_gateway_binary REPO_ROOT: where the release preset puts omnigate.
default_gateway_binary() { echo "$1/build/release/gateway/omnigate"; }

# check_wrk_options NAME...: the options held in the variables NAME... must be
# positive integers, and --connections >= --threads (wrk needs one
# connection per thread).
check_wrk_options() {
  local v
  for v in "$@"; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "--$v must be a positive integer, got '${!v}'"
  done
  (( connections >= threads )) || die "--connections must be >= --threads (wrk needs one connection per thread)"
}

# ensure_gateway_binary: an empty $binary becomes the release build of
# $repo_root, built first if missing; fails unless $binary is executable.
ensure_gateway_binary() {
  if [[ -z "$binary" ]]; then
    binary="$(default_gateway_binary "$repo_root")"
    if [[ ! -x "$binary" ]]; then
      log "building omnigate (release preset)"
      (cd "$repo_root" && cmake --preset release && cmake --build --preset release --target omnigate) >&2
    fi
  fi
  [[ -x "$binary" ]] || die "gateway binary not found or not executable: $binary"
}

# make_data_dir NAME: sets tmp (the gateway's --data-dir) and work (the bench's
# own files, $tmp/bench).
# mktemp -d makes the directory 0700; when we run as root the embedded
# PostgreSQL runs as user postgres, which must be able to traverse into it to
# reach DIR/pg, hence 0711 (traverse only, no listing). The bench's own files
# go into a 0700 subdirectory.
make_data_dir() {
  tmp="$(mktemp -d "/tmp/$1.XXXXXX")"
  chmod 0711 "$tmp"
  work="$tmp/bench"
  mkdir -m 0700 "$work"
  gw_pid=""
}

# stop_gateway: SIGTERM the gateway started by start_gateway and wait for it;
# returns its exit status (0 for a clean stop). Safe to call twice: the
# second call is a no-op, so the EXIT trap can always call it.
stop_gateway() {
  [[ -n "$gw_pid" ]] || return 0
  local pid="$gw_pid" rc=0
  gw_pid=""
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    # a clean stop drains requests and stops the embedded PostgreSQL
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "$bench_name: gateway did not stop within 30 s of SIGTERM; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || rc=$?
  # if the gateway died without stopping its PostgreSQL, stop it ourselves so
  # no postmaster outlives the temp directory
  if [[ -f "$tmp/pg/postmaster.pid" ]]; then
    local pmpid
    pmpid="$(head -n 1 "$tmp/pg/postmaster.pid" 2>/dev/null || true)"
    if [[ "$pmpid" =~ ^[0-9]+$ ]] && kill -0 "$pmpid" 2>/dev/null; then
      echo "$bench_name: embedded PostgreSQL still running (pid $pmpid); stopping it" >&2
      kill -INT "$pmpid" 2>/dev/null || true   # SIGINT = fast shutdown
      for _ in $(seq 1 100); do kill -0 "$pmpid" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
  return "$rc"
}

# cleanup (EXIT trap): stop the gateway, show the end of its log when the run
# failed (the only place the reason may be), remove the temp dir, and keep the
# script's exit status.
cleanup() {
  local rc=$?
  stop_gateway || true
  if [[ $rc -ne 0 && -f "$work/gateway.log" ]]; then
    echo "--- last lines of the gateway log ---" >&2
    tail -n 20 "$work/gateway.log" >&2 || true
  fi
  rm -rf "$tmp"
  exit "$rc"
}

# install_cleanup_traps: call right after make_data_dir. INT/TERM become
# ordinary exits (130/143) so that the EXIT trap cleans up on Ctrl-C too.
install_cleanup_traps() {
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# port_busy PORT: bash's /dev/tcp: a connect that succeeds means something
# listens there.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pick_port_pair SPAN: sets port (HTTP) and base; port + 1 is free too, for the
# realtime listener. Ports are drawn from 20000 .. 20000+SPAN-1 (a caller that
# opens many client sockets keeps below the ephemeral range, 32768-60999).
pick_port_pair() {
  local span="$1" p
  port=""
  for _ in $(seq 1 100); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % span ))
    if ! port_busy "$p" && ! port_busy "$((p + 1))"; then port="$p"; break; fi
  done
  [[ -n "$port" ]] || die "no free port pair found on 127.0.0.1"
  base="http://127.0.0.1:$port"
}

# start_gateway BINARY [WRAPPER...]: `omnigate serve` in the background on
# $port / $port+1 with data dir $tmp, log in $work/gateway.log; sets gw_pid.
# A WRAPPER (e.g. valgrind) must exec in place so that $! is still the gateway.
# The array gateway_extra_args, when set, is added to serve's arguments
# (e.g. --config FILE).
start_gateway() {
  local bin="$1"; shift
  "$@" "$bin" serve --data-dir "$tmp" --listen "127.0.0.1:$port" \
    --realtime-listen "127.0.0.1:$((port + 1))" --log-level warn ${gateway_extra_args[@]+"${gateway_extra_args[@]}"} \
    >>"$work/gateway.log" 2>&1 &
  gw_pid=$!
}

# wait_gateway_ready SECONDS: poll /readyz every 0.1 s. The first start runs
# initdb, which takes a few seconds (much longer under valgrind).
wait_gateway_ready() {
  local ready=""
  for _ in $(seq 1 $(( $1 * 10 ))); do
    kill -0 "$gw_pid" 2>/dev/null || die "gateway exited during start-up"
    if curl -fsS -o /dev/null "$base/readyz" 2>/dev/null; then ready=1; break; fi
    sleep 0.1
  done
  [[ -n "$ready" ]] || die "gateway not ready after $1 s"
}

# cpu_ticks PID...: user + system CPU time of these processes, summed, in
# clock ticks (getconf CLK_TCK per second); a process that is gone counts 0.
cpu_ticks() {
  local p line total=0
  for p in "$@"; do
    line="$(cat "/proc/$p/stat" 2>/dev/null)" || continue
    line="${line##*) }"   # past the command name, which may hold spaces
    total=$(( total + $(awk '{ print $12 + $13 }' <<<"$line") ))
  done
  echo "$total"
}

# postgres_pids: the embedded cluster's postmaster and its children (the
# backends serving the gateway's pool, the WAL writer, the checkpointer...).
postgres_pids() {
  local pm p
  pm="$(head -n 1 "$tmp/pg/postmaster.pid" 2>/dev/null || true)"
  [[ "$pm" =~ ^[0-9]+$ ]] || return 0
  echo "$pm"
  for p in /proc/[0-9]*/stat; do
    local line
    line="$(cat "$p" 2>/dev/null)" || continue
    line="${line##*) }"
    [[ "$(awk '{ print $2 }' <<<"$line")" == "$pm" ]] && echo "${p//[^0-9]/}"
  done
  return 0
}

psql_q() {  # psql on the embedded cluster, unaligned, stop on any error
  "$psql_bin" "host=$tmp/pg dbname=omnigate user=omnigate" -X -q -At -v ON_ERROR_STOP=1 "$@"
}

# Pull a string field out of a flat JSON answer. The values we need
# (token, secret, key) are url-safe, without escapes, and occur once; this
# keeps the benches free of python/jq.
json_str() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" | head -n 1; }

# lookup_channel_id TOKEN: sets channel_id, the id of the channel with that
# hook token, from the database rather than from the JSON (several "id" keys
# could appear there).
lookup_channel_id() {
  channel_id="$(psql_q -v tok="$1" <<<"SELECT id FROM channels WHERE token = :'tok';")"
  [[ "$channel_id" =~ ^[0-9]+$ ]] || die "channel not found in the database"
}

# SQL for the durability checks (psql variable :chan is the channel id):
# channel_cte_sql starts a query with the CTEs m (the channel's messages) and
# conv (its conversations with their message counts and seq range);
# conv_checks_sql ends a SELECT list with three columns: conversations,
# conversations whose seq does not run 1..last_seq without gaps, and
# messages in a conversation of another channel.
channel_cte_sql="WITH m AS (SELECT * FROM messages WHERE channel_id = :chan),
conv AS (
  SELECT c.id, c.last_seq, count(m.id) AS n, coalesce(max(m.seq), 0) AS max_seq,
         min(m.seq) AS min_seq, count(DISTINCT m.seq) AS n_seq
  FROM conversations c LEFT JOIN m ON m.conversation_id = c.id
  WHERE c.channel_id = :chan GROUP BY c.id, c.last_seq)"
conv_checks_sql="  (SELECT count(*) FROM conv),
  (SELECT count(*) FROM conv
     WHERE NOT (n = max_seq AND max_seq = last_seq AND n_seq = n AND (n = 0 OR min_seq = 1))),
  (SELECT count(*) FROM m JOIN conversations c ON c.id = m.conversation_id
     WHERE c.channel_id <> m.channel_id)"

# run_wrk SCRIPT URL RESULT_FILE IDS_FILE: wrk with $threads, $connections,
# $duration and the Lua SCRIPT against URL (the script's parameters go in
# OG_* environment variables set on the call); its output goes to stderr and
# $work/wrk.txt. Fails unless the script wrote RESULT_FILE and IDS_FILE, then
# reads RESULT_FILE's key=value lines into the caller's associative array R.
run_wrk() {
  local script="$1" url="$2" result_file="$3" ids_file="$4" k v
  # --timeout: a slow answer is still an answer we want to count, not a
  # client-side timeout that leaves an acknowledged-but-unrecorded row behind.
  wrk --threads "$threads" --connections "$connections" --duration "${duration}s" \
      --timeout 10s --script "$script" "$url" | tee "$work/wrk.txt" >&2
  [[ -s "$result_file" && -f "$ids_file" ]] || die "wrk did not write its results (see output above)"
  while IFS='=' read -r k v; do R[$k]="$v"; done <"$result_file"
}

# admin_login BINARY: creates user admin (role admin, random password) with
# `omnigate user add` on the running gateway's data dir, logs in; sets
# password and bearer.
admin_login() {
  local bin="$1" login_json
  password="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  OMNIGATE_PASSWORD="$password" "$bin" user add --data-dir "$tmp" --login admin --role admin \
    --log-level warn >"$work/user-add.log" 2>&1 || { cat "$work/user-add.log" >&2; die "user add failed"; }
  login_json="$(curl -fsS -X POST "$base/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"login\":\"admin\",\"password\":\"$password\"}")" || die "login failed"
  bearer="$(json_str token <<<"$login_json")"
  [[ -n "$bearer" ]] || die "no token in the login answer: $login_json"
}

# create_channel JSON: POST /v1/admin/channels as the admin; sets channel_json
# (what the caller needs from it depends on the channel type).
create_channel() {
  channel_json="$(curl -fsS -X POST "$base/v1/admin/channels" -H "Authorization: Bearer $bearer" \
    -H 'Content-Type: application/json' -d "$1")" || die "channel creation failed"
}

# report_gateway_warnings: count warn/error lines in the gateway log and show
# the five most frequent (a run can pass its checks and still log trouble).
report_gateway_warnings() {
  local warnings
  warnings="$(grep -cE 'level=(warning|warn|error)' "$work/gateway.log" || true)"
  echo "gateway warnings/errors logged: $warnings"
  [[ "$warnings" == 0 ]] || grep -E 'level=(warning|warn|error)' "$work/gateway.log" | sort | uniq -c | sort -rn | head -5 | sed 's/^/  /'
}
