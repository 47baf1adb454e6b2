#!/usr/bin/env bash
# Remote-write ingestion, side by side: the same node_exporter-like load (rw_load: ~520 series per host, 8-11
# labels, 15 s scrapes ending now, sent like an agent: series sharded over 4 connections, each series in
# timestamp order, requests of 2000 samples grouped by series) into `cistern server`, Prometheus and
# VictoriaMetrics, one after the other, each on a fresh data dir, the receiver pinned to core 1 and the load
# to core 0.
#   [BUILD_DIR=build/release] [CISTERN=path | CISTERN_BUILD_DIR=build/release] [PROM_OOO_WINDOW=6h]
#   [JOBS=2] [KEEP_TMP=1] scripts/bench/tsdb_ingest.sh [--quick] [--only cistern|prometheus|vm]...
#     [--scenario A|B]
# Scenarios: A 10k series x 6 h (14.4M samples), B 100k series x 1 h (24M samples); --quick: a tenth of the
# series (same hours). --only and --scenario may be repeated; default: all three receivers, both scenarios.
#
# Per receiver and scenario:
#  - ingest: rw_load's first request to last answer; the receiver's CPU (utime + stime, /proc/<pid>/stat)
#    over that window, and again until the data is persisted (below): samples accepted per CPU second;
#  - peak RSS: VmHWM right after the ingest (start-up included, the query check not), and per series;
#  - persisted bytes per sample:
#      cistern:     the data dir after a graceful stop (SIGTERM) - the layout is not final: its subdirs are
#                   listed; "blocks": a blocks/ subdir if there is one, else everything but wal/;
#      Prometheus:  once its compactions settled: "dir" is the data dir (blocks + WAL + head chunks), "blocks"
#                   the blocks alone (its head keeps the last ~3 h in memory and WAL only); "persisted" is a
#                   snapshot (POST /api/v1/admin/tsdb/snapshot), which writes the head as one more block;
#      VictoriaMetrics: GET /internal/force_flush, then once its merges settled, data/ + indexdb/ ("dir" and
#                   "blocks" the same; the size after its stop, with the caches it writes then, in the log);
#  - queryable: sum(count_over_time(NAME[hours+1h])) per node_* metric name at the newest timestamp (one
#    query over all names fails in Prometheus), summed; cistern: after a restart on the same data dir,
#    "n/a" while it has no PromQL API.
# cistern runs with [inputs.self] disabled (Prometheus and VictoriaMetrics do not scrape themselves here) and
# [storage] out_of_order_window = "6h"; Prometheus gets the same window (storage.tsdb.out_of_order_time_window
# in its config file: PROM_OOO_WINDOW= leaves it out); VictoriaMetrics needs no window.
set -euo pipefail
cd "$(dirname "$0")/../.."
QUICK=
ONLY=()
SCENARIOS=()
while (($#)); do
  case $1 in
    --quick) QUICK=1 ;;
    --only) ONLY+=("${2:?--only needs cistern, prometheus or vm}"); shift ;;
    --only=*) ONLY+=("${1#--only=}") ;;
    --scenario) SCENARIOS+=("${2:?--scenario needs A or B}"); shift ;;
    --scenario=*) SCENARIOS+=("${1#--scenario=}") ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "tsdb_ingest.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
((${#ONLY[@]})) || ONLY=(cistern prometheus vm)
((${#SCENARIOS[@]})) || SCENARIOS=(A B)
for k in "${ONLY[@]}"; do
  [[ $k =~ ^(cistern|prometheus|vm)$ ]] || { echo "tsdb_ingest.sh: --only $k: cistern, prometheus or vm" >&2; exit 2; }
done
for s in "${SCENARIOS[@]}"; do
  [[ $s =~ ^[AB]$ ]] || { echo "tsdb_ingest.sh: --scenario $s: A or B" >&2; exit 2; }
done
declare -A SERIES=([A]=10000 [B]=100000) HOURS=([A]=6 [B]=1)
if [[ -n $QUICK ]]; then SERIES=([A]=1000 [B]=10000); fi
PROM_OOO_WINDOW=${PROM_OOO_WINDOW-6h}
JOBS=${JOBS:-2}
BUILD_DIR=${BUILD_DIR:-build/release}
CISTERN_BUILD_DIR=${CISTERN_BUILD_DIR:-build/release}
HELPER=scripts/bench/tsdb_ingest_helper.py
helper() { taskset -c 0 python3 "$HELPER" "$@"; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/hbench-tsdb-ingest.XXXXXX")
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    timeout 30 tail --pid="$p" -f /dev/null 2>/dev/null || kill -9 "$p" 2>/dev/null || true
  done
  if [[ -n ${KEEP_TMP:-} ]]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[[ -f $BUILD_DIR/build.ninja ]] ||
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCISTERN_TESTS=OFF >/dev/null
ninja -C "$BUILD_DIR" -j"$JOBS" rw_load >/dev/null
LOAD=$BUILD_DIR/agent/remote/rw_load
if [[ " ${ONLY[*]} " == *" cistern "* && -z ${CISTERN:-} ]]; then
  if [[ -f $CISTERN_BUILD_DIR/build.ninja ]] &&
    ! ninja -C "$CISTERN_BUILD_DIR" -j"$JOBS" cistern >"$TMP/cistern-build.log" 2>&1; then
    echo "cistern: build in $CISTERN_BUILD_DIR failed (using the binary there, if any):" >&2
    grep -m5 -E 'error|FAILED' "$TMP/cistern-build.log" >&2 || true
  fi
  for c in "$CISTERN_BUILD_DIR/agent/cistern" "$CISTERN_BUILD_DIR/cistern"; do
    [[ -x $c ]] && { CISTERN=$c; break; }
  done
fi
CISTERN=${CISTERN:-}

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
# stop PID: SIGTERM, then (bounded) wait for it to exit; STOPPED: the helper's term_cpu line (its last CPU).
stop() {
  STOPPED=$(helper term_cpu "$1" 120) || kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  forget "$1"
}
field() { grep -o "\b$1=[^ ]*" <<<"$2" | head -1 | cut -d= -f2 || true; }
du_b() { if [[ -e $1 ]]; then du -sb "$1" | cut -f1; else echo 0; fi; }
# subdirs DIR: "name=bytes ..." of its entries.
subdirs() {
  local e out=()
  for e in "$1"/*; do [[ -e $e ]] && out+=("$(basename "$e")=$(du_b "$e")"); done
  echo "${out[*]:-(empty)}"
}
# probe URL: the HTTP code of an empty remote-write request (snappy of zero bytes).
probe() {
  printf '\0' | curl -s -o "$TMP/probe.out" -w '%{http_code}' --max-time 10 -H 'Content-Encoding: snappy' \
    -H 'Content-Type: application/x-protobuf' -H 'X-Prometheus-Remote-Write-Version: 0.1.0' --data-binary @- "$1" ||
    true
}

printf 'global:\n  scrape_interval: 1h\n' >"$TMP/prom.yml"
[[ -n $PROM_OOO_WINDOW ]] &&
  printf 'storage:\n  tsdb:\n    out_of_order_time_window: %s\n' "$PROM_OOO_WINDOW" >>"$TMP/prom.yml"

# start KIND DIR PORT: sets SPID, SLOG; false if it did not become ready.
start() {
  SLOG=$2.log
  case $1 in
    cistern)
      printf '[global]\ndata_dir = "%s"\n\n[http]\nlisten = "127.0.0.1:%s"\nenable_admin_api = true\n\n[storage]\nout_of_order_window = "6h"\n\n[inputs.self]\nenabled = false\n' \
        "$2" "$3" >"$2.toml"
      taskset -c 1 "$CISTERN" --config "$2.toml" server >>"$SLOG" 2>&1 &
      ;;
    prometheus)
      taskset -c 1 prometheus --config.file="$TMP/prom.yml" --storage.tsdb.path="$2" \
        --web.enable-remote-write-receiver --web.enable-admin-api --web.listen-address="127.0.0.1:$3" >>"$SLOG" 2>&1 &
      ;;
    vm)
      # -search.latencyOffset=0s: instant queries near now see the last 30 s too (default: they do not).
      taskset -c 1 victoria-metrics -storageDataPath="$2" -httpListenAddr="127.0.0.1:$3" -retentionPeriod=100y \
        -search.latencyOffset=0s -search.maxQueryDuration=10m >>"$SLOG" 2>&1 &
      ;;
  esac
  SPID=$!
  PIDS+=("$SPID")
  local ready=/-/ready
  [[ $1 == vm ]] && ready=/health
  wait_http "http://127.0.0.1:$3$ready" 120 "$SPID"
}

declare -A V       # "$scenario.$kind.$column" -> value
declare -A NOTE    # "$scenario.$kind" -> why there is no row
# run KIND SCENARIO
run() {
  local kind=$1 sc=$2 dir=$TMP/$1-$2 p m code out cpu0 cpu1 cpu2 end last at samples acc
  local dir_b=0 blocks_b=0 blocks_samples persisted_b=0 detail=""
  mkdir -p "$dir"
  p=$(port)
  m="http://127.0.0.1:$p"
  if [[ $kind == cistern && -z $CISTERN ]]; then
    echo "cistern: no binary (set CISTERN or build $CISTERN_BUILD_DIR)"
    NOTE[$sc.$kind]="no binary"
    return 0
  fi
  if ! start "$kind" "$dir" "$p"; then
    echo "$kind: did not start; its log:" && tail -5 "$SLOG"
    [[ $kind == cistern ]] && echo "cistern: receiver not available yet (HTTP 000)"
    stop "$SPID"
    NOTE[$sc.$kind]="did not start"
    return 0
  fi
  code=$(probe "$m/api/v1/write")
  if [[ $code != 2?? ]]; then
    if [[ $kind == cistern ]]; then
      echo "cistern: receiver not available yet (HTTP $code)"
    else
      echo "$kind: receiver refused an empty request (HTTP $code): $(head -c 300 "$TMP/probe.out")"
    fi
    stop "$SPID"
    NOTE[$sc.$kind]="receiver not available (HTTP $code)"
    return 0
  fi
  cpu0=$(helper cpu "$SPID")
  end=$(date +%s%3N)
  # In the background, so that a signal to this script ends the run at once.
  taskset -c 0 "$LOAD" "$m/api/v1/write" "${SERIES[$sc]}" "${HOURS[$sc]}" --end-ms="$end" >"$dir.load.out" \
    2>"$dir.load.err" &
  local lpid=$!
  PIDS+=("$lpid")
  wait "$lpid" || true
  forget "$lpid"
  out=$(cat "$dir.load.out")
  cpu1=$(helper cpu "$SPID")
  V[$sc.$kind.hwm]=$(helper hwm "$SPID")
  [[ -s $dir.load.err ]] && sed "s/^/$kind: /" "$dir.load.err"
  echo "$kind $sc: ${out%%;*}"
  samples=$(field samples "$out")
  acc=$(field accepted "$out")
  last=$(field last_ms "$out")
  if [[ -z $acc ]]; then
    echo "$kind: rw_load failed: $out"
    stop "$SPID"
    NOTE[$sc.$kind]="rw_load failed"
    return 0
  fi
  at=$(awk -v t="$last" 'BEGIN { printf "%.3f", t / 1000 }')
  V[$sc.$kind.acc]=$acc
  V[$sc.$kind.samples]=$samples
  V[$sc.$kind.secs]=$(field secs "$out")
  V[$sc.$kind.rejected]=$(($(field rejected "$out") + $(field failed "$out")))
  V[$sc.$kind.cpu]=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { print b - a }')
  blocks_samples=$acc
  detail+="server CPU over the ingest ${V[$sc.$kind.cpu]} s, rw_load's $(field cpu_s "$out") s; "

  # Persist.
  case $kind in
    prometheus)
      detail+="compactions $(helper settle "$m" 600 5 prometheus_tsdb_compactions_total prometheus_tsdb_blocks_loaded \
        prometheus_tsdb_head_min_time prometheus_tsdb_wal_truncations_total); "
      cpu2=$(helper cpu "$SPID")
      dir_b=$(du_b "$dir")
      local bl
      bl=$(helper blocks "$dir")
      if [[ $(field blocks "$bl") != 0 ]]; then
        blocks_b=$(field bytes "$bl")
        blocks_samples=$(field samples "$bl")
      else
        blocks_b=-
      fi
      detail+="before the snapshot: $bl, $(subdirs "$dir"); "
      detail+="out_of_bounds=$(helper get "$m" prometheus_tsdb_out_of_bound_samples_total)"
      detail+=" out_of_order=$(helper get "$m" prometheus_tsdb_out_of_order_samples_total)"
      detail+=" too_old=$(helper get "$m" prometheus_tsdb_too_old_samples_total)"
      detail+=" ooo_appended=$(helper get "$m" prometheus_tsdb_head_out_of_order_samples_appended_total); "
      local snap
      snap=$(curl -fsS -X POST "$m/api/v1/admin/tsdb/snapshot" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["name"])') || snap=
      cpu2=$(helper cpu "$SPID")
      if [[ -n $snap ]]; then
        persisted_b=$(du_b "$dir/snapshots/$snap")
        detail+="snapshot (head as a block): $(helper blocks "$dir/snapshots/$snap"); "
      else
        detail+="snapshot failed; "
      fi
      ;;
    vm)
      curl -fsS -o /dev/null "$m/internal/force_flush" || detail+="force_flush failed; "
      detail+="merges $(helper settle "$m" 900 5 vm_active_merges=0 vm_pending_rows=0 vm_parts vm_rows); "
      cpu2=$(helper cpu "$SPID")
      detail+="rows=$(helper get "$m" 'vm_rows{storage/') parts=$(helper get "$m" 'vm_parts{storage/') "
      detail+="invalid=$(helper get "$m" vm_rows_invalid_total); "
      # And until data/ + indexdb/ stopped growing (one run saw force_flush's parts land after the settle).
      local i prev=-1
      for ((i = 0; i < 30; i++)); do
        dir_b=$(($(du_b "$dir/data") + $(du_b "$dir/indexdb")))
        [[ $dir_b == "$prev" ]] && break
        prev=$dir_b
        sleep 2
      done
      cpu2=$(helper cpu "$SPID")
      blocks_b=$dir_b
      persisted_b=$dir_b
      detail+="flushed: $(subdirs "$dir"); "
      ;;
    cistern)
      # Like Prometheus: the data dir as it is (WAL + any blocks), then a
      # snapshot, which writes the head as a block: the persisted size.
      dir_b=$(du_b "$dir")
      local e
      for e in "$dir"/*; do [[ $e == "$dir/wal" || $e == "$dir/lock" ]] || blocks_b=$((blocks_b + $(du_b "$e"))); done
      ((blocks_b > 0)) || blocks_b=-
      detail+="before the snapshot: $(subdirs "$dir"); "
      local snap
      snap=$(curl -fsS -X POST "$m/api/v1/admin/tsdb/snapshot" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["name"])') || snap=
      if [[ -n $snap ]]; then
        persisted_b=$(du_b "$dir/snapshots/$snap")
        detail+="snapshot (head as a block): $persisted_b bytes; "
      else
        persisted_b=$dir_b
        detail+="snapshot failed (persisted = data dir); "
      fi
      stop "$SPID"
      cpu2=$(field cpu_s "$STOPPED")
      detail+="stopped in $(field secs "$STOPPED") s; "
      ;;
  esac
  V[$sc.$kind.cpu2]=$(awk -v a="$cpu0" -v b="$cpu2" 'BEGIN { print b - a }')
  V[$sc.$kind.dir]=$dir_b
  V[$sc.$kind.blocks]=$blocks_b
  V[$sc.$kind.blocks_samples]=$blocks_samples
  V[$sc.$kind.persisted]=$persisted_b

  # Queryable?
  if [[ $kind == cistern ]] && ! start cistern "$dir" "$p"; then
    out="samples=n/a http=000"
    detail+="restart failed: $(tail -1 "$SLOG"); "
  else
    out=$(helper count "$m" "$at" "$((HOURS[$sc] + 1))h" 2>>"$dir.count.err")
  fi
  V[$sc.$kind.queried]=$(field samples "$out")
  detail+="query: $out"
  [[ $(field http "$out") == 404 ]] && detail+=" (no PromQL API yet)"
  if [[ " ${PIDS[*]} " == *" $SPID "* ]]; then stop "$SPID"; fi
  if [[ $kind == vm ]]; then detail+="; after stop: $(subdirs "$dir") total=$(du_b "$dir")"; fi
  local errs
  errs=$(grep -iE 'level=(error|warn)|\b(error|warn)\b' "$SLOG" | grep -viE 'SIGTERM|signal|shutting down' || true)
  echo "$kind $sc: $detail; log error/warn lines: $(grep -c . <<<"$errs" || true)"
  if [[ -n $errs ]]; then head -2 <<<"$errs" | cut -c1-300 | sed "s/^/$kind log: /"; fi
  if [[ -s $dir.count.err ]]; then sed "s/^/$kind: /" "$dir.count.err" | head -3; fi
  rm -rf "$dir"
}

echo "tsdb_ingest: scenarios ${SCENARIOS[*]}$([[ -n $QUICK ]] && echo ' (quick: a tenth of the series)'):" \
  "$(for s in "${SCENARIOS[@]}"; do echo -n "$s=${SERIES[$s]}x${HOURS[$s]}h "; done)receivers: ${ONLY[*]};" \
  "cistern: ${CISTERN:-none}; $(prometheus --version 2>&1 | head -1 | cut -d' ' -f1-3);" \
  "victoria-metrics $(dpkg-query -W -f '${Version}' victoria-metrics 2>/dev/null || echo '?');" \
  "$(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for sc in "${SCENARIOS[@]}"; do
  for kind in "${ONLY[@]}"; do run "$kind" "$sc"; done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

num() { awk -v x="$1" 'BEGIN { if (x == "" || x == "-") { print "-"; exit } printf(x >= 1e5 ? "%.0f" : x >= 100 ? "%.0f" : x >= 10 ? "%.1f" : "%.2f", x) }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 <= 0 || a == "-") print "-"; else print a / b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2fx", a / b; else printf "-" }'; }
row() { printf '%-11s %9s %8s %10s %10s %10s %9s %8s %9s %8s %8s %14s\n' "$@"; }
declare -A C  # computed columns
echo
for sc in "${SCENARIOS[@]}"; do
  echo "scenario $sc: ${SERIES[$sc]} series x ${HOURS[$sc]} h at 15 s ($((SERIES[$sc] * HOURS[$sc] * 240)) samples)"
  row receiver "accepted" "wall s" "samples/s" "/CPU-s" "/CPU-s+p" "RSS MiB" "B/series" "B/sample" "dir B/s" \
    "blk B/s" "queryable"
  for kind in "${ONLY[@]}"; do
    k=$sc.$kind
    if [[ -z ${V[$k.acc]:-} ]]; then
      row "$kind" "-" "" "" "" "" "" "" "" "" "" "${NOTE[$k]:-}"
      continue
    fi
    acc=${V[$k.acc]}
    C[$k.rate]=$(div "$acc" "${V[$k.secs]}")
    C[$k.per_cpu]=$(div "$acc" "${V[$k.cpu]}")
    C[$k.per_cpu2]=$(div "$acc" "${V[$k.cpu2]}")
    C[$k.rss]=$(div "${V[$k.hwm]}" 1048576)
    C[$k.rss_series]=$(div "${V[$k.hwm]}" "${SERIES[$sc]}")
    C[$k.bps]=$(div "${V[$k.persisted]}" "$acc")
    C[$k.dir_bps]=$(div "${V[$k.dir]}" "$acc")
    C[$k.blk_bps]=$(div "${V[$k.blocks]}" "${V[$k.blocks_samples]}")
    q=${V[$k.queried]:-n/a}
    if [[ $q == n/a ]]; then :
    elif [[ $q == "$acc" ]]; then q="all"
    else q="NO: $q"
    fi
    [[ $acc == "${V[$k.samples]}" ]] || acc="$acc!"
    row "$kind" "$acc" "$(num "${V[$k.secs]}")" "$(num "${C[$k.rate]}")" "$(num "${C[$k.per_cpu]}")" \
      "$(num "${C[$k.per_cpu2]}")" "$(num "${C[$k.rss]}")" "$(num "${C[$k.rss_series]}")" "$(num "${C[$k.bps]}")" \
      "$(num "${C[$k.dir_bps]}")" "$(num "${C[$k.blk_bps]}")" "$q"
  done
  if [[ -n ${V[$sc.cistern.acc]:-} ]]; then
    for kind in prometheus vm; do
      [[ -n ${V[$sc.$kind.acc]:-} ]] || continue
      r=("$(ratio "${V[$sc.$kind.secs]}" "${V[$sc.cistern.secs]}")")
      for col in rate per_cpu per_cpu2 rss rss_series bps dir_bps blk_bps; do
        r+=("$(ratio "${C[$sc.$kind.$col]}" "${C[$sc.cistern.$col]}")")
      done
      row "$kind/c" "" "${r[@]}" ""
    done
  else
    echo "(no ratios: cistern did not run)"
  fi
  echo
done
cat <<'EOF'
accepted: samples in 2xx answers ("!": fewer than sent). wall s: first request to last answer. /CPU-s: samples
  per CPU second of the receiver (utime + stime) over the ingest; /CPU-s+p: until persisted (Prometheus: its
  compactions and the snapshot; VictoriaMetrics: force_flush and its merges; cistern: the snapshot and its graceful stop).
RSS MiB: VmHWM after the ingest; B/series: that per series. B/sample: persisted bytes per sample (cistern: data
  and Prometheus: the snapshot, head included; VictoriaMetrics: data/ + indexdb/ after flush and
  merges); dir B/s: the data dir (Prometheus: blocks + WAL + head chunks); blk B/s: blocks only, per sample
  they hold (Prometheus: numSamples of their meta.json, "-": no block yet; cistern: blocks/ or all but wal/,
  per sample accepted). queryable: count_over_time over all node_* series equals accepted ("all").
x/c rows: that receiver's figure / cistern's (wall s, RSS and disk: above 1 is worse than cistern; samples/s
  and /CPU-s: above 1 is better).
EOF
