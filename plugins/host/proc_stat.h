// /proc/stat, parsed as node_exporter 1.5.0 reads it (through procfs'
// Stat()): the per-CPU times for the cpu collector, the system counters for
// the stat collector. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string_view>

#include "agent/base/status.h"

namespace cistern::plugins::host {

// /proc/stat counts CPU time in USER_HZ ticks; the kernel fixes USER_HZ at 100
// for userspace whatever CONFIG_HZ is (node_exporter assumes the same).
inline constexpr double kUserHz = 100;

// Seconds in each mode. guest and guest_nice are also counted in user and nice.
struct CpuTimes {
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0, guest = 0,
         guest_nice = 0;
};

struct ProcStat {
  CpuTimes total;                    // the "cpu" line
  std::map<int64_t, CpuTimes> cpus;  // "cpuN" lines by N (an offline CPU has no line)
  uint64_t boot_time = 0;            // btime, seconds since the epoch
  uint64_t interrupts = 0;           // intr (the first number: the total)
  uint64_t context_switches = 0;     // ctxt
  uint64_t processes_created = 0;    // processes (forks since boot)
  uint64_t procs_running = 0;
  uint64_t procs_blocked = 0;
};

// Lines with fewer than two fields and unknown keys are skipped; a cpu line
// may have fewer than ten numbers (older kernels: the rest are 0). A number
// that does not parse is InvalidArgument "line N: ...".
StatusOr<ProcStat> ParseProcStat(std::string_view text);

}  // namespace cistern::plugins::host
