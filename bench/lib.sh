# Shared by the side-by-side benchmarks (source it after setting STASHD,
# RPORT, SPORT and `work`, a scratch folder): fresh servers with the same
# durability on both sides (no AOF / write log, no automatic snapshots), and
# the helpers that read the numbers. Sourcing it exits unless redis-server and
# redis-tools (redis-cli, redis-benchmark) are installed.
#
#   start_server redis|stashd   starts one, sets PORT and PID, waits for PING
#   restart_server redis|stashd the same on the files of the last one (no wipe):
#                               waits until it has loaded them (PONG)
#   stop_server                 stops it
#   load_resp FILE              sends FILE (RESP commands) to $PORT with
#                               redis-cli --pipe; exits unless "errors: 0"
#   info_field KEY              the value of KEY in INFO of the server on $PORT
#   rss_kb [FIELD]              VmRSS (or FIELD, e.g. VmHWM) of $PID in kB
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
command -v redis-server >/dev/null || { echo "needs redis-server (apt-get install redis-server)"; exit 1; }
command -v redis-benchmark >/dev/null || { echo "needs redis-benchmark (apt-get install redis-tools)"; exit 1; }

declare -p REDIS_BASE >/dev/null 2>&1 || REDIS_BASE=(--save '' --appendonly no)
declare -p STASHD_BASE >/dev/null 2>&1 || STASHD_BASE=(--appendonly no --save '')
REDIS_ARGS=("${REDIS_ARGS[@]}")
STASHD_ARGS=("${STASHD_ARGS[@]}")

start_server() {  # redis|stashd
  rm -rf "$work/redis" "$work/stashd"
  restart_server "$1"
}

# Each start has a fresh log ($work/redis.log, $work/stashd.log).
restart_server() {  # redis|stashd
  mkdir -p "$work/redis"
  rm -f "$work/stashd.log"
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
  # Until PONG: Redis answers -LOADING while it loads its files (60 s at most).
  for _ in $(seq 1200); do [ "$(redis-cli -p "$PORT" ping 2>/dev/null)" = PONG ] && break; sleep 0.05; done
}

stop_server() {
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
}

load_resp() {  # FILE
  local out
  out=$(redis-cli -p "$PORT" --pipe <"$1" 2>&1) || true
  case "$out" in *"errors: 0,"*) ;; *) echo "loading $1 into port $PORT failed: $out" >&2; exit 1 ;; esac
}

info_field() { redis-cli -p "$PORT" info | tr -d '\r' | awk -F: -v k="$1" '$1 == k {print $2; exit}'; }

rss_kb() { awk -v f="${1:-VmRSS}:" '$1 == f {print $2}' "/proc/$PID/status"; }

field() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k {print $2}'; }

median() { sort -g | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# rps ARGS...: the requests per second redis-benchmark reports for one test
# (its last CSV line) against the server on $PORT. ARGS are options, then the
# command (redis-benchmark reads no option after the command).
rps() {
  redis-benchmark -p "$PORT" -q --csv "$@" 2>/dev/null | awk -F'","' 'END {gsub(/"/, "", $2); print $2}'
}

# ratio_table WORKLOAD=LABEL...: a markdown table from RESULT[server,workload,run]
# (rates, where higher is better, or sizes and times) for runs 1..$RUNS: each
# side's median, every run's ratio (stashd / redis) and the median of those
# ratios.
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
