#!/usr/bin/env bash
# kill -9 of `cistern server` under sustained remote-write load, twice, then
# restart: every acknowledged sample is there. The load (rw_load, the ingest
# benchmark's generator: node_exporter-like series from 4 connections, each
# series in timestamp order) retries requests the dead server did not answer,
# as real senders do, so in the end every sample must be stored exactly once
# (a retried request whose samples were already committed lands on the same
# timestamps and must not count twice).
#   server_crash_test.sh CISTERN RW_LOAD
source "$(dirname "$0")/lib.sh"
RW_LOAD=${2:?usage: $0 CISTERN RW_LOAD}
SERIES=1000
HOURS=2
PORT=$(free_port)
cat >"$TMP/server.toml" <<EOF2
[global]
data_dir = "$TMP/data"
[http]
listen = "127.0.0.1:$PORT"
[wal]
fsync = "never"   # kill -9 keeps what write(2) wrote; fsync is for power loss
[inputs.self]
enabled = false
EOF2
start_server() {
  "$CISTERN" server --config "$TMP/server.toml" >>"$TMP/server.log" 2>&1 &
  SERVER=$!; PIDS+=("$SERVER")
  wait_for "http://127.0.0.1:$PORT/-/ready" 60
}
appended() {
  curl -fsS "http://127.0.0.1:$PORT/metrics" | awk '$1 == "cistern_receiver_samples_appended_total" {print $2 + 0}'
}
check "server ready" start_server
check "admin API off by default: 404" test "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/api/v1/admin/tsdb/snapshot")" = 404

"$RW_LOAD" "http://127.0.0.1:$PORT/api/v1/write" "$SERIES" "$HOURS" --batch=1000 >"$TMP/load.out" 2>"$TMP/load.err" &
LOAD=$!; PIDS+=("$LOAD")
for round in 1 2; do
  # Let it ingest for a while, then crash it mid-stream.
  for i in $(seq 1 100); do [ "$(appended || echo 0)" -gt $((round * 60000)) ] 2>/dev/null && break; sleep 0.1; done
  got=$(appended)
  kill -9 "$SERVER"; wait "$SERVER" 2>/dev/null
  check "round $round: server had ingested samples before the crash ($got)" test "${got:-0}" -gt 0
  sleep 0.5
  check "round $round: server restarts on the crashed data dir" start_server
done
wait_exit "$LOAD" 240
cat "$TMP/load.out"
check "the load finished" test "$EXIT_CODE" = 0
line=$(tail -1 "$TMP/load.out")
field() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
SAMPLES=$(field samples)
check "every request was acknowledged in the end" test "$(field accepted)" = "$SAMPLES"
check "nothing rejected" test "$(field rejected)" = 0
check "nothing given up" test "$(field failed)" = 0
check "the load retried across the crashes" test "$(field retries)" -gt 0
grep -q "wal replay: done" "$TMP/server.log"
check "the restarts replayed the WAL" test $? = 0

kill "$SERVER"; wait_exit "$SERVER" 30
check "server stops cleanly" test "$EXIT_CODE" = 0
"$CISTERN" tsdb inspect "$TMP/data" --json >"$TMP/inspect.json"
total=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"]["samples"])' "$TMP/inspect.json")
series=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"]["series"])' "$TMP/inspect.json")
echo "store: $series series, $total samples; sent: $SAMPLES"
check "every sample is stored exactly once" test "$total" = "$SAMPLES"
check "every series is there" test "$series" = "$(field series)"
grep -E "AddressSanitizer|runtime error" "$TMP/server.log" && fail "sanitizer report in the server log"
finish
