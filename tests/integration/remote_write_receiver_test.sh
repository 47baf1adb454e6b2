#!/usr/bin/env bash
# The agent forwards to a real receiver and survives an outage of it:
# collection goes on into the WAL, and once the receiver is back every sample
# arrives, in order, none rejected.
#   remote_write_receiver_test.sh CISTERN prometheus|victoriametrics
source "$(dirname "$0")/lib.sh"
RECEIVER=${2:?receiver: prometheus or victoriametrics}

PPORT=$(free_port)
APORT=$(free_port)
mkdir -p "$TMP/recv"
case $RECEIVER in
  prometheus)
    BIN=prometheus
    printf 'global:\n  scrape_interval: 1h\n' >"$TMP/prom.yml"
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
        >>"$TMP/recv.log" 2>&1 &
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
"$CISTERN" --config "$TMP/agent.toml" agent 2>>"$TMP/agent.log" &
AGENT=$!; PIDS+=("$AGENT")
check "agent restarts after kill -9 during the outage" wait_for "http://127.0.0.1:$APORT/-/ready"
sleep 1
check "$RECEIVER restarts" start_receiver

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

in_wal=$("$CISTERN" wal inspect "$TMP/data/wal" | awk '/segments:/ {for (i = 1; i <= NF; i++) if ($(i+1) == "samples,") print $i}')
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
