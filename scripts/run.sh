#!/usr/bin/env bash
# Quick start: installs the build dependencies, builds, and starts stashd in
# the foreground with the built-in defaults (127.0.0.1:6379, data in ./data).
# Extra arguments go to stashd, e.g. scripts/run.sh --port 7000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
scripts/build.sh
exec build/server/stashd "$@"
