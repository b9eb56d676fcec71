#!/usr/bin/env bash
# Side-by-side benchmark of streams (issues 14 and 16), redis-server vs stashd,
# in requests (or entries) per second; ratio stashd / redis, higher is better:
#   xadd_p1     XADD events:<random of 10,000> * user u:<random> action click
#               payload <54 bytes>, redis-benchmark -c 50, no pipelining
#   xadd_p16    the same with -P 16
#   xrange      XRANGE hist:<random of 1,000> - + COUNT 100, each of the 1,000
#               streams preloaded with 200 entries like the ones above
#   group       XREADGROUP COUNT 10 + XACK of each batch by 4 consumers, one
#               connection each, over one stream of $GROUP_ENTRIES entries of
#               100 bytes (bench/stream_group_load.cc, hiredis; checks that each
#               entry was delivered and acknowledged exactly once), entries/s
# Not a test: numbers go to bench/RESULTS.md.
#
#   bench/streams.sh [path/to/stashd]
#
# Environment: REQUESTS (200000), RUNS (3), GROUP_ENTRIES (200000). Runs
# alternate redis, stashd, redis, stashd...; every workload starts on fresh
# servers. Same durability on both: no AOF/write log, no automatic snapshots;
# stashd with its default io-threads unless IO_THREADS is set.
set -euo pipefail
cd "$(dirname "$0")/.."
STASHD=${1:-build/server/stashd}
REQUESTS=${REQUESTS:-200000}
RUNS=${RUNS:-3}
GROUP_ENTRIES=${GROUP_ENTRIES:-200000}
[ -f /usr/include/hiredis/hiredis.h ] || { echo "needs hiredis (apt-get install libhiredis-dev)"; exit 1; }

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
RPORT=6527
SPORT=6528
STASHD_ARGS=()
[ -n "${IO_THREADS:-}" ] && STASHD_ARGS+=(--io-threads "$IO_THREADS")

c++ -O2 -std=c++20 -Wall -Wextra -pthread bench/stream_group_load.cc -lhiredis \
  -o "$work/stream_group_load"
source bench/lib.sh

# No double quote or comma in it: redis-benchmark's CSV names the test by its command line.
PAYLOAD='page=/products/__rand_int__&ref=search&ms=120&ok=1&v=2'
# 1,000 streams of 200 entries, named as redis-benchmark's __rand_int__ (12 digits).
python3 - >"$work/hist.txt" <<'PY'
import sys
out = []
def cmd(*a):
    return f"*{len(a)}\r\n" + "".join(f"${len(x)}\r\n{x}\r\n" for x in a)
for i in range(200):
    for k in range(1000):
        out.append(cmd("XADD", f"hist:{k:012d}", "*", "user", f"u:{(i * 7919 + k) % 100000}",
                       "action", "click", "payload",
                       f"page=/products/{i * 1000 + k:012d}&ref=search&ms=120&ok=1&v=2"))
sys.stdout.write("".join(out))
PY

echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "redis: $(redis-server --version | awk '{print $3}')  stashd: $("$STASHD" --version)"
echo "streams: -n $REQUESTS -c 50, $RUNS runs, $(date -u '+%F %H:%M UTC')"
status=0
for run in $(seq "$RUNS"); do
  for server in redis stashd; do
    start_server $server
    RESULT[$server,xadd_p1,$run]=$(rps -c 50 -n "$REQUESTS" -r 10000 \
      XADD 'events:__rand_int__' '*' user 'u:__rand_int__' action click payload "$PAYLOAD")
    stop_server
    start_server $server
    RESULT[$server,xadd_p16,$run]=$(rps -c 50 -n "$REQUESTS" -r 10000 -P 16 \
      XADD 'events:__rand_int__' '*' user 'u:__rand_int__' action click payload "$PAYLOAD")
    stop_server
    start_server $server
    redis-cli -p $PORT --pipe <"$work/hist.txt" >/dev/null
    len=$(redis-cli -p $PORT xlen hist:000000000999)
    [ "$len" = 200 ] || { echo "preload failed on $server: XLEN $len"; status=1; }
    RESULT[$server,xrange,$run]=$(rps -c 50 -n "$REQUESTS" -r 1000 \
      XRANGE 'hist:__rand_int__' - + COUNT 100)
    stop_server
    start_server $server
    if out=$("$work/stream_group_load" $PORT 4 "$GROUP_ENTRIES" 100 10); then :; else status=1; fi
    stop_server
    grep -q '^exactly once: OK' <<<"$out" || { echo "FAILED: $server run $run: $out"; status=1; }
    RESULT[$server,group,$run]=$(field "$(head -1 <<<"$out")" entries_per_s)
    echo "run $run $server: XADD P1 ${RESULT[$server,xadd_p1,$run]} P16 ${RESULT[$server,xadd_p16,$run]}," \
      "XRANGE ${RESULT[$server,xrange,$run]}, group ${RESULT[$server,group,$run]} entries/s"
  done
done
echo
ratio_table "xadd_p1=XADD, 10,000 random streams, no pipelining (rps)" \
  "xadd_p16=XADD, 10,000 random streams, -P 16 (rps)" \
  "xrange=XRANGE - + COUNT 100, 1,000 random streams (rps)" \
  "group=XREADGROUP COUNT 10 + XACK, 4 consumers (entries/s)"
[ $status = 0 ] || echo "FAILED: see the lines above"
exit $status
