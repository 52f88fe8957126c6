#!/usr/bin/env bash
# Report benchmark (issue 9): `vivalink report` from the database on PEOPLE x WEEKS person-weeks
# (default 20,000 x 50 = about 1,000,000), as the main job runs it (no hints: driver discovery for
# every stored partner metric). Generates the tenant with vivasim, delivers every week through the
# pipeline into a local store, imports them (`vivalink run`, SQLite), loads the CRM export and
# the HR extract (`vivalink partner load`), then times the report under /usr/bin/time and prints
#   report: N person-weeks, S s, M MiB peak RSS
# No timing is asserted.
#   bench/report.sh [--quick] [BIN_DIR]   --quick: 2,000 x 10 (about a minute)
# Environment: BENCH_PEOPLE, BENCH_WEEKS, BENCH_DIR (default build/bench-report),
# BENCH_KEEP=1 to reuse an imported database of the same size (only the report is timed again).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
people=${BENCH_PEOPLE:-20000}
weeks=${BENCH_WEEKS:-50}
if [ "${1:-}" = --quick ]; then people=2000; weeks=10; shift; fi
bin=$(cd "${1:-$root/build/src/cli}" && pwd)
dir=${BENCH_DIR:-$root/build/bench-report}
python=/usr/bin/python3
world=$dir/world
stamp="$people x $weeks"

if [ "${BENCH_KEEP:-0}" != 1 ] || [ "$(cat "$dir/size" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$dir" && mkdir -p "$dir"
  echo "vivasim: $people people, $weeks weeks" >&2
  "$bin/vivasim" init --dir "$world" --tenants 1 --people "$people" --weeks "$weeks" \
    --seed 2024 >/dev/null
fi
tenant=$(ls "$world/tenants" | head -1)
source "$root/bench/serve_sim.sh"
write_config "$dir/vivalink.toml" "$dir/data" "file://$dir/drops" "sqlite://$dir/vivalink.db"
vl() { "$bin/vivalink" --config "$dir/vivalink.toml" "$@"; }

if [ "$(cat "$dir/size" 2>/dev/null)" != "$stamp" ]; then
  vl keys register --tenant "$tenant" --create >/dev/null
  # The world's weeks, once (the user export travels with the last one).
  mapfile -t week_list < <($python - "$world/options.json" "$weeks" <<'PY'
import datetime, json, sys
first = datetime.date.fromisoformat(json.load(open(sys.argv[1])).get("first_week", "2024-01-07"))
for i in range(int(sys.argv[2])):
    print(first + datetime.timedelta(weeks=i))
PY
)
  echo "pipeline: $weeks weekly runs, then vivalink run" >&2
  for week in "${week_list[@]}"; do
    users=--no-users
    [ "$week" = "${week_list[-1]}" ] && users=
    "$bin/vivasim" pipeline run --dir "$world" --store "file://$dir/drops" --week "$week" \
      $users >/dev/null
  done
  /usr/bin/time -f "import: %e s, %M KiB peak RSS" "$bin/vivalink" --config "$dir/vivalink.toml" run \
    >/dev/null
  vl partner load --file "$world/tenants/$tenant/crm.csv" --key Email --key-type email \
    --sum Revenue,Deals_won >/dev/null
  vl partner load --file "$world/tenants/$tenant/crm_static.csv" --key Email --date none >/dev/null
  echo "$stamp" >"$dir/size"
fi

rows=$(sqlite3 "$dir/vivalink.db" "select count(*) from person_week_packed")
/usr/bin/time -f "%e %M" -o "$dir/report.time" "$bin/vivalink" --config "$dir/vivalink.toml" report \
  --output "$dir/report.html" \
  --json "$dir/report.json" >"$dir/report.out" 2>"$dir/report.err" ||
  { echo "report failed:" >&2; tail -5 "$dir/report.err" >&2; exit 1; }
read -r s kb <"$dir/report.time"
echo "database: $(du -h "$dir/vivalink.db" | cut -f1) for $rows person-weeks"
echo "report: $rows person-weeks, $s s, $((kb / 1024)) MiB peak RSS"
