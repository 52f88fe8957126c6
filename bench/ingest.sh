#!/usr/bin/env bash
# Import benchmark (issue 9): one week of a PEOPLE-person vivasim tenant, encrypted in a local
# store, imported by `vivalink run` (SQLite, and PostgreSQL when BENCH_PG_URL is set), against
# DuckDB loading the same rows decrypted (gzip JSON lines -> its own database file, with its
# default threads and with 1 thread). Prints rows, seconds, rows/s, bytes a person-week and peak
# RSS per tool, checks that every tool holds the same number of rows, and ends with
#   ingest ratio vs DuckDB: X.XX, size ratio vs DuckDB: Y.YY
# (ratio of vivalink's rows/s to DuckDB's 1-thread rows/s; of vivalink's bytes to DuckDB's).
# No timing is asserted.
#   bench/ingest.sh [--quick] [BIN_DIR]     --quick: 20,000 people (under 3 minutes)
# Environment: BENCH_PEOPLE (default 100000), BENCH_DIR (default build/bench-ingest),
# BENCH_SHAPE (v1, the default, or v0: the row shape the pipeline delivers and DuckDB loads),
# BENCH_PG_URL (also import into that PostgreSQL database, which must be empty).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
people=${BENCH_PEOPLE:-100000}
shape=${BENCH_SHAPE:-v1}
if [ "${1:-}" = --quick ]; then people=20000; shift; fi
bin=$(cd "${1:-$root/build/src/cli}" && pwd)
dir=${BENCH_DIR:-$root/build/bench-ingest}
python=/usr/bin/python3
[ -d "$root/node_modules/@duckdb/node-api" ] || (cd "$root" && npm ci --silent)
rm -rf "$dir" && mkdir -p "$dir"
world=$dir/world

echo "vivasim: $people people, 1 week" >&2
"$bin/vivasim" init --dir "$world" --tenants 1 --people "$people" --weeks 1 --seed 2024 >/dev/null
tenant=$(ls "$world/tenants" | head -1)
source "$root/bench/serve_sim.sh"
week=$($python -c 'import json,sys; print(json.load(open(sys.argv[1])).get("first_week","2024-01-07"))' "$world/options.json")

config() {  # name db_url
  write_config "$dir/$1.toml" "$dir/$1" "file://$dir/drops-$1" "$2" $'[ingest]\nretention_days = 1'
}
config sqlite "sqlite://$dir/vivalink.db"
"$bin/vivalink" --config "$dir/sqlite.toml" keys register --tenant "$tenant" --create >/dev/null
"$bin/vivasim" pipeline run --dir "$world" --store "file://$dir/drops-sqlite" --week "$week" \
  --shape "$shape" --no-users >/dev/null
drop=$(cd "$dir/drops-sqlite" && ls -d */VivaInsights/* | head -1)
encrypted=$(du -sb "$dir/drops-sqlite/$drop" | cut -f1)
if [ -n "${BENCH_PG_URL:-}" ]; then
  config postgres "$BENCH_PG_URL"
  cp -r "$dir/drops-sqlite" "$dir/drops-postgres"
fi

# The same rows, decrypted, for DuckDB: the simulator's plaintext of the delivered week (gzip JSON
# lines, as they travel inside the drop); the row counts are compared below.
gzip -1 <"$world/tenants/$tenant/metrics_$shape.jsonl" >"$dir/rows.jsonl.gz"

measure() {  # label command...: prints "seconds peak_kb"
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$dir/$label.time" "$@" >"$dir/$label.out" 2>"$dir/$label.err" ||
    { echo "$label failed:" >&2; tail -5 "$dir/$label.err" >&2; exit 1; }
  cat "$dir/$label.time"
}

results=()
row() { results+=("$(printf '| %s | %s | %s | %s | %s | %s |' "$@")"); }

read -r s kb < <(measure sqlite "$bin/vivalink" --config "$dir/sqlite.toml" run)
rows=$($python -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from person_week_packed").fetchone()[0])' "$dir/vivalink.db")
$python -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("pragma wal_checkpoint(truncate)")' "$dir/vivalink.db"
bytes=$(du -sb "$dir/vivalink.db" | cut -f1)
vl_rate=$($python -c "print(round($rows/$s))")
vl_bpw=$($python -c "print(round($bytes/$rows))")
row "vivalink run, SQLite" "$rows" "$s s" "$vl_rate" "$vl_bpw" "$((kb / 1024)) MB"
if [ -n "${BENCH_PG_URL:-}" ]; then
  read -r ps pkb < <(measure postgres "$bin/vivalink" --config "$dir/postgres.toml" run)
  prow=$(psql -Atq "$BENCH_PG_URL" -c "select count(*) from person_week_packed")
  pbytes=$(psql -Atq "$BENCH_PG_URL" -c "select pg_total_relation_size('person_week_packed') + pg_total_relation_size('wh_person') + pg_total_relation_size('wh_dict')")
  row "vivalink run, PostgreSQL" "$prow" "$ps s" "$($python -c "print(round($prow/$ps))")" \
    "$($python -c "print(round($pbytes/$prow))")" "$((pkb / 1024)) MB"
fi
duck() {  # threads label
  rm -f "$dir/duck-$1.db"
  read -r ds dkb < <(measure "duckdb-$1" node "$root/bench/duckdb_load.mjs" "$dir/rows.jsonl.gz" "$dir/duck-$1.db" "$1")
  drows=$(cat "$dir/duckdb-$1.out")
  dbytes=$(du -sb "$dir/duck-$1.db" | cut -f1)
  row "DuckDB read_json → table, $2" "$drows" "$ds s" "$($python -c "print(round($drows/$ds))")" \
    "$($python -c "print(round($dbytes/$drows))")" "$((dkb / 1024)) MB"
  [ "$drows" = "$rows" ] || { echo "row counts differ: DuckDB $drows, vivalink $rows" >&2; exit 1; }
  d_rate=$($python -c "print($drows/$ds)"); d_bpw=$($python -c "print($dbytes/$drows)")
}
duck 2 "2 threads"
duck 1 "1 thread"
echo "one week, $people people, shape $shape, $rows person-weeks, $encrypted encrypted bytes"
echo "| tool | rows | wall | rows/s | bytes a person-week | peak RSS |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${results[@]}"
$python -c "print(f'ingest ratio vs DuckDB: {$vl_rate/$d_rate:.2f}, size ratio vs DuckDB: {$vl_bpw/$d_bpw:.2f}')"
