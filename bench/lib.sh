# Shared by the side-by-side benchmarks (source it after setting STASHD,
# RPORT, SPORT and `work`, a scratch folder): fresh servers with the same
# durability on both sides (no AOF / write log, no automatic snapshots), and
# the helpers that read the numbers.
#
#   start_server redis|stashd   starts one, sets PORT and PID, waits for PING
#   stop_server                 stops it
#   field LINE KEY              the value of KEY=value in LINE
#   median                      the median of the numbers on stdin
#
# STASHD_ARGS (an array) adds flags to stashd's command line.
STASHD_ARGS=("${STASHD_ARGS[@]}")

start_server() {  # redis|stashd
  rm -rf "$work/redis" "$work/stashd"
  mkdir -p "$work/redis"
  if [ "$1" = redis ]; then
    redis-server --port "$RPORT" --save '' --appendonly no --dir "$work/redis" --daemonize no \
      >"$work/redis.log" 2>&1 &
    PORT=$RPORT
  else
    "$STASHD" --port "$SPORT" --bind 127.0.0.1 --dir "$work/stashd" --logfile "$work/stashd.log" \
      --appendonly no --save "" "${STASHD_ARGS[@]}" &
    PORT=$SPORT
  fi
  PID=$!
  for _ in $(seq 200); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
}

stop_server() {
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
}

field() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k {print $2}'; }

median() { sort -g | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
