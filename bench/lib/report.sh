# shellcheck shell=bash
# bench/run's report: the Markdown table (scenario | figure | unit | baseline
# | ratio) and the latency chart. Sourced; the caller adds rows and chart
# bars while the scenarios run, then writes both out.
#
#   table_row SCENARIO FIGURE UNIT BASELINE RATIO
#   chart_bars LABEL P50 P90 P99 P999    # milliseconds; "-" where unknown
#   ratio A B                            # A / B to two places, "-" if either is missing
#   write_table FILE HEADER_TEXT NOTES_TEXT
#   write_chart PNG TITLE                # needs gnuplot; returns 1 without it

report_rows=() chart_lines=()

table_row() { report_rows+=("| $1 | $2 | $3 | $4 | $5 |"); }

# A number in the form the table shows: thousands separated by commas when it
# is a whole number >= 1000, as it is otherwise.
num() {
  if [[ "$1" =~ ^[0-9]{4,}$ ]]; then sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; else echo "$1"; fi
}

ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN {
    if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) { print "-"; exit }
    printf "%.2f", a / b }'
}

chart_bars() {
  local label="$1"; shift
  local v out=""
  for v in "$@"; do [[ "$v" =~ ^[0-9.]+$ ]] && out+=" $v" || out+=" NaN"; done
  chart_lines+=("\"$label\"$out")
}

write_table() {
  local file="$1" header="$2" notes="$3"
  {
    printf '%s\n\n' "$header"
    echo "| scenario | figure | unit | baseline | ratio |"
    echo "| --- | ---: | --- | --- | ---: |"
    printf '%s\n' "${report_rows[@]}"
    printf '\n%s\n' "$notes"
  } >"$file"
}

# Grouped bars per scenario (p50, p90, p99, p99.9) on a log scale: the
# percentiles of very different scenarios stay readable side by side.
write_chart() {
  local png="$1" title="$2"
  command -v gnuplot >/dev/null || return 1
  (( ${#chart_lines[@]} > 0 )) || return 1
  local data
  data="$(mktemp /tmp/omnigate-chart.XXXXXX)"
  printf '%s\n' "${chart_lines[@]}" >"$data"
  gnuplot <<EOF
set terminal pngcairo size 1100,600 font "DejaVu Sans,10"
set output "$png"
set title "$title"
set style data histogram
set style histogram clustered gap 1.5
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y 10
set yrange [0.05:*]
set ylabel "latency (ms, log scale)"
set grid ytics mytics
set key top left
set xtics noenhanced rotate by -15 offset -1,0
set datafile missing "NaN"
plot "$data" using 2:xtic(1) title "p50" lc rgb "#4e79a7", \
     "" using 3 title "p90" lc rgb "#59a14f", \
     "" using 4 title "p99" lc rgb "#f28e2b", \
     "" using 5 title "p99.9" lc rgb "#e15759"
EOF
  local rc=$?
  rm -f "$data"
  return "$rc"
}
