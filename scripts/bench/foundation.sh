#!/usr/bin/env bash
# Foundation figures: binary size, idle RSS of `cistern agent` with no inputs,
# time from exec to /-/ready answering, and /-/healthy requests/s under
# `wrk -c 50` (cistern pinned to core 0, wrk to core 1).
# Usage: scripts/bench/foundation.sh   (installs wrk if missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
BUILD_DIR=${BUILD_DIR:-build/release}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCISTERN_TESTS=OFF >/dev/null
ninja -C "$BUILD_DIR" -j2 cistern >/dev/null
BIN=$BUILD_DIR/cistern
TMP=$(mktemp -d)
trap 'kill -9 $PID 2>/dev/null; rm -rf "$TMP"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$TMP/agent.toml" <<TOML
[global]
data_dir = "$TMP/data"
log_level = "warn"
[http]
listen = "127.0.0.1:$PORT"
[[remote_write]]
url = "http://127.0.0.1:1/api/v1/write"
[inputs.self]
enabled = false
TOML

size=$(stat -c %s "$BIN")
stripped=$(strip -o "$TMP/cistern.stripped" "$BIN" && stat -c %s "$TMP/cistern.stripped")
echo "binary size: $((size / 1024)) KiB ($((stripped / 1024)) KiB stripped)"

start=$(date +%s%N)
taskset -c 0 "$BIN" --config "$TMP/agent.toml" agent 2>"$TMP/log" &
PID=$!
until curl -fsS -o /dev/null "http://127.0.0.1:$PORT/-/ready" 2>/dev/null; do sleep 0.001; done
ready=$(date +%s%N)
echo "exec to /-/ready answering: $(( (ready - start) / 1000000 )) ms (includes curl polling)"
sleep 2
echo "idle RSS, no inputs: $(awk '/VmRSS/ {print $2" "$3}' /proc/$PID/status)"

taskset -c 1 wrk -t 1 -c 50 -d 10s "http://127.0.0.1:$PORT/-/healthy" | tee "$TMP/wrk"
echo "RSS after wrk: $(awk '/VmRSS/ {print $2" "$3}' /proc/$PID/status)"
kill -TERM $PID; wait $PID || true
