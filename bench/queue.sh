#!/usr/bin/env bash
# Side-by-side benchmark of a work queue: producers LPUSH, consumers BRPOP
# (bench/queue_load.cc, C++ with hiredis, one thread and one connection per
# producer and consumer), against redis-server and then stashd, printing
# delivered messages per second, end-to-end latency and the ratio
# (stashd / redis). Every run checks that each message was delivered exactly
# once (no loss, no duplicate, no damage) and the script fails loudly if not.
# Not a test: numbers go to bench/RESULTS.md.
#
#   bench/queue.sh [path/to/stashd]
#
# Environment: MESSAGES (200000), PAYLOAD (100 bytes), RUNS (3), and
# SCENARIOS, a list of PRODUCERSxCONSUMERS (default "4x4 4x50": the second
# has 50 consumers, most of them blocked and idle at any moment).
#
# Same durability on both: no AOF/write log, no automatic snapshots; stashd
# with its default io-threads unless IO_THREADS is set. Servers are fresh
# for every run.
set -euo pipefail
cd "$(dirname "$0")/.."
STASHD=${1:-build/server/stashd}
MESSAGES=${MESSAGES:-200000}
PAYLOAD=${PAYLOAD:-100}
RUNS=${RUNS:-3}
SCENARIOS=${SCENARIOS:-4x4 4x50}
[ -f /usr/include/hiredis/hiredis.h ] || { echo "needs hiredis (apt-get install libhiredis-dev)"; exit 1; }

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
RPORT=6523
SPORT=6524
STASHD_ARGS=()
[ -n "${IO_THREADS:-}" ] && STASHD_ARGS+=(--io-threads "$IO_THREADS")

c++ -O2 -std=c++20 -Wall -Wextra -pthread bench/queue_load.cc -lhiredis -o "$work/queue_load"

source bench/lib.sh

echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "redis: $(redis-server --version | awk '{print $3}')  stashd: $("$STASHD" --version)"
echo "queue: LPUSH / BRPOP timeout 1 s, $MESSAGES messages of $PAYLOAD bytes, $RUNS runs, $(date -u '+%F %H:%M UTC')"

status=0
declare -A RATE LAT
for sc in $SCENARIOS; do
  p=${sc%x*}; c=${sc#*x}
  for run in $(seq "$RUNS"); do
    for server in redis stashd; do
      start_server $server
      if out=$("$work/queue_load" $PORT "$p" "$c" "$MESSAGES" "$PAYLOAD"); then :; else status=1; fi
      stop_server
      echo "$sc run $run $server: $out" | sed 's/^/  /'
      grep -q '^exactly once: OK' <<<"$out" || { echo "FAILED: $server $sc run $run: exactly-once check did not pass"; status=1; }
      line=$(head -1 <<<"$out")
      RATE[$sc,$run,$server]=$(field "$line" msgs_per_s)
      LAT[$sc,$run,$server]="$(field "$line" latency_us_p50)/$(field "$line" p99)"
    done
  done
done

echo
echo "| producers x consumers | run | redis msg/s | stashd msg/s | ratio | redis p50/p99 µs | stashd p50/p99 µs |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for sc in $SCENARIOS; do
  ratios=()
  for run in $(seq "$RUNS"); do
    r=${RATE[$sc,$run,redis]:-0}; s=${RATE[$sc,$run,stashd]:-0}
    ratio=n/a
    [ "$r" != 0 ] && [ -n "$r" ] && ratio=$(printf '%.2f' "$(echo "$s / $r" | bc -l)") && ratios+=("$ratio")
    echo "| ${sc/x/ x } | $run | $r | $s | $ratio | ${LAT[$sc,$run,redis]} | ${LAT[$sc,$run,stashd]} |"
  done
  echo "| ${sc/x/ x } | median | | | $(printf '%s\n' "${ratios[@]}" | median) | | |"
done
[ $status = 0 ] || echo "FAILED: see the lines above"
exit $status
