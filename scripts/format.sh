#!/usr/bin/env bash
# clang-format (the repository's .clang-format: Google style, 100 columns) over
# every tracked C++ file. `--check` changes nothing and lists the files that
# differ (status 1 if any), for the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cc' '*.h')
if [ "${1:-}" = "--check" ]; then
  bad=()
  for f in "${files[@]}"; do
    clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
  done
  if [ ${#bad[@]} -gt 0 ]; then
    echo "Not clang-formatted (run scripts/format.sh): ${bad[*]}"
    exit 1
  fi
  echo "clang-format: ${#files[@]} files formatted"
else
  clang-format -i "${files[@]}"
fi
