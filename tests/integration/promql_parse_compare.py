#!/usr/bin/env python3
"""Differential test of our PromQL parser against a running Prometheus.

  promql_parse_compare.py http://127.0.0.1:PORT path/to/promql_parse_tool

Every query of promql_queries.py goes to Prometheus' /api/v1/format_query
and through promql_parse_tool; accept/reject, the formatted text and the
error message must be identical. Formatted output must also re-parse to the
same text (round trip). Selectors go to /api/v1/series (match[]) and the
tool's --selector mode. Exits 1 on any difference.
"""
import json
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import promql_queries  # noqa: E402

QUERY_PREFIX = 'invalid parameter "query": '
MATCH_PREFIX = 'invalid parameter "match[]": '
EMPTY_MATCHER = "match[] must contain at least one non-empty matcher"


def block(text):
    """Lines of a r\"\"\"...\"\"\" block, without the first and last newline."""
    return text.split("\n")[1:-1]


def prometheus(url, path, params):
    data = urllib.parse.urlencode(params).encode()
    req = urllib.request.Request(url + path, data=data)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.load(resp)
    except urllib.error.HTTPError as e:
        return json.load(e)


def prom_format(url, q):
    r = prometheus(url, "/api/v1/format_query", {"query": q})
    if r["status"] == "success":
        return "ok " + r["data"]
    return "err " + r["error"].removeprefix(QUERY_PREFIX)


def prom_selector(url, s):
    r = prometheus(url, "/api/v1/series", {"match[]": s})
    if r["status"] == "success":
        return "ok nonempty"
    err = r["error"].removeprefix(MATCH_PREFIX)
    if err == EMPTY_MATCHER:
        return "ok empty"
    return "err " + err


def escape(q):
    return q.replace("\\", "\\\\").replace("\n", "\\n")


def ours(tool, queries, *flags):
    inp = "".join(escape(q) + "\n" for q in queries)
    out = subprocess.run([tool, *flags, "--escaped"], input=inp.encode(), capture_output=True, check=True)
    lines = out.stdout.decode("utf-8", "surrogateescape").split("\n")[:-1]
    assert len(lines) == len(queries), (len(lines), len(queries))
    return lines


def main():
    url, tool = sys.argv[1], sys.argv[2]
    queries = block(promql_queries.VALID) + block(promql_queries.INVALID) + promql_queries.MULTILINE
    want = [prom_format(url, q) for q in queries]
    got = ours(tool, queries)
    diffs = 0
    for q, w, g in zip(queries, want, got):
        if w != g:
            diffs += 1
            print(f"DIFF {q!r}\n  prometheus: {w}\n  ours:       {g}")
    valid = sum(1 for w in want if w.startswith("ok "))
    invalid = len(want) - valid

    # Round trip: our formatted output parses to the same text.
    formatted = [g[3:] for g in got if g.startswith("ok ")]
    again = ours(tool, formatted)
    rt_diffs = 0
    for f, a in zip(formatted, again):
        if a != "ok " + f:
            rt_diffs += 1
            print(f"ROUNDTRIP {f!r} -> {a}")

    selectors = block(promql_queries.SELECTORS)
    want_sel = [prom_selector(url, s) for s in selectors]
    got_sel = []
    for line in ours(tool, selectors, "--selector"):
        if line.startswith("ok "):
            got_sel.append("ok nonempty" if line.endswith(" nonempty") else "ok empty")
        else:
            got_sel.append(line)
    sel_diffs = 0
    for s, w, g in zip(selectors, want_sel, got_sel):
        if w != g:
            sel_diffs += 1
            print(f"SELECTOR DIFF {s!r}\n  prometheus: {w}\n  ours:       {g}")

    print(f"{len(queries)} queries ({valid} valid, {invalid} invalid per Prometheus): {diffs} differ; "
          f"{len(formatted)} round trips: {rt_diffs} differ; {len(selectors)} selectors: {sel_diffs} differ")
    ok = diffs == 0 and rt_diffs == 0 and sel_diffs == 0
    if valid < 150 or invalid < 100:
        print("too few queries of a kind (want >= 150 valid, >= 100 invalid)")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
