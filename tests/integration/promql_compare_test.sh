#!/usr/bin/env bash
# Our PromQL engine and query API side by side with Prometheus 2.42 (Debian's
# package): promql_testdata writes the same samples into a Prometheus with the
# remote-write receiver enabled and into `cistern server`; promql_compare.py
# then runs its battery (promql_compare_queries.py: instant and range queries
# of every feature, API parameter cases, series/labels/label values, promtool
# query instant|range|series|labels) against both and lists every difference.
#   promql_compare_test.sh CISTERN PROMQL_TESTDATA
# PROMQL_COMPARE_ARGS (e.g. "--only=subquery --report=/tmp/r.json") goes to
# promql_compare.py.
source "$(dirname "$0")/lib.sh"
TESTDATA=${2:?usage: $0 CISTERN PROMQL_TESTDATA}
for bin in prometheus promtool; do
  command -v "$bin" >/dev/null || { echo "SKIP: $bin not installed (scripts/setup installs it)"; exit 0; }
done
rmdir "$TMP"; TMP=$(mktemp -d /tmp/dt-promql-XXXXXX)  # cleanup() removes this one

PPORT=$(free_port); SPORT=$(free_port)
printf 'global:\n  scrape_interval: 1h\nscrape_configs: []\n' >"$TMP/prom.yml"
prometheus --config.file="$TMP/prom.yml" --storage.tsdb.path="$TMP/prom" --web.enable-remote-write-receiver \
  --web.listen-address="127.0.0.1:$PPORT" >"$TMP/prom.log" 2>&1 &
PIDS+=("$!")
cat >"$TMP/server.toml" <<TOML
[global]
data_dir = "$TMP/data"
[http]
listen = "127.0.0.1:$SPORT"
[inputs.self]
enabled = false
TOML
"$CISTERN" server --config "$TMP/server.toml" >"$TMP/server.log" 2>&1 &
PIDS+=("$!")
check "prometheus ready" wait_for "http://127.0.0.1:$PPORT/-/ready" 60
check "server ready" wait_for "http://127.0.0.1:$SPORT/-/ready" 30

# 2 h of data ending at the last full minute.
END_MS=$(( $(date +%s) / 60 * 60000 ))
"$TESTDATA" "http://127.0.0.1:$PPORT/api/v1/write" "http://127.0.0.1:$SPORT/api/v1/write" --end-ms="$END_MS" \
  >"$TMP/testdata.out" 2>&1
check "the same data written to both" test $? = 0
cat "$TMP/testdata.out"
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" "$TMP/testdata.out"; }
START_MS=$(field start_ms); SERIES=$(field series); VALUES=$(( $(field samples) - $(field stale) ))

# shellcheck disable=SC2086
python3 "$(dirname "$0")/promql_compare.py" "http://127.0.0.1:$PPORT" "http://127.0.0.1:$SPORT" \
  --start-ms="$START_MS" --wait="$SERIES,$VALUES" --promtool="$(command -v promtool)" ${PROMQL_COMPARE_ARGS:-}
check "cistern answers every query as Prometheus does" test $? = 0
grep -iE "panic|sanitizer|fatal" "$TMP/server.log" && fail "server log has errors"
finish
