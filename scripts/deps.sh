#!/usr/bin/env bash
# Installs the Debian 12 packages stashd needs. `deps.sh build` for building and
# running; `deps.sh test` adds what the test suite uses (redis-cli, redis-py,
# twemproxy, the Prometheus exporter, and
# Debian's nodejs + npm for the examples/ tests when no `node` is on the PATH).
# Idempotent: installs only what is missing.
set -euo pipefail
build_pkgs=(cmake ninja-build g++ pkg-config libboost-dev libabsl-dev libspdlog-dev libfmt-dev
            libsqlite3-dev sqlite3 libhiredis-dev libsystemd-dev libgtest-dev libgmock-dev
            liblua5.1-0-dev lua-cjson-dev lua-bitop-dev)
# redis-server: the reference the examples are also tested against (and bench/ uses).
# nutcracker (twemproxy) and prometheus-redis-exporter: tests/e2e_py/twemproxy_test.py
# and scripts/exporter_check.py.
test_pkgs=(redis-tools redis-server python3 python3-redis nutcracker prometheus-redis-exporter clang-format)
pkgs=("${build_pkgs[@]}")
if [ "${1:-build}" = "test" ]; then
  pkgs+=("${test_pkgs[@]}")
  # Any Node.js >= 18 will do; do not fight one installed another way (e.g. NodeSource).
  if ! command -v node >/dev/null; then pkgs+=(nodejs npm); fi
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  echo "Installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
