#!/usr/bin/env bash
# Builds the Azure Managed Application package a partner uploads to its service catalog (or
# Marketplace offer): app.zip with mainTemplate.json and createUiDefinition.json at its root
# (PROTOCOL §10). The two files are checked as JSON first; the full package checks (parameters and
# variables used, dependsOn, UI outputs against parameters, secure parameters) are the
# deploy_package_test unit tests.
#
#   scripts/package-managed-app.sh [OUT]      OUT defaults to build/app.zip
#
# The zip is reproducible: fixed member order, timestamps and no extra attributes, so the same
# sources give the same bytes (and the same SHA-256, printed at the end).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/deploy/managed-app"
out="${1:-$root/build/app.zip}"

if ! command -v zip >/dev/null 2>&1; then
  echo "package-managed-app: zip is missing (scripts/setup.sh installs it)" >&2
  exit 1
fi
for f in mainTemplate.json createUiDefinition.json; do
  if [ ! -f "$src/$f" ]; then
    echo "package-managed-app: $src/$f is missing" >&2
    exit 1
  fi
  if ! err=$(/usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$src/$f" 2>&1); then
    echo "package-managed-app: $src/$f is not valid JSON: $(printf '%s\n' "$err" | tail -n 1)" >&2
    exit 1
  fi
done

mkdir -p "$(dirname "$out")"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp "$src/mainTemplate.json" "$src/createUiDefinition.json" "$stage/"
# One timestamp for every member: the zip then depends only on the file contents.
touch -d '2020-01-01T00:00:00Z' "$stage/mainTemplate.json" "$stage/createUiDefinition.json"
rm -f "$out"
(cd "$stage" && TZ=UTC zip -q -X -D "$out.tmp" mainTemplate.json createUiDefinition.json)
mv "$out.tmp" "$out"
echo "package-managed-app: wrote $out ($(stat -c %s "$out") bytes, sha256 $(sha256sum "$out" | cut -d' ' -f1))"
