#!/usr/bin/env bash
# Builds the Google Benchmark programs in Release (build-rel/) and runs them; then the memory
# measurement of `drop cat --summary` on a 1 GiB drop; then the peer comparison with DuckDB and
# pandas (bench/peers/run.sh, on vivasim data of ~49k and ~490k person-weeks). Results go to
# stdout; docs/BENCHMARKS.md records them with these commands.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
shared=$(cd .. && pwd)/shared
if [ ! -f build-rel/build.ninja ]; then
  cmake -S . -B build-rel -G Ninja -DCMAKE_BUILD_TYPE=Release -DVIVALINK_SHARED_DIR="$shared" >/dev/null
fi
programs=(bench_crypto bench_formats bench_drop bench_sim)
ninja -C build-rel "${programs[@]}" vivalink vivasim
for p in "${programs[@]}"; do
  echo "== $p"
  "build-rel/bench/$p" --benchmark_min_time=2
done
echo "== memory: drop cat --summary on 1 GiB of plaintext"
scripts/bench_memory.sh 1024
echo "== peers: vivalink vs DuckDB vs pandas on the same join + analysis"
bench/peers/run.sh build-rel/src/cli
