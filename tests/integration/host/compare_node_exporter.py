#!/usr/bin/env python3
"""Compares `cistern collect host` with node_exporter's /metrics, taken at the
same moment on the same machine, for the collectors cistern implements.

  compare_node_exporter.py NODE_EXPORTER_TEXT CISTERN_TEXT

For every metric family of those collectors that either side produces:
  - both produce it (unless listed in ONLY_NODE_EXPORTER / ONLY_CISTERN with the reason),
  - the label-name sets are identical,
  - the series (label values) are identical (unless listed in VOLATILE_SERIES),
  - values agree: EXACT families exactly, COUNTERS within a tolerance (the two
    reads are a few milliseconds apart), GAUGES_CLOSE within a tolerance.
Prints every difference and exits 1 if there is any.
"""
import re
import sys

# The collectors cistern's host input implements (node_exporter 1.5.0 names).
COLLECTORS = ["cpu", "stat", "loadavg", "meminfo", "vmstat", "filefd", "entropy", "time", "uname", "os",
              "filesystem", "diskstats", "netdev", "netstat", "sockstat", "pressure", "timex", "conntrack", "netclass"]
# Families by collector (regex on the metric name).
FAMILIES = [
    r"node_cpu_.*",
    r"node_(boot_time_seconds|context_switches_total|forks_total|intr_total|procs_running|procs_blocked)",
    r"node_load(1|5|15)",
    r"node_memory_.*",
    r"node_vmstat_.*",
    r"node_filefd_.*",
    r"node_entropy_.*",
    r"node_time_.*",
    r"node_uname_info",
    r"node_os_.*",
    r"node_filesystem_.*",
    r"node_disk_.*",
    r"node_network_(receive|transmit)_.*_total",
    r"node_netstat_.*",
    r"node_sockstat_.*",
    r"node_pressure_.*",
    r"node_timex_.*",
    r"node_nf_conntrack_.*",
    r"node_network_(up|info|address_assign_type|carrier|carrier(_up|_down)?_changes_total|device_id|dormant|flags"
    r"|iface_id|iface_link|iface_link_mode|mtu_bytes|name_assign_type|net_dev_group|protocol_type|speed_bytes"
    r"|transmit_queue_length)",
]
# Legitimate differences, each with its reason.
ONLY_NODE_EXPORTER = {}  # family -> reason
ONLY_CISTERN = {}  # family -> reason
# Families whose series may differ between two reads (things come and go).
VOLATILE_SERIES = {"node_time_zone_offset_seconds"}
EXACT = {
    "node_memory_MemTotal_bytes", "node_boot_time_seconds", "node_filefd_maximum", "node_uname_info", "node_os_info",
    "node_os_version", "node_filesystem_size_bytes", "node_filesystem_files", "node_filesystem_readonly",
    "node_filesystem_device_error", "node_entropy_pool_size_bits", "node_time_clocksource_available_info",
    "node_time_clocksource_current_info", "node_memory_SwapTotal_bytes", "node_memory_HugePages_Total",
    "node_memory_Hugepagesize_bytes",
    # timex: what changes only when an NTP daemon steps or changes mode.
    "node_timex_status", "node_timex_sync_status", "node_timex_loop_time_constant", "node_timex_tick_seconds",
    "node_timex_tai_offset_seconds", "node_timex_pps_shift_seconds",
    "node_nf_conntrack_entries_limit",
    # netclass: interface properties; a link flapping between the two reads would show here.
    "node_network_up", "node_network_info", "node_network_address_assign_type", "node_network_carrier",
    "node_network_device_id", "node_network_dormant", "node_network_flags", "node_network_iface_id",
    "node_network_iface_link", "node_network_iface_link_mode", "node_network_mtu_bytes",
    "node_network_name_assign_type", "node_network_net_dev_group", "node_network_protocol_type",
    "node_network_speed_bytes", "node_network_transmit_queue_length",
}
# Values that move with the processes running the comparison (cistern's test
# build runs under AddressSanitizer, which reserves and maps a lot): not compared.
UNCOMPARED_VALUES = {"node_memory_Committed_AS_bytes", "node_memory_PageTables_bytes", "node_memory_VmallocUsed_bytes"}
# Gauges that move: compared within a relative tolerance.
GAUGE_TOLERANCE = 0.10
COUNTER_TOLERANCE = 0.02  # relative, plus an absolute slack below


def parse(path):
    series = {}
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)', line)
        if not m:
            continue
        name, labels = m.group(1), m.group(3) or ""
        # An empty label value is the same as no label (Prometheus drops it).
        pairs = tuple(sorted((k, v) for k, v in re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', labels)
                             if k not in ("job", "instance") and v != ""))
        try:
            value = float(m.group(4))
        except ValueError:
            continue
        series[(name, pairs)] = value
    return series


def in_scope(name):
    return any(re.fullmatch(f, name) for f in FAMILIES)


def main():
    ne, ci = parse(sys.argv[1]), parse(sys.argv[2])
    problems = []
    ne_fam = {n for (n, _) in ne if in_scope(n)}
    ci_fam = {n for (n, _) in ci if in_scope(n)}
    for n in sorted(ne_fam - ci_fam):
        if n not in ONLY_NODE_EXPORTER:
            problems.append(f"missing in cistern: {n}")
    for n in sorted(ci_fam - ne_fam):
        if n not in ONLY_CISTERN:
            problems.append(f"not in node_exporter: {n}")
    compared = 0
    for n in sorted(ne_fam & ci_fam):
        a = {l: v for (m, l), v in ne.items() if m == n}
        b = {l: v for (m, l), v in ci.items() if m == n}
        names_a = {tuple(k for k, _ in l) for l in a}
        names_b = {tuple(k for k, _ in l) for l in b}
        if names_a != names_b:
            problems.append(f"{n}: label names differ: node_exporter {sorted(names_a)} cistern {sorted(names_b)}")
            continue
        if set(a) != set(b) and n not in VOLATILE_SERIES:
            for l in sorted(set(a) - set(b))[:5]:
                problems.append(f"{n}{dict(l)}: only in node_exporter")
            for l in sorted(set(b) - set(a))[:5]:
                problems.append(f"{n}{dict(l)}: only in cistern")
        for l in set(a) & set(b):
            x, y = a[l], b[l]
            if n in UNCOMPARED_VALUES:
                continue
            compared += 1
            if n in EXACT:
                ok = x == y
            elif n.endswith("_total"):
                ok = abs(x - y) <= COUNTER_TOLERANCE * max(abs(x), abs(y)) + 50
            elif n.startswith("node_memory_"):
                # System-wide memory moves with the processes taking part (the
                # test build of cistern runs under AddressSanitizer): 64 MiB slack.
                ok = abs(x - y) <= GAUGE_TOLERANCE * max(abs(x), abs(y)) + (64 << 20)
            elif n.startswith("node_sockstat_") and "_mem" in n:
                # Socket buffer memory moves with the comparison's own HTTP connection.
                ok = abs(x - y) <= GAUGE_TOLERANCE * max(abs(x), abs(y)) + (8 << 20)
            elif n == "node_time_seconds":
                ok = abs(x - y) < 5
            elif n.startswith("node_timex_"):
                # Small numbers (seconds, ratios) the clock discipline moves slowly: 1 ms (or 1 %).
                ok = abs(x - y) <= 0.01 * max(abs(x), abs(y)) + 0.001
            else:
                ok = abs(x - y) <= GAUGE_TOLERANCE * max(abs(x), abs(y)) + 100 * 4096 + 5
            if not ok:
                problems.append(f"{n}{dict(l)}: node_exporter {x} cistern {y}")
    for p in problems:
        print("DIFF:", p)
    print(f"families: node_exporter {len(ne_fam)}, cistern {len(ci_fam)}, common {len(ne_fam & ci_fam)}; "
          f"{compared} series compared; {len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
