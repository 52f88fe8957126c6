#!/usr/bin/env bash
# The main job on the embedded default (README command 1). Installs what is missing, builds, then:
#   1. simulates a customer (vivasim init: one tenant, 300 people, 6 weeks, planted ground truth),
#   2. starts the simulated Viva Insights key API on 127.0.0.1 (vivasim serve),
#   3. creates and registers the partner key pair (vivalink keys register --create),
#   4. runs the weekly pipeline for 4 weeks into a local folder store, and a 5th week that fails
#      upstream (metadata with Errors),
#   5. imports everything with `vivalink run` (decrypt in memory, validate, SQLite),
#   6. prints `vivalink status`,
#   7. loads the customer's CRM export (weekly: Revenue, Deals_won, Customer_satisfaction) and its
#      static HR extract (Attrition) into the database with `vivalink partner load`, resolved
#      against the imported user export (match rate printed),
#   8. writes the report from the database (./vivalink-data/report.html): the person-weeks joined
#      with the CRM data, explaining Revenue and the other partner metrics; prints where Revenue's
#      planted drivers rank, and writes report-revenue.html: Revenue over the simulator's candidate
#      behaviours ranked by partial correlation (the planted drivers come first).
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
vl report --outcome Revenue,Deals_won,Customer_satisfaction,Attrition --json "$data/report.json"
/usr/bin/python3 - "$data/report.json" "$world/ground_truth.json" "$data/candidates.txt" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
truth = json.load(open(sys.argv[2]))["outcomes"]["Revenue"]
join = report["join"]
print("partner join: %d of %d CRM persons matched (%.1f%%)"
      % (join["matched_persons"], join["partner_persons"], 100 * join["match_rate"]))
rows = next(d for d in report["drivers"] if d["outcome"] == "Revenue")["person_week"]
rank = {r["behaviour"]: r for r in rows}
print("Revenue: strongest associations (|Spearman rho| over %d behaviours, person-weeks):" % len(rows))
for r in rows[:5]:
    print("  %2d. %-45s %+.2f" % (r["rank"], r["behaviour"], r["spearman_rho"]))
print("Revenue: the simulator's planted drivers in that ranking:")
for d in truth["drivers"]:
    r = rank.get(d["column"])
    if r:
        print("  %-45s planted %s, rank %2d, rho %+.2f"
              % (d["column"], d["sign"], r["rank"], r["spearman_rho"]))
print(",".join([d["column"] for d in truth["drivers"]] + truth["non_drivers"]),
      file=open(sys.argv[3], "w"))
PY
# Metrics that are parts or totals of one another share their association; what each behaviour
# adds given the others is the partial correlation. On the simulator's list of candidates (its
# planted drivers and non-drivers), ranked by it:
vl report --outcome Revenue --behaviours "$(cat "$data/candidates.txt")" --rank-by partial \
  --output "$data/report-revenue.html" --json "$data/report-revenue.json" >/dev/null
/usr/bin/python3 - "$data/report-revenue.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["drivers"][0]["person_week"]
print("Revenue over the simulator's candidate behaviours, by partial r (report-revenue.html):")
for r in rows:
    print("  %2d. %-45s %+.2f  p=%.1e" % (r["rank"], r["behaviour"], r["partial_r"], r["partial_p"]))
PY
echo "database: $data/vivalink.db"
