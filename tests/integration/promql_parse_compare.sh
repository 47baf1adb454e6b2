#!/usr/bin/env bash
# Our PromQL parser side by side with Prometheus 2.42: a few hundred valid and
# invalid queries go to a real Prometheus (/api/v1/format_query, and
# /api/v1/series for selectors) and through promql_parse_tool; formatting,
# accept/reject and error texts must be identical (promql_parse_compare.py).
#   promql_parse_compare.sh CISTERN PROMQL_PARSE_TOOL
source "$(dirname "$0")/lib.sh"
TOOL=${2:?usage: $0 CISTERN PROMQL_PARSE_TOOL}
if ! command -v prometheus >/dev/null; then
  echo "SKIP: prometheus not installed (scripts/setup installs it)"; exit 0
fi
PORT=$(free_port)
mkdir -p "$TMP/data"
printf 'global:\n  scrape_interval: 1h\nscrape_configs: []\n' >"$TMP/prom.yml"
prometheus --config.file="$TMP/prom.yml" --storage.tsdb.path="$TMP/data" \
  --web.listen-address="127.0.0.1:$PORT" >"$TMP/prom.log" 2>&1 &
PIDS+=("$!")
check "prometheus starts" wait_for "http://127.0.0.1:$PORT/-/ready" 60
check "parser agrees with prometheus" \
  python3 "$(dirname "$0")/promql_parse_compare.py" "http://127.0.0.1:$PORT" "$TOOL"
finish
