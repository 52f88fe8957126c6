#!/usr/bin/env bash
# Installs what vivalink needs on Debian 12, and only what is missing (a second run installs
# nothing): Debian packages with apt-get, Node tools (Azurite, DuckDB for the peer benchmark) with
# `npm ci` from the committed package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config git time ca-certificates
  clang clang-format libclang-rt-14-dev
  libssl-dev zlib1g-dev libisal-dev libcurl4-openssl-dev
  libsimdjson-dev nlohmann-json3-dev libfast-float-dev libfmt-dev libspdlog-dev
  libcli11-dev libtomlplusplus-dev libpugixml-dev libcpp-httplib-dev
  libsqlite3-dev sqlite3 libpq-dev libpqxx-dev postgresql
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-pandas python3-scipy chromium
  libeigen3-dev libboost-math-dev
  zip unzip libcjose-dev libjansson-dev
  libicu-dev
)
# Node.js and npm: some machines carry a newer Node.js (whose package bundles npm) than Debian's;
# install Debian's only when there is no npm at all.
if ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ((${#missing[@]})); then
  echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# Node tools: reinstall only when the lock file changed.
stamp=node_modules/.vivalink-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing Node tools (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  echo "$want" >"$stamp"
fi
