#!/usr/bin/env bash
# The main job on the embedded default (README command 1). Installs what is missing, builds, then:
#   1. simulates a customer (vivasim init: one tenant, 300 people, 6 weeks, planted ground truth),
#   2. starts the simulated Viva Insights key API on 127.0.0.1 (vivasim serve),
#   3. creates and registers the partner key pair (vivalink keys register --create),
#   4. runs the weekly pipeline for 4 weeks into a local folder store, and a 5th week that fails
#      upstream (metadata with Errors): `vivasim pipeline run` executes the Data Factory pipeline
#      of the Managed Application template the partner ships (deploy/managed-app/mainTemplate.json),
#      as installed for this customer, with vivasim's interpreter,
#   5. imports everything with `vivalink run` (decrypt in memory, validate, SQLite),
#   6. prints `vivalink status`,
#   7. loads the customer's CRM export (weekly: Revenue, Deals_won, Customer_satisfaction) and its
#      static HR extract (Attrition) into the database with `vivalink partner load`, resolved
#      against the imported user export (match rate printed),
#   8. writes the report from the database (./vivalink-data/report.html): the person-weeks joined
#      with the CRM data, explaining Revenue and the other partner metrics without hints (driver
#      discovery, docs/ANALYSIS.md); prints what it found and where the simulator's planted
#      drivers rank.
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
echo "== partner load (the customer's CRM export and HR extract, resolved against the user export)"
vl partner load --file "$world/tenants/$tenant/crm.csv" --key Email --key-type email \
  --sum Revenue,Deals_won
vl partner load --file "$world/tenants/$tenant/crm_static.csv" --key Email --date none
echo "== report"
# No hints: the key metrics are the stored partner metrics and the behaviours are found by
# driver discovery (docs/ANALYSIS.md); ground_truth.json is read only to print how they compare.
vl report --json "$data/report.json"
/usr/bin/python3 - "$data/report.json" "$world/ground_truth.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
truth = json.load(open(sys.argv[2]))["outcomes"]
join = report["join"]
print("partner join: %d of %d CRM persons matched (%.1f%%)"
      % (join["matched_persons"], join["partner_persons"], 100 * join["match_rate"]))
for d in report["discovery"]:
    rows = {r["behaviour"]: r for r in d["behaviours"]}
    drivers = [r for r in d["behaviours"] if r["is_driver"]]
    print("%s (per %s): %d stable drivers of %d behaviours"
          % (d["outcome"], d["level"].replace("_", "-"), len(drivers), len(rows)))
    for r in drivers:
        print("  %2d. %-42s %+10.3f per unit [%+.3f, %+.3f]"
              % (r["rank"], r["behaviour"], r["effect"], r["ci_low"], r["ci_high"]))
    for s in d["shapes"][:2]:
        print("  shape: %s, %s around %.1f [%.1f, %.1f]"
              % (s["behaviour"], s["shape"], s["turning_point"], s["ci_low"], s["ci_high"]))
    for c in d["conditional"][:2]:
        print("  only where %s is %s: %s %+.3f per unit (elsewhere %+.3f)"
              % (c["attribute"], c["group"], c["behaviour"], c["effect_in_group"],
                 c["effect_elsewhere"]))
    planted = truth.get(d["outcome"], {}).get("drivers", [])
    if planted:
        print("  simulator's planted drivers: " + ", ".join(
            "%s %s rank %s" % (p["column"], p["sign"], rows[p["column"]]["rank"]
                               if p["column"] in rows else "-") for p in planted))
PY
echo "database: $data/vivalink.db"
