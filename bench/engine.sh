#!/usr/bin/env bash
# Side-by-side benchmark of the engine and the write path (issue 15): SET and
# GET with redis-benchmark, 50 clients, against redis-server and stashd, in
# every durability pairing, ratio stashd / redis (higher is better). Not a
# test: numbers go to bench/RESULTS.md.
#
#   bench/engine.sh [path/to/stashd]
#
# Pairings (PAIRINGS, default all of them):
#   none-1      no persistence on either side, one thread each (stashd
#               --io-threads 1)
#   none        no persistence, stashd with its default io-threads (one per
#               core)
#   log-1       write log / AOF with appendfsync everysec on both, no
#               automatic snapshots, one thread each
#   log         the same, stashd with its default io-threads
#   installed   each as installed: stashd's built-in defaults (write log
#               everysec, save 3600 1 300 100 60 10000, io-threads = cores),
#               redis-server's (save 3600 1 300 100 60 10000, no AOF)
# Workloads in each pairing: SET and GET at -P 1 and -P 16, once with
# random keys (-r 1000000) and 64-byte values (-d 64), once with
# redis-benchmark's defaults (one key, 3-byte values). GET runs right after
# SET on the same server, so it reads what SET wrote.
#
# Environment: REQUESTS (300000), RUNS (3); runs alternate redis, stashd,
# redis, stashd..., each against a fresh server.
set -euo pipefail
cd "$(dirname "$0")/.."
STASHD=$(realpath "${1:-build/server/stashd}")
REQUESTS=${REQUESTS:-300000}
RUNS=${RUNS:-3}
PAIRINGS=${PAIRINGS:-none-1 none log-1 log installed}

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
RPORT=6531
SPORT=6532
source bench/lib.sh

pairing() {  # name: sets the four argument arrays of lib.sh
  case $1 in
    none-1 | none)
      REDIS_BASE=(--save '' --appendonly no); STASHD_BASE=(--save '' --appendonly no) ;;
    log-1 | log)
      REDIS_BASE=(--save '' --appendonly yes --appendfsync everysec)
      STASHD_BASE=(--save '' --appendonly yes --appendfsync everysec) ;;
    installed) REDIS_BASE=(); STASHD_BASE=() ;;
    *) echo "unknown pairing $1"; exit 1 ;;
  esac
  REDIS_ARGS=(); STASHD_ARGS=()
  case $1 in *-1) STASHD_ARGS=(--io-threads 1) ;; esac
}

WORKLOADS=()
measure() {  # server run
  local server=$1 run=$2 P shape w
  for shape in random default; do
    local S=()
    [ $shape = random ] && S=(-r 1000000 -d 64)
    for P in 1 16; do
      for cmd in set get; do
        w=$PAIR/$cmd/$P/$shape
        RESULT[$server,$w,$run]=$(rps -c 50 -n "$REQUESTS" -P $P "${S[@]}" -t $cmd)
      done
    done
  done
  echo "  run $run $server: $(redis-cli -p $PORT dbsize) keys," \
    "$(for w in "${WORKLOADS[@]}"; do [[ $w == "$PAIR"/* ]] && printf '%s ' "${RESULT[$server,${w%%=*},$run]}"; done)"
}

echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "redis: $(redis-server --version | awk '{print $3}')  stashd: $("$STASHD" --version)"
echo "engine: redis-benchmark -c 50 -n $REQUESTS, $RUNS runs, $(date -u '+%F %H:%M UTC')"
for PAIR in $PAIRINGS; do
  for shape in random default; do
    for P in 1 16; do
      for cmd in set get; do
        label="${cmd^^} -P $P"
        [ $shape = random ] && label+=", random keys, 64-byte values" || label+=", defaults"
        WORKLOADS+=("$PAIR/$cmd/$P/$shape=$PAIR: $label (rps)")
      done
    done
  done
done
for PAIR in $PAIRINGS; do
  pairing "$PAIR"
  echo "pairing $PAIR: redis ${REDIS_BASE[*]} ${REDIS_ARGS[*]} / stashd ${STASHD_BASE[*]} ${STASHD_ARGS[*]}"
  alternate measure
done
echo
ratio_table "${WORKLOADS[@]}"
