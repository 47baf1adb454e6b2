#!/usr/bin/env bash
# The host input side by side with the real node_exporter (Debian's
# prometheus-node-exporter) on this machine: same families, label names,
# series and values (within a tolerance for things that move), read at the
# same moment. tests/integration/host/compare_node_exporter.py holds the rules
# and the list of legitimate differences.
#   host_node_exporter_test.sh CISTERN
source "$(dirname "$0")/lib.sh"
NE=$(command -v prometheus-node-exporter || command -v node_exporter || true)
if [ -z "$NE" ]; then
  echo "SKIP: prometheus-node-exporter not installed (scripts/setup installs it)"; exit 0
fi
PORT=$(free_port)
# With upstream node_exporter's defaults, which are cistern's (Debian's
# package changes two of them: it excludes /run, /mnt, /media and lo).
"$NE" --web.listen-address="127.0.0.1:$PORT" \
  --collector.filesystem.mount-points-exclude='^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)' \
  --collector.netdev.device-exclude= >"$TMP/ne.log" 2>&1 &
PIDS+=("$!")
check "node_exporter starts" wait_for "http://127.0.0.1:$PORT/metrics" 20

# Both at the same moment (twice: the second round must agree as well).
for round in 1 2; do
  curl -fsS "http://127.0.0.1:$PORT/metrics" >"$TMP/ne.txt" &
  CURL=$!
  "$CISTERN" collect host >"$TMP/cistern.txt" 2>"$TMP/cistern.err"
  rc=$?
  wait "$CURL"
  check "round $round: cistern collect host succeeds (exit $rc$(head -c 300 "$TMP/cistern.err" | tr '\n' ' '))" test "$rc" = 0
  check "round $round: every collector succeeded" bash -c "! grep -q '^node_scrape_collector_success{.*} 0' '$TMP/cistern.txt'"
  python3 "$(dirname "$0")/host/compare_node_exporter.py" "$TMP/ne.txt" "$TMP/cistern.txt" >"$TMP/compare.txt"
  rc=$?
  cat "$TMP/compare.txt"
  check "round $round: same families, labels, series and values as node_exporter" test "$rc" = 0
done
check "samples carry job=\"node\" and instance" grep -q 'node_load1{instance="[^"]*",job="node"}' "$TMP/cistern.txt"
finish
