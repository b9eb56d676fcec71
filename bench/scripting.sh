#!/usr/bin/env bash
# Side-by-side benchmark of Lua scripting (issue 13), redis-server vs stashd:
#  1. EVALSHA of a rate-limiter-like script (GET + INCR + EXPIRE of a random
#     key), redis-benchmark -c 50, without pipelining and with -P 16
#     (requests/s; ratio stashd / redis, higher is better);
#  2. one EVALSHA looping 100,000 redis.call('incr') (ms per call; ratio
#     stashd / redis, lower is better, target <= 1.2).
# Not a test: numbers go to bench/RESULTS.md.
#
#   bench/scripting.sh [path/to/stashd]
#
# Environment: REQUESTS (200000), RUNS (3), LOOP_CALLS (20). Same durability
# on both: no AOF/write log, no automatic snapshots. Fresh servers per run.
set -euo pipefail
cd "$(dirname "$0")/.."
STASHD=${1:-build/server/stashd}
REQUESTS=${REQUESTS:-200000}
RUNS=${RUNS:-3}
LOOP_CALLS=${LOOP_CALLS:-20}

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
RPORT=6525
SPORT=6526
LIMITER="local c = redis.call('get', KEYS[1]) if c and tonumber(c) > 1000000 then return 0 end
local n = redis.call('incr', KEYS[1]) redis.call('expire', KEYS[1], 60) return n"
LOOP="for i = 1, 100000 do redis.call('incr', KEYS[1]) end return redis.call('get', KEYS[1])"

source bench/lib.sh
rps() {  # args...: requests per second reported by redis-benchmark
  redis-benchmark -p $PORT "$@" -q 2>/dev/null | tr '\r' '\n' | awk '/requests per second/ {v = $(NF-3)} END {print v}'
}

echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A results
for run in $(seq "$RUNS"); do
  for server in redis stashd; do
    start_server $server
    sha=$(redis-cli -p $PORT script load "$LIMITER")
    loop_sha=$(redis-cli -p $PORT script load "$LOOP")
    p1=$(rps -c 50 -n "$REQUESTS" -r 100000 evalsha "$sha" 1 'rl:user:__rand_int__')
    p16=$(rps -c 50 -n "$REQUESTS" -r 100000 -P 16 evalsha "$sha" 1 'rl:user:__rand_int__')
    loop=$(rps -c 1 -n "$LOOP_CALLS" evalsha "$loop_sha" 1 loopkey)
    loop_ms=$(awk -v r="$loop" 'BEGIN {printf "%.1f", 1000 / r}')
    # The script really ran: the loop key counts every increment.
    got=$(redis-cli -p $PORT get loopkey)
    want=$(( (LOOP_CALLS + 1) * 100000 ))
    [ "$got" -ge $(( LOOP_CALLS * 100000 )) ] || { echo "loop script did not run ($got, want about $want)"; exit 1; }
    stop_server
    results[$server,p1]+="$p1 "; results[$server,p16]+="$p16 "; results[$server,loop]+="$loop_ms "
    echo "run $run $server: evalsha P1 $p1 rps, P16 $p16 rps, 100k-incr loop $loop_ms ms"
  done
done
echo
printf '| workload | redis (median) | stashd (median) | ratio |\n|---|---:|---:|---:|\n'
for w in p1 p16 loop; do
  r=$(tr ' ' '\n' <<<"${results[redis,$w]}" | grep . | median)
  s=$(tr ' ' '\n' <<<"${results[stashd,$w]}" | grep . | median)
  case $w in
    p1) name="EVALSHA GET+INCR+EXPIRE, no pipelining (rps)";;
    p16) name="EVALSHA GET+INCR+EXPIRE, -P 16 (rps)";;
    loop) name="one EVALSHA of 100,000 INCR (ms, lower is better)";;
  esac
  printf '| %s | %s | %s | %.2f |\n' "$name" "$r" "$s" "$(awk -v a="$s" -v b="$r" 'BEGIN {print a / b}')"
done
