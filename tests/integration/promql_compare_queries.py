"""The query battery of promql_compare.py: our engine against Prometheus 2.42.

The data is promql_testdata's (its header lists the series). S is the first
step's time in seconds, E = S + 2h the last one. Every expression runs as
instant queries at a few times and as one range query; groups that test time
(lookback, staleness, @, offset) run at more times. Cases(S) returns them all.

A case: feature (for the summary), expr, instant times, ranges
(start, end, step) and whether it expects an error (only for documentation:
the verdict is Prometheus' own).
"""
from dataclasses import dataclass, field

MIN = 60


@dataclass
class Case:
    feature: str
    expr: str
    instants: list = field(default_factory=list)
    ranges: list = field(default_factory=list)


def Cases(S):
    E = S + 120 * MIN

    def at(m, s=0.0):
        return S + m * MIN + s

    # Instant times: inside everything (off the grid), the last grid step, and
    # a third rotating through a counter reset, a target being down, after
    # the data (still in lookback), and between two staleness events.
    T_MID, T_END = at(61, 7.5), E
    EXTRA = [at(52), at(85), at(123), at(45, 10), at(95, 3.25)]
    RANGES = [
        (S - 300, E + 300, 60),
        (S, E, 15),
        (S + 1800.5, S + 5400, 37),
        (S + 123, E - 200, 300),
        (at(40), at(55), 10),
        (S + 7, E, 3600),
    ]
    # Around lookback and staleness: in the gap of gappy_gauge{instance="a"}
    # (40m..52m), around the stale markers (worker-3 45m15s+2s, worker-1
    # 60m15s+2s, worker-2 100m15s+2s), after the data's end (120m + lookback).
    # 125m: exactly the lookback after the last grid sample (2.42 still sees it).
    T_STALE = [at(39, 50), at(44, 59), at(45, 16), at(45, 17), at(45, 18), at(46), at(49, 45), at(50),
               at(60, 16.9), at(60, 17), at(62), at(66), at(72), at(100, 16), at(100, 18), at(121),
               at(124, 59), at(125), at(125, 1), at(125, 5), at(130)]
    R_STALE = [(S, E + 600, 15), (at(38), at(70), 7)]

    cases = []
    n = [0]

    def add(feature, exprs, instants=None, ranges=None):
        for e in exprs:
            i = n[0]
            n[0] += 1
            ins = instants if instants is not None else [T_MID, T_END, EXTRA[i % len(EXTRA)]]
            rng = ranges if ranges is not None else [RANGES[i % len(RANGES)]]
            cases.append(Case(feature, e, list(ins), list(rng)))

    # --- selectors and matchers -------------------------------------------------
    add("selector", [
        'http_requests_total',
        'http_requests_total{job="api-server"}',
        'http_requests_total{job!="api-server"}',
        'http_requests_total{code=~"5.."}',
        'http_requests_total{code!~"2..|4.."}',
        'http_requests_total{path=~"/api/v[12]/.*", method="GET"}',
        r'http_requests_total{path=~`/api/v1/users/\{id\}`}',
        'http_requests_total{path!~"/api.*", code!="200"}',
        '{__name__=~"http_.*", job="frontend"}',
        '{__name__="up"}',
        '{__name__=~"up|build_info", instance=~"fe-.*"}',
        '{__name__!~"http.*|up|build_info|special_values", job="api-server"}',
        r'up{instance=~"10\\.0\\.0\\..*"}',
        'up{instance=~".*:80"}',
        'up{instance=~"fe-a|10.0.0.1:8080"}',
        'up{instance=~"fe-a.*|10.0.0.1:8080"}',
        'up{job=~"api-server|node", instance!~"host-2|10.0.0.2.*"}',
        'up{job=~"(?i)API-.*"}',
        r'label_test{team=~"a\\.b"}',
        r'label_test{team=~"a\\|b"}',
        'label_test{team="a|b"}',
        'label_test{team=~"a.b"}',
        r'label_test{team=~"\\(x\\)"}',
        'label_test{team=~"ü.*"}',
        'label_test{team="ünïcode"}',
        'label_test{tier=~"1|10"}',
        'label_test{tier!~"1.*"}',
        'label_test{env=~"prod-(eu|us)"}',
        'label_test{env=~"prod-.+", tier=~"[0-9]"}',
        'label_test{job=""}',
        'label_test{job!=""}',
        'up{nonexistent!~".+"}',
        'up{nonexistent=~""}',
        'up{job=~".+", job!~"api.*|front.*"}',
        'job:http_requests:rate5m',
        '{__name__=~"job:.*"}',
        'special_values',
        'queue_depth{queue=~"sms\\\\..*"}',
        'queue_depth{queue=~"sms.high"}',
        'nonexistent_metric',
        'rpc_latency_seconds_bucket{le="+Inf"}',
        'http_request_duration_seconds_bucket{le=~"0\\\\.[0-9]+"}',
    ])
    add("string", ['"a string"', "'single'", '`raw\\n`'], ranges=[])
    add("range_vector_instant", [
        'http_requests_total{job="api-server", code="500"}[2m]',
        'up{job="frontend"}[1m]',
        'ephemeral_jobs[5m]',
        'special_values{kind=~"mixed|nan"}[1m]',
        'sparse_counter_total[5m] offset 1m',
    ], ranges=[])
    # --- offset and @ -------------------------------------------------------------
    add("offset", [
        'up offset 5m',
        'up{job="frontend"} offset -5m',
        'http_requests_total{code="200"} offset 1h30m',
        'sum(up offset 1m) by (job)',
        'rate(http_requests_total[5m] offset 1h)',
        'rate(http_requests_total[5m] offset -30m)',
        'node_temperature_celsius offset 2h',
        'node_temperature_celsius - node_temperature_celsius offset 10m',
        'gappy_gauge offset 10m',
        'ephemeral_jobs offset 3m',
        'max_over_time(node_temperature_celsius[10m] offset 1h)',
        'timestamp(up{job="frontend"} offset 7m)',
    ])
    add("at", [
        'up @ start()',
        'up @ end()',
        f'http_requests_total{{job="frontend"}} @ {at(60):.3f}',
        f'http_requests_total{{job="frontend"}} @ {at(60, 4.321):.3f}',
        f'rate(http_requests_total[5m] @ {at(30)})',
        'sum(rate(http_requests_total[5m] @ end()))',
        f'up @ {at(90)} offset 5m',
        f'up offset 5m @ {at(90)}',
        f'node_temperature_celsius @ {at(10, 0.5):.3f}',
        'max_over_time(node_temperature_celsius[1h] @ start())',
        'max_over_time(node_temperature_celsius[1h] @ end())',
        'up @ 0',
        f'timestamp(up @ {at(20)})',
        'rate(http_requests_total[1m] @ end() offset 30m)',
        'node_temperature_celsius - node_temperature_celsius @ start()',
        f'ephemeral_jobs @ {at(45, 16)}',
        f'ephemeral_jobs @ {at(45, 18)}',
        f'sum_over_time(up[30m:5m] @ {at(60)})',
        f'up and up @ {at(85)} == 0',
    ], ranges=None)
    # @ start() / end() are the range query's parameters, not its first / last step.
    add("at_range", [
        'up{job="frontend"} @ end()',
        'node_temperature_celsius @ start()',
        'rate(http_requests_total[1m] @ end() offset 30m)',
        'max_over_time(node_temperature_celsius[20m:1m] @ end())',
        'sum(rate(http_requests_total[5m] @ start()))',
        'node_temperature_celsius - node_temperature_celsius @ end()',
    ], instants=[T_MID], ranges=[(S + 1800.5, S + 5400, 37), (S + 7, E, 3600), (S + 60, E - 60, 7)])
    # --- lookback, staleness, gaps -------------------------------------------------
    add("staleness", [
        'ephemeral_jobs',
        'batch_processed_total',
        'gappy_gauge',
        'count(ephemeral_jobs)',
        'timestamp(ephemeral_jobs)',
        'timestamp(gappy_gauge)',
        'last_over_time(ephemeral_jobs[10m])',
        'count_over_time(ephemeral_jobs[5m])',
        'rate(batch_processed_total[5m])',
        'ephemeral_jobs offset 10m',
        'up{instance="fe-b.example.org:80"} + 0',
        'http_requests_total{instance="fe-b.example.org:80", code="200"}',
        'present_over_time(gappy_gauge[1m])',
        'absent(ephemeral_jobs{pod="worker-1"})',
        'absent_over_time(ephemeral_jobs{pod="worker-3"}[2m])',
        'changes(ephemeral_jobs[10m])',
        'last_over_time(ephemeral_jobs[10m:1m])',
        'sum by (pod) (ephemeral_jobs) or vector(0)',
    ], instants=T_STALE, ranges=R_STALE)
    # --- aggregations --------------------------------------------------------------
    for op in ["sum", "avg", "min", "max", "count", "group", "stddev", "stdvar"]:
        add("aggr_" + op, [
            f'{op}(http_requests_total)',
            f'{op} by (job) (rate(http_requests_total[5m]))',
            f'{op} without (instance, path) (rate(http_requests_total[5m]))',
            f'{op}(node_temperature_celsius) by (sensor)',
            f'{op}(special_values)',
            f'{op} by (kind) (special_values)',
            f'{op} without () (queue_depth)',
        ])
    add("aggr_misc", [
        'sum by () (up)',
        'sum by (__name__) ({__name__=~"up|build_info"})',
        'count by (__name__) ({__name__=~"http_.*"})',
        'sum by (le) (rate(http_request_duration_seconds_bucket[5m]))',
        'count(count by (version) (build_info))',
        'avg(special_values{kind=~"huge|inf"})',
        'avg(special_values{kind=~"huge"})',
        'sum(special_values{kind=~"huge"})',
        'stddev(special_values{kind=~"huge|tiny"})',
        'avg(special_values{kind=~"inf|neg_inf"})',
        'min(special_values{kind=~"nan|zero"})',
        'max(special_values{kind="nan"})',
        'sum by (nonexistent) (up)',
        'sum(up) by (job) / count(up) by (job)',
        'stddev by (instance) (queue_depth)',
        'stdvar(node_temperature_celsius) by (instance)',
        'group(http_requests_total) by (code)',
        'avg by (job) (up)',
    ])
    add("topk_bottomk", [
        'topk(3, http_requests_total)',
        'bottomk(3, http_requests_total)',
        'topk by (job) (2, rate(http_requests_total[5m]))',
        'bottomk without (sensor) (1, node_temperature_celsius)',
        'topk(1, queue_depth) by (instance)',
        'topk(scalar(count(up{job="node"})), queue_depth)',
        'topk(0, up)',
        'topk(-1, up)',
        'topk(2.7, node_temperature_celsius)',
        'topk(100, node_temperature_celsius)',
        'topk(2, special_values)',
        'bottomk(2, special_values)',
        'bottomk(1, special_values{kind=~"nan|mixed"})',
        'sum(topk(2, queue_depth))',
    ])
    add("quantile", [
        'quantile(0.5, queue_depth)',
        'quantile(0.9, node_temperature_celsius) by (instance)',
        'quantile without (queue) (0.25, queue_depth)',
        'quantile(0, queue_depth)',
        'quantile(1, queue_depth)',
        'quantile(-1, queue_depth)',
        'quantile(2, queue_depth)',
        'quantile(0.5, special_values)',
        'quantile(scalar(up{instance="host-1", job="node"}) / 3, node_temperature_celsius)',
    ])
    add("count_values", [
        'count_values("value", queue_depth)',
        'count_values("depth", queue_depth) by (instance)',
        'count_values("v", special_values)',
        'count_values("t", node_temperature_celsius)',
        'count_values("job", up)',
        'count_values without (instance) ("q", queue_depth)',
    ])
    # --- binary operators ----------------------------------------------------------
    add("arith", [
        'http_requests_total + 1',
        '2 * up',
        'node_temperature_celsius - 273.15',
        'node_temperature_celsius / 0',
        '-node_temperature_celsius',
        '-up',
        'up % 2',
        'node_temperature_celsius % 7',
        'node_temperature_celsius % -7',
        'node_temperature_celsius ^ 0.5',
        'node_temperature_celsius ^ 2',
        '2 ^ queue_depth',
        'queue_depth / on(instance, job) group_left sum by (instance, job) (queue_depth)',
        'node_temperature_celsius atan2 10',
        'disk_free_bytes / 1e9 * 8',
        'rate(http_requests_total[5m]) * 60',
        'http_requests_total - http_requests_total offset 5m',
        'special_values * 2',
        'special_values - special_values',
        'special_values / special_values{kind="zero"}',
        'special_values{kind="zero"} / special_values',
        'special_values + on() group_left special_values{kind="inf"}',
        '1 / 0', '-1 / 0', '0 / 0', '2 ^ 0.5', '(-8) ^ (1/3)', '10 % 3', '-10 % 3', '5.5 % -2', '1e308 * 10',
        '0x1F + 0X0a', '.5 + 5.', '1e-3 * 1E3', 'Inf - Inf', 'NaN', '-Inf', '+Inf', 'nan', 'inf',
        '3 atan2 4', '0 atan2 -1', '-(2 ^ 2)',
        'time() - timestamp(up)',
    ])
    add("compare", [
        'node_temperature_celsius > 40',
        'node_temperature_celsius > bool 40',
        'queue_depth == 5',
        'queue_depth == bool 5',
        'queue_depth != 5',
        'node_temperature_celsius < 0',
        'node_temperature_celsius <= bool -5',
        'queue_depth >= 10',
        '40 < node_temperature_celsius',
        '1 > bool 2', '2 >= bool 2', 'NaN == bool NaN', 'Inf != bool Inf',
        'up == on(instance, job) (up offset 1m)',
        'http_requests_total > bool on(job, instance, method, code, path) http_requests_total offset 5m',
        'rate(http_requests_total[5m]) > 1',
        'special_values > 0',
        'special_values != special_values',
        'special_values == bool special_values',
        'special_values < bool Inf',
        'queue_depth > on(instance) group_left max by (instance) (queue_depth) - 3',
        'up == 0',
    ])
    add("set_ops", [
        'up and on(instance) build_info',
        'up or special_values',
        'up unless up{job="node"}',
        'up unless on(job) up{job="node"}',
        'ephemeral_jobs or on(pod) vector(1)',
        'http_requests_total and ignoring(code) http_requests_total{code="200"}',
        'http_requests_total{code="500"} or http_requests_total{code="404"}',
        'node_temperature_celsius > 45 or node_temperature_celsius < 0',
        'rate(http_requests_total[5m]) and rate(http_requests_total[5m]) > 5',
        'gappy_gauge or gappy_gauge offset 15m',
        'up and ignoring(instance, job) vector(1)',
        'vector(1) and on() up',
        'sum by (job) (up) unless on(job) sum by (job) (up == 0)',
    ])
    add("matching", [
        'node_temperature_celsius * on(instance) group_left(role) instance_role',
        'instance_role * on(instance) group_right(role) node_temperature_celsius',
        'sum by (job, instance) (rate(http_requests_total[5m])) * on(job, instance) group_left(version) '
        'build_info',
        'rate(http_requests_total[5m]) / ignoring(code, method, path) group_left '
        'sum without (code, method, path) (rate(http_requests_total[5m]))',
        'up * ignoring(version, revision) build_info',
        'build_info * on(instance, job) group_left up',
        'up{job="node"} + on(instance) group_right up{job="worker"}',
        'http_requests_total / on(job, instance) group_left process_cpu_seconds_total',
        'queue_depth - ignoring(queue) group_left avg without (queue) (queue_depth)',
        'max by (instance) (queue_depth) * on(instance) group_left(role) instance_role',
        'up * on() group_left scalar(sum(up))',
        'http_request_duration_seconds_sum / on(instance, job) http_request_duration_seconds_count',
        'rate(http_request_duration_seconds_sum[5m]) / rate(http_request_duration_seconds_count[5m])',
        'sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) / '
        'sum by (job) (rate(http_requests_total[5m]))',
    ])
    add("precedence", [
        '2 + 3 * 4', '2 ^ 3 ^ 2', '-2 ^ 2', '(2 + 3) * 4', '1 - 2 - 3', '2 * 3 % 2', '2 * 3 ^ 2 + 1',
        'up + up * 2', '(up + up) * 2', 'up == 1 and up > 0 or up',
        'sum(up) by (job) / count(up) by (job) > 0.5',
        '100 - 100 * up / up',
        'queue_depth > 3 + 2 * 2',
        'up or up == 0 and up',
        '1 + -node_temperature_celsius',
        '- - 1',
        '+up',
        '-up{job="node"} ^ 2',
        '-sum(up) by (job)',
    ])
    # Numbers as the API prints them (Go's strconv 'g'-like shortest form).
    add("number_format", [
        'vector(0.0000001)', 'vector(1e21)', 'vector(1e20)', 'vector(123456789012345678901234)',
        'vector(-0.0)',
        'vector(0.1 + 0.2)', 'vector(1 / 3)', 'vector(100000)', 'vector(123456.789)', 'vector(5e-324)',
        'vector(1.7976931348623157e308)', 'vector(-1e-5)', 'vector(0.0001)', 'vector(2 ^ 53 + 1)',
        'special_values{kind=~"tiny|huge"}',
    ], ranges=[(S, S + 60, 30)])
    # Native-histogram functions on float series: empty results in 2.42.
    add("native_histogram_funcs", [
        'histogram_count(http_request_duration_seconds_bucket)',
        'histogram_sum(rate(http_request_duration_seconds_sum[5m]))',
        'histogram_fraction(0, 0.5, http_request_duration_seconds_bucket)',
        'histogram_count(up) or vector(1)',
    ])
    # --- functions -------------------------------------------------------------------
    add("counter_funcs", [
        'rate(http_requests_total[5m])',
        'rate(http_requests_total[1m])',
        'rate(http_requests_total[30s])',
        'rate(http_requests_total[16s])',
        'increase(http_requests_total{instance="10.0.0.2:8080"}[10m])',
        'increase(http_requests_total[1h])',
        'increase(process_cpu_seconds_total[2h])',
        'rate(process_cpu_seconds_total[3m])',
        'rate(sparse_counter_total[2m])',
        'rate(sparse_counter_total[5m])',
        'increase(sparse_counter_total[10m])',
        'rate(http_requests_total{instance="fe-b.example.org:80"}[15m])',
        'rate(up[5m])',
        'rate(special_values[5m])',
        'irate(http_requests_total[5m])',
        'irate(http_requests_total[20s])',
        'irate(sparse_counter_total[5m])',
        'irate(process_cpu_seconds_total{instance="10.0.0.2:8080"}[1m])',
        'increase(batch_processed_total[30m])',
        'rate(http_request_duration_seconds_count[5m])',
        'sum(rate(http_requests_total[5m])) by (code)',
    ])
    add("gauge_funcs", [
        'delta(node_temperature_celsius[10m])',
        'delta(queue_depth[1m])',
        'delta(gappy_gauge[15m])',
        'idelta(node_temperature_celsius[1m])',
        'idelta(queue_depth[5m])',
        'deriv(disk_free_bytes[30m])',
        'deriv(node_temperature_celsius[5m])',
        'deriv(special_values[5m])',
        'predict_linear(disk_free_bytes[1h], 86400)',
        'predict_linear(node_temperature_celsius[10m], 600)',
        'predict_linear(disk_free_bytes[10m], -3600)',
        'holt_winters(node_temperature_celsius[30m], 0.5, 0.5)',
        'holt_winters(disk_free_bytes[1h], 0.1, 0.9)',
        'holt_winters(queue_depth[5m], 0.3, 0.3)',
        'delta(special_values[2m])',
    ])
    add("histogram_quantile", [
        'histogram_quantile(0.9, rate(http_request_duration_seconds_bucket[5m]))',
        'histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))',
        'histogram_quantile(0.99, sum by (le, instance) (rate(http_request_duration_seconds_bucket[10m])))',
        'histogram_quantile(0, rate(http_request_duration_seconds_bucket[5m]))',
        'histogram_quantile(1, rate(http_request_duration_seconds_bucket[5m]))',
        'histogram_quantile(-0.1, rate(http_request_duration_seconds_bucket[5m]))',
        'histogram_quantile(1.5, rate(http_request_duration_seconds_bucket[5m]))',
        'histogram_quantile(NaN, rate(http_request_duration_seconds_bucket[5m]))',
        'histogram_quantile(0.5, rpc_latency_seconds_bucket)',
        'histogram_quantile(0.95, rate(rpc_latency_seconds_bucket[5m]))',
        'histogram_quantile(0.9, http_request_duration_seconds_bucket)',
        'histogram_quantile(0.5, rate(http_request_duration_seconds_bucket{le=~"0.1|1|\\\\+Inf"}[5m]))',
        'histogram_quantile(0.5, rate(http_request_duration_seconds_bucket{le!="+Inf"}[5m]))',
        'histogram_quantile(0.5, rate(http_request_duration_seconds_bucket[5m]) * 0)',
        'histogram_quantile(0.75, sum without (instance) '
        '(increase(http_request_duration_seconds_bucket[1h])))',
        'histogram_quantile(0.5, label_replace(rate(http_request_duration_seconds_bucket[5m]), '
        '"le", "x", "le", "0.05"))',
        'histogram_quantile(0.3, up)',
    ])
    add("label_funcs", [
        'label_replace(up, "host", "$1", "instance", "(.*):.*")',
        'label_replace(build_info, "version", "", "version", ".*")',
        'label_replace(up, "foo", "bar", "nonexistent", "")',
        'label_replace(up, "foo", "$1-$2", "instance", "([^.]+)\\\\.(\\\\d+).*")',
        'label_replace(up, "job", "${1}x", "job", "(.*)")',
        'label_replace(up, "x", "$name", "instance", "(?P<name>[a-z]+).*")',
        'label_replace(up, "x", "$1", "instance", "no-match-(.*)")',
        'label_replace(http_requests_total, "__name__", "renamed", "", "")',
        'label_replace(rate(http_requests_total[5m]), "code_class", "${1}xx", "code", "(.).*")',
        'label_replace(label_test, "team", "T:$0", "team", ".+")',
        'label_join(up, "addr", ":", "job", "instance")',
        'label_join(build_info, "x", "-", "version", "revision", "nonexistent")',
        'label_join(up, "instance", "", "instance")',
        'label_join(label_test, "all", ",", "env", "team", "tier")',
        'sum by (host) (label_replace(up, "host", "$1", "instance", "([^:]+).*"))',
    ])
    add("math_funcs", [
        'abs(node_temperature_celsius)', 'abs(special_values)',
        'ceil(node_temperature_celsius)', 'floor(node_temperature_celsius)', 'ceil(special_values)',
        'round(node_temperature_celsius)', 'round(node_temperature_celsius, 0.5)',
        'round(node_temperature_celsius, 10)', 'round(special_values{kind="negative"}, 0.1)',
        'round(-node_temperature_celsius, 0.25)', 'round(vector(-2.5))', 'round(vector(2.5))',
        'exp(node_temperature_celsius / 10)', 'exp(special_values)',
        'ln(disk_free_bytes)', 'ln(special_values)', 'log2(queue_depth)', 'log10(disk_free_bytes)',
        'log10(special_values)', 'sqrt(node_temperature_celsius)', 'sqrt(special_values)',
        'sgn(node_temperature_celsius)', 'sgn(special_values)',
        'clamp(node_temperature_celsius, -5, 50)', 'clamp(node_temperature_celsius, 50, 0)',
        'clamp(special_values, -1, 1)',
        'clamp_min(node_temperature_celsius, 0)', 'clamp_max(node_temperature_celsius, 44.5)',
        'clamp_max(special_values, 2)', 'clamp_min(special_values, NaN)',
    ])
    add("trig_funcs", [
        'sin(node_temperature_celsius)', 'cos(node_temperature_celsius)', 'tan(node_temperature_celsius)',
        'asin(node_temperature_celsius / 50)', 'acos(node_temperature_celsius / 50)',
        'atan(node_temperature_celsius)', 'sinh(node_temperature_celsius / 10)',
        'cosh(node_temperature_celsius / 10)', 'tanh(node_temperature_celsius / 10)',
        'asinh(node_temperature_celsius)', 'acosh(node_temperature_celsius)',
        'atanh(node_temperature_celsius / 100)', 'deg(node_temperature_celsius)',
        'rad(node_temperature_celsius)', 'pi()', 'sin(special_values)', 'atanh(special_values)',
        'deg(vector(pi()))', 'acosh(special_values)',
    ])
    add("time_funcs", [
        'time()', 'timestamp(up)', 'timestamp(http_requests_total{job="frontend"})',
        'timestamp(rate(http_requests_total[5m]))', 'timestamp(vector(1))', 'timestamp(sparse_counter_total)',
        'minute()', 'hour()', 'day_of_week()', 'day_of_month()', 'day_of_year()', 'days_in_month()',
        'month()', 'year()',
        'hour(timestamp(up))', 'minute(timestamp(up{job="frontend"}))',
        'minute(vector(1700000000))', 'day_of_week(vector(0))', 'year(vector(1e10))',
        'month(vector(-1))', 'days_in_month(vector(951782400))', 'day_of_year(vector(1704067199))',
        'day_of_month(special_values)', 'hour(node_temperature_celsius)',
        'vector(time()) - on() group_left timestamp(up{instance="host-1", job="node"})',
    ])
    add("over_time", [
        f'{fn}(node_temperature_celsius[10m])' for fn in
        ["avg_over_time", "sum_over_time", "min_over_time", "max_over_time", "count_over_time",
         "last_over_time", "present_over_time", "stddev_over_time", "stdvar_over_time"]
    ] + [
        f'{fn}(special_values[2m])' for fn in
        ["avg_over_time", "sum_over_time", "min_over_time", "max_over_time", "count_over_time",
         "stddev_over_time", "stdvar_over_time", "last_over_time"]
    ] + [
        'avg_over_time(special_values{kind="huge"}[10m])',
        'sum_over_time(gappy_gauge[15m])',
        'count_over_time(http_requests_total{job="frontend"}[1m])',
        'max_over_time(queue_depth[1h])',
        'stddev_over_time(queue_depth[30m])',
        'quantile_over_time(0.5, node_temperature_celsius[10m])',
        'quantile_over_time(0.9, queue_depth[1h])',
        'quantile_over_time(0, queue_depth[5m])',
        'quantile_over_time(1, queue_depth[5m])',
        'quantile_over_time(-1, queue_depth[5m])',
        'quantile_over_time(2, queue_depth[5m])',
        'quantile_over_time(0.5, special_values[2m])',
        'quantile_over_time(0.99, rate(http_requests_total[5m])[30m:1m])',
        'absent_over_time(nonexistent[5m])',
        'absent_over_time(nonexistent{job="x", instance=~"y", env="z"}[1m])',
        'absent_over_time(up[5m])',
        'present_over_time(sparse_counter_total[30s])',
    ])
    add("absent", [
        'absent(nonexistent)',
        'absent(nonexistent{job="x", instance=~"y", env!="z"})',
        'absent(up)',
        'absent(sum(nonexistent))',
        'absent(up{job="nope"} == 1)',
        'absent(nonexistent{job="a"} offset 5m)',
        'absent(vector(1))',
        'absent(rate(nonexistent{code="500"}[5m]))',
    ])
    add("changes_resets", [
        'changes(up[1h])',
        'changes(queue_depth[10m])',
        'changes(special_values[5m])',
        'changes(gappy_gauge[20m])',
        'resets(http_requests_total[1h])',
        'resets(process_cpu_seconds_total[2h])',
        'resets(queue_depth[10m])',
        'resets(rpc_latency_seconds_bucket[30m])',
    ])
    add("sort", [
        'sort(node_temperature_celsius)',
        'sort_desc(node_temperature_celsius)',
        'sort_desc(rate(http_requests_total[5m]))',
        'sort(special_values)',
        'sort_desc(special_values)',
        'sort(queue_depth)',
        'sort_desc(sum by (job) (up))',
        'sort(-disk_free_bytes)',
    ])
    add("vector_scalar", [
        'vector(1)', 'vector(time())', 'vector(NaN)', 'scalar(up)',
        'scalar(up{instance="host-1", job="node"})', 'scalar(sum(up))', 'up * scalar(sum(up))',
        'scalar(nonexistent)', 'scalar(vector(3)) + 1', 'vector(scalar(sum(queue_depth)))',
        'scalar(special_values{kind="inf"})',
    ])
    # --- subqueries -----------------------------------------------------------------
    add("subquery", [
        'max_over_time(rate(http_requests_total[5m])[30m:1m])',
        'avg_over_time(node_temperature_celsius[1h:5m])',
        'min_over_time(sum(up)[10m:])',
        'sum_over_time(up[1h:7m] offset 10m)',
        'max_over_time(node_temperature_celsius[20m:1m] @ end())',
        'max_over_time(deriv(rate(http_requests_total[5m])[10m:1m])[30m:5m])',
        'rate(http_requests_total[5m:30s])',
        'count_over_time(up[10m:30s])',
        'last_over_time(ephemeral_jobs[10m:1m])',
        'avg_over_time(gappy_gauge[20m:2m])',
        'stddev_over_time(queue_depth[30m:45s])',
        'increase(sum(http_requests_total)[10m:1m])',
        'changes(sum by (instance) (queue_depth)[30m:1m])',
        'min_over_time(rate(sparse_counter_total[5m])[20m:17s])',
        'holt_winters(sum(node_temperature_celsius)[30m:1m], 0.4, 0.6)',
    ])
    add("subquery_instant", [
        'rate(http_requests_total{code="500"}[5m])[10m:1m]',
        'node_temperature_celsius{sensor="outdoor"}[5m:2m]',
        'sum(up)[10m:90s] offset 3m',
    ], ranges=[])
    add("subquery_combos", [
        'max_over_time(rate(http_requests_total[5m])[30m:1m] offset 10m)',
        'min_over_time((up @ start())[10m:1m])',
        'sum_over_time(special_values[1m:15s])',
        'count_over_time(node_temperature_celsius[1m:5m])',
        'rate(http_requests_total[10m:1m])',
        'predict_linear(sum(disk_free_bytes)[30m:1m], 3600)',
        'deriv(sum(rate(http_requests_total[5m]))[20m:2m])',
        'absent_over_time(ephemeral_jobs{pod="worker-1"}[10m:1m])',
        'max_over_time(last_over_time(gappy_gauge[1m])[15m:30s])',
        'avg_over_time(rate(batch_processed_total[2m])[10m:30s] @ end())',
        f'sum_over_time(up{{job="frontend"}}[10m:1m] @ {at(90)} offset -5m)',
        'quantile_over_time(0.5, (node_temperature_celsius > 45)[30m:1m])',
    ])
    add("funcs_more", [
        'round(node_temperature_celsius, -2)', 'clamp(node_temperature_celsius, NaN, 50)',
        'clamp_max(node_temperature_celsius, -Inf)', 'deriv(http_requests_total[10m])',
        'irate(batch_processed_total[1m])', 'resets(special_values[10m])',
        'idelta(sparse_counter_total[61s])', 'increase(sparse_counter_total[151s])',
        'rate(http_requests_total[45s])', 'rate(http_requests_total[2m])',
        'delta(http_requests_total[3m])', 'holt_winters(http_requests_total{code="200"}[10m], 0.2, 0.2)',
        'quantile_over_time(NaN, queue_depth[5m])', 'predict_linear(http_requests_total[5m], 60)',
        'absent(nonexistent{job="x"} @ start())', 'timestamp(timestamp(up{job="node"}))',
        'timestamp(node_temperature_celsius @ end())', 'timestamp(last_over_time(gappy_gauge[20m]))',
        'label_replace(sum by (job) (up), "job", "$1", "job", "(api).*")',
        'sort_desc(count_values("v", queue_depth))',
        'topk(1, sum by (job) (rate(http_requests_total[5m])))',
        'changes(process_cpu_seconds_total[30m])',
        'stddev_over_time(special_values{kind=~"huge|tiny|negative"}[5m])',
        'sum_over_time(special_values{kind="tiny"}[30m]) / 1e-300',
        'avg_over_time(disk_free_bytes[2h])',
    ])
    add("matching_more", [
        'node_temperature_celsius * on(instance) group_left(job) up{job="worker"}',
        'up{job="worker"} * on(instance) group_right(job) node_temperature_celsius',
        'node_temperature_celsius > on(instance) group_left(role) (instance_role * 40)',
        'node_temperature_celsius == bool on(instance, job, sensor) node_temperature_celsius offset 15s',
        'up * ignoring(__name__) up',
        'up{job="node"} / on(instance) group_left() (up{job="worker"} * 2)',
        'sum without (sensor, job) (node_temperature_celsius) / ignoring(role) group_left instance_role',
        'queue_depth unless on(queue) queue_depth{instance="host-2"} > 5',
        'build_info * on(job, instance) group_left() up',
        'rate(http_requests_total[5m]) * on(instance) group_left(version, revision) build_info',
    ])
    # --- metric-name dropping ---------------------------------------------------------
    add("name_dropping", [
        'http_requests_total{code="500"} * 1',
        'up{job="node"} == 1',
        'up{job="node"} == bool 1',
        'abs(up{job="node"})',
        'last_over_time(up{job="node"}[5m])',
        'max_over_time(up{job="node"}[5m])',
        'sort(up{job="node"})',
        'label_replace(up{job="node"}, "a", "b", "", "")',
        'clamp(up{job="node"}, 0, 1)',
        'up{job="node"} offset 1m',
        'delta(up{job="node"}[5m])',
        'timestamp(up{job="node"})',
        'up{job="node"} and up{job="node"}',
        'up{job="node"} > 0.5',
        'topk(1, up{job="node"})',
        'rate(http_requests_total{code="500"}[5m])',
    ])
    # --- errors ------------------------------------------------------------------------
    add("errors", [
        'sum(up', 'up{', 'rate(up)', 'foo[5m', '1 > 2', 'topk(up, up)', 'label_replace(up, "x")',
        'histogram_quantile(0.5)', 'time(1)', 'abs(up, 1)', '{__name__=~".*"}', '{job=~".*"}',
        'up[5m] offset', 'sum(up) by (', 'rate(up[5m:1m:1m])', 'up @ foo()', 'nonexistent_function(up)',
        'http_requests_total + on(job) http_requests_total',
        'build_info * on(job) group_left up',
        'up * on(job) build_info',
        'label_replace(up, "__bad-name", "x", "job", ".*")',
        'label_replace(up, "x", "y", "job", "(")',
        'label_join(up, "1x", ",", "job")',
        'holt_winters(node_temperature_celsius[10m], 1, 0.5)',
        'holt_winters(node_temperature_celsius[10m], 0.5, 0)',
        'count_values("1bad", up)',
        'quantile("a", up)',
        'up + "a"',
        'up and bool up',
        'up + on(job) group_left(instance) sum by (job) (up) and on(job) group_left up',
        'sum(up) without (job) by (instance)',
        'rate(up[0s])',
        'up offset 1y2',
    ])
    # Two series with the same labels after a function or operator: an error in
    # instant and range queries alike.
    add("errors_duplicates", [
        '{__name__=~"up|process_cpu_seconds_total"} * 1',
        'label_replace(up, "instance", "x", "instance", ".*")',
        'abs({__name__=~"up|process_cpu_seconds_total"})',
        'rate({__name__=~"process_cpu_seconds_total|up"}[5m])',
        'label_join(up, "job", "", "nonexistent")',
    ])
    add("errors_range_only", [
        'up[5m]',
        'rate(http_requests_total[5m])[10m:1m]',
        '"a string"',
    ], instants=[])
    return cases


# API-level requests beyond expressions: parameter parsing and its errors.
# (path, params, method). Times are filled in by ApiCases(S).
def ApiCases(S):
    E = S + 120 * MIN
    from datetime import datetime, timezone

    def rfc(t):
        return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    q = "/api/v1/query"
    qr = "/api/v1/query_range"
    return [
        (q, {"query": "up", "time": rfc(S + 3600)}, "GET"),
        (q, {"query": "sum(up)", "time": f"{S + 3600.123:.3f}"}, "POST"),
        (q, {"query": "up", "time": "abc"}, "GET"),
        (q, {"time": str(E)}, "GET"),
        (q, {"query": "", "time": str(E)}, "GET"),
        (q, {"query": "up", "time": str(E), "timeout": "1m"}, "GET"),
        (q, {"query": "up", "time": str(E), "timeout": "x"}, "GET"),
        (qr, {"query": "sum(up)", "start": rfc(S), "end": rfc(E), "step": "5m"}, "GET"),
        (qr, {"query": "sum(up)", "start": str(S), "end": str(E), "step": "300"}, "POST"),
        (qr, {"query": "sum(up)", "start": str(S), "end": str(E), "step": "1m30s"}, "GET"),
        (qr, {"query": "sum(up)", "start": str(S), "end": str(E), "step": "0"}, "GET"),
        (qr, {"query": "sum(up)", "start": str(S), "end": str(E), "step": "-15"}, "GET"),
        (qr, {"query": "sum(up)", "start": str(E), "end": str(S), "step": "15"}, "GET"),
        (qr, {"query": "sum(up)", "start": str(S), "end": str(E), "step": "0.5"}, "GET"),
        (qr, {"query": "sum(up)", "start": str(S), "end": str(E)}, "GET"),
        (qr, {"query": "sum(up)", "start": "x", "end": str(E), "step": "15"}, "GET"),
        (qr, {"query": "sum(up)", "start": str(S), "end": str(S), "step": "15"}, "GET"),
        (qr, {"query": "sum(up)", "start": str(S + 0.0005), "end": str(S + 60.0004), "step": "15.0005"},
         "GET"),
    ]


# /api/v1/series, /api/v1/labels, /api/v1/label/<name>/values.
def MetaCases(S):
    E = S + 120 * MIN
    span = {"start": str(S), "end": str(E)}
    late = {"start": str(S + 85 * MIN), "end": str(E)}
    return [(p, m, sp, "GET") for p, m, sp in [
        ("/api/v1/series", [("match[]", "up")], span),
        ("/api/v1/series", [("match[]", 'http_requests_total{code=~"5.."}')], span),
        ("/api/v1/series", [("match[]", "up"), ("match[]", 'label_test{team=~"a.*"}')], span),
        ("/api/v1/series", [("match[]", '{__name__=~"ephemeral_jobs|batch_processed_total"}')], late),
        ("/api/v1/series", [("match[]", '{job="frontend"}')], {}),
        ("/api/v1/series", [("match[]", "nonexistent")], span),
        ("/api/v1/series", [], span),
        ("/api/v1/series", [("match[]", '{job=~".*"}')], span),
        ("/api/v1/series", [("match[]", "up{")], span),
        ("/api/v1/labels", [], span),
        ("/api/v1/labels", [], {}),
        ("/api/v1/labels", [("match[]", "up")], span),
        ("/api/v1/labels", [("match[]", "label_test"), ("match[]", "queue_depth")], span),
        ("/api/v1/label/job/values", [], span),
        ("/api/v1/label/__name__/values", [], {}),
        ("/api/v1/label/le/values", [("match[]", "rpc_latency_seconds_bucket")], span),
        ("/api/v1/label/team/values", [], span),
        ("/api/v1/label/pod/values", [("match[]", "ephemeral_jobs")], late),
        ("/api/v1/label/nonexistent/values", [], span),
        ("/api/v1/label/instance/values", [("match[]", '{job=~"api.*"}')], span),
    ]] + [
        # format_query pretty-prints nodes longer than 100 bytes over lines.
        ("/api/v1/format_query", [("query", q)], {}, "GET") for q in [
            'sum by(job)(rate(http_requests_total{code=~"5.."}[5m]))',
            'sum by (job, instance) (rate(http_requests_total{code=~"5..", method="GET"}[5m])) / ignoring (code) '
            'group_left sum by (job, instance) (rate(http_requests_total[5m]))',
            'histogram_quantile(0.99, sum without (instance, pod) (rate(rpc_latency_seconds_bucket{service="checkout",'
            ' region="eu-west-1"}[10m])))',
            '-(label_replace(up{job="node", instance=~"10\\.0\\..*"}, "host", "$1", "instance", "(.*):.*") * on '
            '(instance) group_right (host) instance_role{role="database-primary-replica"})',
            'topk(5, max_over_time(rate(node_cpu_seconds_total{mode!="idle", mode!="iowait", mode!="steal"}[1m])'
            '[30m:1m] offset 1h))',
            '(((node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes) / node_memory_MemTotal_bytes) * 100) '
            '> bool 90 and on (instance) up == 1',
            'sum(x) + sum(y)',
        ]
    ] + [
        ("/api/v1/series", [("match[]", 'up{job="node"}'), ("match[]", "instance_role")], span, "POST"),
        ("/api/v1/labels", [("match[]", "special_values")], span, "POST"),
    ]
