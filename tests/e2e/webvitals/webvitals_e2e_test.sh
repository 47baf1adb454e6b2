#!/usr/bin/env bash
# [inputs.webvitals] end to end with a real browser: Debian Chromium, driven
# by playwright-core, loads pages that use the real web-vitals library from a
# loopback origin other than the agent's, provokes LCP, CLS, INP, FCP and TTFB
# and sends them three ways (sendBeacon string with reportAllChanges, a
# batched array on page hide, fetch keepalive JSON). The agent forwards its
# histograms with remote-write to VictoriaMetrics; the test checks there that
# every metric and page has _count equal to the distinct ids the page sent,
# _sum equal to their final values, le="+Inf" equal to _count, and nothing
# was rejected.
#   webvitals_e2e_test.sh CISTERN
source "$(dirname "$0")/../../integration/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
for tool in /usr/bin/chromium node npm victoria-metrics; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool not available (scripts/setup installs chromium and victoria-metrics; node and npm come with the machine)"
    exit 0
  fi
done

# node_modules live in the build tree, next to the artefacts (screenshot).
WORK=$(cd "$(dirname "$CISTERN")" && pwd)/e2e-webvitals
mkdir -p "$WORK"
cp "$HERE/package.json" "$HERE/package-lock.json" "$HERE/run.mjs" "$HERE/page.html" "$WORK/"
if ! cmp -s "$WORK/package-lock.json" "$WORK/node_modules/.cistern-lock" 2>/dev/null; then
  if ! (cd "$WORK" && npm ci --prefer-offline --no-audit --no-fund >"$TMP/npm.log" 2>&1); then
    cat "$TMP/npm.log"
    echo "SKIP: npm ci failed (no registry and no cache?)"
    exit 0
  fi
  cp "$WORK/package-lock.json" "$WORK/node_modules/.cistern-lock"
fi

VPORT=$(free_port)
APORT=$(free_port)
WPORT=$(free_port)
SPORT=$(free_port)
victoria-metrics -storageDataPath="$TMP/vm" -httpListenAddr="127.0.0.1:$VPORT" -retentionPeriod=100y \
  >"$TMP/vm.log" 2>&1 &
PIDS+=("$!")
check "victoria-metrics starts" wait_for "http://127.0.0.1:$VPORT/health" 60

cat >"$TMP/agent.toml" <<TOML
[global]
data_dir = "$TMP/data"
interval = "1s"
external_labels = { agent = "e2e" }
[http]
listen = "127.0.0.1:$APORT"
[inputs.self]
[inputs.webvitals]
listen = "127.0.0.1:$WPORT"
path = "/v1/vitals"
allowed_origins = ["http://127.0.0.1:$SPORT"]
finalize_after = "2s"
[[remote_write]]
url = "http://127.0.0.1:$VPORT/api/v1/write"
queue = { batch_send_deadline = "200ms", min_backoff = "20ms", max_backoff = "500ms" }
TOML
"$CISTERN" --config "$TMP/agent.toml" agent 2>"$TMP/agent.log" &
AGENT=$!
PIDS+=("$AGENT")
check "agent ready" wait_for "http://127.0.0.1:$APORT/-/ready"

SHOT="$WORK/webvitals_page.png"
rm -f "$SHOT"
if ! (cd "$WORK" && timeout 90 node run.mjs "$SPORT" "http://127.0.0.1:$WPORT/v1/vitals" "$SHOT") \
    >"$TMP/sent.json" 2>"$TMP/node.log"; then
  cat "$TMP/node.log"
  fail "the browser run finished"
  finish
  exit 1
fi
pass "the browser run finished"
echo "screenshot: $SHOT"
check "a screenshot of the test page was saved" test -s "$SHOT"

# Page-side facts: every page sent every metric, nothing failed on the page.
python3 - "$TMP/sent.json" >"$TMP/expected.txt" <<'PY'
import json, sys, collections
d = json.load(open(sys.argv[1]))
if d["errors"]:
    print("page errors:", d["errors"], file=sys.stderr); sys.exit(1)
final = {}          # (metric, page, id) -> last value sent
reports = collections.Counter()
for s in d["sent"]:
    final[(s["name"], s["page"], s["id"])] = s["value"]
    reports[(s["name"], s["page"])] += 1
ok = True
for page in ("/e2e/beacon", "/e2e/batch", "/e2e/fetch"):
    for m in ("LCP", "CLS", "INP", "FCP", "TTFB"):
        if not any(k[0] == m and k[1] == page for k in final):
            print(f"{page}: no {m} sent", file=sys.stderr); ok = False
for (m, p, i), v in final.items():
    if m == "INP" and v < 250:
        print(f"{p}: INP {v} ms, expected >= 250 (the slow handler)", file=sys.stderr); ok = False
    if m == "CLS" and v <= 0:
        print(f"{p}: CLS {v}, expected > 0 (the late banners)", file=sys.stderr); ok = False
beacon_reports = sum(1 for s in d["sent"] if s["style"] == "beacon")
beacon_ids = sum(1 for k in final if k[1] == "/e2e/beacon")
if beacon_reports <= beacon_ids:
    print("no metric id was reported more than once (reportAllChanges)", file=sys.stderr); ok = False
# One line per metric and page: name page distinct_ids sum_of_final_values_in_base_units
div = {"LCP": 1000, "INP": 1000, "FCP": 1000, "TTFB": 1000, "CLS": 1}
agg = collections.defaultdict(lambda: [0, 0.0])
for (m, p, i), v in final.items():
    agg[(m, p)][0] += 1
    agg[(m, p)][1] += v / div[m]
for (m, p), (n, total) in sorted(agg.items()):
    print(m, p, n, repr(total))
print("reports", len(d["sent"]), "ids", len(final), file=sys.stderr)
sys.exit(0 if ok else 1)
PY
PAGES_OK=$?
cat "$TMP/expected.txt"
check "each page sent LCP, CLS, INP, FCP and TTFB, INP from the slow handler, CLS from the banners, repeats with reportAllChanges" \
  test "$PAGES_OK" = 0

# What VictoriaMetrics holds: the latest value of each _count, _sum and +Inf bucket.
export_latest() {
  curl -fsS "http://127.0.0.1:$VPORT/internal/force_flush" >/dev/null
  curl -sS "http://127.0.0.1:$VPORT/api/v1/export" --data-urlencode 'match[]={__name__=~"webvitals_.+",agent="e2e"}' |
    python3 -c '
import json, sys
for line in sys.stdin:
    if not line.strip(): continue
    s = json.loads(line); m = s["metric"]
    v = s["values"][max(range(len(s["values"])), key=lambda i: s["timestamps"][i])]
    print(json.dumps({"m": m, "v": v}))'
}
compare() {
  export_latest >"$TMP/got.jsonl"
  python3 - "$TMP/expected.txt" "$TMP/got.jsonl" <<'PY'
import json, sys, math
fam = {"LCP": "webvitals_lcp_seconds", "INP": "webvitals_inp_seconds", "CLS": "webvitals_cls",
       "FCP": "webvitals_fcp_seconds", "TTFB": "webvitals_ttfb_seconds"}
want = {}
for line in open(sys.argv[1]):
    m, p, n, total = line.split()
    want[(fam[m], p)] = (int(n), float(total))
count, sums, inf, ratings = {}, {}, {}, {}
for line in open(sys.argv[2]):
    d = json.loads(line); m = d["m"]; v = d["v"]; name = m["__name__"]; page = m.get("page", "")
    if m.get("device") != "desktop" or m.get("navigation_type") != "navigate":
        print("unexpected labels:", m); sys.exit(1)
    if name.endswith("_count"): count[(name[:-6], page)] = count.get((name[:-6], page), 0) + v
    elif name.endswith("_sum"): sums[(name[:-4], page)] = sums.get((name[:-4], page), 0) + v
    elif name.endswith("_bucket") and m["le"] == "+Inf": inf[(name[:-7], page)] = v
    elif name == "webvitals_rating_total":
        k = (fam[m["metric"]], page); ratings[k] = ratings.get(k, 0) + v
bad = []
for k, (n, total) in want.items():
    if count.get(k) != n: bad.append(f"{k}: _count {count.get(k)}, sent {n} ids")
    elif not math.isclose(sums.get(k, -1), total, rel_tol=1e-9, abs_tol=1e-9): bad.append(f"{k}: _sum {sums.get(k)}, sent {total}")
    elif inf.get(k) != n: bad.append(f"{k}: le=+Inf {inf.get(k)}, _count {n}")
    elif ratings.get(k) != n: bad.append(f"{k}: ratings add up to {ratings.get(k)}, _count {n}")
for k in count:
    if k not in want: bad.append(f"{k}: _count {count[k]} for a metric and page nothing was sent for")
print("\n".join(bad) if bad else f"{len(want)} histograms match")
sys.exit(1 if bad else 0)
PY
}
# Counted once quiet for finalize_after (2 s), at the next collection (1 s),
# then remote-written: poll, bounded.
matched=0
for i in $(seq 1 60); do
  if compare >"$TMP/compare.txt" 2>&1; then matched=1; break; fi
  sleep 0.5
done
cat "$TMP/compare.txt"
check "VictoriaMetrics has, per metric and page, _count = distinct ids sent, _sum = their final values" test "$matched" = 1

agent_metric() {
  curl -fsS "http://127.0.0.1:$APORT/metrics" | awk -v m="$1" '$1 == m {print $2}'
}
rejected=$(curl -fsS "http://127.0.0.1:$APORT/metrics" | awk '$1 ~ /^cistern_webvitals_rejected_total/ {s += $2} END {print s + 0}')
check "the agent rejected nothing (rejected: $rejected)" test "$rejected" = 0
updated=$(agent_metric 'cistern_webvitals_beacons_total{outcome="updated"}')
check "repeats of one id were folded, not counted (updated: ${updated:-0})" test "${updated%.*}" -gt 0
preflights=$(agent_metric 'cistern_webvitals_requests_total{code="204"}')
check "requests were answered 204 (${preflights:-0})" test "${preflights%.*}" -gt 0

kill -TERM "$AGENT"
wait_exit "$AGENT" 20
check "agent stops cleanly (exit $EXIT_CODE)" test "$EXIT_CODE" = 0
finish
