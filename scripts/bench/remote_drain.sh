#!/usr/bin/env bash
# Remote-write backlog drain (issue "Forward"): a series x batches (default 10k x 40 scrapes at 15 s, ending now)
# backlog drained into a local Prometheus and into VictoriaMetrics, by cistern (one endpoint queue over a WAL,
# remote_drain_bench) and by vmagent (its remote-write queue, filled while the receiver was down), side by side.
# Receivers pinned to core 1, senders to core 0; a fresh receiver (data dir) for every drain.
#   [REPEAT=3] [SENDERS="cistern vmagent"] [VMAGENT_QUEUES=n] [KEEP_TMP=1] \
#     scripts/bench/remote_drain.sh [series=10000] [batches=40] [shards] [min_shards]
# (shards: the queue's max_shards, default the hardware threads; min_shards: default 1, where the queue starts.)
#
# vmagent's backlog: it starts with -remoteWrite.url on a port nothing listens on yet, the same shape of samples is
# pushed to its /api/v1/import/prometheus (scrape by scrape) and, once its queue stopped growing, the receiver
# starts on that port; its start-up and vmagent's retry backoff are not part of the drain.
# Measured for both senders:
#  - samples/s: first request to last answer, on the sender (cistern: the bench's own Start-to-all-sent, 10 ms
#    polls; vmagent: first byte written to last byte read, /proc/<pid>/io every 5 ms), all samples sent;
#  - rx-side/s: the receiver's ingest counter (prometheus_tsdb_head_samples_appended_total, vm_rows_inserted_total)
#    between 100 ms polls inside the drain: only for Prometheus, VictoriaMetrics refreshes its /metrics once a
#    second, longer than a drain; "received" is how many of the samples the receiver took (both receivers);
#  - CPU s per million samples over the drain (cistern: getrusage from Start to all sent; vmagent: the run time
#    in /proc/<pid>/task/*/schedstat from its first write to its last read) and RSS (cistern: VmHWM reset at
#    Start; vmagent: VmHWM reset once its backlog was queued); RSS(life): the process' peak.
# Then what the receiver refused (its counters and log) and what vmagent dropped.
set -euo pipefail
cd "$(dirname "$0")/../.."
SERIES=${1:-10000}
BATCHES=${2:-40}
BENCH_ARGS=("${@:3}")  # [shards] [min_shards]
REPEAT=${REPEAT:-3}      # drains per sender and receiver (a drain takes about a second: noisy)
SENDERS=${SENDERS:-cistern vmagent}
TOTAL=$((SERIES * BATCHES))
BUILD_DIR=${BUILD_DIR:-build/release}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCISTERN_TESTS=OFF >/dev/null
ninja -C "$BUILD_DIR" -j2 remote_drain_bench >/dev/null
BENCH=$BUILD_DIR/agent/remote/remote_drain_bench
HELPER=scripts/bench/remote_drain_helper.py
helper() { python3 "$HELPER" "$@"; }
TMP=$(mktemp -d)
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    timeout 10 tail --pid="$p" -f /dev/null 2>/dev/null || kill -9 "$p" 2>/dev/null || true
  done
  if [[ -n ${KEEP_TMP:-} ]]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export TMPDIR=$TMP  # the bench's WAL
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# wait_http URL SECONDS
wait_http() {
  local i
  for ((i = 0; i < $2 * 5; i++)); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "timed out waiting for $1" >&2
  return 1
}
# wait_file FILE WORD SECONDS
wait_file() {
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    grep -qs "$2" "$1" && return 0
    sleep 0.1
  done
  echo "timed out waiting for '$2' in $1" >&2
  return 1
}
# forget PID: it exited (and was waited for), the cleanup must not signal its number.
forget() {
  local p keep=()
  for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}
# stop PID: SIGTERM, then (bounded) wait for it to exit.
stop() {
  kill "$1" 2>/dev/null || true
  timeout 15 tail --pid="$1" -f /dev/null 2>/dev/null || kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  forget "$1"
}
field() { grep -o "\b$1=[^ ]*" <<<"$2" | head -1 | cut -d= -f2; }

printf 'global:\n  scrape_interval: 1h\n' >"$TMP/prom.yml"
# start_receiver KIND PORT NAME: sets RPID, RLOG.
start_receiver() {
  RLOG=$TMP/$3.log
  if [[ $1 == prometheus ]]; then
    taskset -c 1 prometheus --config.file="$TMP/prom.yml" --storage.tsdb.path="$TMP/$3" \
      --web.enable-remote-write-receiver --web.listen-address="127.0.0.1:$2" >"$RLOG" 2>&1 &
    RPID=$!
    PIDS+=("$RPID")
    wait_http "http://127.0.0.1:$2/-/ready" 30
  else
    taskset -c 1 victoria-metrics -storageDataPath="$TMP/$3" -httpListenAddr="127.0.0.1:$2" >"$RLOG" 2>&1 &
    RPID=$!
    PIDS+=("$RPID")
    wait_http "http://127.0.0.1:$2/health" 30
  fi
}
counter_of() {
  [[ $1 == prometheus ]] && echo prometheus_tsdb_head_samples_appended_total || echo vm_rows_inserted_total
}
# receiver_notes KIND PORT: what the receiver refused or dropped (metrics and log lines).
receiver_notes() {
  local m="http://127.0.0.1:$2" n
  if [[ $1 == prometheus ]]; then
    n="ooo=$(helper get "$m" prometheus_tsdb_out_of_order_samples_total)"
    n+=" out_of_bounds=$(helper get "$m" prometheus_tsdb_out_of_bound_samples_total)"
    n+=" too_old=$(helper get "$m" prometheus_tsdb_too_old_samples_total)"
  else
    n="invalid=$(helper get "$m" vm_rows_invalid_total)"
    n+=" ignored=$(helper get "$m" vm_rows_ignored_total)"
  fi
  n+=" log_errors=$(grep -ciE 'out of order|out of bound|duplicate|level=(error|warn)|\b(error|warn)\b' "$RLOG" ||
    true)"
  echo "$n"
}

# cistern KIND: sets C_BENCH, C_WATCH, C_NOTES.
cistern() {
  local p watch_out
  p=$(port)
  start_receiver "$1" "$p" "$1-for-cistern-$rep"
  watch_out=$TMP/$1-cistern-$rep.watch
  taskset -c 1 python3 "$HELPER" watch "http://127.0.0.1:$p/metrics" "$(counter_of "$1")" "$TOTAL" \
    >"$watch_out" 2>"$watch_out.err" &
  local wpid=$!
  PIDS+=("$wpid")
  wait_file "$watch_out.err" ready 10
  if ! C_BENCH=$(timeout 150 taskset -c 0 "$BENCH" "http://127.0.0.1:$p/api/v1/write" "$SERIES" "$BATCHES" \
    "${BENCH_ARGS[@]}"); then
    echo "remote_drain_bench failed: $C_BENCH" >&2
    stop "$wpid"
  fi
  wait "$wpid" || true
  forget "$wpid"
  C_WATCH=$(cat "$watch_out")
  C_NOTES=$(receiver_notes "$1" "$p")
  stop "$RPID"
}

# vmagent_drain KIND: sets V_WATCH, V_NOTES, V_INFO, V_BUILD_CPU.
vmagent_drain() {
  local p va q=$TMP/vmagent-q-$1-$rep vlog=$TMP/vmagent-$1-$rep.log
  local watch_out=$TMP/$1-vmagent-$rep.watch cpu0 m
  p=$(port)  # the receiver's; nothing listens there until the backlog is queued
  va=$(port)
  m="http://127.0.0.1:$va"
  # -loggerLevel=ERROR: no "connection refused, retrying" lines, so its first write is its first request.
  taskset -c 0 vmagent -remoteWrite.url="http://127.0.0.1:$p/api/v1/write" -remoteWrite.tmpDataPath="$q" \
    -httpListenAddr="127.0.0.1:$va" -loggerLevel=ERROR ${VMAGENT_QUEUES:+-remoteWrite.queues=$VMAGENT_QUEUES} \
    >"$vlog" 2>&1 &
  local vpid=$!
  PIDS+=("$vpid")
  wait_http "$m/health" 30
  cpu0=$(helper cpu "$vpid")
  taskset -c 1 python3 "$HELPER" push "$m/api/v1/import/prometheus" "$SERIES" "$BATCHES"
  taskset -c 1 python3 "$HELPER" settle "$m" vmagent_remotewrite_pending_data_bytes \
    vmagent_remotewrite_rows_pushed_after_relabel_total >/dev/null
  V_BUILD_CPU=$(awk -v a="$cpu0" -v b="$(helper cpu "$vpid")" 'BEGIN { print b - a }')
  V_INFO="queued=$(helper get "$m" vmagent_remotewrite_rows_pushed_after_relabel_total)"
  V_INFO+=" queues=$(helper get "$m" vmagent_remotewrite_queues)"
  V_INFO+=" pending_bytes=$(helper get "$m" vmagent_remotewrite_pending_data_bytes)"
  V_INFO+=" on_disk_bytes=$(helper get "$m" vm_persistentqueue_bytes_pending)"
  # Baselines (CPU, I/O, VmHWM reset) now; the drain starts when the receiver is up and vmagent's next retry lands.
  taskset -c 1 python3 "$HELPER" watch "http://127.0.0.1:$p/metrics" "$(counter_of "$1")" "$TOTAL" "$vpid" \
    >"$watch_out" 2>"$watch_out.err" &
  local wpid=$!
  PIDS+=("$wpid")
  wait_file "$watch_out.err" ready 10
  start_receiver "$1" "$p" "$1-for-vmagent-$rep"
  wait "$wpid" || true
  forget "$wpid"
  V_WATCH=$(cat "$watch_out")
  V_NOTES=$(receiver_notes "$1" "$p")
  V_INFO+=" non2xx=$(curl -fsS "$m/metrics" | awk '/^vmagent_remotewrite_requests_total/ && !/2XX/ { s += $NF }
    END { print s + 0 }')"
  V_INFO+=" blocks_dropped=$(helper get "$m" vmagent_remotewrite_packets_dropped_total)"
  V_INFO+=" retries=$(helper get "$m" vmagent_remotewrite_retries_count_total)"
  V_INFO+=" log_errors=$(grep -ciE '\b(error|warn)\b' "$vlog" || true)"
  stop "$vpid"
  stop "$RPID"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2fx", a / b; else printf "-" }'; }
per_m() { awk -v c="$1" -v n="$2" 'BEGIN { printf "%.3f", c / (n / 1e6) }'; }
# Values per "receiver.sender.column", over the repetitions; the table shows medians (received: the least).
declare -A VALS
add() { VALS[$1]+="${VALS[$1]:+ }$2"; }
median() {
  tr ' ' '\n' <<<"${VALS[$1]:-}" | grep -E '^[0-9.]+$' | sort -g | awk '{ a[NR] = $1 }
    END { if (!NR) { print "-"; exit } m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
          printf(m >= 1000 ? "%.0f\n" : m >= 10 ? "%.1f\n" : "%.2g\n", m) }'
}
least() { tr ' ' '\n' <<<"${VALS[$1]:-}" | grep -E '^[0-9]+$' | sort -n | head -1; }
row() { printf '%-16s %-8s %11s %11s %9s %9s %10s %9s %10s\n' "$@"; }

echo "backlog: $SERIES series x $BATCHES scrapes = $TOTAL samples; bench args: ${BENCH_ARGS[*]:-(defaults)};" \
  "vmagent queues: ${VMAGENT_QUEUES:-(default)}; repeat: $REPEAT; $(nproc) cores;" \
  "load: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((rep = 1; rep <= REPEAT; rep++)); do
  for kind in prometheus victoriametrics; do
    if [[ " $SENDERS " == *" cistern "* ]]; then
      cistern "$kind"
      add "$kind.c.rate" "$(field rate "$C_BENCH")"
      add "$kind.c.rx" "$(field rate "$C_WATCH")"
      add "$kind.c.cpu" "$(field cpu_s_per_m "$C_BENCH")"
      add "$kind.c.rss" "$(field drain_rss_mib "$C_BENCH")"
      add "$kind.c.life" "$(field rss_mib "$C_BENCH")"
      add "$kind.c.recv" "$(field received "$C_WATCH")"
      add "$kind.c.build" "$(field wal_cpu_s_per_m "$C_BENCH")"
      echo "#$rep $kind cistern: ${C_BENCH#*; }"
      echo "#$rep $kind cistern: receiver side: $C_WATCH; receiver: $C_NOTES"
    fi
    [[ " $SENDERS " == *" vmagent "* ]] || continue
    vmagent_drain "$kind"
    add "$kind.v.rate" "$(field sender_rate "$V_WATCH")"
    add "$kind.v.rx" "$(field rate "$V_WATCH")"
    add "$kind.v.cpu" "$(per_m "$(field drain_cpu_s "$V_WATCH")" "$TOTAL")"
    add "$kind.v.rss" "$(field drain_rss_mib "$V_WATCH")"
    add "$kind.v.life" "$(field rss_mib "$V_WATCH")"
    add "$kind.v.recv" "$(field received "$V_WATCH")"
    add "$kind.v.build" "$(per_m "$V_BUILD_CPU" "$TOTAL")"
    echo "#$rep $kind vmagent: $V_INFO"
    echo "#$rep $kind vmagent: watch: $V_WATCH; receiver: $V_NOTES"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
row receiver sender "samples/s" "rx-side/s" "CPU s/M" "RSS MiB" "RSS(life)" received "build s/M"
for kind in prometheus victoriametrics; do
  for s in c v; do
    row "$([[ $s == c ]] && echo "$kind")" "$([[ $s == c ]] && echo cistern || echo vmagent)" \
      "$(median "$kind.$s.rate")" "$(median "$kind.$s.rx")" "$(median "$kind.$s.cpu")" "$(median "$kind.$s.rss")" \
      "$(median "$kind.$s.life")" "$(least "$kind.$s.recv")" "$(median "$kind.$s.build")"
  done
  r=()
  for col in rate rx cpu rss life; do r+=("$(ratio "$(median "$kind.c.$col")" "$(median "$kind.v.$col")")"); done
  row "" "c/v" "${r[@]}" "" "$(ratio "$(median "$kind.c.build")" "$(median "$kind.v.build")")"
done
cat <<'EOF'
Medians over the repetitions (received: the fewest); c/v = cistern / vmagent.
samples/s: the drain, first request to last answer (cistern: the bench's QueueManager Start to all sent;
  vmagent: its first socket write to its last read, /proc/<pid>/io every 5 ms), all samples sent, delivered or not.
rx-side/s: the receiver's ingest counter, between 100 ms polls inside the drain ("-": no two polls inside it;
  VictoriaMetrics caches /metrics for 1 s). CPU s/M and RSS: over the drain only. RSS(life): the process' peak.
build s/M: CPU to build the backlog, not comparable (cistern: WAL appends in-process; vmagent: HTTP import, text
  parsing, encoding and compressing the requests it later sends as they are).
EOF
