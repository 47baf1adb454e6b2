// The cpu collector (node_exporter's, default flags):
//   node_cpu_seconds_total{cpu,mode}        /proc/stat, modes user nice system
//                                           idle iowait irq softirq steal
//   node_cpu_guest_seconds_total{cpu,mode}  mode user | nice
//   node_cpu_core_throttles_total{package,core}, node_cpu_package_throttles_total{package}
//                                           /sys/devices/system/cpu/cpuN/thermal_throttle
//                                           (where the kernel has it: x86 with thermal monitoring)
//   node_cpu_isolated{cpu}                  /sys/devices/system/cpu/isolated (isolcpus=)
// node_cpu_info / flag_info / bug_info are off by default in node_exporter and
// not emitted.
#pragma once

#include <cstdint>
#include <map>
#include <memory>

#include "plugins/host/collector.h"
#include "plugins/host/proc_stat.h"

namespace cistern::plugins::host {

// Keeps each CPU's counters from going backwards, as node_exporter does
// (some kernels and hypervisors report idle/iowait slightly lower now and
// then): a mode whose new value is lower keeps the previous one; a CPU whose
// idle time dropped by 3 s or more was hot-unplugged and replugged, and
// starts over from the new reading. A CPU absent from a reading is forgotten.
// Not thread-safe (one per collector).
class CpuTimesTracker {
 public:
  static constexpr double kJumpBackSeconds = 3.0;
  // Merges `now` and returns what to report for each CPU in it.
  const std::map<int64_t, CpuTimes>& Update(const std::map<int64_t, CpuTimes>& now);

 private:
  std::map<int64_t, CpuTimes> last_;
};

std::unique_ptr<Collector> NewCpuCollector(const HostConfig& config);

}  // namespace cistern::plugins::host
