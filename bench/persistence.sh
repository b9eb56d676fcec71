#!/usr/bin/env bash
# Persistence benchmark, side by side with redis-server on the same data
# (1,000,000 small keys). Not a test: numbers go to bench/RESULTS.md
# ("Persistence").
#
#   bench/persistence.sh [path/to/stashd]      (a Release build)
#
# Measures:
#   1. full snapshot: stashd SAVE with no snapshot file yet vs redis SAVE
#   2. incremental snapshot after changing 1% of the keys (stashd SAVE)
#   3. load at start-up: "DB loaded from disk" of both logs
#   4. redis-benchmark SET, 50 clients, with appendonly yes and appendfsync
#      everysec / always, on both
#   5. p99 latency of GET and SET while snapshots are written: stashd with a
#      BGSAVE every 200 ms (incremental), and during one full snapshot;
#      redis during BGSAVE (fork)
set -euo pipefail
cd "$(dirname "$0")/.."
STASHD=$(realpath "${1:-build/server/stashd}")
KEYS=${KEYS:-1000000}
REPEAT=${REPEAT:-3}
work=$(mktemp -d /tmp/stashd-bench.XXXXXX)
RPORT=7392
SPORT=7393
RPID=""
SPID=""
cleanup() {
  [ -n "$RPID" ] && kill "$RPID" 2>/dev/null || true
  [ -n "$SPID" ] && kill "$SPID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
# Both servers run at once here, so lib.sh's start/stop (one server on
# $PORT) are not used; its checks, median and load_resp are.
source bench/lib.sh

now_ms() { date +%s%3N; }
# Until PING answers PONG (redis answers -LOADING while it loads its RDB).
wait_port() { for _ in $(seq 1200); do [ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ] && return; sleep 0.05; done; }

start_redis() {  # extra args...
  mkdir -p "$work/redis"
  redis-server --port $RPORT --dir "$work/redis" --logfile "$work/redis/log.txt" \
    --save '' "$@" --daemonize no &
  RPID=$!
  wait_port $RPORT
}
start_stashd() {  # extra args...
  mkdir -p "$work/stashd"
  "$STASHD" --port $SPORT --bind 127.0.0.1 --dir "$work/stashd" \
    --logfile "$work/stashd/log.txt" --save '' "$@" &
  SPID=$!
  wait_port $SPORT
}
stop_redis() { redis-cli -p $RPORT shutdown nosave >/dev/null 2>&1 || true; wait "$RPID" 2>/dev/null || true; RPID=""; }
stop_stashd() { kill "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; SPID=""; }

# Time of a command in ms.
timed() {  # port command...
  local p=$1; shift
  local t0; t0=$(now_ms)
  redis-cli -p "$p" "$@" >/dev/null
  echo $(($(now_ms) - t0))
}
pipe() { PORT=$1 load_resp "$2"; }  # port file

python3 - "$KEYS" "$work" <<'PY'
import sys
n, work = int(sys.argv[1]), sys.argv[2]
def cmd(k, v):
    return b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v)
with open(work + "/load.resp", "wb") as f:
    f.write(b"".join(cmd(b"user:bot1:u%d:age" % i, b"%d" % (i % 100)) for i in range(n)))
with open(work + "/change.resp", "wb") as f:  # 1% of the keys, spread over the keyspace
    f.write(b"".join(cmd(b"user:bot1:u%d:age" % i, b"changed") for i in range(0, n, 100)))
PY

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "redis: $(redis-server --version | awk '{print $3}')  stashd: $("$STASHD" --version)  keys: $KEYS"
echo

# ---- 1-3: snapshots and load ----
start_redis --appendonly no
start_stashd --appendonly no
pipe $RPORT "$work/load.resp"
pipe $SPORT "$work/load.resp"

r_full=(); s_full=()
for _ in $(seq "$REPEAT"); do
  r_full+=("$(timed $RPORT SAVE)")
  rm -f "$work"/stashd/stashd.db*  # no file: the next cut is a full one
  s_full+=("$(timed $SPORT SAVE)")
done
r_full_ms=$(printf '%s\n' "${r_full[@]}" | median)
s_full_ms=$(printf '%s\n' "${s_full[@]}" | median)
s_pause=$(grep -o 'commands paused [0-9]* ms' "$work/stashd/log.txt" | tail -1 | awk '{print $3}')

s_incr=()
for _ in $(seq "$REPEAT"); do
  pipe $SPORT "$work/change.resp"
  s_incr+=("$(timed $SPORT SAVE)")
done
s_incr_ms=$(printf '%s\n' "${s_incr[@]}" | median)
s_incr_pause=$(grep -o 'commands paused [0-9]* ms' "$work/stashd/log.txt" | tail -1 | awk '{print $3}')
pipe $RPORT "$work/change.resp"
r_after_change_ms=$(timed $RPORT SAVE)
stop_redis
stop_stashd

r_load=(); s_load=()
for _ in $(seq "$REPEAT"); do
  start_redis --appendonly no; stop_redis
  start_stashd --appendonly no; stop_stashd
done
r_load_ms=$(grep -o 'DB loaded from disk: [0-9.]* seconds' "$work/redis/log.txt" | tail -n "$REPEAT" |
  awk '{print $5 * 1000}' | median)
s_load_ms=$(grep -o 'DB loaded from disk: [0-9.]* seconds' "$work/stashd/log.txt" | tail -n "$REPEAT" |
  awk '{print $5 * 1000}' | median)

printf '%-44s %10s %10s %8s\n' measure redis stashd ratio
printf '%-44s %10s %10s %8.2f\n' "full snapshot (SAVE, ms, median of $REPEAT)" "$r_full_ms" "$s_full_ms" "$(echo "$s_full_ms / $r_full_ms" | bc -l)"
printf '%-44s %10s %10s\n' "  of which commands paused for the cut (ms)" "-" "$s_pause"
printf '%-44s %10s %10s %8.2f\n' "1% changed, SAVE (ms; ratio to our full)" "$r_after_change_ms" "$s_incr_ms" "$(echo "$s_incr_ms / $s_full_ms" | bc -l)"
printf '%-44s %10s %10s\n' "  of which commands paused for the cut (ms)" "-" "$s_incr_pause"
printf '%-44s %10s %10s %8.2f\n' "load at start-up (ms, median of $REPEAT)" "$r_load_ms" "$s_load_ms" "$(echo "$s_load_ms / $r_load_ms" | bc -l)"
echo "snapshot files: redis $(du -h "$work/redis/dump.rdb" | cut -f1), stashd $(du -h "$work/stashd/stashd.db" | cut -f1)"
echo

# ---- 4: SET throughput with the write log ----
rps() {  # port clients requests pipeline
  redis-benchmark -p "$1" -t set -c "$2" -n "$3" -P "$4" -r 1000000 -q --csv 2>/dev/null |
    awk -F'","' '/"SET"/ {print $2; exit}'
}
printf '%-44s %10s %10s %8s\n' "SET throughput, appendonly yes (rps)" redis stashd ratio
for policy in everysec always; do
  for P in 1 16; do
    n=$([ "$policy" = always ] && echo 100000 || echo 500000)
    rm -rf "$work/redis" "$work/stashd"
    start_redis --appendonly yes --appendfsync "$policy"
    start_stashd --appendonly yes --appendfsync "$policy"
    r=$(rps $RPORT 50 "$n" "$P"); s=$(rps $SPORT 50 "$n" "$P")
    stop_redis; stop_stashd
    printf '%-44s %10s %10s %8.2f\n' "$policy, -c 50 -P $P" "$r" "$s" "$(echo "$s / $r" | bc -l)"
  done
done
echo

# ---- 5: latency while snapshots are written ----
p99() {  # port test -> "p50 p99 max" in ms
  redis-benchmark -p "$1" -t "$2" -c 50 -n "$3" -r "$KEYS" --csv 2>/dev/null |
    tr -d '"' | awk -F, -v t="$(echo "$2" | tr a-z A-Z)" '$1 == t {print $5, $7, $8; exit}'
}
rm -rf "$work/redis" "$work/stashd"
start_redis --appendonly no
start_stashd --appendonly yes --appendfsync everysec
pipe $RPORT "$work/load.resp"
pipe $SPORT "$work/load.resp"
redis-cli -p $SPORT SAVE >/dev/null
redis-cli -p $RPORT SAVE >/dev/null

printf '%-52s %22s\n' "latency (ms), 50 clients" "p50 / p99 / max"
for t in get set; do
  printf '%-52s %22s\n' "stashd $t, no snapshot" "$(p99 $SPORT $t 300000)"
  # A BGSAVE every 200 ms: each writes what changed since the previous one.
  ( while kill -0 "$SPID" 2>/dev/null; do redis-cli -p $SPORT BGSAVE >/dev/null 2>&1; sleep 0.2; done ) &
  loop=$!
  printf '%-52s %22s\n' "stashd $t, BGSAVE every 200 ms (incremental)" "$(p99 $SPORT $t 300000)"
  kill $loop; wait $loop 2>/dev/null || true
  # One full snapshot of all the keys in the middle of the run.
  rm -f "$work"/stashd/stashd.db*
  ( sleep 1; redis-cli -p $SPORT BGSAVE >/dev/null ) &
  printf '%-52s %22s\n' "stashd $t, one full snapshot during the run" "$(p99 $SPORT $t 300000)"
  wait $! 2>/dev/null || true
  printf '%-52s %22s\n' "redis $t, no snapshot" "$(p99 $RPORT $t 300000)"
  ( sleep 1; redis-cli -p $RPORT BGSAVE >/dev/null ) &
  printf '%-52s %22s\n' "redis $t, one BGSAVE (fork) during the run" "$(p99 $RPORT $t 300000)"
  wait $! 2>/dev/null || true
done
grep -o 'commands paused [0-9]* ms' "$work/stashd/log.txt" | awk '{print $3}' | sort -n |
  awk '{a[NR]=$1} END {printf "stashd cut pauses: %d snapshots, median %s ms, max %s ms\n", NR, a[int((NR+1)/2)], a[NR]}'
