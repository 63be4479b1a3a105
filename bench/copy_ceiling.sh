#!/usr/bin/env bash
# Baseline B, the storage ceiling: the rows the WeChat ingest bench stored
# (bench/wechat_ingest.sh --dump-rows) inserted again straight into
# PostgreSQL by COPY in batches (og_copy_ceiling, bench/copy_ceiling.cpp),
# into a scratch table shaped LIKE messages, in a fresh embedded cluster
# that a throw-away gateway creates and migrates exactly as it does for
# ingest (same PostgreSQL, same settings, same durability: each batch is one
# committed transaction).
#
#   bench/copy_ceiling.sh --rows-file FILE [--batch 512] [--writers 2]
#                         [--binary PATH] [--tool PATH] [--result-file PATH]
#
# --batch and --writers default to the gateway's own ingest_max_batch and
# ingest_writers, so the comparison is batch for batch. The tool checks that
# every row is stored once; --result-file gets its key=value figures.
set -euo pipefail

bench_name=copy_ceiling
bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$bench_dir/.." && pwd)"
# shellcheck source=bench/lib/gateway.sh
source "$bench_dir/lib/gateway.sh"

rows_file="" batch=512 writers=2 binary="" tool="" result_file=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rows-file)   rows_file="${2:?}"; shift 2 ;;
    --batch)       batch="${2:?}"; shift 2 ;;
    --writers)     writers="${2:?}"; shift 2 ;;
    --binary)      binary="${2:?}"; shift 2 ;;
    --tool)        tool="${2:?}"; shift 2 ;;
    --result-file) result_file="${2:?}"; shift 2 ;;
    -h|--help)     sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
[[ -s "$rows_file" ]] || die "--rows-file must name a non-empty file (bench/wechat_ingest.sh --dump-rows writes one)"
ensure_gateway_binary
[[ -n "$tool" ]] || tool="$(dirname "$binary")/../bench/og_copy_ceiling"
[[ -x "$tool" ]] || die "og_copy_ceiling not found: $tool (build the og_copy_ceiling target)"
require_tools curl

make_data_dir omnigate-copy-ceiling
install_cleanup_traps
pick_port_pair 12000
log "starting a gateway for its embedded PostgreSQL (data dir $tmp)"
start_gateway "$binary"
wait_gateway_ready 120

log "COPY $(wc -l <"$rows_file") rows, batches of $batch, $writers connections"
args=(--conninfo "host=$tmp/pg dbname=omnigate user=omnigate" --rows-file "$rows_file"
      --batch "$batch" --writers "$writers")
[[ -z "$result_file" ]] || args+=(--result-file "$result_file")
"$tool" "${args[@]}"
stop_gateway || die "gateway exited with an error on SIGTERM"
