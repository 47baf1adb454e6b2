#!/usr/bin/env bash
# `cistern run` and its built-in UI end to end: the binary starts on a temp
# data dir with only a small --config (a free port, 1 s host interval), its
# API answers `up` with the host's series, the UI's routes serve the embedded
# bundle (redirect, Content-Type, ETag/304, gzip), and Debian Chromium driven
# by playwright-core (run.mjs) runs rate(node_cpu_seconds_total[1m]) on the
# graph page (one line per series, legend with cpu and mode, hover), the table
# view, a malformed query (the error and its position), and the targets,
# status, alerts and rules pages. Screenshots land in the build tree.
# With RW_LOAD, 6 h of 50 series are remote-written first and the page load
# to the first chart of that range is timed (a figure, not an assertion).
#   ui_e2e_test.sh CISTERN [RW_LOAD]
source "$(dirname "$0")/../../integration/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
RW_LOAD=${2:-}
for tool in /usr/bin/chromium node npm; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool not available (scripts/setup installs chromium; node and npm come with the machine)"
    exit 0
  fi
done

# node_modules live in the build tree, next to the artefacts (screenshots).
WORK=$(cd "$(dirname "$CISTERN")" && pwd)/e2e-ui
mkdir -p "$WORK"
cp "$HERE/package.json" "$HERE/package-lock.json" "$HERE/run.mjs" "$WORK/"
if ! cmp -s "$WORK/package-lock.json" "$WORK/node_modules/.cistern-lock" 2>/dev/null; then
  if ! (cd "$WORK" && npm ci --prefer-offline --no-audit --no-fund >"$TMP/npm.log" 2>&1); then
    cat "$TMP/npm.log"
    echo "SKIP: npm ci failed (no registry and no cache?)"
    exit 0
  fi
  cp "$WORK/package-lock.json" "$WORK/node_modules/.cistern-lock"
fi

PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
cat >"$TMP/run.toml" <<TOML
[http]
listen = "127.0.0.1:$PORT"
[inputs.host]
interval = "1s"
[storage]
out_of_order_window = "8h"     # the benchmark's 6 h of history arrives after live samples
TOML
START_NS=$(date +%s%N)
"$CISTERN" --config "$TMP/run.toml" --data-dir "$TMP/data" run 2>"$TMP/run.log" &
RUN=$!
PIDS+=("$RUN")

# Time to the first answered query, and to the first with the host's series.
HOST=$(hostname)
FIRST_MS=""
HOST_MS=""
for ((i = 0; i < 400; i++)); do
  if [ -z "$FIRST_MS" ] && curl -fsS "$BASE/api/v1/query?query=up" 2>/dev/null | grep -q '"status":"success"'; then
    FIRST_MS=$(( ($(date +%s%N) - START_NS) / 1000000 ))
  fi
  if [ -n "$FIRST_MS" ] && curl -fsS "$BASE/api/v1/query?query=node_load1" 2>/dev/null | grep -q "\"instance\":\"$HOST\""; then
    HOST_MS=$(( ($(date +%s%N) - START_NS) / 1000000 ))
    break
  fi
  sleep 0.02
done
echo "figure: cistern run start to first query answered: ${FIRST_MS:-never} ms; to the first with the host's series (node_load1): ${HOST_MS:-never} ms"
check "cistern run answers queries" test -n "$FIRST_MS"
check "the host input's series are queryable (node_load1{instance=\"$HOST\"})" test -n "$HOST_MS"
curl -fsS "$BASE/api/v1/query?query=up" -o "$TMP/up.json"
head -c 600 "$TMP/up.json"; echo
check "cistern run answers /api/v1/query?query=up with the host's series (job=\"node\", instance=\"$HOST\")" \
  grep -q "\"job\":\"node\",\"instance\":\"$HOST\"\|\"instance\":\"$HOST\",\"job\":\"node\"" "$TMP/up.json"
check "the startup log says where to point a browser and Grafana" \
  grep -q "UI: open $BASE/graph in a browser; Grafana: add a Prometheus data source with URL $BASE" "$TMP/run.log"
check "run mode's laptop retention (1w, 2GiB) without [storage] retention keys" \
  grep -q "retention 1w, retention_size 2GiB" "$TMP/run.log"

# The UI's routes.
hdr() { curl -sS -o /dev/null -D - "$@" | tr -d '\r'; }
check "/ redirects to /graph" bash -c "curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' '$BASE/' | grep -qx '302 $BASE/graph'"
for p in graph alerts rules targets status; do
  check "/$p serves the UI's index.html" bash -c "curl -fsS '$BASE/$p' | grep -q '<main id=\"app\">'"
done
JS=$(curl -fsS "$BASE/graph" | grep -o '/static/app.js?v=[0-9a-f]*')
check "index.html links the versioned bundle ($JS)" test -n "$JS"
hdr "$BASE$JS" >"$TMP/js.h"
check "app.js has a JavaScript Content-Type" grep -qi '^content-type: text/javascript' "$TMP/js.h"
check "the versioned app.js is cached for a year" grep -qi '^cache-control: public, max-age=31536000, immutable' "$TMP/js.h"
ETAG=$(awk -F': ' 'tolower($1) == "etag" {print $2}' "$TMP/js.h")
check "app.js has an ETag ($ETAG)" test -n "$ETAG"
check "If-None-Match with it answers 304" bash -c "curl -sS -o /dev/null -w '%{http_code}' -H 'If-None-Match: $ETAG' '$BASE$JS' | grep -qx 304"
check "app.css has a CSS Content-Type" bash -c "curl -sS -o /dev/null -D - '$BASE/static/app.css' | grep -qi '^content-type: text/css'"
check "a client that accepts gzip gets it" bash -c "curl -sS -o /dev/null -D - -H 'Accept-Encoding: gzip' '$BASE$JS' | grep -qi '^content-encoding: gzip'"
check "gzip;q=0 gets the plain bytes" bash -c "! curl -sS -o /dev/null -D - -H 'Accept-Encoding: gzip;q=0, br' '$BASE$JS' | grep -qi '^content-encoding'"
check "HEAD answers like GET without a body" bash -c "curl -sS -I '$BASE/graph' | grep -qi '^content-type: text/html'"
check "an unknown asset is 404" bash -c "curl -sS -o /dev/null -w '%{http_code}' '$BASE/static/nope.js' | grep -qx 404"
check "index.html allows only its own origin (Content-Security-Policy)" \
  bash -c "curl -sS -o /dev/null -D - '$BASE/graph' | grep -qi \"^content-security-policy: default-src 'self'\""
RAW=$(curl -fsS "$BASE$JS" | wc -c)
GZ=$(curl -fsS -H 'Accept-Encoding: gzip' "$BASE$JS" | wc -c)
CSS=$(curl -fsS "$BASE/static/app.css" | wc -c)
CSSGZ=$(curl -fsS -H 'Accept-Encoding: gzip' "$BASE/static/app.css" | wc -c)
HTML=$(curl -fsS "$BASE/graph" | wc -c)
echo "figure: UI bundle: app.js $RAW bytes ($GZ gzip), app.css $CSS bytes ($CSSGZ gzip), index.html $HTML bytes"

# rate(...[1m]) needs two samples per series: wait for the host input's second collection.
rated=0
for ((i = 0; i < 100; i++)); do
  if curl -fsS "$BASE/api/v1/query" --data-urlencode 'query=count(rate(node_cpu_seconds_total[1m]))' 2>/dev/null |
     grep -q '"value":\[[0-9.]*,"[1-9]'; then
    rated=1
    break
  fi
  sleep 0.2
done
check "rate(node_cpu_seconds_total[1m]) has series (two host collections)" test "$rated" = 1

SHOTS="$WORK/screenshots"
mkdir -p "$SHOTS"
rm -f "$SHOTS"/*.png
# browser [EXPR]: run.mjs's checks (or, with EXPR, its 6 h load-to-chart timing), reported here.
browser() {
  if ! (cd "$WORK" && timeout 180 node run.mjs "$BASE" "$SHOTS" "$@") >"$TMP/browser.json" 2>"$TMP/node.log"; then
    cat "$TMP/node.log"
    fail "the browser run finished"
    return
  fi
  python3 - "$TMP/browser.json" <<'PY' >"$TMP/browser.txt"
import json, sys
d = json.load(open(sys.argv[1]))
for c in d["checks"]:
    print(("ok" if c["ok"] else "FAIL") + "\t" + c["name"] + ("\t" + c["detail"] if c["detail"] and not c["ok"] else ""))
for k, v in d["timings"].items():
    print(f"figure\t{k}: {v}")
print("api\t" + " ".join(d["api"]))
PY
  while IFS=$'\t' read -r kind name detail; do
    case "$kind" in
      ok) pass "browser: $name" ;;
      FAIL) fail "browser: $name ($detail)" ;;
      figure) echo "figure: browser: $name" ;;
      api) echo "endpoints the UI called: $name" ;;
    esac
  done <"$TMP/browser.txt"
}
browser
check "screenshots of the graph, error, targets and status pages were saved" \
  test -s "$SHOTS/ui_graph.png" -a -s "$SHOTS/ui_error.png" -a -s "$SHOTS/ui_targets.png" -a -s "$SHOTS/ui_status.png"

if [ -n "$RW_LOAD" ]; then
  # 6 h of 50 series (one host's first 50: node_cpu_seconds_total and friends), 15 s apart, ending now.
  if "$RW_LOAD" "$BASE/api/v1/write" 50 6 --conns=1 >"$TMP/rw.txt" 2>&1 && grep -q ' rejected=0 failed=0' "$TMP/rw.txt"; then
    pass "6 h of 50 series were remote-written and accepted"
    END=$(date +%s)
    for i in 1 2 3; do
      curl -sS -o /dev/null -w "figure: server: query_range {job=\"node-exporter\"} over 6 h at 86 s: %{time_total} s, %{size_download} bytes\n" \
        "$BASE/api/v1/query_range" --data-urlencode 'query={job="node-exporter"}' -d start=$((END - 21600)) -d end="$END" -d step=86
    done
    browser '{job="node-exporter"}'
  else
    cat "$TMP/rw.txt"
    fail "rw_load wrote 6 h of 50 series"
  fi
fi
for f in "$SHOTS"/*.png; do [ -e "$f" ] && echo "screenshot: $f"; done

kill -TERM "$RUN"
wait_exit "$RUN" 20
check "cistern run stops cleanly (exit $EXIT_CODE)" test "$EXIT_CODE" = 0
if [ "$FAILED" -gt 0 ]; then tail -20 "$TMP/run.log"; fi
finish
