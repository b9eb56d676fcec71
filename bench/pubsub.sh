#!/usr/bin/env bash
# Side-by-side benchmark of Pub/Sub (issue 12), redis-server vs stashd, with
# bench/pubsub_load.cc (C++, hiredis):
#  1. fan-out: one publisher, SUBSCRIBERS (100) subscribers of one channel,
#     MESSAGES (20000) messages of 100 bytes pipelined 32 at a time:
#     deliveries per second (ratio stashd / redis, higher is better);
#  2. publish latency with 10,000 subscribed channels and 1,000 patterns that
#     match none of them: PUBLISH round trips one at a time to random
#     channels (LAT_MESSAGES, 20000): mean and p99 in µs (ratio redis /
#     stashd of the means, higher is better).
# Every message is checked for order, loss and duplicates; the script fails
# loudly if one is wrong. Not a test: numbers go to bench/RESULTS.md.
#
#   bench/pubsub.sh [path/to/stashd]
#
# Environment: SUBSCRIBERS, MESSAGES, LAT_MESSAGES, RUNS (3). Same durability
# on both; fresh servers per run.
set -euo pipefail
cd "$(dirname "$0")/.."
STASHD=${1:-build/server/stashd}
SUBSCRIBERS=${SUBSCRIBERS:-100}
MESSAGES=${MESSAGES:-20000}
LAT_MESSAGES=${LAT_MESSAGES:-20000}
RUNS=${RUNS:-3}
[ -f /usr/include/hiredis/hiredis.h ] || { echo "needs hiredis (apt-get install libhiredis-dev)"; exit 1; }

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
RPORT=6527
SPORT=6528
source bench/lib.sh
c++ -O2 -std=c++20 -Wall -Wextra -pthread bench/pubsub_load.cc -lhiredis -o "$work/pubsub_load"

echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "redis: $(redis-server --version | awk '{print $3}')  stashd: $("$STASHD" --version)"
echo "pubsub: $SUBSCRIBERS subscribers x $MESSAGES messages; latency over $LAT_MESSAGES PUBLISHes, $RUNS runs, $(date -u '+%F %H:%M UTC')"

status=0
declare -A FAN MEAN P99
for run in $(seq "$RUNS"); do
  for server in redis stashd; do
    start_server $server
    if out=$("$work/pubsub_load" fanout "$PORT" "$SUBSCRIBERS" "$MESSAGES"); then :; else status=1; fi
    echo "  fanout run $run $server: $out"
    FAN[$run,$server]=$(field "$out" deliveries_per_s)
    if out=$("$work/pubsub_load" latency "$PORT" 10000 1000 "$LAT_MESSAGES"); then :; else status=1; fi
    echo "  latency run $run $server: $out"
    MEAN[$run,$server]=$(field "$out" mean_us)
    P99[$run,$server]=$(field "$out" p99_us)
    stop_server
  done
done

ratio() { [ -n "$1" ] && [ -n "$2" ] && printf '%.2f' "$(echo "$1 / $2" | bc -l)" || echo n/a; }
echo
echo "| test | run | redis | stashd | ratio |"
echo "|---|---:|---:|---:|---:|"
fr=(); lr=()
for run in $(seq "$RUNS"); do
  r=$(ratio "${FAN[$run,stashd]}" "${FAN[$run,redis]}"); fr+=("$r")
  echo "| fan-out to $SUBSCRIBERS subscribers (deliveries/s) | $run | ${FAN[$run,redis]} | ${FAN[$run,stashd]} | $r |"
done
echo "| fan-out | median | | | $(printf '%s\n' "${fr[@]}" | median) |"
for run in $(seq "$RUNS"); do
  r=$(ratio "${MEAN[$run,redis]}" "${MEAN[$run,stashd]}"); lr+=("$r")
  echo "| PUBLISH, 10k channels + 1k patterns (mean µs, p99) | $run | ${MEAN[$run,redis]} (${P99[$run,redis]}) | ${MEAN[$run,stashd]} (${P99[$run,stashd]}) | $r |"
done
echo "| PUBLISH latency | median | | | $(printf '%s\n' "${lr[@]}" | median) |"
[ $status = 0 ] || echo "FAILED: see the lines above"
exit $status
