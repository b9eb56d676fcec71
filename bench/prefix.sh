#!/usr/bin/env bash
# Issue 4 benchmark: 1,000,000 keys of which 10 share a prefix, side by side.
#   - a full `redis-cli --scan --pattern '<prefix>*'` (time)
#   - deleting the 10 keys: SCAN+UNLINK on both, DELPREFIX on stashd
# Prints times and ratios. Not a test; results go to bench/RESULTS.md.
#
#   bench/prefix.sh [path/to/stashd]
set -euo pipefail
cd "$(dirname "$0")/.."
STASHD=${1:-build/server/stashd}
KEYS=${KEYS:-1000000}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
RPORT=7392
SPORT=7393
redis-server --port $RPORT --save '' --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
"$STASHD" --port $SPORT --bind 127.0.0.1 --dir "$work/stashd" --appendonly no --save '' \
  --logfile "$work/stashd.log" &
for p in $RPORT $SPORT; do
  for _ in $(seq 100); do redis-cli -p $p ping >/dev/null 2>&1 && break; sleep 0.05; done
done

python3 - "$KEYS" > "$work/load.txt" <<'PY'
import sys
n = int(sys.argv[1])
out = []
def cmd(*a):
    s = f"*{len(a)}\r\n"
    for x in a:
        s += f"${len(x)}\r\n{x}\r\n"
    return s
for i in range(n - 10):
    out.append(cmd("SET", f"user:bot1:u{i}:age", str(i)))
for i in range(10):
    out.append(cmd("SET", f"state:bot7:conv42:f{i}", "{}"))
sys.stdout.write("".join(out))
PY
for p in $RPORT $SPORT; do redis-cli -p $p --pipe < "$work/load.txt" >/dev/null; done

now() { date +%s.%N; }
timeit() {  # prints seconds taken by "$@"
  local t0 t1
  t0=$(now); "$@" >/dev/null; t1=$(now)
  echo "$t1 - $t0" | bc -l
}
scan_unlink() {  # port
  redis-cli -p "$1" --scan --pattern 'state:bot7:conv42:*' | xargs -r redis-cli -p "$1" unlink
}
reload10() {
  for i in $(seq 0 9); do redis-cli -p "$1" set "state:bot7:conv42:f$i" '{}' >/dev/null; done
}

printf '%-40s %12s %12s %10s\n' workload redis stashd speedup
r=$(timeit redis-cli -p $RPORT --scan --pattern 'state:bot7:conv42:*')
s=$(timeit redis-cli -p $SPORT --scan --pattern 'state:bot7:conv42:*')
printf '%-40s %11.4fs %11.4fs %9.0fx\n' "--scan --pattern prefix* ($KEYS keys)" "$r" "$s" "$(echo "$r / $s" | bc -l)"
echo "  matches: redis=$(redis-cli -p $RPORT --scan --pattern 'state:bot7:conv42:*' | wc -l) stashd=$(redis-cli -p $SPORT --scan --pattern 'state:bot7:conv42:*' | wc -l)"
r=$(timeit scan_unlink $RPORT)
s=$(timeit scan_unlink $SPORT)
printf '%-40s %11.4fs %11.4fs %9.0fx\n' "delete 10 keys: SCAN+UNLINK" "$r" "$s" "$(echo "$r / $s" | bc -l)"
reload10 $SPORT
s=$(timeit redis-cli -p $SPORT delprefix 'state:bot7:conv42:')
printf '%-40s %11.4fs %11.4fs %9.0fx\n' "delete 10 keys: stashd DELPREFIX" "$r" "$s" "$(echo "$r / $s" | bc -l)"
echo "dbsize after: redis=$(redis-cli -p $RPORT dbsize) stashd=$(redis-cli -p $SPORT dbsize)"
