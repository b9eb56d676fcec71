#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian 12 machine: installs what it
# needs, builds (Release), runs unit, command and end-to-end tests with ctest
# (including stashd behind twemproxy and the Prometheus exporter parity check),
# then the redis-py end-to-end tests and the examples/ tests (the Python and
# Node.js bot storage clients against stashd, and against redis-server when it
# is installed). STASHD_SANITIZE=1 builds with ASan+UBSan into build-asan/
# instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
if [ "${STASHD_SANITIZE:-0}" = 1 ]; then
  export STASHD_BUILD_DIR=build-asan STASHD_CMAKE_ARGS="-DSTASHD_SANITIZE=ON"
fi
build_dir=${STASHD_BUILD_DIR:-build}
scripts/build.sh
# Every suite runs even if an earlier one failed; the exit status says whether all passed.
failed=()
run() {
  echo "==> $*"
  "$@" || failed+=("$1 $2")
}
# Every C++ file as clang-format (Debian 12's, version 14) writes it.
run scripts/format.sh --check
run ctest --test-dir "$build_dir" --output-on-failure -j2
# redis-py end-to-end tests (Debian's python3-redis lives in /usr/bin/python3).
run /usr/bin/python3 tests/e2e_py/run_tests.py --binary "$build_dir/server/stashd"
# examples/ end-to-end tests: the Python client (redis-py) and the Node.js client (ioredis
# pinned in examples/node/package-lock.json).
run /usr/bin/python3 tests/examples/test_python_example.py --binary "$build_dir/server/stashd"
run /usr/bin/python3 tests/examples/test_python_events.py --binary "$build_dir/server/stashd"
run npm ci --prefix examples/node --no-audit --no-fund
run env STASHD_BINARY="$build_dir/server/stashd" node --test tests/examples/
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]}"
  exit 1
fi
echo "All test suites passed."
