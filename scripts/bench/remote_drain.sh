#!/usr/bin/env bash
# Remote-write backlog drain (issue "Forward"): a 10k-series x 40-scrape WAL
# backlog drained by one endpoint queue into a local Prometheus and into
# VictoriaMetrics (receiver pinned to core 1, the sender to core 0).
#   scripts/bench/remote_drain.sh [series] [batches]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-build/release}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCISTERN_TESTS=OFF >/dev/null
ninja -C "$BUILD_DIR" -j2 remote_drain_bench >/dev/null
TMP=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P=$(port)
printf 'global:\n  scrape_interval: 1h\n' >"$TMP/prom.yml"
taskset -c 1 prometheus --config.file="$TMP/prom.yml" --storage.tsdb.path="$TMP/prom" --web.enable-remote-write-receiver \
  --web.listen-address="127.0.0.1:$P" >"$TMP/prom.log" 2>&1 &
until curl -fsS -o /dev/null "http://127.0.0.1:$P/-/ready" 2>/dev/null; do sleep 0.2; done
echo -n "prometheus:      "; taskset -c 0 "$BUILD_DIR/agent/remote/remote_drain_bench" "http://127.0.0.1:$P/api/v1/write" "$@"
V=$(port)
taskset -c 1 victoria-metrics -storageDataPath="$TMP/vm" -httpListenAddr="127.0.0.1:$V" >"$TMP/vm.log" 2>&1 &
until curl -fsS -o /dev/null "http://127.0.0.1:$V/health" 2>/dev/null; do sleep 0.2; done
echo -n "victoriametrics: "; taskset -c 0 "$BUILD_DIR/agent/remote/remote_drain_bench" "http://127.0.0.1:$V/api/v1/write" "$@"
