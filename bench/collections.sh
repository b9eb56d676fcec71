#!/usr/bin/env bash
# Side-by-side benchmark of the collection types: the same workload against
# stashd and redis-server, printing ratios (stashd / redis). Not a test:
# numbers go to bench/RESULTS.md.
#
#   bench/collections.sh [path/to/stashd] [throughput|big|memory]...
#
# Workloads (all by default):
#   throughput  redis-benchmark's collection tests (hset sadd spop zadd zpopmin
#               lpush rpush lpop rpop lrange_100), 50 clients, random members
#               (-r 1000000), no pipelining and -P 16. Each server fresh.
#   big         one sorted set of 1,000,000 members (score i, member m:i):
#               ZRANGE BYSCORE of 100 members from a random score, and ZADD of
#               random new members into it.
#   memory      RSS growth on a fresh server for each data set below, after the
#               load and again after a SAVE (both servers save to disk):
#               1,000,000 string keys (as bench/compare.sh); 100,000 hashes of 10 small fields; one hash of 1,000,000
#               fields; one sorted set of 1,000,000 members; one set of
#               1,000,000 integers; 100,000 sets of 10 members; 100,000 lists of
#               10 short items; one list of 1,000,000 items.
# A workload needing a command the binary does not have prints "n/a".
#
# Same durability on both: no AOF/write log, no automatic snapshots; stashd
# with its default io-threads unless IO_THREADS is set.
set -euo pipefail
cd "$(dirname "$0")/.."
STASHD=${1:-build/server/stashd}
shift || true
WORKLOADS=${*:-throughput big memory}
REQUESTS=${REQUESTS:-500000}
command -v redis-server >/dev/null || { echo "needs redis-server (apt-get install redis-server)"; exit 1; }
command -v redis-benchmark >/dev/null || { echo "needs redis-benchmark (apt-get install redis-tools)"; exit 1; }

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
RPORT=7392
SPORT=7393
STASHD_ARGS=()
[ -n "${IO_THREADS:-}" ] && STASHD_ARGS+=(--io-threads "$IO_THREADS")

start_servers() {
  rm -rf "$work/redis" "$work/stashd"
  mkdir -p "$work/redis"
  redis-server --port $RPORT --save '' --appendonly no --dir "$work/redis" --daemonize no \
    >"$work/redis.log" 2>&1 &
  RPID=$!
  "$STASHD" --port $SPORT --bind 127.0.0.1 --dir "$work/stashd" --logfile "$work/stashd.log" \
    --appendonly no --save "" "${STASHD_ARGS[@]}" &
  SPID=$!
  for p in $RPORT $SPORT; do
    for _ in $(seq 200); do redis-cli -p $p ping >/dev/null 2>&1 && break; sleep 0.05; done
  done
}
stop_servers() {
  kill $RPID $SPID 2>/dev/null || true
  wait $RPID $SPID 2>/dev/null || true
}
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
ratio() { if [ -n "$1" ] && [ -n "$2" ] && [ "$1" != 0 ]; then printf '%.2f' "$(echo "$2 / $1" | bc -l)"; else echo n/a; fi; }
# True if the server on port $1 knows command $2.
has_command() { [ "$(redis-cli -p "$1" command info "$2" | head -1)" != "" ]; }

echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "redis: $(redis-server --version | awk '{print $3}')  stashd: $("$STASHD" --version)"

throughput() {
  local tests=hset,sadd,spop,zadd,zpopmin,lpush,rpush,lpop,rpop,lrange_100
  printf '%-28s %12s %12s %7s\n' "test -c 50 (rps)" redis stashd ratio
  for P in 1 16; do
    start_servers
    redis-benchmark -p $RPORT -t $tests -c 50 -n "$REQUESTS" -P $P -r 1000000 -q --csv \
      2>/dev/null >"$work/r.csv" || true
    redis-benchmark -p $SPORT -t $tests -c 50 -n "$REQUESTS" -P $P -r 1000000 -q --csv \
      2>/dev/null >"$work/s.csv" || true
    stop_servers
    while IFS=, read -r name rrps _; do
      name=${name//\"/}; rrps=${rrps//\"/}
      [ "$name" = test ] && continue
      srps=$(awk -F'","' -v n="$name" '{gsub(/"/,"",$1); gsub(/"/,"",$2)} $1 == n {print $2}' "$work/s.csv")
      printf '%-28s %12s %12s %7s\n' "$name -P $P" "$rrps" "${srps:-n/a}" "$(ratio "$rrps" "$srps")"
    done <"$work/r.csv"
  done
}

# Writes RESP commands for a data set to stdout: kind count
gen() {
  python3 - "$@" <<'PY'
import sys
kind, n = sys.argv[1], int(sys.argv[2])
out = sys.stdout
def cmd(*args):
    parts = [f"*{len(args)}\r\n"]
    for a in args:
        a = str(a)
        parts.append(f"${len(a.encode())}\r\n{a}\r\n")
    return "".join(parts)
batch = 1000
if kind == "strings":       # n string keys, as bench/compare.sh loads them
    for i in range(n):
        out.write(cmd("SET", f"user:bot1:u{i}:age", i))
elif kind == "hashes":        # n hashes of 10 small fields
    for i in range(n):
        args = ["HSET", f"user:bot1:u{i}"]
        for f in range(10): args += [f"field{f}", f"value{i % 1000}"]
        out.write(cmd(*args))
elif kind == "bighash":     # one hash of n fields
    for s in range(0, n, batch):
        args = ["HSET", "bighash"]
        for i in range(s, min(n, s + batch)): args += [f"field:{i}", f"v{i}"]
        out.write(cmd(*args))
elif kind == "zset":        # one sorted set of n members, score i
    for s in range(0, n, batch):
        args = ["ZADD", "big"]
        for i in range(s, min(n, s + batch)): args += [i, f"m:{i}"]
        out.write(cmd(*args))
elif kind == "intset":      # one set of n integers
    for s in range(0, n, batch):
        out.write(cmd("SADD", "ints", *range(s, min(n, s + batch))))
elif kind == "sets":        # n sets of 10 short members
    for i in range(n):
        out.write(cmd("SADD", f"tags:{i}", *[f"tag{t}" for t in range(10)]))
elif kind == "lists":       # n lists of 10 short items
    for i in range(n):
        out.write(cmd("RPUSH", f"queue:{i}", *[f"job{t}" for t in range(10)]))
elif kind == "biglist":     # one list of n items
    for s in range(0, n, batch):
        out.write(cmd("RPUSH", "biglist", *[f"item:{i}" for i in range(s, min(n, s + batch))]))
PY
}

big() {
  gen zset 1000000 >"$work/zset.txt"
  start_servers
  if ! has_command $SPORT zadd; then echo "big: n/a (no sorted sets)"; stop_servers; return; fi
  redis-cli -p $RPORT --pipe <"$work/zset.txt" >/dev/null
  redis-cli -p $SPORT --pipe <"$work/zset.txt" >/dev/null
  printf '%-44s %12s %12s %7s\n' "1,000,000-member sorted set (rps)" redis stashd ratio
  for P in 1 16; do
    local r s
    r=$(redis-benchmark -p $RPORT -c 50 -n "$REQUESTS" -P $P -r 1000000 -q --csv \
      zrange big __rand_int__ +inf BYSCORE LIMIT 0 100 2>/dev/null | awk -F'","' 'END {gsub(/"/,"",$2); print $2}')
    s=$(redis-benchmark -p $SPORT -c 50 -n "$REQUESTS" -P $P -r 1000000 -q --csv \
      zrange big __rand_int__ +inf BYSCORE LIMIT 0 100 2>/dev/null | awk -F'","' 'END {gsub(/"/,"",$2); print $2}')
    printf '%-44s %12s %12s %7s\n' "ZRANGE BYSCORE LIMIT 0 100 -P $P" "$r" "$s" "$(ratio "$r" "$s")"
  done
  for P in 1 16; do
    local r s
    r=$(redis-benchmark -p $RPORT -c 50 -n "$REQUESTS" -P $P -r 100000000 -q --csv \
      zadd big __rand_int__ n:__rand_int__ 2>/dev/null | awk -F'","' 'END {gsub(/"/,"",$2); print $2}')
    s=$(redis-benchmark -p $SPORT -c 50 -n "$REQUESTS" -P $P -r 100000000 -q --csv \
      zadd big __rand_int__ n:__rand_int__ 2>/dev/null | awk -F'","' 'END {gsub(/"/,"",$2); print $2}')
    printf '%-44s %12s %12s %7s\n' "ZADD new member -P $P" "$r" "$s" "$(ratio "$r" "$s")"
  done
  stop_servers
}

memory() {
  printf '%-36s %11s %11s %6s %11s %11s %6s\n' "RSS growth (KB)" redis stashd ratio \
    "redis+SAVE" "stashd+SAVE" ratio
  local spec kind n label needs
  for spec in "strings 1000000 1M-string-keys set" "hashes 100000 100k-hashes-of-10-fields hset" "bighash 1000000 1M-field-hash hset" \
    "zset 1000000 1M-member-sorted-set zadd" "intset 1000000 1M-integer-set sadd" \
    "sets 100000 100k-sets-of-10-members sadd" "lists 100000 100k-lists-of-10-items rpush" \
    "biglist 1000000 1M-item-list rpush"; do
    read -r kind n label needs <<<"$spec"
    gen "$kind" "$n" >"$work/load.txt"
    start_servers
    if ! has_command $SPORT "$needs"; then
      printf '%-36s %11s\n' "$label" "n/a (no $needs)"
      stop_servers
      continue
    fi
    local r0 s0 r1 s1 r2 s2
    r0=$(rss $RPID); s0=$(rss $SPID)
    redis-cli -p $RPORT --pipe <"$work/load.txt" >/dev/null
    redis-cli -p $SPORT --pipe <"$work/load.txt" >/dev/null
    sleep 1
    r1=$(($(rss $RPID) - r0)); s1=$(($(rss $SPID) - s0))
    redis-cli -p $RPORT save >/dev/null
    redis-cli -p $SPORT save >/dev/null
    sleep 1
    r2=$(($(rss $RPID) - r0)); s2=$(($(rss $SPID) - s0))
    printf '%-36s %11s %11s %6s %11s %11s %6s\n' "$label" "$r1" "$s1" "$(ratio $r1 $s1)" \
      "$r2" "$s2" "$(ratio $r2 $s2)"
    stop_servers
  done
}

for w in $WORKLOADS; do
  echo
  "$w"
done
