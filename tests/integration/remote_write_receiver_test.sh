#!/usr/bin/env bash
# The agent forwards to a real receiver and survives an outage of it:
# collection goes on into the WAL, and once the receiver is back every sample
# arrives, none rejected. oldest_first: in order. live_first: fresh samples
# reach the receiver while the backlog still drains behind them (the
# receiver accepts out-of-order samples: Prometheus with an out-of-order
# window, VictoriaMetrics always).
#   remote_write_receiver_test.sh CISTERN prometheus|victoriametrics [oldest_first|live_first]
source "$(dirname "$0")/lib.sh"
RECEIVER=${2:?receiver: prometheus or victoriametrics}
MODE=${3:-oldest_first}

PPORT=$(free_port)
APORT=$(free_port)
mkdir -p "$TMP/recv"
case $RECEIVER in
  prometheus)
    BIN=prometheus
    printf 'global:\n  scrape_interval: 1h\n' >"$TMP/prom.yml"
    [ "$MODE" = live_first ] && printf 'storage:\n  tsdb:\n    out_of_order_time_window: 1h\n' >>"$TMP/prom.yml"
    start_receiver() {
      prometheus --config.file="$TMP/prom.yml" --storage.tsdb.path="$TMP/recv" --web.enable-remote-write-receiver \
        --web.listen-address="127.0.0.1:$PPORT" >>"$TMP/recv.log" 2>&1 &
      PROM=$!; PIDS+=("$PROM")
      wait_for "http://127.0.0.1:$PPORT/-/ready" 60
    }
    # A range-vector query returns the raw samples: count them all.
    count_samples() {
      curl -sS "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode 'query={agent="it"}[1h]' |
        python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(len(s["values"]) for s in d["data"]["result"]))'
    }
    ;;
  victoriametrics)
    BIN=victoria-metrics
    start_receiver() {
      victoria-metrics -storageDataPath="$TMP/recv" -httpListenAddr="127.0.0.1:$PPORT" -retentionPeriod=100y \
        $([ "$MODE" = live_first ] && echo -dedup.minScrapeInterval=1ms) >>"$TMP/recv.log" 2>&1 &
      PROM=$!; PIDS+=("$PROM")
      wait_for "http://127.0.0.1:$PPORT/health" 60
    }
    # Raw samples through the export API, after flushing ingestion buffers.
    count_samples() {
      curl -fsS "http://127.0.0.1:$PPORT/internal/force_flush" >/dev/null
      curl -sS "http://127.0.0.1:$PPORT/api/v1/export" --data-urlencode 'match[]={agent="it"}' |
        python3 -c 'import json,sys; print(sum(len(json.loads(l)["values"]) for l in sys.stdin if l.strip()))'
    }
    ;;
esac
if ! command -v "$BIN" >/dev/null; then
  echo "SKIP: $BIN not installed (scripts/setup installs it)"; exit 0
fi
# Samples per WAL segment, recorded whenever the agent is down: a segment is
# complete once the agent restarts (recovery starts a new one), and retention
# may delete it later, after every cursor passed it.
record_wal() {
  "$CISTERN" wal inspect "$TMP/data/wal" | awk '$1 ~ /^[0-9]+$/ && length($1) == 8 {print $1, $3}' >>"$TMP/segments.txt"
}
wal_samples() {  # the last count recorded for each segment, summed
  awk '{n[$1] = $2} END {s = 0; for (k in n) s += n[k]; print s}' "$TMP/segments.txt"
}
agent_metric() {
  curl -fsS "http://127.0.0.1:$APORT/metrics" | awk -v m="$1" '$1 == m {print $2}'
}

check "$RECEIVER starts" start_receiver
cat >"$TMP/agent.toml" <<TOML
[global]
data_dir = "$TMP/data"
interval = "250ms"
external_labels = { agent = "it" }
[http]
listen = "127.0.0.1:$APORT"
[[remote_write]]
url = "http://127.0.0.1:$PPORT/api/v1/write"
queue = { batch_send_deadline = "100ms", min_backoff = "20ms", max_backoff = "500ms" }
TOML
if [ "$MODE" = live_first ]; then
  # A slow drain (the backlog is a few thousand samples) leaves time to see
  # live samples arrive before it finishes.
  printf 'catch_up = "live_first"\ncatch_up_threshold = "1s"\nmax_drain_rate = 200\n' >>"$TMP/agent.toml"
fi
"$CISTERN" --config "$TMP/agent.toml" agent 2>"$TMP/agent.log" &
AGENT=$!; PIDS+=("$AGENT")
check "agent ready" wait_for "http://127.0.0.1:$APORT/-/ready"
sleep 2
for i in $(seq 1 50); do [ "$(count_samples 2>/dev/null || echo 0)" -gt 0 ] 2>/dev/null && break; sleep 0.2; done
check "samples arrive with the external label" test "$(count_samples)" -gt 0

# Outage: the receiver goes away while the agent keeps collecting.
kill -TERM "$PROM"; wait "$PROM" 2>/dev/null
sleep 3
retried=$(agent_metric 'cistern_remote_samples_retried_total{remote="127.0.0.1:'"$PPORT"'"}')
check "the agent retried during the outage (retried: ${retried:-0})" test "${retried%.*}" -gt 0
# kill -9 of the agent in the middle of the outage: it restarts on its WAL and
# its persisted cursor (persisted long after the last delivery, so no resend).
kill -9 "$AGENT"; wait "$AGENT" 2>/dev/null
record_wal
"$CISTERN" --config "$TMP/agent.toml" agent 2>>"$TMP/agent.log" &
AGENT=$!; PIDS+=("$AGENT")
check "agent restarts after kill -9 during the outage" wait_for "http://127.0.0.1:$APORT/-/ready"
sleep 1
back_ms=$(($(date +%s%3N)))
check "$RECEIVER restarts" start_receiver

if [ "$MODE" = live_first ]; then
  draining() { [ "$(agent_metric 'cistern_remote_backlog_draining{remote="127.0.0.1:'"$PPORT"'"}')" = 1 ]; }
  check "the backlog drains on its own lane" draining
  # Newest timestamp the receiver has, while the backlog lane is still at work.
  newest_ms() {
    if [ "$RECEIVER" = prometheus ]; then
      curl -sS "http://127.0.0.1:$PPORT/api/v1/query" --data-urlencode 'query={agent="it"}[30s]' |
        python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(max([int(float(v[0])*1000) for s in r for v in s["values"]] or [0]))'
    else
      curl -fsS "http://127.0.0.1:$PPORT/internal/force_flush" >/dev/null
      curl -sS "http://127.0.0.1:$PPORT/api/v1/export" --data-urlencode 'match[]={agent="it"}' |
        python3 -c 'import json,sys; print(max([max(json.loads(l)["timestamps"]) for l in sys.stdin if l.strip()] or [0]))'
    fi
  }
  fresh=0
  for i in $(seq 1 50); do
    newest=$(newest_ms 2>/dev/null || echo 0)
    [ "$newest" -gt "$back_ms" ] && draining && { fresh=1; break; }
    sleep 0.2
  done
  check "live samples reached $RECEIVER while the backlog was still draining (newest $newest, back at $back_ms)" \
    test "$fresh" = 1
  # kill -9 while the backlog drains: its cursor (persisted about once a
  # second) brings it back after the restart; at most that last second of
  # sends is repeated (VictoriaMetrics runs with -dedup.minScrapeInterval=1ms
  # in this mode, as HA setups do, so a repeat is not counted twice).
  check "a backlog cursor is on disk while draining" bash -c "ls '$TMP/data/wal/cursors' | grep -q backlog"
  kill -9 "$AGENT"; wait "$AGENT" 2>/dev/null
  record_wal
  "$CISTERN" --config "$TMP/agent.toml" agent 2>>"$TMP/agent.log" &
  AGENT=$!; PIDS+=("$AGENT")
  check "agent restarts after kill -9 during the drain" wait_for "http://127.0.0.1:$APORT/-/ready"
  check "the backlog resumes after the restart" bash -c "sleep 0.5; curl -fsS http://127.0.0.1:$APORT/metrics | grep -q '^cistern_remote_backlog_draining{.*} 1'"
  finished=0
  for i in $(seq 1 300); do draining || { finished=1; break; }; sleep 0.2; done
  check "the backlog lane finished" test "$finished" = 1
  check "the agent logged the drain" grep -q "drained:" "$TMP/agent.log"
fi

# The backlog drains while collection goes on; then stop the agent and compare
# what the WAL holds with what Prometheus stored, sample for sample.
for i in $(seq 1 150); do
  lag=$(agent_metric 'cistern_remote_pending_samples{remote="127.0.0.1:'"$PPORT"'"}')
  retried_now=$(agent_metric 'cistern_remote_samples_retried_total{remote="127.0.0.1:'"$PPORT"'"}')
  sent=$(agent_metric 'cistern_remote_samples_sent_total{remote="127.0.0.1:'"$PPORT"'"}')
  [ "${lag:-1}" = 0 ] && [ "${sent%.*}" -gt 0 ] && break
  sleep 0.2
done
kill -TERM "$AGENT"
wait_exit "$AGENT" 30
check "agent stops cleanly after draining (exit $EXIT_CODE)" test "$EXIT_CODE" = 0
record_wal
# What was appended after the last send is still in the WAL: send it with a short restart.
printf '[inputs.self]\nenabled = false\n' >>"$TMP/agent.toml"
"$CISTERN" --config "$TMP/agent.toml" agent 2>>"$TMP/agent.log" &
AGENT=$!; PIDS+=("$AGENT")
wait_for "http://127.0.0.1:$APORT/-/ready" >/dev/null
for i in $(seq 1 100); do
  lag=$("$CISTERN" wal inspect "$TMP/data/wal" 2>/dev/null | awk '$1 == "127.0.0.1:'"$PPORT"'" {print $4}')
  [ "${lag:-1}" = 0 ] && break
  sleep 0.2
done
kill -TERM "$AGENT"; wait_exit "$AGENT" 30
record_wal
in_wal=$(wal_samples)
# Receivers make accepted data searchable asynchronously (VictoriaMetrics
# within about a second): wait, bounded, until the count stops short of the WAL.
for i in $(seq 1 75); do
  got=$(count_samples)
  [ "$got" = "$in_wal" ] && break
  sleep 0.2
done
check "every sample in the WAL reached $RECEIVER (wal: $in_wal, $RECEIVER: $got)" test "$got" = "$in_wal"
check "no out-of-order rejections in the receiver's log" bash -c "! grep -qi 'out of order' '$TMP/recv.log'"
finish
