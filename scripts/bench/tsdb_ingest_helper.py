#!/usr/bin/env python3
"""Helpers for scripts/bench/tsdb_ingest.sh (standard library only).

cpu PID
    Print PID's CPU seconds so far: utime + stime of /proc/PID/stat (all threads, clock ticks).
hwm PID
    Print PID's peak RSS (VmHWM of /proc/PID/status) in bytes.
term_cpu PID TIMEOUT
    SIGTERM to PID, then poll it every 10 ms until it is gone (or a zombie); print "cpu_s=<the last CPU
    seconds seen> secs=<how long it took>". Exits 1 when it still runs after TIMEOUT seconds.
get URL METRIC[{TEXT]...
    Print the sum of METRICs on URL/metrics: all label sets, or those whose labels contain TEXT.
blocks DIR
    Prometheus blocks in DIR (subdirs with a meta.json): print "blocks=N bytes=B samples=S" (S: the
    numSamples of their meta.json).
settle URL TIMEOUT QUIET METRIC[=0]...
    Wait until the sums of the METRICs on URL/metrics did not change for QUIET seconds (and those written
    METRIC=0 are 0); print "settled_s=<seconds>", or "settled_s=-" after TIMEOUT seconds.
count URL TIME RANGE
    Whether every sample is queryable, with PromQL over HTTP: the metric names (/api/v1/label/__name__/values,
    node_* only), then sum(count_over_time(NAME[RANGE])) at TIME (unix seconds) for each name, summed (one
    query for all names fails in Prometheus: count_over_time drops the name, label sets collide), and
    count({__name__=~"node_.+"}) at TIME. Prints "samples=N series=M names=K query_s=S", or "samples=n/a
    http=CODE" when the API is not there (404) or fails.
"""
import http.client
import json
import os
import re
import signal
import sys
import time
import urllib.parse

CLK_TCK = os.sysconf("SC_CLK_TCK")


def connect(url, timeout=300):
    u = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=timeout), u.path.rstrip("/")


def proc_cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return fields[0], (int(fields[11]) + int(fields[12])) / CLK_TCK  # state; utime, stime (fields 14, 15)


def proc_status(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


def metric_sums(conn, specs):
    """{spec: sum} for specs NAME or NAME{TEXT (label sets that contain TEXT)."""
    conn.request("GET", "/metrics")
    r = conn.getresponse()
    body = r.read().decode()
    if r.status != 200:
        raise RuntimeError(f"GET /metrics: {r.status}")
    wanted = {}
    for spec in specs:
        name, _, text = spec.partition("{")
        wanted.setdefault(name, []).append((spec, text))
    sums = {s: 0.0 for s in specs}
    for line in body.splitlines():
        if not line or line[0] == "#":
            continue
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)", line)
        if m and m.group(1) in wanted:
            for spec, text in wanted[m.group(1)]:
                if text in (m.group(2) or ""):
                    sums[spec] += float(m.group(3))
    return sums


def blocks(d):
    n = size = samples = 0
    for e in sorted(os.listdir(d)):
        meta = os.path.join(d, e, "meta.json")
        if not os.path.isfile(meta):
            continue
        with open(meta) as f:
            samples += json.load(f)["stats"]["numSamples"]
        n += 1
        for root, _, files in os.walk(os.path.join(d, e)):
            size += sum(os.path.getsize(os.path.join(root, x)) for x in files)
    print(f"blocks={n} bytes={size} samples={samples}")


def settle(url, timeout, quiet, specs):
    conn, _ = connect(url, 10)
    zero = {s[:-2] for s in specs if s.endswith("=0")}
    names = [s[:-2] if s.endswith("=0") else s for s in specs]
    start = time.monotonic()
    last, since = None, start
    while time.monotonic() - start < timeout:
        try:
            cur = metric_sums(conn, names)
        except (OSError, http.client.HTTPException, RuntimeError):
            conn.close()
            conn, _ = connect(url, 10)
            time.sleep(0.5)
            continue
        now = time.monotonic()
        if cur != last or any(cur[n] != 0 for n in zero):
            last, since = cur, now
        elif now - since >= quiet:
            print(f"settled_s={since - start:.1f}")
            return
        time.sleep(0.25)
    print("settled_s=-")


def api_get(conn, base, path, params):
    conn.request("GET", f"{base}{path}?{urllib.parse.urlencode(params)}")
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        raise ApiError(r.status, body.decode(errors="replace")[:300])
    return json.loads(body)["data"]


class ApiError(Exception):
    def __init__(self, status, text):
        super().__init__(f"HTTP {status}: {text}")
        self.status = status


def scalar(data):
    res = data.get("result") or []
    return int(float(res[0]["value"][1])) if res else 0


def count(url, at, rng):
    conn, base = connect(url)
    t0 = time.monotonic()
    common = {"time": at, "nocache": "1"}  # nocache: VictoriaMetrics' result cache
    try:
        names = [n for n in api_get(conn, base, "/api/v1/label/__name__/values", {}) if n.startswith("node_")]
        total = 0
        for n in names:
            total += scalar(api_get(conn, base, "/api/v1/query",
                                    dict(common, query=f"sum(count_over_time({n}[{rng}]))")))
        series = scalar(api_get(conn, base, "/api/v1/query", dict(common, query='count({__name__=~"node_.+"})')))
    except ApiError as e:
        print(f"samples=n/a http={e.status}")
        print(f"count: {url}: {e}", file=sys.stderr)
        return
    except (OSError, http.client.HTTPException, ValueError, KeyError) as e:
        print("samples=n/a http=000")
        print(f"count: {url}: {e}", file=sys.stderr)
        return
    print(f"samples={total} series={series} names={len(names)} query_s={time.monotonic() - t0:.1f}")


def term_cpu(pid, timeout):
    start = time.monotonic()
    try:
        last = proc_cpu_s(pid)[1]
        os.kill(pid, signal.SIGTERM)
    except (FileNotFoundError, ProcessLookupError):
        print("cpu_s=- secs=-")
        return
    while time.monotonic() - start < timeout:
        try:
            state, cpu = proc_cpu_s(pid)
        except (FileNotFoundError, ProcessLookupError):
            break
        last = cpu
        if state == "Z":
            break
        time.sleep(0.01)
    else:
        print(f"cpu_s={last:.2f} secs=-")
        sys.exit(1)
    print(f"cpu_s={last:.2f} secs={time.monotonic() - start:.2f}")


def main(argv):
    if len(argv) == 2 and argv[0] == "cpu":
        print(f"{proc_cpu_s(int(argv[1]))[1]:.2f}")
    elif len(argv) == 2 and argv[0] == "hwm":
        print(proc_status(int(argv[1]), "VmHWM"))
    elif len(argv) == 3 and argv[0] == "term_cpu":
        term_cpu(int(argv[1]), float(argv[2]))
    elif len(argv) >= 3 and argv[0] == "get":
        conn, _ = connect(argv[1], 10)
        print(f"{sum(metric_sums(conn, argv[2:]).values()):.0f}")
    elif len(argv) == 2 and argv[0] == "blocks":
        blocks(argv[1])
    elif len(argv) >= 5 and argv[0] == "settle":
        settle(argv[1], float(argv[2]), float(argv[3]), argv[4:])
    elif len(argv) == 4 and argv[0] == "count":
        count(argv[1], argv[2], argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
