#!/usr/bin/env bash
# Side-by-side benchmark: redis-benchmark's default test list (PING_INLINE ...
# LRANGE_600, MSET) against redis-server and stashd, printing a markdown table
# of the per-test rates and their ratio (stashd / redis). Not a test: numbers
# go to bench/RESULTS.md.
#
#   bench/default_tests.sh [path/to/stashd]
#
# Each run starts both servers fresh and runs
#   redis-benchmark -q --csv -n $REQUESTS -c 50 -r 100000
# against redis, then against stashd. RUNS runs (default 3) alternate; the
# table shows every run's ratio and the median. Fails if a test is missing
# from stashd's output (redis-benchmark did not get to the end).
#
# Same durability on both: no AOF/write log, no automatic snapshots; stashd
# with its default io-threads unless IO_THREADS is set.
set -euo pipefail
cd "$(dirname "$0")/.."
STASHD=${1:-build/server/stashd}
REQUESTS=${REQUESTS:-200000}
RUNS=${RUNS:-3}
command -v redis-server >/dev/null || { echo "needs redis-server (apt-get install redis-server)"; exit 1; }
command -v redis-benchmark >/dev/null || { echo "needs redis-benchmark (apt-get install redis-tools)"; exit 1; }

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
RPORT=6521
SPORT=6522
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
# CSV of redis-benchmark to "test<TAB>rps" lines. Test names contain spaces and
# parentheses but no commas or quotes.
rates() { awk -F'","' 'NR > 1 {gsub(/^"/, "", $1); gsub(/"/, "", $2); print $1 "\t" $2}' "$1"; }
median() { sort -g | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "redis: $(redis-server --version | awk '{print $3}')  stashd: $("$STASHD" --version)"
echo "redis-benchmark -q --csv -n $REQUESTS -c 50 -r 100000 (default tests), $RUNS runs, $(date -u '+%F %H:%M UTC')"

status=0
for run in $(seq "$RUNS"); do
  start_servers
  redis-benchmark -p $RPORT -q --csv -n "$REQUESTS" -c 50 -r 100000 >"$work/r$run.csv" 2>"$work/r$run.err" ||
    echo "run $run: redis-benchmark against redis exited $?"
  if ! redis-benchmark -p $SPORT -q --csv -n "$REQUESTS" -c 50 -r 100000 >"$work/s$run.csv" 2>"$work/s$run.err"; then
    echo "run $run: redis-benchmark against stashd exited non-zero:"; tail -3 "$work/s$run.err"; status=1
  fi
  redis-cli -p $SPORT ping >/dev/null 2>&1 || { echo "run $run: stashd is not answering"; status=1; }
  stop_servers
  rates "$work/r$run.csv" >"$work/r$run.tsv"
  rates "$work/s$run.csv" >"$work/s$run.tsv"
  echo "run $run done: $(wc -l <"$work/r$run.tsv") tests redis, $(wc -l <"$work/s$run.tsv") tests stashd, load $(cut -d' ' -f1 /proc/loadavg)"
done

echo
echo "| test | redis rps (median) | stashd rps (median) | ratio (median) | ratio of each run |"
echo "|---|---:|---:|---:|---|"
while IFS=$'\t' read -r name _; do
  rs=(); ss=(); ratios=()
  for run in $(seq "$RUNS"); do
    r=$(awk -F'\t' -v n="$name" '$1 == n {print $2}' "$work/r$run.tsv")
    s=$(awk -F'\t' -v n="$name" '$1 == n {print $2}' "$work/s$run.tsv")
    [ -n "$r" ] && rs+=("$r")
    [ -n "$s" ] && ss+=("$s")
    if [ -n "$r" ] && [ -n "$s" ]; then
      ratios+=("$(printf '%.2f' "$(echo "$s / $r" | bc -l)")")
    else
      ratios+=(n/a); status=1
    fi
  done
  rm_=$(printf '%s\n' "${rs[@]}" | median); sm=$(printf '%s\n' "${ss[@]}" | median)
  med=$(printf '%s\n' "${ratios[@]}" | grep -v n/a | median || true)
  printf '| %s | %.0f | %.0f | %s | %s |\n' "$name" "${rm_:-0}" "${sm:-0}" "${med:-n/a}" "${ratios[*]}"
done <"$work/r1.tsv"
[ $status = 0 ] || echo "FAILED: stashd did not complete every test (see above)"
exit $status
