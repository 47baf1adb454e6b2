#!/usr/bin/env python3
"""Helpers for scripts/bench/remote_drain.sh (standard library only).

push URL SERIES BATCHES
    Push the bench's backlog shape (SERIES series x BATCHES scrapes 15 s apart, the last one now) to
    vmagent's /api/v1/import/prometheus, one request per scrape, in order.
cpu PID
    Print the CPU seconds PID (all its threads) used so far.
get URL METRIC...
    Print the sum of METRICs (all label sets) on URL/metrics.
settle URL METRIC...
    Wait (bounded) until the sum of METRICs on URL/metrics stops changing; print it.
watch METRICS_URL METRIC[,METRIC] N [PID]
    Poll the receiver's counter (summed) every 100 ms until it rose by N, stalled or timed out; with PID,
    also that process' I/O, CPU time and RSS from /proc. Prints "ready" on stderr when it took its
    baselines, one line of key=value fields on stdout at the end. A receiver not up yet (connection
    refused) is taken as fresh: its counter starts at 0.
"""
import http.client
import os
import random
import re
import sys
import time
import urllib.parse

POLL_S = 0.1
IO_POLL_S = 0.005
CLK_TCK = os.sysconf("SC_CLK_TCK")


def connect(url):
    u = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=5), u.path or "/"


def metric_sum(conn, path, names):
    """Sum of all samples of the metrics `names` (any labels) in the text exposition at `path`."""
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read().decode()
    if r.status != 200:
        raise RuntimeError(f"GET {path}: {r.status}")
    total, seen = 0.0, False
    for line in body.splitlines():
        if not line or line[0] == "#":
            continue
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)", line)
        if m and m.group(1) in names:
            total += float(m.group(3))
            seen = True
    return total if seen else 0.0


def push(url, series, batches):
    conn, path = connect(url)
    rng = random.Random(1)
    v = [0.0] * series
    t0 = int(time.time() * 1000) - (batches - 1) * 15000
    for b in range(batches):
        lines = []
        for i in range(series):
            v[i] += rng.randrange(1000)
            labels = f'instance="host-{i // 1000}:9100",job="node",series="{i}"'
            lines.append(f"bench_metric_{i % 50}{{{labels}}} {v[i]:.0f} {t0 + b * 15000}\n")
        conn.request("POST", path, body="".join(lines).encode(), headers={"Content-Type": "text/plain"})
        r = conn.getresponse()
        r.read()
        if r.status // 100 != 2:
            sys.exit(f"push: {url}: HTTP {r.status}")


def settle(url, names, timeout=60.0, quiet=1.0):
    """Waits until the metrics did not change for `quiet` seconds."""
    conn, _ = connect(url)
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        cur = metric_sum(conn, "/metrics", names)
        if cur != last:
            last, since = cur, time.monotonic()
        elif time.monotonic() - since >= quiet:
            print(f"{cur:.0f}")
            return
        time.sleep(POLL_S)
    sys.exit(f"settle: {names} still changing after {timeout:.0f}s")


def proc_cpu_s(pid):
    """CPU seconds of all of PID's threads: their schedstat run time (ns; utime + stime in /proc/PID/stat only
    counts clock ticks, 10 ms, too coarse for a sub-second drain), or that where schedstat is missing."""
    try:
        ns = 0
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                ns += int(f.read().split()[0])
        return ns / 1e9
    except (FileNotFoundError, ValueError, IndexError):
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14 and 15)


def proc_status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def get(url, names):
    conn, _ = connect(url)
    print(f"{metric_sum(conn, '/metrics', names):.0f}")


def proc_io(pid):
    with open(f"/proc/{pid}/io") as f:
        return {k: int(v) for k, v in (line.split(": ") for line in f)}


def watch(metrics_url, names, n, pid, timeout=90.0, stall=10.0):
    """Receiver side: polls the receiver's counter every POLL_S until it rose by n (or did not move for
    `stall` seconds after it started to). The rate is between the first and the last poll that saw a
    partial, grown count (timestamped when the answer came back), so neither the wait for the first
    request (receiver start-up, a sender's retry backoff) nor the idle time after the last one counts.
    VictoriaMetrics caches its /metrics for a second: a drain shorter than about two has no rate there.

    Sender side (PID), every IO_POLL_S from /proc/PID: the drain is from the first byte the sender writes
    (its first request; run it without warning logs) to the last byte it reads (the last answer); CPU
    time (schedstat, else utime + stime) over the whole watch (cpu_s) and from the poll before the first
    write to the last read (drain_cpu_s); the peak RSS (VmHWM, reset here; VmRSS samples) over the watch."""
    conn, path = connect(metrics_url)
    try:
        base = metric_sum(conn, path, names)
    except ConnectionRefusedError:
        base = 0.0  # started after us, fresh
    if pid:
        cpu0 = proc_cpu_s(pid)
        rss_life = proc_status_kib(pid, "VmHWM")
        rss_start = proc_status_kib(pid, "VmRSS")
        io0 = proc_io(pid)
        try:
            with open(f"/proc/{pid}/clear_refs", "w") as f:
                f.write("5")  # resets VmHWM, so the peak is the drain's, not the backlog build's
        except OSError:
            pass
    print("ready", file=sys.stderr, flush=True)
    start = time.monotonic()
    deadline = start + timeout
    first = last = None  # (t, count) of polls inside the drain
    t_first_seen = t_done = None
    t_write = t_read = None
    # CPU at the last poll, at the poll before the first write, at the last read
    cpu_prev = cpu_write = cpu_read = cpu0 if pid else 0.0
    rchar = io0["rchar"] if pid else 0
    rss_max = 0
    count, t_moved, next_poll = 0.0, None, start
    while time.monotonic() < deadline:
        if pid:
            try:
                io, t, cpu = proc_io(pid), time.monotonic(), proc_cpu_s(pid)
                if t_write is None and io["wchar"] > io0["wchar"]:
                    t_write, cpu_write = t, cpu_prev
                if io["rchar"] > rchar:
                    rchar, t_read, cpu_read = io["rchar"], t, cpu
                cpu_prev = cpu
                rss_max = max(rss_max, proc_status_kib(pid, "VmRSS"))
            except OSError:
                pass
        if time.monotonic() < next_poll:
            time.sleep(IO_POLL_S if pid else POLL_S / 10)
            continue
        next_poll += POLL_S
        try:
            c = metric_sum(conn, path, names) - base
        except (OSError, http.client.HTTPException):
            conn.close()  # not up yet, or it closed the connection
            conn, path = connect(metrics_url)
            continue
        t = time.monotonic()
        if c > 0 and t_first_seen is None:
            t_first_seen = t
        if c >= n:
            count, t_done = c, t
            break
        if c > count:
            count, t_moved = c, t
            if first is None:
                first = (t, c)
            last = (t, c)
        elif t_moved is not None and t - t_moved >= stall:
            break
    if pid:  # the receiver counts a request before it answers: catch the sender reading the last answer
        for _ in range(40):
            time.sleep(IO_POLL_S)
            try:
                io, t, cpu = proc_io(pid), time.monotonic(), proc_cpu_s(pid)
            except OSError:
                break
            if io["rchar"] > rchar:
                rchar, t_read, cpu_read = io["rchar"], t, cpu
    f = {}
    if pid:
        f["cpu_s"] = f"{proc_cpu_s(pid) - cpu0:.3f}"
        f["drain_cpu_s"] = f"{cpu_read - cpu_write:.3f}" if t_write and t_read else "-"
        f["start_rss_mib"] = f"{rss_start / 1024:.1f}"
        f["drain_rss_mib"] = f"{max(rss_max, proc_status_kib(pid, 'VmHWM')) / 1024:.1f}"
        f["rss_mib"] = f"{max(rss_life, proc_status_kib(pid, 'VmHWM')) / 1024:.1f}"
        ok = t_write is not None and t_read is not None and t_read > t_write
        f["sender_s"] = f"{t_read - t_write:.3f}" if ok else "-"
        f["sender_rate"] = f"{n / (t_read - t_write):.0f}" if ok else "-"
    f["received"] = f"{count:.0f}"
    f["first_after_s"] = f"{t_first_seen - start:.2f}" if t_first_seen else "-"
    end = t_done or t_moved
    f["wall_s"] = f"{end - t_first_seen:.2f}" if end and t_first_seen else "-"
    if first and last and last[0] > first[0]:
        f["rate"] = f"{(last[1] - first[1]) / (last[0] - first[0]):.0f}"
        f["polls"] = str(round((last[0] - first[0]) / POLL_S) + 1)
    else:
        f["rate"] = "-"  # no two polls inside the drain
        f["polls"] = "0"
    f["complete"] = "1" if t_done else "0"
    print(" ".join(f"{k}={v}" for k, v in f.items()), flush=True)


def main(argv):
    if len(argv) >= 4 and argv[0] == "push":
        push(argv[1], int(argv[2]), int(argv[3]))
    elif len(argv) == 2 and argv[0] == "cpu":
        print(f"{proc_cpu_s(int(argv[1])):.3f}")
    elif len(argv) >= 3 and argv[0] == "get":
        get(argv[1], set(argv[2:]))
    elif len(argv) >= 3 and argv[0] == "settle":
        settle(argv[1], set(argv[2:]))
    elif len(argv) in (4, 5) and argv[0] == "watch":
        watch(argv[1], set(argv[2].split(",")), float(argv[3]), int(argv[4]) if len(argv) == 5 else 0)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
