#!/usr/bin/env python3
"""Helpers for scripts/bench/promql_bench.sh (standard library only).

verify URL START END
    Whether a receiver holds all of the load, with PromQL over HTTP: the metric names
    (/api/v1/label/__name__/values over [START, END]), then sum(count_over_time(NAME[END - START])) at END for
    each name, summed, and count({__name__=~".+"}) at END. Prints "samples=N series=M names=K query_s=S", or
    "samples=n/a http=CODE" when the API is not there or fails.
bench --end T --hours H --step S --runs N [--query NAME]... SYSTEM=URL@PID...
    The query set (QUERIES below), each as an instant query at T and as a range query over [T' - H h, T'] at
    S s steps (T' = T rounded down to a multiple of S), against every SYSTEM's /api/v1/query*: one warm-up
    each (its answer gives the result size and the values compared), then N timed runs, the systems in a
    rotating order inside each run. Latency: request sent to the last byte of the answer (keep-alive
    connections, no compression). The server's CPU over each timed request (utime + stime of
    /proc/PID/stat, 10 ms ticks: an approximation) and its peak RSS over the whole phase (VmHWM after
    "5" > /proc/PID/clear_refs at the start). Prints a markdown report: latency (median, p90), the ratios of
    the first SYSTEM to the others, the result sizes (a WARNING line for each query where they differ), how
    far the values are from the second SYSTEM's, server CPU and peak RSS. The first SYSTEM is the one
    compared (cistern), the second the reference for values (Prometheus).
"""
import argparse
import http.client
import json
import math
import os
import sys
import time
import urllib.parse

CLK_TCK = os.sysconf("SC_CLK_TCK")

# name, expression. Instant at the data's end and range over the last hours at the step.
QUERIES = [
    ("cpu", 'sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))'),
    ("mem", "100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)"),
    ("topk", 'topk(5, rate(node_cpu_seconds_total{mode="user"}[5m]))'),
    ("hist", "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))"),
    ("regex", 'rate(node_network_receive_bytes_total{device=~"eth.*|en.*"}[5m])'),
    ("avg1h", "avg_over_time(node_scrape_collector_duration_seconds[1h])"),
]


class ApiError(Exception):
    def __init__(self, status, text):
        super().__init__(f"HTTP {status}: {text}")
        self.status = status


class Api:
    """One keep-alive connection to a Prometheus HTTP API."""

    def __init__(self, url, timeout=600):
        u = urllib.parse.urlsplit(url)
        self.host, self.port, self.base, self.timeout = u.hostname, u.port, u.path.rstrip("/"), timeout
        self.conn = None

    def get(self, path, params):
        """(seconds, body): seconds from sending the request to the answer's last byte."""
        target = f"{self.base}{path}?{urllib.parse.urlencode(params)}"
        for attempt in (1, 2):  # once more on a connection the server closed
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                self.conn.connect()
            try:
                t0 = time.perf_counter()
                self.conn.request("GET", target)
                r = self.conn.getresponse()
                body = r.read()
                secs = time.perf_counter() - t0
                break
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        if r.status != 200:
            raise ApiError(r.status, body.decode(errors="replace")[:300])
        return secs, body

    def data(self, path, params):
        secs, body = self.get(path, params)
        doc = json.loads(body)
        if doc.get("status") != "success":
            raise ApiError(200, body.decode(errors="replace")[:300])
        return secs, doc["data"]


def scalar(data):
    res = data.get("result") or []
    return int(float(res[0]["value"][1])) if res else 0


def verify(url, start, end):
    api = Api(url)
    t0 = time.monotonic()
    rng = f"{int(round(float(end) - float(start)))}s"
    common = {"time": end, "nocache": "1"}  # nocache: VictoriaMetrics' result cache
    try:
        _, names = api.data("/api/v1/label/__name__/values", {"start": start, "end": end})
        total = 0
        for n in names:
            total += scalar(api.data("/api/v1/query", dict(common, query=f"sum(count_over_time({n}[{rng}]))"))[1])
        series = scalar(api.data("/api/v1/query", dict(common, query='count({__name__=~".+"})'))[1])
    except ApiError as e:
        print(f"samples=n/a http={e.status}")
        print(f"verify: {url}: {e}", file=sys.stderr)
        return
    except (OSError, http.client.HTTPException, ValueError, KeyError) as e:
        print("samples=n/a http=000")
        print(f"verify: {url}: {e}", file=sys.stderr)
        return
    print(f"samples={total} series={series} names={len(names)} query_s={time.monotonic() - t0:.1f}")


def proc_cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_hwm(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def reset_hwm(pid):
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def shape(data):
    """{labels: {ts: value}} of an answer, labels as a sorted tuple."""
    out = {}
    kind = data.get("resultType")
    res = data.get("result")
    if kind == "scalar":
        return {(): {float(res[0]): res[1]}}
    for r in res:
        key = tuple(sorted(r.get("metric", {}).items()))
        pts = r["values"] if kind == "matrix" else [r["value"]]
        out[key] = {float(t): v for t, v in pts}
    return out


def size(sh):
    return len(sh), sum(len(p) for p in sh.values())


def num(v):
    return float({"+Inf": "inf", "-Inf": "-inf"}.get(v, v))


def drop_name(sh):
    return {tuple(kv for kv in k if kv[0] != "__name__"): v for k, v in sh.items()}


def compare(a, b):
    """(max relative difference over the points both have, points in only one of them, whether the series
    matched only without their __name__: VictoriaMetrics keeps it where Prometheus drops it)."""
    renamed = set(a) != set(b) and set(drop_name(a)) == set(drop_name(b))
    if renamed:
        a, b = drop_name(a), drop_name(b)
    worst, only = 0.0, 0
    for key in set(a) | set(b):
        pa, pb = a.get(key, {}), b.get(key, {})
        only += len(set(pa) ^ set(pb))
        for t in set(pa) & set(pb):
            x, y = num(pa[t]), num(pb[t])
            if math.isnan(x) and math.isnan(y) or x == y:
                continue
            if math.isnan(x) or math.isnan(y) or math.isinf(x) or math.isinf(y):
                worst = math.inf
                continue
            worst = max(worst, abs(x - y) / max(abs(x), abs(y)))
    return worst, only, renamed


def quantile(xs, q):
    """Linear interpolation between the closest ranks (numpy's default)."""
    s = sorted(xs)
    if not s:
        return math.nan
    pos = (len(s) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def bench(args):
    systems = []
    for spec in args.systems:
        name, _, rest = spec.partition("=")
        url, _, pid = rest.rpartition("@")
        systems.append({"name": name, "api": Api(url), "pid": int(pid)})
    names = [s["name"] for s in systems]
    step = args.step
    end_r = math.floor(args.end / step) * step
    start_r = end_r - args.hours * 3600
    kinds = [("instant", "/api/v1/query", {"time": f"{args.end:.3f}"}),
             ("range", "/api/v1/query_range", {"start": f"{start_r}", "end": f"{end_r}", "step": f"{step}"})]
    queries = [q for q in QUERIES if not args.query or q[0] in args.query]
    hwm_reset = {s["name"]: reset_hwm(s["pid"]) for s in systems}
    hwm_before = {s["name"]: proc_hwm(s["pid"]) for s in systems}
    cpu_phase0 = {s["name"]: proc_cpu_s(s["pid"]) for s in systems}
    load0 = open("/proc/loadavg").read().split()[:3]
    t_phase = time.monotonic()
    rows = []
    for qname, expr in queries:
        for kind, path, extra in kinds:
            params = dict(extra, query=expr, nocache="1")
            row = {"query": qname, "kind": kind, "lat": {}, "cpu": {}, "shape": {}, "err": {}}
            for s in systems:  # warm-up
                try:
                    _, data = s["api"].data(path, params)
                    row["shape"][s["name"]] = shape(data)
                except (ApiError, OSError, http.client.HTTPException, ValueError, KeyError) as e:
                    row["err"][s["name"]] = str(e)[:200]
                row["lat"][s["name"]] = []
                row["cpu"][s["name"]] = 0.0
            for run in range(args.runs):
                for i in range(len(systems)):
                    s = systems[(run + i) % len(systems)]
                    if s["name"] in row["err"]:
                        continue
                    c0 = proc_cpu_s(s["pid"])
                    try:
                        secs, _ = s["api"].get(path, params)
                    except (ApiError, OSError, http.client.HTTPException) as e:
                        row["err"][s["name"]] = str(e)[:200]
                        continue
                    row["cpu"][s["name"]] += proc_cpu_s(s["pid"]) - c0
                    row["lat"][s["name"]].append(secs)
            med = {n: quantile(row["lat"][n], 0.5) for n in names}
            print(f"# {qname} {kind}: " + " ".join(
                f"{n}={med[n] * 1e3:.1f}ms" if n not in row["err"] else f"{n}=error" for n in names),
                file=sys.stderr, flush=True)
            rows.append(row)
    phase_s = time.monotonic() - t_phase
    load1 = open("/proc/loadavg").read().split()[:3]
    hwm = {s["name"]: proc_hwm(s["pid"]) for s in systems}
    cpu_phase = {s["name"]: proc_cpu_s(s["pid"]) - cpu_phase0[s["name"]] for s in systems}
    report(args, names, rows, hwm, hwm_reset, hwm_before, cpu_phase, phase_s, load0, load1, start_r, end_r)


def ms(x):
    if x is None or math.isnan(x):
        return "-"
    x *= 1e3
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def report(args, names, rows, hwm, hwm_reset, hwm_before, cpu_phase, phase_s, load0, load1, start_r, end_r):
    me, others = names[0], names[1:]
    ref = names[1] if len(names) > 1 else None
    print(f"Queries: instant at {args.end:.3f}, range [{start_r}, {end_r}] step {args.step}s "
          f"({args.hours} h); {args.runs} timed runs after one warm-up, per query and system; latency in ms.")
    print()
    head = ["query", "type"]
    for n in names:
        head += [f"{n} med", f"{n} p90"]
    head += [f"{me}/{o}" for o in others]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---"] * 2 + ["---:"] * (len(head) - 2)) + "|")
    slower, noisy, warnings = [], [], []
    for r in rows:
        cells = [r["query"], r["kind"]]
        med = {}
        for n in names:
            if n in r["err"] and not r["lat"][n]:
                cells += ["error", ""]
                med[n] = math.nan
                continue
            med[n] = quantile(r["lat"][n], 0.5)
            p90 = quantile(r["lat"][n], 0.9)
            mark = "*" if p90 > 2 * med[n] else ""
            if mark:
                noisy.append(f"{r['query']} {r['kind']} {n}")
            cells += [ms(med[n]), ms(p90) + mark]
        for o in others:
            if med[me] > 0 and med[o] > 0:
                cells.append(f"{med[me] / med[o]:.2f}")
                if o == ref and med[me] >= med[o]:
                    slower.append(f"{r['query']} {r['kind']} ({med[me] / med[o]:.2f}x)")
            else:
                cells.append("-")
        print("| " + " | ".join(cells) + " |")
    print()
    print(f"{me}/x: the ratio of the medians (below 1: {me} is faster). *: p90 above twice the median (noise?).")
    if ref and me != ref:
        print(f"Target (faster than {ref} on every query): " +
              ("met." if not slower else "NOT met on " + ", ".join(slower) + "."))
    if noisy:
        print("Noisy (p90 > 2x median): " + ", ".join(noisy) + ".")
    print()
    print("Result sizes (series/points) and values compared with " + (ref or "-") +
          " (max relative difference over the points both have; only: points in one of the two; (__name__): the"
          " series match only without their metric name):")
    print()
    head = ["query", "type"] + [f"{n} series/points" for n in names] + [f"{n} vs {ref}" for n in names if n != ref]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---"] * 2 + ["---:"] * (len(head) - 2)) + "|")
    for r in rows:
        cells = [r["query"], r["kind"]]
        sizes = {}
        for n in names:
            if n in r["shape"]:
                sizes[n] = size(r["shape"][n])
                cells.append(f"{sizes[n][0]}/{sizes[n][1]}")
            else:
                cells.append("error")
        for n in names:
            if n == ref:
                continue
            if n in r["shape"] and ref in r["shape"]:
                worst, only, renamed = compare(r["shape"][n], r["shape"][ref])
                cells.append(f"{worst:.1e}" + (f", only {only}" if only else "") + (" (__name__)" if renamed else ""))
            else:
                cells.append("-")
        print("| " + " | ".join(cells) + " |")
        if len(set(sizes.values())) > 1:
            warnings.append(f"WARNING: {r['query']} {r['kind']}: result sizes differ: " +
                            ", ".join(f"{n} {s[0]} series/{s[1]} points" for n, s in sizes.items()))
        for n, e in r["err"].items():
            warnings.append(f"WARNING: {r['query']} {r['kind']}: {n}: {e}")
    print()
    for w in warnings:
        print(w)
    if warnings:
        print()
    print("Server CPU per timed run (ms, utime + stime in 10 ms ticks, so approximate):")
    print()
    head = ["query", "type"] + names
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---"] * 2 + ["---:"] * len(names)) + "|")
    for r in rows:
        cells = [r["query"], r["kind"]]
        for n in names:
            k = len(r["lat"][n])
            cells.append(ms(r["cpu"][n] / k) if k else "-")
        print("| " + " | ".join(cells) + " |")
    print()
    print(f"Query phase: {phase_s:.0f} s; load average {' '.join(load0)} before, {' '.join(load1)} after.")
    for n in names:
        note = "" if hwm_reset[n] else " (clear_refs failed: peak since start)"
        print(f"{n}: peak RSS during the query phase {hwm[n] / 2**20:.0f} MiB{note} "
              f"(at its start {hwm_before[n] / 2**20:.0f} MiB), CPU over the phase {cpu_phase[n]:.1f} s")


def main(argv):
    if len(argv) == 4 and argv[0] == "verify":
        verify(argv[1], argv[2], argv[3])
        return
    if argv and argv[0] == "bench":
        p = argparse.ArgumentParser(prog="promql_bench_helper.py bench")
        p.add_argument("--end", type=float, required=True)
        p.add_argument("--hours", type=int, default=6)
        p.add_argument("--step", type=int, default=60)
        p.add_argument("--runs", type=int, default=7)
        p.add_argument("--query", action="append", default=[])
        p.add_argument("systems", nargs="+", metavar="SYSTEM=URL@PID")
        bench(p.parse_args(argv[1:]))
        return
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
