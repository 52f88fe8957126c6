#!/usr/bin/env bash
# The main job on the embedded default (README command 1). Installs what is missing, builds, then:
#   1. simulates a customer (vivasim init: one tenant, 300 people, 6 weeks, planted ground truth),
#   2. starts the simulated Viva Insights key API on 127.0.0.1 (vivasim serve),
#   3. creates and registers the partner key pair (vivalink keys register --create),
#   4. runs the weekly pipeline for 4 weeks into a local folder store, and a 5th week that fails
#      upstream (metadata with Errors),
#   5. imports everything with `vivalink run` (decrypt in memory, validate, SQLite),
#   6. prints `vivalink status`, joins the partner CRM data for a match rate, writes the report.
# Everything lands under ./vivalink-data/ (override with VIVALINK_DATA). Idempotent: a second run
# reuses the world and key pair and delivers the weeks again under new RunIds.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release vivalink vivasim >/dev/null

data=${VIVALINK_DATA:-$PWD/vivalink-data}
world=$data/world
bin=$PWD/build/src/cli
mkdir -p "$data"

if [ ! -f "$world/options.json" ]; then
  "$bin/vivasim" init --dir "$world" --tenants 1 --people 300 --weeks 6 --seed 42 >/dev/null
fi
tenant=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tenants"][0])' "$world/partner.json" 2>/dev/null ||
  ls "$world/tenants" | head -1)

"$bin/vivasim" serve --dir "$world" --port 0 >"$data/serve.out" 2>"$data/serve.err" &
serve_pid=$!
trap 'kill $serve_pid 2>/dev/null || true; wait $serve_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  [ -s "$data/serve.out" ] && break
  sleep 0.1
done
base=$(sed -nE 's/.*"baseUrl":"([^"]+)".*/\1/p' "$data/serve.out" | head -1)
authority=$(sed -nE 's/.*"authority":"([^"]+)".*/\1/p' "$data/serve.out" | head -1)
[ -n "$base" ] || { echo "vivasim serve did not start: $(cat "$data/serve.err")" >&2; exit 1; }
client_id=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["client_id"])' "$world/partner.json")
export VIVALINK_CLIENT_SECRET
VIVALINK_CLIENT_SECRET=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["client_secret"])' "$world/partner.json")

cat >"$data/vivalink.toml" <<TOML
# Written by scripts/run.sh for the simulated customer (the secret comes from the environment).
data_dir = "$data"
[storage]
url = "file://$data/drops"
[keys]
keystore = "$data/keys"
api_base_url = "$base"
authority = "$authority"
client_id = "$client_id"
[database]
url = "sqlite://$data/vivalink.db"
[log]
level = "warn"
TOML
vl() { "$bin/vivalink" --config "$data/vivalink.toml" "$@"; }

vl keys register --tenant "$tenant" --create >/dev/null
weeks=$(/usr/bin/python3 - "$world/options.json" <<'PY'
import json, sys, datetime
o = json.load(open(sys.argv[1]))
first = datetime.date.fromisoformat(o.get("first_week", "2024-01-07"))
print(" ".join(str(first + datetime.timedelta(weeks=i)) for i in range(5)))
PY
)
set -- $weeks
for week in "$1" "$2" "$3" "$4"; do
  "$bin/vivasim" pipeline run --dir "$world" --store "file://$data/drops" --week "$week" >/dev/null
done
"$bin/vivasim" pipeline run --dir "$world" --store "file://$data/drops" --week "$5" --fail errors >/dev/null

echo "== vivalink run"
vl run || true
echo "== vivalink status"
vl status
echo "== partner join (CRM export of the simulated customer)"
"$bin/vivalink" analyze drivers --input "$world/tenants/$tenant/person_query.csv" \
  --partner "$world/tenants/$tenant/crm.csv" --partner-key Email --partner-key-type email \
  --users "$world/tenants/$tenant/users.jsonl" --outcome Revenue \
  --join-report "$data/join.json" >"$data/drivers.csv"
/usr/bin/python3 - "$data/join.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
print("match rate: %.1f%% of partner persons (%s of %s); drivers of Revenue in vivalink-data/drivers.csv"
      % (100 * j.get("match_rate", 0), j.get("matched_persons"), j.get("partner_persons")))
PY
echo "== report"
vl report --outcome After_hours_collaboration_hours
echo "database: $data/vivalink.db"
