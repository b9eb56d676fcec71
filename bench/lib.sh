# Shared by the side-by-side benchmarks (source it after setting STASHD,
# RPORT, SPORT and `work`, a scratch folder): fresh servers with the same
# durability on both sides (no AOF / write log, no automatic snapshots), and
# the helpers that read the numbers.
#
#   start_server redis|stashd   starts one, sets PORT and PID, waits for PING
#   stop_server                 stops it
#   field LINE KEY              the value of KEY=value in LINE
#   median                      the median of the numbers on stdin
#   rps ARGS...                 redis-benchmark ARGS against $PORT: requests per second
#   ratio_table W=LABEL...      markdown table of RESULT[server,w,run], median ratios
#
#   alternate FN                for run 1..$RUNS, for redis then stashd: a fresh
#                               server, `FN server run`, stopped again
#
# The durability both sides start with is REDIS_BASE / STASHD_BASE (arrays;
# default: no AOF / write log, no automatic snapshots). REDIS_ARGS and
# STASHD_ARGS (arrays) add flags after them; a script comparing other
# durabilities sets all four.
declare -p REDIS_BASE >/dev/null 2>&1 || REDIS_BASE=(--save '' --appendonly no)
declare -p STASHD_BASE >/dev/null 2>&1 || STASHD_BASE=(--appendonly no --save '')
REDIS_ARGS=("${REDIS_ARGS[@]}")
STASHD_ARGS=("${STASHD_ARGS[@]}")

start_server() {  # redis|stashd
  rm -rf "$work/redis" "$work/stashd"
  mkdir -p "$work/redis"
  if [ "$1" = redis ]; then
    redis-server --port "$RPORT" --dir "$work/redis" --daemonize no "${REDIS_BASE[@]}" "${REDIS_ARGS[@]}" \
      >"$work/redis.log" 2>&1 &
    PORT=$RPORT
  else
    "$STASHD" --port "$SPORT" --bind 127.0.0.1 --dir "$work/stashd" --logfile "$work/stashd.log" \
      "${STASHD_BASE[@]}" "${STASHD_ARGS[@]}" &
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

# rps ARGS...: the requests per second redis-benchmark reports for one test
# (its last CSV line) against the server on $PORT. ARGS are options, then the
# command (redis-benchmark reads no option after the command).
rps() {
  redis-benchmark -p "$PORT" -q --csv "$@" 2>/dev/null | awk -F'","' 'END {gsub(/"/, "", $2); print $2}'
}

# ratio_table WORKLOAD=LABEL...: a markdown table from RESULT[server,workload,run]
# (rates, higher is better) for runs 1..$RUNS: each side's median, every run's
# ratio (stashd / redis) and the median of those ratios.
declare -A RESULT
ratio_table() {
  local spec w label run r s ratios all
  printf '| workload | redis (median) | stashd (median) | ratio (median) | ratio of each run |\n'
  printf '|---|---:|---:|---:|---|\n'
  for spec in "$@"; do
    w=${spec%%=*}; label=${spec#*=}
    ratios=(); all=""
    for run in $(seq "$RUNS"); do
      r=${RESULT[redis,$w,$run]:-}; s=${RESULT[stashd,$w,$run]:-}
      if [ -n "$r" ] && [ -n "$s" ] && [ "$r" != 0 ]; then
        ratios+=("$(awk -v a="$s" -v b="$r" 'BEGIN {printf "%.2f", a / b}')")
        all+="${ratios[-1]} "
      else
        all+="n/a "
      fi
    done
    printf '| %s | %s | %s | %s | %s |\n' "$label" \
      "$(for run in $(seq "$RUNS"); do echo "${RESULT[redis,$w,$run]:-}"; done | grep . | median)" \
      "$(for run in $(seq "$RUNS"); do echo "${RESULT[stashd,$w,$run]:-}"; done | grep . | median)" \
      "$( ((${#ratios[@]})) && printf '%s\n' "${ratios[@]}" | median || echo n/a)" "${all% }"
  done
}

# alternate FN: RUNS runs, each against a fresh redis-server and then a fresh
# stashd (so drift of the machine hits both alike); FN gets the server name
# and the run number and stores its numbers in RESULT[server,workload,run].
alternate() {
  local run server
  for run in $(seq "$RUNS"); do
    for server in redis stashd; do
      start_server $server
      "$1" $server "$run"
      stop_server
    done
  done
}
