#!/usr/bin/env bash
# The binary's lifecycle as a user meets it: CLI errors, config checking,
# startup to ready, /metrics, SIGHUP reload (good and bad config), graceful
# SIGTERM within a bound.
source "$(dirname "$0")/lib.sh"

# --- CLI ---
"$CISTERN" version | grep -q '^cistern ' ; check "version prints" test $? -eq 0
"$CISTERN" --bogus run 2>"$TMP/err"; rc=$?
check "unknown flag exits 2" test $rc -eq 2
check "unknown flag names the flag and prints usage" grep -q 'unknown flag --bogus' "$TMP/err"
check "usage on stderr" grep -q '^usage: cistern' "$TMP/err"
"$CISTERN" frobnicate 2>/dev/null; check "unknown command exits 2" test $? -eq 2
"$CISTERN" 2>/dev/null; check "no command exits 2" test $? -eq 2
"$CISTERN" --help | grep -q 'check config FILE'; check "--help on stdout exits 0" test $? -eq 0

# --- check config ---
PORT=$(free_port)
cat >"$TMP/good.toml" <<TOML
[global]
data_dir = "$TMP/data"
interval = "1s"
[http]
listen = "127.0.0.1:$PORT"
[[remote_write]]
url = "http://127.0.0.1:1/api/v1/write"
[inputs.self]
TOML
"$CISTERN" check config "$TMP/good.toml" >"$TMP/out"; rc=$?
check "check config accepts a valid file" test $rc -eq 0
check "check config summarises" grep -q 'ok (1 input' "$TMP/out"

cat >"$TMP/bad.toml" <<'TOML'
[global]
interval = 15

[wal]
segmnet_size = "1MiB"
TOML
"$CISTERN" check config "$TMP/bad.toml" 2>"$TMP/err"; rc=$?
check "check config rejects an invalid file with exit 2" test $rc -eq 2
check "error names file:line and key for a wrong type" grep -q "bad.toml:2: .*global.interval" "$TMP/err"
check "error names file:line and key for an unknown key" grep -q "bad.toml:5: .*wal.segmnet_size" "$TMP/err"

printf '[inputs.nosuch]\n' >"$TMP/noplugin.toml"
"$CISTERN" check config "$TMP/noplugin.toml" 2>"$TMP/err"; rc=$?
check "unknown input plugin is rejected" test $rc -eq 2
check "unknown plugin error names it" grep -q 'noplugin.toml:1: inputs.nosuch: unknown input plugin' "$TMP/err"

"$CISTERN" --config "$TMP/bad.toml" agent 2>/dev/null; check "agent refuses invalid config with exit 2" test $? -eq 2
printf '[http]\nlisten = "127.0.0.1:%s"\n' "$PORT" >"$TMP/norw.toml"
"$CISTERN" --config "$TMP/norw.toml" agent 2>"$TMP/err"; rc=$?
check "agent without remote_write exits 2" test $rc -eq 2
check "agent without remote_write says why" grep -q 'needs at least one \[\[remote_write\]\]' "$TMP/err"

# --- run, ready, metrics ---
"$CISTERN" --config "$TMP/good.toml" agent 2>"$TMP/agent.log" &
PID=$!; PIDS+=("$PID")
check "agent becomes ready" wait_for "http://127.0.0.1:$PORT/-/ready"
check "healthy answers" curl -fsS "http://127.0.0.1:$PORT/-/healthy" -o /dev/null
curl -fsS "http://127.0.0.1:$PORT/metrics" >"$TMP/metrics"
for m in cistern_build_info process_cpu_seconds_total process_resident_memory_bytes process_open_fds process_start_time_seconds 'cistern_input_up{input="self"}'; do
  check "/metrics has $m" grep -qF "$m" "$TMP/metrics"
done
sleep 2.5  # two 1s collections of the self input
curl -fsS "http://127.0.0.1:$PORT/metrics" >"$TMP/metrics"
check "self input collected successfully" grep -qE '^cistern_input_up\{input="self"\} 1$' "$TMP/metrics"
check "self input appended samples" grep -qE '^cistern_input_samples_appended_total\{input="self"\} [1-9]' "$TMP/metrics"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/metrics")
check "POST /metrics is 405" test "$code" = 405
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/nope")
check "unknown path is 404" test "$code" = 404

# --- SIGHUP with a broken config: rejected, old one keeps running ---
cp "$TMP/good.toml" "$TMP/live.toml"
kill "$PID"; wait "$PID" 2>/dev/null
"$CISTERN" --config "$TMP/live.toml" agent 2>"$TMP/agent.log" &
PID=$!; PIDS+=("$PID")
wait_for "http://127.0.0.1:$PORT/-/ready" >/dev/null
printf '[global]\ninterval = "soon"\n' >"$TMP/live.toml"
kill -HUP "$PID"; sleep 1
check "bad reload keeps the process running" kill -0 "$PID"
check "bad reload is logged with the reason" grep -q 'reload rejected' "$TMP/agent.log"
curl -fsS "http://127.0.0.1:$PORT/metrics" >"$TMP/metrics"
check "bad reload counted" grep -qE '^cistern_config_reloads_total\{result="failure"\} 1$' "$TMP/metrics"
check "still serving after bad reload" curl -fsS "http://127.0.0.1:$PORT/-/ready" -o /dev/null

# --- SIGHUP with a good config: applied (new listen port) ---
PORT2=$(free_port)
sed "s/127.0.0.1:$PORT/127.0.0.1:$PORT2/" "$TMP/good.toml" >"$TMP/live.toml"
kill -HUP "$PID"
check "good reload moves the listener" wait_for "http://127.0.0.1:$PORT2/-/ready" 10
# The listener moves first; the rest of the reload (inputs, senders) finishes just after.
reload_counted() {
  local i
  for ((i = 0; i < 100; i++)); do
    curl -fsS "http://127.0.0.1:$PORT2/metrics" | grep -qE '^cistern_config_reloads_total\{result="success"\} 1$' && return 0
    sleep 0.1
  done
  return 1
}
check "good reload counted" reload_counted

# --- graceful shutdown, even in the middle of a reload ---
kill -HUP "$PID"
sleep 0.05
kill -TERM "$PID"
wait_exit "$PID" 15
check "SIGTERM exits 0 within the bound (got $EXIT_CODE)" test "$EXIT_CODE" = 0
check "shutdown is logged" grep -q 'shutting down' "$TMP/agent.log"

finish
