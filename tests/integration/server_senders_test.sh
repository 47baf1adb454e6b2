#!/usr/bin/env bash
# Real senders into `cistern server`: Debian's Prometheus in agent mode and
# vmagent, both scraping a real node_exporter every second and remote-writing
# into the server. Both must be accepted with no errors on either side, and
# the data must be there: after a graceful stop, `cistern tsdb inspect` reads
# back exactly the samples the receiver acknowledged, with each sender's
# series (job label) and node_exporter's metric names.
#   server_senders_test.sh CISTERN
source "$(dirname "$0")/lib.sh"
for bin in prometheus vmagent prometheus-node-exporter; do
  command -v "$bin" >/dev/null || { echo "SKIP: $bin not installed (scripts/setup installs it)"; exit 0; }
done

SPORT=$(free_port); NPORT=$(free_port); PPORT=$(free_port); VPORT=$(free_port)
cat >"$TMP/server.toml" <<EOF
[global]
data_dir = "$TMP/data"
[http]
listen = "127.0.0.1:$SPORT"
enable_admin_api = true
[inputs.self]
enabled = false
EOF
"$CISTERN" server --config "$TMP/server.toml" >"$TMP/server.log" 2>&1 &
SERVER=$!; PIDS+=("$SERVER")
check "server ready" wait_for "http://127.0.0.1:$SPORT/-/ready" 30

prometheus-node-exporter --web.listen-address="127.0.0.1:$NPORT" >"$TMP/ne.log" 2>&1 &
PIDS+=("$!")
check "node_exporter up" wait_for "http://127.0.0.1:$NPORT/metrics" 30

cat >"$TMP/prom.yml" <<EOF
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: prom-agent
    static_configs: [{targets: ["127.0.0.1:$NPORT"]}]
remote_write:
  - url: http://127.0.0.1:$SPORT/api/v1/write
    queue_config: {batch_send_deadline: 1s}
EOF
prometheus --enable-feature=agent --config.file="$TMP/prom.yml" --storage.agent.path="$TMP/agent" \
  --web.listen-address="127.0.0.1:$PPORT" >"$TMP/prom.log" 2>&1 &
PROM=$!; PIDS+=("$PROM")

cat >"$TMP/vm.yml" <<EOF
scrape_configs:
  - job_name: vmagent
    scrape_interval: 1s
    static_configs: [{targets: ["127.0.0.1:$NPORT"]}]
EOF
vmagent -promscrape.config="$TMP/vm.yml" -remoteWrite.url="http://127.0.0.1:$SPORT/api/v1/write" \
  -remoteWrite.tmpDataPath="$TMP/vmq" -remoteWrite.flushInterval=1s -httpListenAddr="127.0.0.1:$VPORT" \
  >"$TMP/vm.log" 2>&1 &
VM=$!; PIDS+=("$VM")
check "prometheus agent up" wait_for "http://127.0.0.1:$PPORT/-/ready" 60
check "vmagent up" wait_for "http://127.0.0.1:$VPORT/health" 60

metric() {  # metric URL NAME_WITH_LABELS: the value, 0 if absent
  curl -fsS "$1/metrics" | awk -v m="$2" '$1 == m {v = $2} END {print v + 0}'
}
sum_metric() {  # sum of every sample line matching the regex (vmagent puts spaces between labels)
  curl -fsS "$1/metrics" | awk -v re="$2" '$0 ~ re {s += $NF} END {print s + 0}'
}
# Both senders deliver a few rounds.
for i in $(seq 1 150); do
  p=$(sum_metric "http://127.0.0.1:$PPORT" '^prometheus_remote_storage_samples_total')
  v=$(sum_metric "http://127.0.0.1:$VPORT" '^vmagent_remotewrite_requests_total\\{.*status_code="2XX"')
  [ "${p%.*}" -gt 2000 ] 2>/dev/null && [ "${v%.*}" -ge 5 ] 2>/dev/null && break
  sleep 0.2
done
S="http://127.0.0.1:$SPORT"
check "prometheus agent sent samples" test "$(sum_metric "http://127.0.0.1:$PPORT" '^prometheus_remote_storage_samples_total')" -gt 2000
check "prometheus agent: nothing failed" test "$(sum_metric "http://127.0.0.1:$PPORT" '^prometheus_remote_storage_samples_failed_total')" = 0
check "prometheus agent: nothing dropped" test "$(sum_metric "http://127.0.0.1:$PPORT" '^prometheus_remote_storage_samples_dropped_total')" = 0
check "vmagent: 2xx answers" test "$(sum_metric "http://127.0.0.1:$VPORT" '^vmagent_remotewrite_requests_total\\{.*status_code="2XX"')" -ge 5
check "vmagent: no other answers" test "$(sum_metric "http://127.0.0.1:$VPORT" '^vmagent_remotewrite_requests_total\\{.*status_code="[^2]')" = 0
check "vmagent: nothing dropped" test "$(sum_metric "http://127.0.0.1:$VPORT" '^vmagent_remotewrite_packets_dropped_total')" = 0
check "server: only 204 answers" test "$(sum_metric "$S" '^cistern_receiver_requests_total\\{code="[^2]')" = 0
check "server: nothing rejected" test "$(sum_metric "$S" '^cistern_receiver_samples_rejected_total')" = 0

# Stop the senders first, then the server, and read the directory back.
kill "$PROM" "$VM"; wait_exit "$PROM" 20; wait_exit "$VM" 20
sleep 0.3
appended=$(metric "$S" cistern_receiver_samples_appended_total)
# A snapshot (the head written as a block) is a data dir with the same samples.
snap=$(curl -fsS -X POST "$S/api/v1/admin/tsdb/snapshot" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["data"]["name"] if d["status"] == "success" else "")')
check "snapshot API answers with a name" test -n "$snap"
check "bad skip_head is a 400" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$S/api/v1/admin/tsdb/snapshot?skip_head=maybe")" = 400
kill "$SERVER"; wait_exit "$SERVER" 20
check "server stopped cleanly" test "$EXIT_CODE" = 0
"$CISTERN" tsdb inspect "$TMP/data" --json >"$TMP/inspect.json" 2>"$TMP/inspect.err"
check "tsdb inspect reads the data dir" test -s "$TMP/inspect.json"
python3 - "$TMP/inspect.json" "$appended" <<'EOF' >"$TMP/verdict.txt"
import json, sys
r = json.load(open(sys.argv[1]))
appended = int(float(sys.argv[2]))
pairs = {p["name"]: p["value"] for p in r["seriesCountByLabelValuePair"]}
metrics = {m["name"] for m in r["seriesCountByMetricName"]}
print("total", r["total"]["samples"], "appended", appended)
ok = r["total"]["samples"] == appended and appended > 0
print("jobs", pairs.get('job="prom-agent"', 0), pairs.get('job="vmagent"', 0))
ok = ok and pairs.get('job="prom-agent"', 0) > 100 and pairs.get('job="vmagent"', 0) > 100
print("ok" if ok else "mismatch")
EOF
cat "$TMP/verdict.txt"
check "every acknowledged sample is in the store, from both senders" grep -qx ok "$TMP/verdict.txt"
snap_total=$("$CISTERN" tsdb inspect "$TMP/data/snapshots/$snap" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"]["samples"])')
check "the snapshot holds every acknowledged sample ($snap_total)" test "$snap_total" = "$(printf '%.0f' "$appended")"
grep -iE "error|panic|sanitizer" "$TMP/server.log" && fail "server log has errors"
finish
