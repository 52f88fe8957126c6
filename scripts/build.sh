#!/usr/bin/env bash
# Configures and builds one flavour of the tree (incrementally):
#   scripts/build.sh release   -> build/        (RelWithDebInfo; what users run)
#   scripts/build.sh asan      -> build-asan/   (ASan+UBSan; what the test suite runs)
#   scripts/build.sh fuzz      -> build-fuzz/   (clang + libFuzzer targets)
# Extra arguments are passed to ninja (e.g. a target name).
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
shift || true
shared=$(cd .. && pwd)/shared
case "$flavour" in
  release) dir=build; args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  # The sanitizer and fuzz flavours build with -Og/-O1 and line tables only: a sanitized TU at
  # -O2 -g takes about five times as long to compile (measured on ingest/processor.cc: 65 s
  # against 13 s), and the suite must build and run on 2 cores well inside CI's budget.
  asan) dir=build-asan; args=(-DCMAKE_BUILD_TYPE=Sanitize -DVIVALINK_SANITIZE=ON -DVIVALINK_BENCH=OFF
                    -DVIVALINK_WERROR=ON) ;;
  fuzz) dir=build-fuzz; args=(-DCMAKE_BUILD_TYPE=Sanitize -DVIVALINK_FUZZ=ON
                              -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++) ;;
  *) echo "usage: scripts/build.sh release|asan|fuzz [ninja args]" >&2; exit 2 ;;
esac
if [ ! -f "$dir/build.ninja" ]; then
  cmake -S . -B "$dir" -G Ninja -DVIVALINK_SHARED_DIR="$shared" "${args[@]}" >/dev/null
fi
ninja -C "$dir" "$@"
