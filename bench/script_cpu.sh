#!/usr/bin/env bash
# Server CPU of scripts that loop over redis.call (issue 13), redis-server vs
# stashd: for each script, CALLS EVALSHA runs on each server (one client,
# no pipelining), and the server's user+system CPU ticks (10 ms) from
# /proc/<pid>/stat over those runs. CPU, not wall time: on this machine
# Redis's wall time for the same script is bimodal (25 or 45 ms), its CPU
# is steady to about 2%. Not a test: numbers go to bench/RESULTS.md.
#
#   bench/script_cpu.sh [path/to/stashd]
#
# Environment: CALLS (40), RUNS (2, alternating redis and stashd).
set -euo pipefail
cd "$(dirname "$0")/.."
STASHD=${1:-build/server/stashd}
CALLS=${CALLS:-40}
RUNS=${RUNS:-2}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
RPORT=6527
SPORT=6528
source bench/lib.sh

SCRIPTS=(
  "for i = 1, 100000 do redis.call('ping') end return 1"
  "for i = 1, 100000 do redis.call('incr', KEYS[1]) end return 1"
)
ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $CALLS calls per script, $(date -u '+%F %H:%M UTC')"
for script in "${SCRIPTS[@]}"; do
  line="$script:"
  for _ in $(seq "$RUNS"); do
    for server in redis stashd; do
      start_server "$server"
      sha=$(redis-cli -p "$PORT" script load "$script")
      before=$(ticks)
      for _ in $(seq "$CALLS"); do redis-cli -p "$PORT" evalsha "$sha" 1 k >/dev/null; done
      line+=" $server $(($(ticks) - before))"
      stop_server
    done
  done
  echo "$line"
done
