#!/usr/bin/env bash
# [inputs.webvitals] throughput and memory, release build:
#  - beacons/s: `cistern agent` pinned to one core (taskset -c 0) under wrk
#    (pinned to another core) posting a realistic web-vitals v6 body, one
#    metric per request, 100,000 ids over 51 pages, Origin allowed, over 64
#    keep-alive connections;
#  - RSS: after 10,000 distinct pages attempted against max_pages = 500
#    (9,500 must land in page="other"), and after the throughput run.
# The agent forwards to VictoriaMetrics when it is installed (else to a dead
# port: samples stay in its WAL, which costs the same).
#   scripts/bench/webvitals.sh [seconds=10] [connections=64]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-10}
CONNS=${2:-64}
BUILD_DIR=${BUILD_DIR:-build/release}
command -v wrk >/dev/null || { echo "webvitals.sh: wrk not installed (scripts/setup installs it)"; exit 1; }
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCISTERN_TESTS=OFF >/dev/null
ninja -C "$BUILD_DIR" -j2 cistern >/dev/null
TMP=$(mktemp -d /tmp/wv_bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
CORES=$(nproc)
WRK_CPU=$((CORES > 1 ? 1 : 0))

A=$(port); W=$(port); V=$(port)
if command -v victoria-metrics >/dev/null; then
  victoria-metrics -storageDataPath="$TMP/vm" -httpListenAddr="127.0.0.1:$V" -retentionPeriod=100y >"$TMP/vm.log" 2>&1 &
  until curl -fsS -o /dev/null "http://127.0.0.1:$V/health" 2>/dev/null; do sleep 0.1; done
fi
cat >"$TMP/agent.toml" <<TOML
[global]
data_dir = "$TMP/data"
interval = "5s"
log_level = "warn"
[http]
listen = "127.0.0.1:$A"
[inputs.webvitals]
listen = "127.0.0.1:$W"
allowed_origins = ["https://www.example.com"]
rate_limit_per_ip = 0      # wrk is one client
max_pages = 500
finalize_after = "2s"      # so the histograms exist when memory is read
[[remote_write]]
url = "http://127.0.0.1:$V/api/v1/write"
TOML
taskset -c 0 "$BUILD_DIR/cistern" --config "$TMP/agent.toml" agent 2>"$TMP/agent.log" &
PID=$!
until curl -fsS -o /dev/null "http://127.0.0.1:$A/-/ready" 2>/dev/null; do sleep 0.1; done
sleep 1
rss_idle=$(rss_kib $PID)

# A web-vitals v6 LCP Metric as JSON.stringify gives it (attribution build, ~900 bytes).
cat >"$TMP/common.lua" <<'LUA'
counter = 0
headers = {
  ["Content-Type"] = "text/plain;charset=UTF-8",
  ["Origin"] = "https://www.example.com",
  ["Referer"] = "https://www.example.com/",
  ["User-Agent"] = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36",
}
template = '{"name":"LCP","value":%d.5,"rating":"good","delta":%d.5,"entries":[{"name":"","entryType":"largest-contentful-paint",' ..
  '"startTime":1834.5,"duration":0,"size":48210,"renderTime":1834.5,"loadTime":1790.2,"firstAnimatedFrameTime":0,' ..
  '"id":"hero","url":"https://cdn.example.com/img/hero-1200.webp"}],"id":"v6-1760000000000-%d%07d","navigationType":"navigate",' ..
  '"navigationId":1,"navigationStartTime":0,"navigationURL":"https://www.example.com%s?utm_source=newsletter",' ..
  '"attribution":{"target":"#hero > img","url":"https://cdn.example.com/img/hero-1200.webp","timeToFirstByte":212.4,' ..
  '"resourceLoadDelay":310.2,"resourceLoadDuration":1201.7,"elementRenderDelay":110.2}}'
function beacon(page)
  counter = counter + 1
  local v = 800 + (counter * 37) % 3200
  return wrk.format("POST", "/v1/vitals", headers, string.format(template, v, v, tid, counter, page))
end
LUA
# Requests are built before the run (wrk's Lua would otherwise be the
# bottleneck): 100,000 distinct ids over 51 pages; past the first pass the ids
# come again, as reportAllChanges repeats do.
cat >"$TMP/throughput.lua" <<LUA
dofile("$TMP/common.lua")
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
pool = {}
i = 0
function init(args)
  for n = 1, 100000 do
    local page = n % 51 == 0 and "/checkout/cart" or string.format("/products/%d", 1000 + n % 51)
    pool[n] = beacon(page)
  end
end
function request()
  i = i % #pool + 1
  return pool[i]
end
LUA
cat >"$TMP/pages.lua" <<LUA
dofile("$TMP/common.lua")
tid = 9
-- 10,000 distinct pages (slugs the normaliser keeps), then stop.
answered = 0
function request()
  if counter >= 10000 then return beacon("/catalog/item-alpha-1") end
  return beacon(string.format("/catalog/item-alpha-%d", counter + 1))
end
function response(status, headers, body)
  answered = answered + 1
  if answered >= 10000 then wrk.thread:stop() end
end
LUA

# RSS: 10,000 distinct pages against max_pages = 500.
taskset -c $WRK_CPU wrk -t1 -c4 -d10s -s "$TMP/pages.lua" "http://127.0.0.1:$W/v1/vitals" >"$TMP/pages.txt" 2>&1 || true
sleep 8  # settled, then one collection
metric() { curl -fsS "http://127.0.0.1:$A/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
pages=$(metric cistern_webvitals_pages)
overflow=$(metric cistern_webvitals_page_overflow_total)
series=$(metric cistern_webvitals_series)
rss_pages=$(rss_kib $PID)

# Throughput.
t0=$(ticks $PID)
taskset -c $WRK_CPU wrk -t1 -c"$CONNS" -d"${SECS}s" --latency -s "$TMP/throughput.lua" "http://127.0.0.1:$W/v1/vitals" \
  >"$TMP/wrk.txt" 2>&1
t1=$(ticks $PID)
rps=$(awk '/^Requests\/sec/ {print $2}' "$TMP/wrk.txt")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$TMP/wrk.txt")
p99=$(awk '$1 == "99%" {print $2}' "$TMP/wrk.txt")
cpu=$(python3 -c "print(round(($t1 - $t0) / $HZ / $SECS * 100))")
sleep 6
rss_after=$(rss_kib $PID)
ids=$(curl -fsS "http://127.0.0.1:$A/metrics" | awk '$1 ~ /^cistern_webvitals_ids\{/ {s += $2} END {print s}')
accepted=$(curl -fsS "http://127.0.0.1:$A/metrics" | awk '$1 ~ /^cistern_webvitals_beacons_total\{/ {s += $2} END {print s}')
rejected=$(curl -fsS "http://127.0.0.1:$A/metrics" | awk '$1 ~ /^cistern_webvitals_rejected_total\{/ {s += $2} END {print s}')

echo "webvitals bench ($(nproc) cores; agent on cpu 0, wrk on cpu $WRK_CPU; a ~1 KB web-vitals v6 LCP body per request)"
echo "  throughput: ${rps} beacons/s over ${SECS}s, ${CONNS} connections, agent cpu ${cpu}% of one core, p99 ${p99}, non-2xx ${non2xx:-0}"
echo "  accepted ${accepted} metrics, rejected ${rejected}, ids held after the run ${ids} (max_ids 100000)"
echo "  rss: idle $((rss_idle / 1024)) MiB; after 10,000 distinct pages $((rss_pages / 1024)) MiB (pages ${pages} of max 500, ${overflow} metrics to page=\"other\", ${series} series); after the throughput run $((rss_after / 1024)) MiB"
