#!/usr/bin/env bash
# The whole default test suite (what CI runs through .ci/run):
#   1. installs what is missing (scripts/setup.sh),
#   2. checks formatting (clang-format, Google style, 100 columns),
#   3. builds with ASan and UBSan's arithmetic/bounds checks (CMakeLists.txt says which) and runs
#      every test except those labelled slow,
#   4. builds the libFuzzer targets with clang and runs a short smoke run of each.
# Slow suites (long fuzzing, soak, big benchmarks): `ctest --test-dir build-asan -L slow`,
# `ctest --test-dir build-fuzz -L slow`, `scripts/bench.sh` (benchmarks).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

echo "== format check"
git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror

echo "== module map check (no #include against docs/ARCHITECTURE.md)"
/usr/bin/python3 scripts/check_layering.py

echo "== build (ASan+UBSan)"
scripts/build.sh asan
echo "== tests"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build-asan -LE slow -j2 --output-on-failure --timeout 600

echo "== fuzz smoke runs"
fuzzers=$(sed -nE 's/^vl_fuzz\(([a-z_]+) .*/\1/p' fuzz/*.cmake)
scripts/build.sh fuzz $fuzzers
ctest --test-dir build-fuzz -L fuzz -j2 --output-on-failure
