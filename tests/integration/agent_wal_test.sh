#!/usr/bin/env bash
# The agent buffers what its inputs collect in its WAL; kill -9 loses nothing
# that was synced; a restart replays and continues; `cistern wal inspect`
# reports it.
source "$(dirname "$0")/lib.sh"

PORT=$(free_port)
cat >"$TMP/agent.toml" <<TOML
[global]
data_dir = "$TMP/data"
interval = "500ms"
[http]
listen = "127.0.0.1:$PORT"
[wal]
fsync = "always"
segment_size = "1MiB"
[[remote_write]]
url = "http://127.0.0.1:1/api/v1/write"
TOML

metric() {  # metric NAME: its value on /metrics
  curl -fsS "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m {print $2}'
}
inspect_samples() {
  "$CISTERN" wal inspect "$TMP/data/wal" | awk '/segments:/ {for (i = 1; i <= NF; i++) if ($(i+1) == "samples,") print $i}'
}

"$CISTERN" --config "$TMP/agent.toml" agent 2>"$TMP/agent1.log" &
PID=$!; PIDS+=("$PID")
check "agent with a WAL becomes ready" wait_for "http://127.0.0.1:$PORT/-/ready"
sleep 2.5
appended=$(metric cistern_wal_samples_appended_total)
check "self samples reach the WAL (appended: $appended)" test "${appended%.*}" -gt 0
kill -9 "$PID"; wait "$PID" 2>/dev/null

after_kill=$(inspect_samples)
check "kill -9 lost no appended sample (appended $appended, on disk $after_kill)" test "$after_kill" -ge "${appended%.*}"
"$CISTERN" wal inspect "$TMP/data/wal" >"$TMP/inspect"
check "inspect names the segments" grep -q '00000001' "$TMP/inspect"
check "inspect reports a time range" grep -q 'time range: 20' "$TMP/inspect"

"$CISTERN" --config "$TMP/agent.toml" agent 2>"$TMP/agent2.log" &
PID=$!; PIDS+=("$PID")
check "agent restarts on the crashed WAL" wait_for "http://127.0.0.1:$PORT/-/ready"
check "restart replays the WAL with a progress line" grep -q 'wal: replayed' "$TMP/agent2.log"
sleep 1.5
kill -TERM "$PID"
wait_exit "$PID" 15
check "graceful stop after restart (exit $EXIT_CODE)" test "$EXIT_CODE" = 0
final=$(inspect_samples)
check "collection continued after the restart ($after_kill -> $final)" test "$final" -gt "$after_kill"

"$CISTERN" wal inspect "$TMP/nope" 2>"$TMP/err"; rc=$?
check "inspect of a missing dir fails clearly" test $rc -eq 1
check "inspect error names the dir" grep -q "$TMP/nope" "$TMP/err"

finish
