#!/usr/bin/env bash
# [inputs.container] against real cgroups: creates a cgroup (below this
# shell's own, in every hierarchy the input reads: cgroup v2, or v1's cpu,
# cpuacct, memory, pids, blkio joined by one relative path), sets a CPU quota
# and a memory limit, moves a process that touches 64 MiB and spins into it,
# and checks with `cistern collect container` that usage moves, the limits and
# the throttling are reported under cAdvisor's names, and that the cgroup's
# removal is no error. Needs root; prints SKIP: with the reason for whatever
# this machine does not allow.
source "$(dirname "$0")/lib.sh"

CG=/sys/fs/cgroup
NAME="cistern-it-$$"
CREATED=()   # cgroup directories this test made, outermost first
WORKLOAD=""

skip() { echo "SKIP: $1"; }
cleanup_cgroups() {
  if [ -n "$WORKLOAD" ]; then
    kill -9 "$WORKLOAD" 2>/dev/null
    wait "$WORKLOAD" 2>/dev/null
  fi
  local i
  for ((i = ${#CREATED[@]} - 1; i >= 0; i--)); do
    for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "${CREATED[$i]}" 2>/dev/null && break; sleep 0.1; done
  done
}
trap 'cleanup_cgroups; cleanup' EXIT

if [ "$(id -u)" -ne 0 ]; then skip "not root: cannot create cgroups"; finish; exit; fi

# mkdir -p that remembers what it made.
make_cgroup() {
  local dir=$1 path="" part
  IFS=/ read -ra parts <<<"${dir#/}"
  for part in "${parts[@]}"; do
    path="$path/$part"
    if [ ! -d "$path" ]; then
      mkdir "$path" 2>/dev/null || return 1
      CREATED+=("$path")
    fi
  done
}

# value FILE METRIC ID [LABEL=VALUE]: the sample's value, or "" (a line of `cistern collect`).
value() {
  python3 - "$@" <<'EOF'
import re, sys
path, metric, cid = sys.argv[1:4]
extra = dict(a.split("=", 1) for a in sys.argv[4:])
for line in open(path):
    m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$', line.strip())
    if not m or m.group(1) != metric:
        continue
    labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
    if labels.get("id") == cid and all(labels.get(k) == v for k, v in extra.items()):
        print(m.group(3))
        break
EOF
}
ge() { python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)" "${1:-nan}" "$2" 2>/dev/null; }
eq() { python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) == float(sys.argv[2]) else 1)" "${1:-nan}" "$2" 2>/dev/null; }

# Where to make the test cgroup: below this shell's own cgroup, so that
# nothing it does escapes the limits and accounting of whoever runs the test.
PROCS=()      # cgroup.procs files to move the workload into
declare -A LIMIT_OK
if [ -f "$CG/cgroup.controllers" ]; then
  MODE=v2
  own=$(sed -n 's/^0:://p' /proc/self/cgroup)
  REL="${own%/}/$NAME"
  parent="$CG${own%/}"
  for c in cpu memory pids; do
    grep -qw "$c" "$parent/cgroup.subtree_control" 2>/dev/null || echo "+$c" >"$parent/cgroup.subtree_control" 2>/dev/null
  done
  if ! make_cgroup "$CG$REL"; then skip "cannot create $CG$REL"; finish; exit; fi
  echo "50000 100000" >"$CG$REL/cpu.max" 2>/dev/null && LIMIT_OK[cpu]=1
  echo 268435456 >"$CG$REL/memory.max" 2>/dev/null && LIMIT_OK[memory]=1
  [ -f "$CG$REL/pids.current" ] && LIMIT_OK[pids]=1
  PROCS=("$CG$REL/cgroup.procs")
else
  MODE=v1
  own=$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)
  REL="${own%/}/$NAME"
  declare -A seen
  for h in cpu cpuacct memory pids blkio; do
    dir=""
    cands="$h"
    case "$h" in cpu | cpuacct) cands="$h cpu,cpuacct cpuacct,cpu" ;; esac
    for cand in $cands; do
      [ -d "$CG/$cand" ] && { dir=$(readlink -f "$CG/$cand"); break; }
    done
    [ -n "$dir" ] || { skip "no v1 $h hierarchy: its series are not checked"; continue; }
    [ -n "${seen[$dir]:-}" ] && continue
    seen[$dir]=1
    if ! make_cgroup "$dir$REL"; then skip "cannot create $dir$REL"; continue; fi
    PROCS+=("$dir$REL/cgroup.procs")
    [ -f "$dir$REL/cpu.cfs_quota_us" ] && echo 100000 >"$dir$REL/cpu.cfs_period_us" &&
      echo 50000 >"$dir$REL/cpu.cfs_quota_us" && LIMIT_OK[cpu]=1
    [ -f "$dir$REL/memory.limit_in_bytes" ] && echo 268435456 >"$dir$REL/memory.limit_in_bytes" && LIMIT_OK[memory]=1
    [ -f "$dir$REL/pids.current" ] && LIMIT_OK[pids]=1
  done
  if [ "${#PROCS[@]}" -eq 0 ]; then skip "no v1 hierarchy to create a cgroup in"; finish; exit; fi
fi
echo "cgroup $MODE: id=\"$REL\""
[ -n "${LIMIT_OK[cpu]:-}" ] || skip "cannot set a CPU quota on $REL"
[ -n "${LIMIT_OK[memory]:-}" ] || skip "cannot set a memory limit on $REL"

# The workload moves itself in first, so that all it touches is charged here.
sh -c 'for f in "$@"; do echo $$ >"$f" || exit 3; done
       exec python3 -c "
import time
b = bytearray(64 << 20)
for i in range(0, len(b), 4096): b[i] = 1
end = time.time() + 120
while time.time() < end: pass
"' workload "${PROCS[@]}" &
WORKLOAD=$!
PIDS+=("$WORKLOAD")
sleep 2
if ! kill -0 "$WORKLOAD" 2>/dev/null; then fail "workload could not move into $REL"; finish; exit; fi

cat >"$TMP/container.toml" <<EOF
[inputs.container]
docker_socket = ""
EOF
collect() { "$CISTERN" --config "$TMP/container.toml" collect container >"$1" 2>"$1.err"; }

check "first collection succeeds" collect "$TMP/c1"
sleep 2
check "second collection succeeds" collect "$TMP/c2"
[ -s "$TMP/c1.err" ] && cat "$TMP/c1.err"

cpu1=$(value "$TMP/c1" container_cpu_usage_seconds_total "$REL" cpu=total)
cpu2=$(value "$TMP/c2" container_cpu_usage_seconds_total "$REL" cpu=total)
echo "cpu: $cpu1 -> $cpu2 s"
check "container_cpu_usage_seconds_total{cpu=\"total\"} is reported" ge "$cpu1" 0.1
check "container_cpu_usage_seconds_total grows while the workload spins" ge "$(python3 -c "print(${cpu2:-0} - ${cpu1:-0})")" 0.3
check "container_cpu_user_seconds_total is reported" ge "$(value "$TMP/c2" container_cpu_user_seconds_total "$REL")" 0.1
check "root cgroup's CPU time is reported" ge "$(value "$TMP/c2" container_cpu_usage_seconds_total / cpu=total)" "${cpu2:-0}"
if [ -n "${LIMIT_OK[cpu]:-}" ]; then
  check "container_spec_cpu_quota is the quota set" eq "$(value "$TMP/c2" container_spec_cpu_quota "$REL")" 50000
  check "container_spec_cpu_period is the period" eq "$(value "$TMP/c2" container_spec_cpu_period "$REL")" 100000
  check "container_cpu_cfs_periods_total counts" ge "$(value "$TMP/c2" container_cpu_cfs_periods_total "$REL")" 1
  check "a spinning task under a 50% quota is throttled" \
    ge "$(value "$TMP/c2" container_cpu_cfs_throttled_periods_total "$REL")" 1
  check "container_cpu_cfs_throttled_seconds_total is reported" \
    ge "$(value "$TMP/c2" container_cpu_cfs_throttled_seconds_total "$REL")" 0.001
fi
if [ -n "${LIMIT_OK[memory]:-}" ]; then
  mem=$(value "$TMP/c2" container_memory_usage_bytes "$REL")
  echo "memory: usage $mem, working set $(value "$TMP/c2" container_memory_working_set_bytes "$REL")"
  check "container_spec_memory_limit_bytes is the limit set" \
    eq "$(value "$TMP/c2" container_spec_memory_limit_bytes "$REL")" 268435456
  check "container_memory_usage_bytes holds the 64 MiB touched" ge "$mem" $((64 << 20))
  check "container_memory_rss holds the 64 MiB touched" ge "$(value "$TMP/c2" container_memory_rss "$REL")" $((60 << 20))
  check "container_memory_working_set_bytes holds the 64 MiB touched" \
    ge "$(value "$TMP/c2" container_memory_working_set_bytes "$REL")" $((60 << 20))
fi
check "container_processes counts the workload" eq "$(value "$TMP/c2" container_processes "$REL")" 1
if [ -n "${LIMIT_OK[pids]:-}" ]; then
  check "container_threads counts its thread" ge "$(value "$TMP/c2" container_threads "$REL")" 1
fi
check "container_last_seen is the collection time" ge "$(value "$TMP/c2" container_last_seen "$REL")" "$(($(date +%s) - 30))"
check "a cgroup without a container name has no name label" \
  test -z "$(grep -F "id=\"$REL\"" "$TMP/c2" | grep -F 'name="' | head -1)"

# The container stops: its cgroup goes, and that is no error.
cleanup_cgroups
WORKLOAD=""
CREATED=()
check "collection after the cgroup is removed succeeds" collect "$TMP/c3"
check "the removed cgroup is no longer reported" test -z "$(value "$TMP/c3" container_last_seen "$REL")"
finish
