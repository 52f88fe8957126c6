#!/usr/bin/env bash
# Peer benchmark: the same analysis on the same vivasim-generated data by vivalink (its CLI),
# DuckDB (node, @duckdb/node-api; with its default threads and with 1 thread) and pandas
# (/usr/bin/python3). The workload (see duckdb_workload.mjs): resolve the CRM's e-mails through
# the user export, drop exact duplicates, sum Revenue per person-week, inner-join with the person
# query, then either `groups` (per-Organization statistics of person means of Revenue and
# Collaboration_hours, minimum 5 persons) or `iv` (the information value of
# After_hours_collaboration_hours for Revenue > 5000, 5 bins). Every tool reads the input files
# itself in each run (cold start to answer, as an analyst runs it).
#
# For each data size and workload: every tool runs REPS times under /usr/bin/time -v; the table
# shows the median wall time, the median CPU time (user + system: less disturbed by other load on
# a shared machine; above the wall time for multi-threaded DuckDB) and the largest peak RSS;
# compare.py then checks that all tools produced the same numbers (exit 1 if not). No timing is
# asserted.
#
#   bench/peers/run.sh [BIN_DIR]      BIN_DIR holds vivalink and vivasim (default build/src/cli)
# Environment: PEER_SIZES (default "2000x25 10000x50": people x weeks, about 49k and 490k
# person-weeks), PEER_REPS (default 3), PEER_DATA (default build/peers: data and results).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/bench/peers"
bin=$(cd "${1:-$root/build/src/cli}" && pwd)
sizes=${PEER_SIZES:-"2000x25 10000x50"}
reps=${PEER_REPS:-3}
data_root=${PEER_DATA:-$root/build/peers}
python=/usr/bin/python3  # Debian's, which has pandas (a pyenv python3 on PATH may not)
mkdir -p "$data_root"
[ -d "$root/node_modules/@duckdb/node-api" ] || (cd "$root" && npm ci --silent)

# The command of a tool for a workload, into the array `cmd`.
command_for() {  # tool workload data join_json
  local tool=$1 w=$2 data=$3 join=$4
  case "$tool" in
    vivalink)
      cmd=("$bin/vivalink" analyze "$w" --input "$data/person_query.csv" --partner "$data/crm.csv"
           --partner-key Email --partner-key-type email --users "$data/users.jsonl"
           --partner-sum Revenue --format json --join-report "$join")
      if [ "$w" = groups ]; then
        cmd+=(--by Organization --metrics Revenue,Collaboration_hours --min-group 5)
      else
        cmd+=(--predictors After_hours_collaboration_hours --outcome 'Revenue>5000' --bins 5)
      fi ;;
    duckdb) cmd=(node "$here/duckdb_workload.mjs" "$w" "$data") ;;
    duckdb-1t) cmd=(node "$here/duckdb_workload.mjs" "$w" "$data" 1) ;;
    pandas) cmd=("$python" "$here/pandas_workload.py" "$w" "$data") ;;
  esac
}

status=0
printf '| person-weeks | workload | tool | wall s (median of %s) | CPU s, user+sys (median) | peak RSS MiB |\n' "$reps"
printf '|---|---|---|---|---|---|\n'
for size in $sizes; do
  people=${size%x*}
  weeks=${size#*x}
  data="$data_root/data-$size"
  "$here/make_data.sh" "$people" "$weeks" "$data" "$bin/vivasim"
  rows=$(($(wc -l <"$data/person_query.csv") - 1))
  results="$data_root/results-$size"
  rm -rf "$results"
  mkdir -p "$results"
  for w in groups iv; do
    for tool in vivalink duckdb duckdb-1t pandas; do
      walls=()
      cpus=()
      rss=0
      for r in $(seq "$reps"); do
        t="$results/$tool-$w.time"
        command_for "$tool" "$w" "$data" "$results/$tool-$w.join.json"
        if ! /usr/bin/time -v -o "$t" "${cmd[@]}" >"$results/$tool-$w.json" \
          2>"$results/$tool-$w.err"; then
          echo "$tool $w failed: $(tail -3 "$results/$tool-$w.err")" >&2
          exit 1
        fi
        # "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.35" -> seconds.
        wall=$(sed -nE 's/.*Elapsed \(wall clock\) time.*\): ([0-9:.]+)$/\1/p' "$t" |
          awk -F: '{ s = 0; for (i = 1; i <= NF; ++i) s = s * 60 + $i; printf "%.2f", s }')
        cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$t")
        kb=$(sed -nE 's/.*Maximum resident set size \(kbytes\): ([0-9]+)/\1/p' "$t")
        walls+=("$wall")
        cpus+=("$cpu")
        [ "$kb" -gt "$rss" ] && rss=$kb
      done
      median=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
      cpu_median=$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
      printf '| %s | %s | %s | %s | %s | %s |\n' "$rows" "$w" "$tool" "$median" "$cpu_median" \
        "$((rss / 1024))"
    done
    "$python" "$here/compare.py" "$w" "$results" >"$results/compare-$w.txt" || status=1
  done
done
echo
for size in $sizes; do
  cat "$data_root/results-$size"/compare-*.txt
done
exit $status
