#!/usr/bin/env bash
# The main job on the embedded default (README command 1): installs what is missing, builds, then
#   simulates a customer tenant writing an encrypted drop into a local folder store,
#   and has vivalink verify and decrypt it (`vivalink drop cat --summary`).
# Everything lands under ./vivalink-data/ (override with VIVALINK_DATA).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release vivalink vivasim

data=${VIVALINK_DATA:-$PWD/vivalink-data}
shared=$(cd .. && pwd)/shared
bin=$PWD/build/src/cli
tenant=8c1d0e4f-2a3b-4c5d-9e8f-7a6b5c4d3e2f
mkdir -p "$data"
store="file://$data/store"

if [ ! -f "$data/keys/$tenant/private.pem" ]; then
  "$bin/vivalink" keys create --tenant "$tenant" --keystore "$data/keys" >/dev/null
fi
written=$("$bin/vivasim" drop write --store "$store" --tenant "$tenant" \
  --public-key "$data/keys/$tenant/public.pem" --input "$shared/data/VivaInsightsDataset_v1.jsonl" \
  --keys-out "$data/last-keys.json" --part-rows 400)
drop=$(echo "$written" | sed -E 's/.*"drop":"([^"]+)".*/\1/')
echo "simulated drop: $drop"
"$bin/vivalink" drop cat --store "$store" --drop "$drop" --keystore "$data/keys" \
  --keys-file "$data/last-keys.json" --summary
