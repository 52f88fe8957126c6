#!/usr/bin/env bash
# Peak memory of `vivalink drop cat --summary` on a drop of ~1 GB of plaintext JSON lines
# (docs/BENCHMARKS.md). Builds the release binaries, makes the drop with vivasim from copies of
# the v1 sample (each copy with its own PersonId), then measures with /usr/bin/time -v.
#   scripts/bench_memory.sh [plaintext MiB, default 1024]
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${1:-1024}
scripts/build.sh release vivalink vivasim >/dev/null
bin=$PWD/build/src/cli
shared=$(cd .. && pwd)/shared
work=$(mktemp -d /tmp/vivalink-mem-XXXXXX)
trap 'rm -rf "$work"' EXIT
tenant=8c1d0e4f-2a3b-4c5d-9e8f-7a6b5c4d3e2f
/usr/bin/python3 - "$shared/data/VivaInsightsDataset_v1.jsonl" "$work/rows.jsonl" "$mib" <<'PY'
import json, sys
src, dst, mib = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = [json.loads(l) for l in open(src) if l.strip()]
target = mib << 20
written = 0
with open(dst, "w") as out:
    r = 0
    while written < target:
        for i, row in enumerate(rows):
            row = dict(row)
            row["PersonId"] = "%08x-0000-4000-8000-%012x" % (r, i)
            line = json.dumps(row, separators=(",", ":")) + "\n"
            out.write(line)
            written += len(line)
            if written >= target:
                break
        r += 1
PY
"$bin/vivalink" keys create --tenant $tenant --keystore "$work/keys" >/dev/null
written=$("$bin/vivasim" drop write --store "file://$work/store" --tenant $tenant \
  --public-key "$work/keys/$tenant/public.pem" --input "$work/rows.jsonl" \
  --keys-out "$work/keys.json" --part-rows 100000)
drop=$(echo "$written" | sed -E 's/.*"drop":"([^"]+)".*/\1/')
rm -f "$work/rows.jsonl"
echo "plaintext: $mib MiB; encrypted: $(du -sh "$work/store" | cut -f1)"
/usr/bin/time -v "$bin/vivalink" drop cat --store "file://$work/store" --drop "$drop" \
  --keystore "$work/keys" --keys-file "$work/keys.json" --summary 2>"$work/time.txt" \
  | grep -E '^(rows|columns|validation):'
grep -E 'Maximum resident set size|Elapsed \(wall clock\)|User time|System time' "$work/time.txt"
