#!/usr/bin/env bash
# Side-by-side benchmark of snapshots (issue 15): memory after snapshots,
# latency while snapshots are taken, full snapshot and load time, against
# redis-server on the same data: KEYS keys shaped like a bot's
# (user:bot<N % 50>:u<N>:name, random 64-byte values). Ratio stashd / redis:
# lower is better in every table here. Not a test: numbers go to
# bench/RESULTS.md.
#
#   bench/snapshots.sh [path/to/stashd]      (a Release build)
#
# Measures:
#   1. memory: RSS (VmRSS) after loading the keys; then three rounds of
#      BGSAVE, wait until it is done (INFO rdb_bgsave_in_progress:0, which
#      stashd reports as Redis does), RSS, overwrite 10% of the keys (other
#      random ones each round); RSS at the end after 1 s; peak RSS (VmHWM);
#      used_memory after the load and at the end. Both with no AOF / write
#      log and no automatic snapshots (--save ''). Target of issue 15: final
#      RSS <= 0.8x Redis's.
#   2. latency: redis-benchmark SET -c 50 -r 1000000 -d 64 (new keys
#      key:__rand_int__ next to the loaded ones), p50 / p99 / max, alone and
#      with a BGSAVE every second; with the write log / AOF off on both, and
#      on (appendfsync everysec) on both. stashd's pause for each cut (its
#      log: "commands paused N ms") and Redis's fork time (latest_fork_usec
#      after each BGSAVE that started), median and max.
#   3. full snapshot: SAVE timed on both (stashd with no snapshot file, so the
#      cut holds every key); load at start-up: "DB loaded from disk: X
#      seconds" in both logs.
#
# Environment: KEYS (1000000), REQUESTS (500000, SETs per latency run), RUNS
# (3); runs alternate redis, stashd, redis, stashd..., each against a fresh
# server loaded with the same keys.
set -euo pipefail
cd "$(dirname "$0")/.."
STASHD=$(realpath "${1:-build/server/stashd}")
KEYS=${KEYS:-1000000}
REQUESTS=${REQUESTS:-500000}
RUNS=${RUNS:-3}

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
RPORT=6541
SPORT=6542
source bench/lib.sh

now_ms() { date +%s%3N; }
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }  # kB -> MB

# Until no snapshot and no AOF rewrite runs on $PORT (stashd's log-size
# snapshots count as BGSAVEs; it has no rewrites).
wait_idle() {
  local _
  for _ in $(seq 6000); do
    [ "$(info_field rdb_bgsave_in_progress)" = 0 ] && [ "$(info_field aof_rewrite_in_progress)" = 0 ] &&
      [ "$(info_field aof_rewrite_scheduled)" = 0 ] && return
    sleep 0.1
  done
  echo "port $PORT: a snapshot still runs after 600 s" >&2
  exit 1
}

# "commands paused N ms" of the stashd log since line $1 (one per snapshot).
cut_pauses() {
  tail -n +"$(($1 + 1))" "$work/stashd.log" | { grep -o 'commands paused [0-9]* ms' || true; } | awk '{print $3}'
}

python3 - "$KEYS" "$work" <<'PY'
import random, sys
n, work = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(15)
def key(i):
    return b"user:bot%d:u%d:name" % (i % 50, i)
def cmd(k):
    v = rnd.randbytes(32).hex().encode()  # 64 bytes
    return b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v)
with open(work + "/load.resp", "wb") as f:
    f.write(b"".join(cmd(key(i)) for i in range(n)))
for r in (1, 2, 3):  # 10% of the keys, other random ones each round
    with open("%s/overwrite%d.resp" % (work, r), "wb") as f:
        f.write(b"".join(cmd(key(i)) for i in rnd.sample(range(n), n // 10)))
PY

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
  "$(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "redis: $(redis-server --version | awk '{print $3}')  stashd: $("$STASHD" --version)"
echo "snapshots: $KEYS keys, $RUNS runs, $(date -u '+%F %H:%M UTC')"

# ---- 1. memory after snapshots ----
memory() {  # server run
  local server=$1 run=$2 round reply
  load_resp "$work/load.resp"
  RESULT[$server,mem/load,$run]=$(mb "$(rss_kb)")
  RESULT[$server,used/load,$run]=$(mb $(($(info_field used_memory) / 1024)))
  for round in 1 2 3; do
    reply=$(redis-cli -p "$PORT" BGSAVE)
    [ "$reply" = "Background saving started" ] || { echo "$server BGSAVE: $reply" >&2; exit 1; }
    wait_idle
    [ "$(info_field rdb_last_bgsave_status)" = ok ] || { echo "$server: BGSAVE failed" >&2; exit 1; }
    RESULT[$server,mem/snap$round,$run]=$(mb "$(rss_kb)")
    load_resp "$work/overwrite$round.resp"
  done
  sleep 1
  RESULT[$server,mem/final,$run]=$(mb "$(rss_kb)")
  RESULT[$server,mem/peak,$run]=$(mb "$(rss_kb VmHWM)")
  RESULT[$server,used/final,$run]=$(mb $(($(info_field used_memory) / 1024)))
  echo "  run $run $server: $(redis-cli -p "$PORT" dbsize) keys, RSS MB" \
    "$(for w in load snap1 snap2 snap3 final peak; do printf '%s ' "${RESULT[$server,mem/$w,$run]}"; done)"
}
echo
echo "memory: load, then 3 x (BGSAVE, wait, overwrite $((KEYS / 10)) keys)"
echo "  redis ${REDIS_BASE[*]} / stashd ${STASHD_BASE[*]}"
alternate memory

# ---- 2. latency during snapshots ----
: >"$work/pauses"
: >"$work/forks"
latency() {  # server run; $LOG (off|on), $LOOP (alone|bgsave)
  local server=$1 run=$2 csv loop="" n0 started=0 p
  load_resp "$work/load.resp"
  sleep 1  # a snapshot or AOF rewrite the load's log size starts (log on) ...
  wait_idle  # ... is over before the run
  n0=0
  [ "$server" = stashd ] && n0=$(wc -l <"$work/stashd.log")
  : >"$work/started"
  rm -f "$work/stop"
  if [ "$LOOP" = bgsave ]; then
    # Until the benchmark is over ($work/stop): one line per BGSAVE that
    # started, with the fork time Redis reports for it.
    (
      while [ ! -e "$work/stop" ]; do
        if [ "$(redis-cli -p "$PORT" BGSAVE 2>&1)" = "Background saving started" ]; then
          echo "$LOG $(info_field latest_fork_usec)" >>"$work/started"
        fi
        sleep 1
      done
    ) &
    loop=$!
  fi
  csv=$(redis-benchmark -p "$PORT" -t set -c 50 -n "$REQUESTS" -r 1000000 -d 64 --csv 2>/dev/null)
  touch "$work/stop"
  [ -z "$loop" ] || wait "$loop"
  wait_idle
  started=$(wc -l <"$work/started")
  [ "$server" = stashd ] || cat "$work/started" >>"$work/forks"
  # redis-benchmark 7.0's CSV: "test","rps","avg_latency_ms","min_latency_ms",
  # "p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  for p in p50 p99 max; do
    RESULT[$server,$LOG/$LOOP/$p,$run]=$(tr -d '"' <<<"$csv" | awk -F, -v c="${p}_latency_ms" \
      'NR == 1 {for (i = 1; i <= NF; i++) if ($i == c) col = i} $1 == "SET" {print $col}')
  done
  if [ "$server" = stashd ]; then
    cut_pauses "$n0" | sed "s/^/$LOG $LOOP /" >>"$work/pauses"
  fi
  echo "  run $run $server: $(redis-cli -p "$PORT" dbsize) keys, $started BGSAVEs started," \
    "p50/p99/max ms $(for p in p50 p99 max; do printf '%s ' "${RESULT[$server,$LOG/$LOOP/$p,$run]}"; done)"
}
echo
echo "latency: redis-benchmark -t set -c 50 -n $REQUESTS -r 1000000 -d 64 on the $KEYS keys"
for LOG in off on; do
  if [ $LOG = off ]; then
    REDIS_BASE=(--save '' --appendonly no); STASHD_BASE=(--save '' --appendonly no)
  else
    REDIS_BASE=(--save '' --appendonly yes --appendfsync everysec)
    STASHD_BASE=(--save '' --appendonly yes --appendfsync everysec)
  fi
  for LOOP in alone bgsave; do
    echo "write log $LOG, $LOOP: redis ${REDIS_BASE[*]} / stashd ${STASHD_BASE[*]}"
    alternate latency
  done
done

# ---- 3. full snapshot and load at start-up ----
snapshot_load() {  # server run
  local server=$1 run=$2 t0 reply keys
  load_resp "$work/load.resp"
  rm -f "$work"/stashd/stashd.db*  # no file: the cut holds every key
  t0=$(now_ms)
  reply=$(redis-cli -p "$PORT" SAVE)
  RESULT[$server,save,$run]=$(($(now_ms) - t0))
  [ "$reply" = OK ] || { echo "$server SAVE: $reply" >&2; exit 1; }
  [ "$server" = stashd ] && cut_pauses 0 | sed 's/^/save /' >>"$work/pauses"
  stop_server
  restart_server "$server"
  keys=$(redis-cli -p "$PORT" dbsize)
  [ "$keys" = "$KEYS" ] || { echo "$server loaded $keys keys of $KEYS" >&2; exit 1; }
  RESULT[$server,load,$run]=$(grep -o 'DB loaded from disk: [0-9.]* seconds' "$work/$server.log" |
    tail -1 | awk '{print $5 * 1000}')
  echo "  run $run $server: SAVE ${RESULT[$server,save,$run]} ms," \
    "load ${RESULT[$server,load,$run]} ms ($keys keys)," \
    "file $(du -h "$work/redis/dump.rdb" "$work/stashd/stashd.db" 2>/dev/null | cut -f1)"
}
REDIS_BASE=(--save '' --appendonly no); STASHD_BASE=(--save '' --appendonly no)
echo
echo "full snapshot and load: redis ${REDIS_BASE[*]} / stashd ${STASHD_BASE[*]}"
alternate snapshot_load

pause_stats() {  # awk pattern over "$work/pauses" (LOG LOOP ms / save ms)
  awk "$1 {print \$NF}" "$work/pauses" | sort -n |
    awk '{a[NR] = $1} END {if (NR) printf "%d cuts, median %s ms, max %s ms", NR, a[int((NR + 1) / 2)], a[NR]; else printf "none"}'
}
fork_stats() {  # off|on: Redis's fork times in ms
  awk -v l="$1" '$1 == l {printf "%.1f\n", $2 / 1000}' "$work/forks" | sort -n |
    awk '{a[NR] = $1} END {if (NR) printf "%d forks, median %s ms, max %s ms", NR, a[int((NR + 1) / 2)], a[NR]; else printf "none"}'
}

echo
echo "### Memory after snapshots ($KEYS keys; MB; issue 15: final RSS <= 0.8x Redis)"
echo
ratio_table mem/load="RSS after the load" \
  mem/snap1="RSS after BGSAVE 1" mem/snap2="RSS after BGSAVE 2 (10% overwritten before)" \
  mem/snap3="RSS after BGSAVE 3 (10% overwritten before)" \
  mem/final="RSS at the end (10% overwritten, 1 s later)" mem/peak="peak RSS (VmHWM)" \
  used/load="used_memory after the load" used/final="used_memory at the end"
echo
echo "### SET latency during snapshots (ms; redis-benchmark -c 50 -n $REQUESTS -r 1000000 -d 64)"
echo
rows=()
for LOG in off on; do
  for LOOP in alone bgsave; do
    for p in p50 p99 max; do
      label="write log $LOG, "
      [ $LOOP = alone ] && label+="no snapshot" || label+="BGSAVE every second"
      rows+=("$LOG/$LOOP/$p=$label: $p")
    done
  done
done
ratio_table "${rows[@]}"
echo
for LOG in off on; do
  echo "- write log $LOG, BGSAVE every second: stashd cut pause $(pause_stats "\$1 == \"$LOG\" && \$2 == \"bgsave\"");" \
    "redis fork $(fork_stats $LOG)"
done
echo
echo "### Full snapshot and load at start-up ($KEYS keys; ms)"
echo
ratio_table save="full snapshot (SAVE)" load="load at start-up (DB loaded from disk)"
echo
echo "- stashd's cut pause in the SAVEs: $(pause_stats '$1 == "save"')"
