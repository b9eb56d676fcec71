#!/usr/bin/env bash
# Side-by-side benchmark of bitmaps and HyperLogLog (issues 14 and 16),
# redis-server vs stashd, in requests per second (redis-benchmark -c 50);
# ratio stashd / redis, higher is better:
#   setbit      SETBIT seen:<random of 10,000> 4711 1
#   setbit_p16  the same with -P 16
#   getbit      GETBIT seen:<random of 10,000> 4242
#   bitcount    BITCOUNT seen:<random of 10,000> (1,250-byte bitmaps)
#   bitcount_big BITCOUNT active, one bitmap of 1,000,000 bits (daily active
#               users)
#   pfadd       PFADD visitors:<random of 1,000> u:<random of 1,000,000>
#   pfadd_p16   the same with -P 16
#   pfcount     PFCOUNT visitors:<random> (after pfadd)
#   pfcount3    PFCOUNT of three random keys (a union, never cached)
# Before the runs each server is loaded (redis-cli --pipe) with 20 random bits
# in each of the 10,000 seen:<n> bitmaps and 200,000 random bits in `active`.
# The offsets in the timed commands are fixed: redis-benchmark writes
# __rand_int__ as 12 digits with leading zeros, which Redis rejects as a bit
# offset ("ERR bit offset is not an integer or out of range").
# Not a test: numbers go to bench/RESULTS.md.
#
#   bench/bitmaps.sh [path/to/stashd]
#
# Environment: REQUESTS (200000), RUNS (3). Runs alternate redis, stashd,
# redis, stashd...; each run starts a fresh server. Same durability on both:
# no AOF/write log, no automatic snapshots; stashd with its default io-threads
# unless IO_THREADS is set.
set -euo pipefail
cd "$(dirname "$0")/.."
STASHD=${1:-build/server/stashd}
REQUESTS=${REQUESTS:-200000}
RUNS=${RUNS:-3}

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
RPORT=6529
SPORT=6530
STASHD_ARGS=()
[ -n "${IO_THREADS:-}" ] && STASHD_ARGS+=(--io-threads "$IO_THREADS")
source bench/lib.sh

python3 - >"$work/bits.txt" <<'PY'
import random, sys
random.seed(14)
out = []
def cmd(*a):
    return f"*{len(a)}\r\n" + "".join(f"${len(x)}\r\n{x}\r\n" for x in map(str, a))
for k in range(10000):
    for _ in range(20):
        out.append(cmd("SETBIT", f"seen:{k:012d}", random.randrange(10000), 1))
for _ in range(200000):
    out.append(cmd("SETBIT", "active", random.randrange(1000000), 1))
sys.stdout.write("".join(out))
PY

echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "redis: $(redis-server --version | awk '{print $3}')  stashd: $("$STASHD" --version)"
echo "bitmaps/HLL: -n $REQUESTS -c 50, $RUNS runs, $(date -u '+%F %H:%M UTC')"
B=(-c 50 -n "$REQUESTS")
measure() {  # server run
  local server=$1 run=$2
  redis-cli -p $PORT --pipe <"$work/bits.txt" >/dev/null
  RESULT[$server,setbit,$run]=$(rps "${B[@]}" -r 10000 SETBIT 'seen:__rand_int__' 4711 1)
  RESULT[$server,setbit_p16,$run]=$(rps "${B[@]}" -r 10000 -P 16 SETBIT 'seen:__rand_int__' 4711 1)
  RESULT[$server,getbit,$run]=$(rps "${B[@]}" -r 10000 GETBIT 'seen:__rand_int__' 4242)
  RESULT[$server,bitcount,$run]=$(rps "${B[@]}" -r 10000 BITCOUNT 'seen:__rand_int__')
  RESULT[$server,bitcount_big,$run]=$(rps "${B[@]}" BITCOUNT active)
  RESULT[$server,pfadd,$run]=$(rps "${B[@]}" -r 1000 PFADD 'visitors:__rand_int__' 'u:__rand_int__')
  RESULT[$server,pfadd_p16,$run]=$(rps "${B[@]}" -r 1000 -P 16 PFADD 'visitors:__rand_int__' 'u:__rand_int__')
  RESULT[$server,pfcount,$run]=$(rps "${B[@]}" -r 1000 PFCOUNT 'visitors:__rand_int__')
  RESULT[$server,pfcount3,$run]=$(rps "${B[@]}" -r 1000 PFCOUNT 'visitors:__rand_int__' \
    'visitors:__rand_int__' 'visitors:__rand_int__')
  echo "run $run $server: $(redis-cli -p $PORT dbsize) keys, bitcount active $(redis-cli -p $PORT bitcount active)," \
    "$(for w in setbit setbit_p16 getbit bitcount bitcount_big pfadd pfadd_p16 pfcount pfcount3; do
      printf '%s %s ' $w "${RESULT[$server,$w,$run]}"; done)"
}
alternate measure
echo
ratio_table "setbit=SETBIT, 10,000 random keys (rps)" \
  "setbit_p16=SETBIT, 10,000 random keys, -P 16 (rps)" \
  "getbit=GETBIT, 10,000 random keys (rps)" \
  "bitcount=BITCOUNT of a random 1,250-byte bitmap (rps)" \
  "bitcount_big=BITCOUNT of one 1,000,000-bit bitmap (rps)" \
  "pfadd=PFADD, 1,000 random HLLs (rps)" \
  "pfadd_p16=PFADD, 1,000 random HLLs, -P 16 (rps)" \
  "pfcount=PFCOUNT of one random HLL (rps)" \
  "pfcount3=PFCOUNT of three random HLLs, a union (rps)"
