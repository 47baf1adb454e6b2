#!/usr/bin/env python3
"""Differential test of our PromQL engine and query API against Prometheus.

  promql_compare.py EXPECTED_URL [ACTUAL_URL] --start-ms=MS [--wait=SERIES,VALUES]
                    [--promtool=PATH] [--only=REGEX] [--report=FILE] [--jobs=N]
                    [--check-nonempty]
  promql_compare.py --selftest

Both servers hold promql_testdata's samples, which start at --start-ms.
Every case of promql_compare_queries.py runs on both as instant and range
queries (/api/v1/query, /api/v1/query_range), then the API cases, the
metadata endpoints (/api/v1/series, /labels, /label/<name>/values) and, with
--promtool, `promtool query instant|range|series|labels` against both.

Results must match: the same status, HTTP code, errorType and resultType;
the same series (keyed by their label sets: Prometheus orders only sort() and
sort_desc(), so only those are compared in order); the same timestamps; values
within 1e-9 relative, NaN and +-Inf exactly. Differing error messages and
differently printed but equal numbers are soft: listed, not failures, as is
another order of the series of an instant vector. Prints every mismatch with
its first differences and a summary; exits 1 if there is any. Without
ACTUAL_URL, EXPECTED is compared with itself (to try the battery out).
--wait first polls both until they hold the whole dataset; --only keeps the
cases whose feature or expression matches; --report writes every request with
a difference, both answers in full, as JSON.
--check-nonempty lists the cases for which EXPECTED has no data at all (a
query that is always empty tests little). --selftest checks the comparator.
"""
import argparse
import concurrent.futures
import json
import math
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import promql_compare_queries as battery  # noqa: E402

REL_TOL = 1e-9
MAX_DIFF_LINES = 6
MAX_GROUPS = 250
SOFT_EXAMPLES = 12


# --- HTTP ------------------------------------------------------------------------

class Answer:
    """One HTTP answer: code, parsed JSON body (None if it is not JSON), raw text."""

    def __init__(self, code, body, text):
        self.code, self.body, self.text = code, body, text


def fetch(base, path, params, method="GET"):
    data = urllib.parse.urlencode(params, doseq=True)
    url = base + path
    req = urllib.request.Request(url + ("?" + data if method == "GET" and data else ""),
                                 data=data.encode() if method == "POST" else None, method=method)
    if method == "POST":
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
    for attempt in range(3):
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                code, raw = resp.status, resp.read()
            break
        except urllib.error.HTTPError as e:
            code, raw = e.code, e.read()
            break
        except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
            if attempt == 2:
                return Answer(0, None, f"network error: {e}")
            time.sleep(0.5)
    text = raw.decode("utf-8", "replace")
    try:
        return Answer(code, json.loads(text), text)
    except ValueError:
        return Answer(code, None, text)


# --- comparison -------------------------------------------------------------------

def labels_str(m):
    name = m.get("__name__", "")
    rest = ", ".join(f'{k}="{v}"' for k, v in sorted(m.items()) if k != "__name__")
    return f"{name}{{{rest}}}"


def key(m):
    return tuple(sorted(m.items()))


def ms(ts):
    return round(float(ts) * 1000)


def same_value(a, b):
    """(equal, printed_differently) for two sample values as the API prints them."""
    if a == b:
        return True, False
    try:
        fa, fb = float(a), float(b)
    except (TypeError, ValueError):
        return False, False
    if math.isnan(fa) or math.isnan(fb) or math.isinf(fa) or math.isinf(fb):
        # float() reads "inf", "Infinity", "nan": equal values printed differently.
        same = (math.isnan(fa) and math.isnan(fb)) or fa == fb
        return same, same
    if fa == fb:
        return True, True
    return abs(fa - fb) <= REL_TOL * max(abs(fa), abs(fb)), False


class Diff:
    """The differences found comparing one request's answers."""

    def __init__(self):
        self.hard, self.soft = [], []

    def __bool__(self):
        return bool(self.hard)


def compare_answers(exp, act, ordered=False):
    d = Diff()
    if exp.body is None or act.body is None:
        if exp.body is None and act.body is None and exp.code == act.code:
            return d
        d.hard.append(f"answer: expected HTTP {exp.code} {shorten(exp.text)}; got HTTP {act.code} "
                      f"{shorten(act.text)}")
        return d
    es, as_ = exp.body.get("status"), act.body.get("status")
    if es != as_:
        d.hard.append(f"status: expected {es} {describe(exp.body)}; got {as_} {describe(act.body)}")
        return d
    if exp.code != act.code:
        d.hard.append(f"HTTP code: expected {exp.code}, got {act.code}")
    if es == "error":
        if exp.body.get("errorType") != act.body.get("errorType"):
            d.hard.append(f"errorType: expected {exp.body.get('errorType')!r}, "
                          f"got {act.body.get('errorType')!r}")
        if exp.body.get("error") != act.body.get("error"):
            d.soft.append(f"error message: expected {exp.body.get('error')!r}\n"
                          f"{'':18}got {act.body.get('error')!r}")
        return d
    compare_data(exp.body.get("data"), act.body.get("data"), ordered, d)
    return d


def describe(body):
    if body.get("status") == "error":
        return f"({body.get('errorType')}: {body.get('error')})"
    data = body.get("data")
    if isinstance(data, dict) and "result" in data:
        r = data["result"]
        return f"({data.get('resultType')}, {len(r) if isinstance(r, list) else 1} result(s))"
    return f"({shorten(json.dumps(data))})"


def shorten(s, n=300):
    s = s.strip().replace("\n", " ")
    return s if len(s) <= n else s[:n] + "..."


def compare_data(e, a, ordered, d):
    if not (isinstance(e, dict) and "resultType" in e):
        compare_plain(e, a, d)
        return
    if not isinstance(a, dict):
        d.hard.append(f"data: expected an object with resultType, got {shorten(json.dumps(a))}")
        return
    et, at = e.get("resultType"), a.get("resultType")
    if et != at:
        d.hard.append(f"resultType: expected {et}, got {at}")
        return
    er, ar = e.get("result"), a.get("result")
    if et in ("scalar", "string"):
        compare_point("", er, ar, d, et)
        return
    if not isinstance(ar, list):
        d.hard.append(f"result: expected a list, got {shorten(json.dumps(ar))}")
        return
    em, am = index(er, d, "expected"), index(ar, d, "actual")
    for k in em:
        if k not in am:
            d.hard.append(f"{labels_str(dict(k))}: missing (expected {sample_summary(em[k])})")
    for k in am:
        if k not in em:
            d.hard.append(f"{labels_str(dict(k))}: unexpected (got {sample_summary(am[k])})")
    for k in em:
        if k not in am:
            continue
        if et == "vector":
            compare_point(labels_str(dict(k)), em[k].get("value"), am[k].get("value"), d, "sample")
        else:
            compare_series(labels_str(dict(k)), em[k].get("values", []), am[k].get("values", []), d)
    if not ordered and et == "vector" and not d.hard and [key(x.get("metric", {})) for x in er] != [
            key(x.get("metric", {})) for x in ar]:
        d.soft.append("series order differs (not an error: Prometheus orders only sort() and sort_desc())")
    if ordered and et == "vector" and not d.hard:
        ev = [s["value"][1] for s in er]
        av = [s["value"][1] for s in ar]
        for i, (x, y) in enumerate(zip(ev, av)):
            if not same_value(x, y)[0]:
                d.hard.append(f"order: position {i}: expected value {x} ({labels_str(er[i]['metric'])}), "
                              f"got {y} ({labels_str(ar[i]['metric'])})")
                break


def index(result, d, side):
    out = {}
    for s in result:
        k = key(s.get("metric", {}))
        if k in out:
            d.hard.append(f"{side}: the series {labels_str(dict(k))} is in the result twice")
        out[k] = s
    return out


def sample_summary(s):
    if "value" in s:
        return f"{s['value'][1]} @{s['value'][0]}"
    vals = s.get("values", [])
    if not vals:
        return "no points"
    return f"{len(vals)} points {vals[0][0]}..{vals[-1][0]}, first {vals[0][1]}"


def compare_point(what, e, a, d, kind):
    prefix = f"{what}: " if what else ""
    if not (isinstance(a, list) and len(a) == 2):
        d.hard.append(f"{prefix}expected {kind} {e}, got {shorten(json.dumps(a))}")
        return
    if ms(e[0]) != ms(a[0]):
        d.hard.append(f"{prefix}timestamp: expected {e[0]}, got {a[0]}")
    if kind == "string":
        if e[1] != a[1]:
            d.hard.append(f"{prefix}expected {e[1]!r}, got {a[1]!r}")
        return
    same, printed = same_value(e[1], a[1])
    if not same:
        d.hard.append(f"{prefix}expected {e[1]}, got {a[1]}")
    elif printed:
        d.soft.append(f"{prefix}printed {a[1]!r}, Prometheus prints {e[1]!r}")


def compare_series(what, e, a, d):
    et = {ms(p[0]): p[1] for p in e}
    at = {ms(p[0]): p[1] for p in a}
    if len(et) != len(e) or len(at) != len(a):
        d.hard.append(f"{what}: a timestamp appears twice (expected {len(e)} points, {len(et)} distinct; "
                      f"got {len(a)}, {len(at)} distinct)")
    only_e = sorted(set(et) - set(at))
    only_a = sorted(set(at) - set(et))
    if only_e:
        d.hard.append(f"{what}: {len(only_e)} point(s) missing, first at {only_e[0] / 1000} "
                      f"(expected {et[only_e[0]]})")
    if only_a:
        d.hard.append(f"{what}: {len(only_a)} unexpected point(s), first at {only_a[0] / 1000} "
                      f"(got {at[only_a[0]]})")
    bad = []
    printed = 0
    for t in sorted(set(et) & set(at)):
        same, pr = same_value(et[t], at[t])
        if not same:
            bad.append(t)
        elif pr:
            printed += 1
    if bad:
        t = bad[0]
        d.hard.append(f"{what}: {len(bad)} point(s) differ, first at {t / 1000}: "
                      f"expected {et[t]}, got {at[t]}")
    if printed:
        d.soft.append(f"{what}: {printed} value(s) printed differently")
    if [ms(p[0]) for p in a] != sorted(at) and len(at) == len(a):
        d.hard.append(f"{what}: points not in time order")


def compare_plain(e, a, d):
    """Metadata answers: lists of label sets (series) or of strings (labels, values)."""
    if isinstance(e, list) and e and isinstance(e[0], dict):
        if not isinstance(a, list):
            d.hard.append(f"data: expected a list, got {shorten(json.dumps(a))}")
            return
        ek = {key(m) for m in e}
        ak = {key(m) for m in a if isinstance(m, dict)}
        for k in sorted(ek - ak):
            d.hard.append(f"{labels_str(dict(k))}: missing")
        for k in sorted(ak - ek):
            d.hard.append(f"{labels_str(dict(k))}: unexpected")
        if len(a) != len(ak):
            d.hard.append("a series is listed twice")
        if not d.hard and [key(m) for m in e] != [key(m) for m in a]:
            d.soft.append("series in a different order")
        return
    if e != a:
        if isinstance(e, list) and isinstance(a, list) and sorted(e) == sorted(a):
            d.hard.append(f"order: expected {shorten(json.dumps(e))}, got {shorten(json.dumps(a))}")
        else:
            d.hard.append(f"expected {shorten(json.dumps(e), 600)}\n{'':6}got {shorten(json.dumps(a), 600)}")


# --- the run ---------------------------------------------------------------------

def ordered_query(expr):
    e = expr.strip()
    while e.startswith("(") and e.endswith(")"):
        e = e[1:-1].strip()
    return re.match(r"sort(_desc)?\s*\(", e) is not None


def fmt_t(t):
    return f"{t:.3f}".rstrip("0").rstrip(".")


class Request:
    def __init__(self, feature, label, path, params, method="GET", ordered=False):
        self.feature, self.label, self.path, self.params, self.method = feature, label, path, params, method
        self.ordered = ordered
        self.exp = self.act = None
        self.diff = None

    def expr(self):
        """The PromQL expression, or the whole request for API and metadata cases."""
        if self.feature not in ("api", "meta") and isinstance(self.params, dict) and "query" in self.params:
            return self.params["query"]
        return self.label


def build_requests(S, only):
    reqs = []
    for c in battery.Cases(S):
        if only and not re.search(only, c.feature + " " + c.expr):
            continue
        for t in c.instants:
            reqs.append(Request(c.feature, f"instant t=S{t - S:+g}s: {c.expr}", "/api/v1/query",
                                {"query": c.expr, "time": fmt_t(t)}, ordered=ordered_query(c.expr)))
        for (a, b, step) in c.ranges:
            reqs.append(Request(c.feature, f"range S{a - S:+g}s..S{b - S:+g}s step {step}s: {c.expr}",
                                "/api/v1/query_range",
                                {"query": c.expr, "start": fmt_t(a), "end": fmt_t(b), "step": str(step)}))
    if not only or re.search(only, "api"):
        for path, params, method in battery.ApiCases(S):
            reqs.append(Request("api", f"{method} {path} {json.dumps(params)}", path, params, method))
    if not only or re.search(only, "meta"):
        for path, matches, span, method in battery.MetaCases(S):
            params = list(matches) + sorted(span.items())
            label = f"{method} {path} {urllib.parse.urlencode(params)}"
            reqs.append(Request("meta", label, path, params, method))
    return reqs


def run_requests(reqs, exp_url, act_url, jobs):
    def one(r):
        r.exp = fetch(exp_url, r.path, r.params, r.method)
        r.act = fetch(act_url, r.path, r.params, r.method) if act_url else r.exp
        r.diff = compare_answers(r.exp, r.act, r.ordered)
        return r

    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, reqs))


def nonempty(ans):
    b = ans.body
    if not b or b.get("status") != "success":
        return False
    data = b.get("data")
    if isinstance(data, dict) and "result" in data:
        r = data["result"]
        if data.get("resultType") in ("scalar", "string"):
            return True
        return any(s.get("values", [1]) for s in r) if r else False
    return bool(data)


def wait_loaded(url, S, series, values, secs=60):
    """Until `url` answers with `series` series and `values` samples (stale markers do not count)."""
    t = fmt_t(S + 121 * 60)
    got = None
    deadline = time.time() + secs
    while time.time() < deadline:
        a = fetch(url, "/api/v1/query", {"query": 'count(last_over_time({__name__=~".+"}[3h]))', "time": t})
        b = fetch(url, "/api/v1/query", {"query": '{__name__=~".+"}[3h]', "time": t})
        try:
            n_series = int(float(a.body["data"]["result"][0]["value"][1]))
            n_values = sum(len(s["values"]) for s in b.body["data"]["result"])
            got = (n_series, n_values)
        except (TypeError, KeyError, IndexError, ValueError):
            got = (shorten(a.text, 200), shorten(b.text, 200))
        if got == (series, values):
            print(f"{url}: {series} series, {values} samples")
            return True
        if a.code == 404 and a.body is None:
            break  # no query API at all
        time.sleep(0.5)
    print(f"{url}: want {series} series and {values} samples; last answer {got}")
    return False


# --- promtool ----------------------------------------------------------------------

def promtool_cases(S):
    E = S + 120 * 60
    from datetime import datetime, timezone
    rfc = datetime.fromtimestamp(S + 3600, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    t = fmt_t(S + 3667.5)
    span = ["--start", fmt_t(S), "--end", fmt_t(E)]
    return [
        # (args after the server URL go where {} is), sort output lines?
        (["instant", "{}", "sort(node_temperature_celsius)", "--time", t], False),
        (["instant", "{}", "sum by (job) (rate(http_requests_total[5m]))", "--time", rfc], True),
        (["instant", "-o", "json", "{}", "sort_desc(node_temperature_celsius)", "--time", t], False),
        (["instant", "{}", "scalar(sum(up))", "--time", t], False),
        (["instant", "{}", '"a string"', "--time", t], False),
        (["instant", "{}", "sort(special_values)", "--time", t], False),
        (["instant", "{}", "http_requests_total{code=\"500\"}[1m]", "--time", t], True),
        (["instant", "{}", "sum(up", "--time", t], False),
        (["instant", "{}", "build_info * on(job) group_left up", "--time", t], False),
        (["range", "{}", "sum by (job) (up)"] + span + ["--step", "5m"], True),
        (["range", "-o", "json", "{}", "max(node_temperature_celsius)"] + span + ["--step", "10m"], False),
        (["range", "{}", "ephemeral_jobs", "--start", fmt_t(S + 2400), "--end", fmt_t(S + 3900),
          "--step", "1m"], True),
        (["series", "{}", "--match", "up", "--match", "label_test"] + span, False),
        (["series", "-o", "json", "{}", "--match", '{job="frontend"}'] + span, False),
        (["labels", "{}", "job"] + span, False),
        (["labels", "{}", "__name__"], False),
        (["labels", "{}", "pod", "--match", "ephemeral_jobs"] + span, False),
        (["labels", "-o", "json", "{}", "le", "--match", "http_request_duration_seconds_bucket"] + span,
         False),
    ]


def run_promtool(promtool, exp_url, act_url, S):
    """[(args, hard diffs, soft diffs)] for each promtool command."""
    out = []
    for args, sort_lines in promtool_cases(S):
        res = []
        for url in (exp_url, act_url):
            argv = [promtool, "query"] + [url if a == "{}" else a for a in args]
            p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
            stdout = p.stdout
            if sort_lines:
                stdout = "\n".join(sorted(stdout.splitlines()))
            res.append((p.returncode, stdout, p.stderr.replace(url, "URL")))
        hard, soft = [], []
        (ec, eo, ee), (ac, ao, ae) = res
        if ec != ac:
            hard.append(f"exit code: expected {ec}, got {ac}")
        if eo != ao:
            if same_numbers(eo, ao):
                soft.append("stdout differs in the last digits only:\n" + text_diff(eo, ao))
            else:
                hard.append("stdout differs:\n" + text_diff(eo, ao))
        if ee != ae:
            soft.append(f"stderr: expected {shorten(ee)!r}\n{'':14}got {shorten(ae)!r}")
        out.append((args, hard, soft))
    return out


NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|Inf|NaN)")


def same_numbers(a, b):
    """The texts differ only in numbers that are equal within REL_TOL."""
    if NUMBER.sub("#", a) != NUMBER.sub("#", b):
        return False
    return all(same_value(x, y)[0] for x, y in zip(NUMBER.findall(a), NUMBER.findall(b)))


def text_diff(a, b):
    import difflib
    lines = list(difflib.unified_diff(a.splitlines(), b.splitlines(), "prometheus", "cistern",
                                      lineterm="", n=1))
    return "\n".join("      " + x for x in lines[:20])


def same_expr(reqs, feature, expr):
    return sum(1 for x in reqs if (x.feature, x.expr()) == (feature, expr))


def print_empty_cases(reqs):
    """Expressions for which EXPECTED never has data (or sometimes fails)."""
    by_case = {}
    for r in reqs:
        if r.feature in ("api", "meta"):
            continue
        e = by_case.setdefault((r.feature, r.expr()), [0, 0, 0])
        e[0] += 1
        e[1] += nonempty(r.exp)
        e[2] += r.exp.body is not None and r.exp.body.get("status") == "error"
    for (f, expr), (n, full, errs) in by_case.items():
        if full == 0:
            print(f"EMPTY [{f}] {expr}  ({errs}/{n} errors)")
        elif errs:
            print(f"SOME ERRORS [{f}] {expr}  ({errs}/{n} errors)")


def group_by_expr(bad):
    groups = {}
    for r in bad:
        groups.setdefault((r.feature, r.expr()), []).append(r)
    return groups


def print_mismatches(reqs, bad):
    """One block per mismatching expression: its first mismatching request in detail."""
    groups = group_by_expr(bad)
    for i, ((feature, expr), rs) in enumerate(groups.items()):
        if i == MAX_GROUPS:
            print(f"\n... {len(groups) - MAX_GROUPS} more mismatching expressions (see the list below)")
            break
        r = rs[0]
        print(f"\nMISMATCH [{feature}] {r.label}  ({len(rs)} of {same_expr(reqs, feature, expr)} requests "
              "of this expression differ)")
        for line in r.diff.hard[:MAX_DIFF_LINES]:
            print(f"    {line}")
        if len(r.diff.hard) > MAX_DIFF_LINES:
            print(f"    ... {len(r.diff.hard) - MAX_DIFF_LINES} more")
        for line in r.diff.soft[:2]:
            print(f"    (soft) {line}")


def print_summary(reqs, bad, secs):
    feats = {}
    for r in reqs:
        f = feats.setdefault(r.feature, {"exprs": set(), "instant": 0, "range": 0, "other": 0, "bad": 0})
        if r.path == "/api/v1/query" and r.feature != "api":
            f["instant"] += 1
            f["exprs"].add(r.params["query"])
        elif r.path == "/api/v1/query_range" and r.feature != "api":
            f["range"] += 1
            f["exprs"].add(r.params["query"])
        else:
            f["other"] += 1
        f["bad"] += bool(r.diff)
    print(f"\n{'feature':22} {'exprs':>5} {'inst':>5} {'range':>5} {'other':>5} {'mismatch':>8}")
    for name, f in feats.items():
        print(f"{name:22} {len(f['exprs']):5} {f['instant']:5} {f['range']:5} {f['other']:5} {f['bad']:8}")
    n_exprs = sum(len(f["exprs"]) for f in feats.values())
    n_inst = sum(f["instant"] for f in feats.values())
    n_range = sum(f["range"] for f in feats.values())
    print(f"{len(reqs)} requests ({n_exprs} expressions: {n_inst} instant, {n_range} range queries; "
          f"{len(reqs) - n_inst - n_range} API/metadata) in {secs:.1f}s: {len(bad)} mismatch, "
          f"{sum(1 for r in reqs if not r.diff and r.diff.soft)} with soft differences only")
    order = [r for r in reqs if any(x.startswith("series order") for x in r.diff.soft)]
    if order:
        print(f"soft differences, series order: {len(order)} instant-vector answers list the same series in "
              "another order than Prometheus")
    for kind, test in (("error messages", lambda s: s.startswith("error message")),
                       ("number printing", lambda s: "printed" in s),
                       ("other", lambda s: not s.startswith(("error message", "series order"))
                        and "printed" not in s)):
        rs = [r for r in reqs if any(test(x) for x in r.diff.soft)]
        if not rs:
            continue
        print(f"soft differences, {kind}: {len(rs)} requests; one per expression:")
        shown = set()
        for r in rs:
            if len(shown) == SOFT_EXAMPLES:
                break
            if (r.feature, r.expr()) in shown:
                continue
            shown.add((r.feature, r.expr()))
            print(f"  [{r.feature}] {r.label}")
            for line in next(x for x in r.diff.soft if test(x)).split("\n"):
                print(f"      {shorten(line, 600)}")
    if bad:
        groups = group_by_expr(bad)
        print(f"mismatching expressions ({len(groups)}; requests that differ / run):")
        for (feature, expr), rs in groups.items():
            print(f"  [{feature}] {expr}  ({len(rs)}/{same_expr(reqs, feature, expr)})")


def write_report(path, reqs):
    """Every request with a difference, both answers in full, as JSON."""
    with open(path, "w") as f:
        json.dump([{"feature": r.feature, "request": r.label, "path": r.path, "params": r.params,
                    "hard": r.diff.hard, "soft": r.diff.soft,
                    "expected": r.exp.body if r.exp.body is not None else r.exp.text,
                    "actual": r.act.body if r.act.body is not None else r.act.text}
                   for r in reqs if r.diff or r.diff.soft], f, indent=1)


# --- main ---------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("expected", nargs="?")
    ap.add_argument("actual", nargs="?")
    ap.add_argument("--start-ms", type=int)
    ap.add_argument("--promtool")
    ap.add_argument("--only")
    ap.add_argument("--report")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--check-nonempty", action="store_true")
    ap.add_argument("--wait", help="SERIES,VALUES: first wait until both servers hold that many")
    ap.add_argument("--selftest", action="store_true")
    o = ap.parse_args()
    if o.selftest:
        return selftest()
    if not o.expected or o.start_ms is None:
        ap.error("need EXPECTED_URL and --start-ms")
    S = o.start_ms / 1000
    if o.wait:
        series, values = (int(x) for x in o.wait.split(","))
        for url in filter(None, (o.expected, o.actual)):
            if not wait_loaded(url, S, series, values):
                return 1
    reqs = build_requests(S, o.only)
    t0 = time.time()
    run_requests(reqs, o.expected, o.actual, o.jobs)
    secs = time.time() - t0

    if o.check_nonempty:
        print_empty_cases(reqs)
    bad = [r for r in reqs if r.diff]
    print_mismatches(reqs, bad)
    pt = []
    if o.promtool and o.actual:
        pt = run_promtool(o.promtool, o.expected, o.actual, S)
        for args, hard, sft in pt:
            if hard or sft:
                print(f"\n{'MISMATCH' if hard else 'SOFT'} [promtool] promtool query {' '.join(args)}")
                for line in hard + ["(soft) " + s for s in sft]:
                    print(f"    {line}")
    print_summary(reqs, bad, secs)
    pt_bad = sum(1 for _, h, _ in pt if h)
    if pt:
        print(f"promtool: {len(pt)} commands, {pt_bad} mismatch")
    if o.report:
        write_report(o.report, reqs)
    return 1 if bad or pt_bad else 0


# --- selftest of the comparator -------------------------------------------------------

def selftest():
    def ans(result, rtype="vector", code=200):
        return Answer(code, {"status": "success", "data": {"resultType": rtype, "result": result}}, "")

    def err(etype, msg, code=400):
        return Answer(code, {"status": "error", "errorType": etype, "error": msg}, "")

    def vec(*samples):
        return ans([{"metric": m, "value": [100.5, v]} for m, v in samples])

    a, b = {"__name__": "up", "job": "a"}, {"__name__": "up", "job": "b"}
    checks = [
        ("same vector, other order", vec((a, "1"), (b, "2")), vec((b, "2"), (a, "1")), False, False),
        ("value differs", vec((a, "1")), vec((a, "1.0001")), False, True),
        ("within 1e-9", vec((a, "1")), vec((a, "1.0000000001")), False, False),
        ("NaN vs number", vec((a, "NaN")), vec((a, "0")), False, True),
        ("NaN vs NaN", vec((a, "NaN")), vec((a, "NaN")), False, False),
        ("+Inf vs -Inf", vec((a, "+Inf")), vec((a, "-Inf")), False, True),
        ("missing series", vec((a, "1"), (b, "2")), vec((a, "1")), False, True),
        ("extra series", vec((a, "1")), vec((a, "1"), (b, "2")), False, True),
        ("labels differ", vec((a, "1")), vec(({"job": "a"}, "1")), False, True),
        ("sorted: order differs", vec((a, "1"), (b, "2")), vec((b, "2"), (a, "1")), True, True),
        ("sorted: same order", vec((a, "1"), (b, "2")), vec((a, "1"), (b, "2")), True, False),
        ("timestamp differs", vec((a, "1")), ans([{"metric": a, "value": [100.501, "1"]}]), False, True),
        ("type differs", vec((a, "1")), ans([100.5, "1"], "scalar"), False, True),
        ("scalar same", ans([100.5, "1"], "scalar"), ans([100.5, "1"], "scalar"), False, False),
        ("matrix point missing",
         ans([{"metric": a, "values": [[1, "1"], [2, "2"]]}], "matrix"),
         ans([{"metric": a, "values": [[1, "1"]]}], "matrix"), False, True),
        ("matrix same",
         ans([{"metric": a, "values": [[1, "1"], [2, "2"]]}, {"metric": b, "values": [[1, "3"]]}], "matrix"),
         ans([{"metric": b, "values": [[1, "3"]]}, {"metric": a, "values": [[1, "1"], [2, "2"]]}], "matrix"),
         False, False),
        ("error vs success", err("bad_data", "x"), vec((a, "1")), False, True),
        ("errorType differs", err("bad_data", "x"), err("execution", "x", 422), False, True),
        ("error message differs (soft)", err("bad_data", "x"), err("bad_data", "y"), False, False),
        ("HTTP code differs", err("bad_data", "x", 400), err("bad_data", "x", 422), False, True),
        ("duplicate series", vec((a, "1")), vec((a, "1"), (a, "1")), False, True),
        ("not JSON", vec((a, "1")), Answer(404, None, "404 page not found"), False, True),
        ("series lists as sets", Answer(200, {"status": "success", "data": [a, b]}, ""),
         Answer(200, {"status": "success", "data": [b, a]}, ""), False, False),
        ("label values in order", Answer(200, {"status": "success", "data": ["a", "b"]}, ""),
         Answer(200, {"status": "success", "data": ["b", "a"]}, ""), False, True),
    ]
    failed = 0
    for name, e, g, ordered, want_diff in checks:
        d = compare_answers(e, g, ordered)
        if bool(d) != want_diff:
            failed += 1
            print(f"selftest FAIL: {name}: diff={d.hard} soft={d.soft}")
    assert ordered_query(" (sort_desc(up))") and not ordered_query("sum(sort(up))")
    print(f"selftest: {len(checks) - failed}/{len(checks)} ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
