#!/usr/bin/env bash
# Side-by-side benchmark: the same workload against stashd and redis-server,
# printing ratios (stashd / redis). Not a test: numbers go to bench/RESULTS.md.
#
#   bench/compare.sh [path/to/stashd]
#
# Workloads:
#   1. redis-benchmark SET and GET, 50 clients, no pipelining and -P 16
#   2. RSS after loading 1,000,000 keys `user:bot1:u<N>:age` -> <N> with redis-cli --pipe
set -euo pipefail
cd "$(dirname "$0")/.."
STASHD=${1:-build/server/stashd}
REQUESTS=${REQUESTS:-1000000}
KEYS=${KEYS:-1000000}
command -v redis-server >/dev/null || { echo "needs redis-server (apt-get install redis-server)"; exit 1; }
command -v redis-benchmark >/dev/null || { echo "needs redis-benchmark (apt-get install redis-tools)"; exit 1; }

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
RPORT=7390
SPORT=7391

start_servers() {
  redis-server --port $RPORT --save '' --appendonly no --dir "$work" --daemonize no >"$work/redis.log" 2>&1 &
  RPID=$!
  # Same durability as the redis-server above (no AOF, no RDB saves).
  rm -rf "$work/stashd"
  "$STASHD" --port $SPORT --bind 127.0.0.1 --dir "$work/stashd" --logfile "$work/stashd.log" \
    --appendonly no --save "" &
  SPID=$!
  for p in $RPORT $SPORT; do
    for _ in $(seq 100); do redis-cli -p $p ping >/dev/null 2>&1 && break; sleep 0.05; done
  done
}
stop_servers() {
  kill $RPID $SPID 2>/dev/null || true
  wait $RPID $SPID 2>/dev/null || true
}

rps() {  # port test pipeline -> requests per second
  redis-benchmark -p "$1" -t "$2" -c 50 -n "$REQUESTS" -P "$3" -r 100000 -q --csv 2>/dev/null |
    awk -F'","' 'NR>1 || /"SET"|"GET"/ {gsub(/"/,"",$2); print $2; exit}'
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
echo "redis: $(redis-server --version | awk '{print $3}')  stashd: $("$STASHD" --version)"
start_servers
printf '%-22s %14s %14s %8s\n' workload redis stashd ratio
for P in 1 16; do
  for T in set get; do
    r=$(rps $RPORT $T $P); s=$(rps $SPORT $T $P)
    printf '%-22s %14s %14s %8.2f\n' "$T -c 50 -P $P (rps)" "$r" "$s" "$(echo "$s / $r" | bc -l)"
  done
done
stop_servers

# Memory: fresh servers, 1M small keys.
python3 - "$KEYS" > "$work/load.txt" <<'PY'
import sys
n = int(sys.argv[1])
out = []
for i in range(n):
    k = f"user:bot1:u{i}:age"; v = str(i)
    out.append(f"*3\r\n$3\r\nSET\r\n${len(k)}\r\n{k}\r\n${len(v)}\r\n{v}\r\n")
sys.stdout.write("".join(out))
PY
start_servers
redis-cli -p $RPORT --pipe < "$work/load.txt" >/dev/null
redis-cli -p $SPORT --pipe < "$work/load.txt" >/dev/null
sleep 1
rr=$(awk '/VmRSS/ {print $2}' /proc/$RPID/status)
sr=$(awk '/VmRSS/ {print $2}' /proc/$SPID/status)
printf '%-22s %12s KB %12s KB %8.2f\n' "RSS $KEYS keys" "$rr" "$sr" "$(echo "$sr / $rr" | bc -l)"
echo "dbsize: redis=$(redis-cli -p $RPORT dbsize) stashd=$(redis-cli -p $SPORT dbsize)"
stop_servers
