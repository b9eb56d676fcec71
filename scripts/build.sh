#!/usr/bin/env bash
# Configures and builds stashd and its tests into build/ (Release).
# STASHD_BUILD_DIR and STASHD_CMAKE_ARGS override the folder and add options.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${STASHD_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release ${STASHD_CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
