#!/usr/bin/env bash
# PromQL query latency, side by side (issue #8): the same node_exporter-like load (rw_load with
# --histograms=4: ~600 series per host, 4 classic histograms among them) in `cistern server`, Prometheus and
# VictoriaMetrics, all three running at once, then a fixed query set against each one's HTTP API.
#   [RW_LOAD=path | BUILD_DIR=build/release] [CISTERN=path | CISTERN_BUILD_DIR=build/release] [JOBS=2] [KEEP_TMP=1]
#   scripts/bench/promql_bench.sh [--quick] [--only cistern|prometheus|vm]... [--runs N] [--query NAME]...
#     [--series N] [--hours H] [--interval S] [--data DIR]
# Defaults: 10000 series, 6 h queried at 60 s steps, 15 s scrapes, 7 timed runs; --quick: 1000 series.
#
#  - load: rw_load into each receiver in turn (the receiver pinned to core 1, rw_load to core 0), every one
#    the same samples (one --end-ms for all): H + 1 hours, so that the first step's [1h] window is full;
#    then Prometheus' compactions and VictoriaMetrics' flush and merges settle; then every receiver must
#    answer sum(count_over_time(NAME[H+1h])) for each metric name with all the samples rw_load had
#    accepted (WARNING otherwise). Prometheus keeps the last ~3 h in its head (older hours in blocks),
#    cistern (at 99137ff) all of it in its head and WAL: both are queried as they are.
#  - queries (promql_bench_helper.py's QUERIES: cpu rate by instance, memory %, topk, histogram_quantile,
#    regex matcher, avg_over_time[1h]): instant at the newest sample and range over the last H hours at
#    60 s steps; one warm-up, then N timed runs, the systems taking turns within each run; all three
#    servers pinned to core 1 (idle but for the one queried), the client to core 0. Reported: median and
#    p90 latency, the ratios cistern/Prometheus and cistern/VictoriaMetrics, the result sizes (WARNING
#    where they differ), how far the values are from Prometheus', the servers' CPU per run and their peak
#    RSS (VmHWM, reset at the start of the query phase).
# VictoriaMetrics runs with -search.latencyOffset=0s (it answers for the newest samples), -search.disableCache
# and nocache=1 (no result cache: every run computes), -search.maxQueryDuration=10m. Prometheus gets no
# out-of-order window (the load is in order); cistern its defaults with [inputs.self] disabled.
# Peak RSS counts what the allocator keeps: glibc's per-thread arenas hold freed memory, so a server that
# runs queries on many threads shows more (try MALLOC_ARENA_MAX=1 in the environment to compare).
# --data DIR keeps the loaded data dirs in DIR and reuses them on the next run with the same --series,
# --hours and --interval (servers restarted on them, loads skipped): for iterating on the query side.
set -euo pipefail
cd "$(dirname "$0")/../.."
QUICK=
ONLY=()
QUERY_ARGS=()
RUNS=7
SERIES=
HOURS=6
INTERVAL=15
STEP=60
HISTOGRAMS=4
DATA=
while (($#)); do
  case $1 in
    --quick) QUICK=1 ;;
    --only) ONLY+=("${2:?--only needs cistern, prometheus or vm}"); shift ;;
    --only=*) ONLY+=("${1#--only=}") ;;
    --runs) RUNS=${2:?}; shift ;;
    --runs=*) RUNS=${1#--runs=} ;;
    --query) QUERY_ARGS+=(--query "${2:?}"); shift ;;
    --query=*) QUERY_ARGS+=(--query "${1#--query=}") ;;
    --series) SERIES=${2:?}; shift ;;
    --series=*) SERIES=${1#--series=} ;;
    --hours) HOURS=${2:?}; shift ;;
    --hours=*) HOURS=${1#--hours=} ;;
    --interval) INTERVAL=${2:?}; shift ;;
    --interval=*) INTERVAL=${1#--interval=} ;;
    --data) DATA=${2:?}; shift ;;
    --data=*) DATA=${1#--data=} ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "promql_bench.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
((${#ONLY[@]})) || ONLY=(cistern prometheus vm)
for k in "${ONLY[@]}"; do
  [[ $k =~ ^(cistern|prometheus|vm)$ ]] || { echo "promql_bench.sh: --only $k: cistern, prometheus or vm" >&2; exit 2; }
done
for v in RUNS HOURS INTERVAL; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "promql_bench.sh: ${v,,} must be a positive integer" >&2; exit 2; }
done
SERIES=${SERIES:-$([[ -n $QUICK ]] && echo 1000 || echo 10000)}
LOAD_HOURS=$((HOURS + 1))
JOBS=${JOBS:-2}
BUILD_DIR=${BUILD_DIR:-build/release}
CISTERN_BUILD_DIR=${CISTERN_BUILD_DIR:-build/release}
HELPER=scripts/bench/promql_bench_helper.py
INGEST_HELPER=scripts/bench/tsdb_ingest_helper.py

TMP=$(mktemp -d "${TMPDIR:-/tmp}/qb-promql.XXXXXX")
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    timeout 60 tail --pid="$p" -f /dev/null 2>/dev/null || kill -9 "$p" 2>/dev/null || true
  done
  if [[ -n ${KEEP_TMP:-} ]]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

LOAD=${RW_LOAD:-}
if [[ -z $LOAD ]]; then
  [[ -f $BUILD_DIR/build.ninja ]] ||
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCISTERN_TESTS=OFF >/dev/null
  ninja -C "$BUILD_DIR" -j"$JOBS" rw_load >/dev/null
  LOAD=$BUILD_DIR/agent/remote/rw_load
fi
if [[ " ${ONLY[*]} " == *" cistern "* && -z ${CISTERN:-} ]]; then
  if [[ -f $CISTERN_BUILD_DIR/build.ninja ]] &&
    ! ninja -C "$CISTERN_BUILD_DIR" -j"$JOBS" cistern >"$TMP/cistern-build.log" 2>&1; then
    echo "cistern: build in $CISTERN_BUILD_DIR failed (using the binary there, if any):" >&2
    grep -m5 -E 'error:|FAILED' "$TMP/cistern-build.log" >&2 || true
  fi
  for c in "$CISTERN_BUILD_DIR/agent/cistern" "$CISTERN_BUILD_DIR/cistern"; do
    [[ -x $c ]] && { CISTERN=$c; break; }
  done
fi
CISTERN=${CISTERN:-}
if [[ " ${ONLY[*]} " == *" cistern "* && -z $CISTERN ]]; then
  echo "cistern: no binary (set CISTERN or build $CISTERN_BUILD_DIR): left out" >&2
  keep=()
  for k in "${ONLY[@]}"; do [[ $k == cistern ]] || keep+=("$k"); done
  ONLY=("${keep[@]}")
fi
((${#ONLY[@]})) || { echo "promql_bench.sh: nothing to run" >&2; exit 1; }

# The load's parameters; with --data, those of the data kept there.
CONF="series=$SERIES hours=$LOAD_HOURS interval=$INTERVAL histograms=$HISTOGRAMS"
if [[ -n $DATA ]]; then
  mkdir -p "$DATA"
  DATA=$(cd "$DATA" && pwd)
  if [[ -f $DATA/load.conf ]]; then
    [[ $(sed -n 1p "$DATA/load.conf") == "$CONF" ]] ||
      { echo "promql_bench.sh: $DATA holds another load ($(sed -n 1p "$DATA/load.conf")); want $CONF" >&2; exit 2; }
  else
    printf '%s\n%s\n' "$CONF" "$(date +%s%3N)" >"$DATA/load.conf"
  fi
  END_MS=$(sed -n 2p "$DATA/load.conf")
else
  DATA=$TMP
  END_MS=$(date +%s%3N)
fi

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# wait_http URL SECONDS PID: false if PID exits or the time is up.
wait_http() {
  local i
  for ((i = 0; i < $2 * 5; i++)); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}
forget() {
  local p keep=()
  for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}
field() { grep -o "\b$1=[^ ]*" <<<"$2" | head -1 | cut -d= -f2 || true; }
# probe URL: the HTTP code of an empty remote-write request (snappy of zero bytes).
probe() {
  printf '\0' | curl -s -o "$TMP/probe.out" -w '%{http_code}' --max-time 10 -H 'Content-Encoding: snappy' \
    -H 'Content-Type: application/x-protobuf' -H 'X-Prometheus-Remote-Write-Version: 0.1.0' --data-binary @- "$1" ||
    true
}

printf 'global:\n  scrape_interval: 1h\n' >"$TMP/prom.yml"

# start KIND DIR PORT: sets SPID, SLOG; false if it did not become ready.
start() {
  SLOG=$2.log
  mkdir -p "$2"
  case $1 in
    cistern)
      printf '[global]\ndata_dir = "%s"\n\n[http]\nlisten = "127.0.0.1:%s"\n\n[inputs.self]\nenabled = false\n' \
        "$2" "$3" >"$2.toml"
      taskset -c 1 "$CISTERN" --config "$2.toml" server >>"$SLOG" 2>&1 &
      ;;
    prometheus)
      taskset -c 1 prometheus --config.file="$TMP/prom.yml" --storage.tsdb.path="$2" \
        --web.enable-remote-write-receiver --web.listen-address="127.0.0.1:$3" >>"$SLOG" 2>&1 &
      ;;
    vm)
      taskset -c 1 victoria-metrics -storageDataPath="$2" -httpListenAddr="127.0.0.1:$3" -retentionPeriod=100y \
        -search.latencyOffset=0s -search.disableCache -search.maxQueryDuration=10m >>"$SLOG" 2>&1 &
      ;;
  esac
  SPID=$!
  PIDS+=("$SPID")
  local ready=/-/ready
  [[ $1 == vm ]] && ready=/health
  wait_http "http://127.0.0.1:$3$ready" 300 "$SPID"
}

declare -A URL SPIDS INFO
FIRST_MS= LAST_MS=
WARN=()
# prepare KIND: start it, load it (unless its data is kept from a run before), let it settle, verify.
prepare() {
  local kind=$1 dir=$DATA/$1 p m code out acc
  p=$(port)
  m="http://127.0.0.1:$p"
  if ! start "$kind" "$dir" "$p"; then
    echo "$kind: did not start; its log:" && tail -5 "$SLOG"
    return 1
  fi
  if [[ ! -s $dir.load.out ]]; then
    code=$(probe "$m/api/v1/write")
    if [[ $code != 2?? ]]; then
      echo "$kind: receiver refused an empty request (HTTP $code): $(head -c 300 "$TMP/probe.out")"
      return 1
    fi
    # In the background, so that a signal to this script ends the run at once.
    taskset -c 0 "$LOAD" "$m/api/v1/write" "$SERIES" "$LOAD_HOURS" --interval="$INTERVAL" --end-ms="$END_MS" \
      --histograms="$HISTOGRAMS" >"$dir.load.tmp" 2>"$dir.load.err" &
    local lpid=$!
    PIDS+=("$lpid")
    wait "$lpid" || true
    forget "$lpid"
    mv "$dir.load.tmp" "$dir.load.out"
    [[ -s $dir.load.err ]] && sed "s/^/$kind: /" "$dir.load.err"
  fi
  out=$(cat "$dir.load.out")
  acc=$(field accepted "$out")
  [[ -n $acc ]] || { echo "$kind: rw_load failed: $out"; rm -f "$dir.load.out"; return 1; }
  FIRST_MS=$(field first_ms "$out")
  LAST_MS=$(field last_ms "$out")
  echo "$kind: ${out%%;*}"
  case $kind in
    prometheus)
      INFO[$kind]="compactions $(python3 "$INGEST_HELPER" settle "$m" 900 15 prometheus_tsdb_compactions_total \
        prometheus_tsdb_blocks_loaded prometheus_tsdb_head_min_time prometheus_tsdb_wal_truncations_total)"
      INFO[$kind]+=" blocks=$(python3 "$INGEST_HELPER" get "$m" prometheus_tsdb_blocks_loaded)"
      INFO[$kind]+=" head_series=$(python3 "$INGEST_HELPER" get "$m" prometheus_tsdb_head_series)"
      INFO[$kind]+=" head_min_time=$(python3 "$INGEST_HELPER" get "$m" prometheus_tsdb_head_min_time)"
      ;;
    vm)
      curl -fsS -o /dev/null "$m/internal/force_flush" || INFO[$kind]="force_flush failed; "
      INFO[$kind]+="merges $(python3 "$INGEST_HELPER" settle "$m" 900 10 vm_active_merges=0 vm_pending_rows=0 vm_parts \
        vm_rows)"
      ;;
    cistern) INFO[$kind]="no settling" ;;
  esac
  # Every sample there? The range reaches one interval before the first sample.
  out=$(python3 "$HELPER" verify "$m" "$(((FIRST_MS - INTERVAL * 1000) / 1000))" \
    "$(awk -v t="$LAST_MS" 'BEGIN { printf "%.3f", t / 1000 }')" 2>>"$dir.verify.err")
  INFO[$kind]+="; verify: $out"
  if [[ $(field samples "$out") != "$acc" || $(field series "$out") != "$SERIES" ]]; then
    WARN+=("WARNING: $kind: queryable $out, but rw_load had $acc samples of $SERIES series accepted")
    [[ -s $dir.verify.err ]] && WARN+=("$kind: $(head -c 300 "$dir.verify.err")")
  fi
  [[ $acc == "$(field samples "$(cat "$dir.load.out")")" ]] ||
    WARN+=("WARNING: $kind: rw_load: only $acc of $(field samples "$(cat "$dir.load.out")") samples accepted")
  echo "$kind: ${INFO[$kind]}"
  URL[$kind]=$m
  SPIDS[$kind]=$SPID
}

echo "promql_bench: $SERIES series x $LOAD_HOURS h at ${INTERVAL}s (rw_load --histograms=$HISTOGRAMS), queries over" \
  "the last $HOURS h at ${STEP}s steps, $RUNS runs; receivers: ${ONLY[*]}; cistern: ${CISTERN:-none}" \
  "$([[ -n $CISTERN ]] && date -u -r "$CISTERN" '+(built %H:%M UTC)')" \
  "(tree now: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ', dirty'));" \
  "$(prometheus --version 2>&1 | head -1 | cut -d' ' -f1-3);" \
  "victoria-metrics $(dpkg-query -W -f '${Version}' victoria-metrics 2>/dev/null || echo '?');" \
  "$(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u '+%Y-%m-%d %H:%M UTC')"
RAN=()
for kind in "${ONLY[@]}"; do
  if prepare "$kind"; then RAN+=("$kind"); else echo "$kind: left out"; fi
done
((${#RAN[@]})) || { echo "promql_bench.sh: no receiver is ready" >&2; exit 1; }

SYSTEMS=()
for kind in cistern prometheus vm; do
  [[ -n ${URL[$kind]:-} ]] && SYSTEMS+=("$kind=${URL[$kind]}@${SPIDS[$kind]}")
done
echo "load before the queries: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
taskset -c 0 python3 "$HELPER" bench --end "$(awk -v t="$LAST_MS" 'BEGIN { printf "%.3f", t / 1000 }')" \
  --hours "$HOURS" --step "$STEP" --runs "$RUNS" "${QUERY_ARGS[@]}" "${SYSTEMS[@]}" 2>"$TMP/bench.err" || {
  echo "promql_bench.sh: the query phase failed:" >&2
  cat "$TMP/bench.err" >&2
  exit 1
}
for w in "${WARN[@]}"; do echo "$w"; done
for kind in "${RAN[@]}"; do
  errs=$(grep -iE 'level=(error|warn)|\b(error|warn)\b' "$DATA/$kind.log" | grep -viE 'SIGTERM|signal|shutting down|resetting rollup result cache' ||
    true)
  if [[ -n $errs ]]; then
    echo "$kind log: $(grep -c . <<<"$errs") error/warn lines, e.g.: $(head -1 <<<"$errs" | cut -c1-300)"
  fi
done
