#!/usr/bin/env bash
# Host input vs node_exporter on this machine, in one run (ratios matter,
# machines are noisy):
#  - CPU and wall time per host collection (cistern's collectors in-process,
#    host_bench) vs per node_exporter /metrics scrape (its process CPU from
#    /proc/<pid>/stat around N scrapes with curl);
#  - RSS: `cistern agent` running host + container inputs every second vs
#    node_exporter after being scraped every second, both for 20 s.
#   scripts/bench/host.sh [collections=200]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-200}
BUILD_DIR=${BUILD_DIR:-build/release}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCISTERN_TESTS=OFF >/dev/null
ninja -C "$BUILD_DIR" -j2 host_bench cistern >/dev/null
NE=$(command -v prometheus-node-exporter || command -v node_exporter)
TMP=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
anon_kib() { awk '/^RssAnon/ {print $2}' "/proc/$1/status"; }  # private memory, without mapped shared libraries
HZ=$(getconf CLK_TCK)

# node_exporter: CPU per scrape
P=$(port)
"$NE" --web.listen-address="127.0.0.1:$P" >"$TMP/ne.log" 2>&1 &
NEPID=$!
until curl -fsS -o /dev/null "http://127.0.0.1:$P/metrics" 2>/dev/null; do sleep 0.1; done
for i in $(seq 1 5); do curl -fsS -o /dev/null "http://127.0.0.1:$P/metrics"; done  # warm up
t0=$(ticks $NEPID); w0=$(date +%s%N)
for i in $(seq 1 "$N"); do curl -fsS -o /dev/null "http://127.0.0.1:$P/metrics"; done
t1=$(ticks $NEPID); w1=$(date +%s%N)
ne_cpu=$(python3 -c "print(($t1 - $t0) / $HZ * 1000 / $N)")
ne_wall=$(python3 -c "print(($w1 - $w0) / 1e6 / $N)")
ne_samples=$(curl -fsS "http://127.0.0.1:$P/metrics" | grep -vc '^#')

# cistern: CPU per collection
line=$("$BUILD_DIR/plugins/host/host_bench" "$N")
ci_cpu=$(sed 's/.*cpu_ms_per_collection=\([0-9.]*\).*/\1/' <<<"$line")
ci_wall=$(sed 's/.*wall_ms_per_collection=\([0-9.]*\).*/\1/' <<<"$line")
ci_samples=$(sed 's/.*samples_per_collection=\([0-9]*\).*/\1/' <<<"$line")

# RSS over 20 s of work every second
for i in $(seq 1 20); do curl -fsS -o /dev/null "http://127.0.0.1:$P/metrics"; sleep 1; done &
SCRAPER=$!
A=$(port)
cat >"$TMP/agent.toml" <<TOML
[global]
data_dir = "$TMP/data"
interval = "1s"
[http]
listen = "127.0.0.1:$A"
[[remote_write]]
url = "http://127.0.0.1:$(port)/api/v1/write"
[inputs.host]
$("$BUILD_DIR/cistern" collect container >/dev/null 2>&1 && echo '[inputs.container]')
TOML
"$BUILD_DIR/cistern" --config "$TMP/agent.toml" agent >"$TMP/agent.log" 2>&1 &
AGENT=$!
wait $SCRAPER || true
ne_rss=$(rss_kib $NEPID); ne_anon=$(anon_kib $NEPID)
ci_rss=$(rss_kib $AGENT); ci_anon=$(anon_kib $AGENT)
kill $AGENT $NEPID 2>/dev/null || true

printf '%-28s %14s %14s %10s\n' "" cistern node_exporter ratio
printf '%-28s %14.3f %14.3f %10.2f\n' "CPU ms per collection" "$ci_cpu" "$ne_cpu" "$(python3 -c "print($ci_cpu / $ne_cpu)")"
printf '%-28s %14.3f %14.3f %10.2f\n' "wall ms per collection" "$ci_wall" "$ne_wall" "$(python3 -c "print($ci_wall / $ne_wall)")"
printf '%-28s %14d %14d\n' "samples per collection" "$ci_samples" "$ne_samples"
printf '%-28s %14d %14d %10.2f\n' "RSS KiB (20 s, every 1 s)" "$ci_rss" "$ne_rss" "$(python3 -c "print($ci_rss / $ne_rss)")"
printf '%-28s %14d %14d %10.2f\n' "  of it private (RssAnon)" "$ci_anon" "$ne_anon" "$(python3 -c "print($ci_anon / $ne_anon)")"
echo "(cistern agent: host + container inputs, WAL, remote-write queue; its RSS counts the shared libraries it maps, libcurl/OpenSSL/protobuf/RE2...)"
echo "(node_exporter: all its default collectors, incl. ones cistern does not have; its wall time includes HTTP and text encoding)"
