// process_* metrics (the names every Prometheus client library exports) and
// cistern_build_info, as a Registry collector. Linux: reads /proc/self.
#pragma once

#include "agent/obs/metrics.h"

namespace cistern::obs {

inline constexpr const char* kVersion = "0.1.0";

// Registers process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds,
// process_start_time_seconds and cistern_build_info on `registry`.
void RegisterProcessMetrics(Registry* registry);

}  // namespace cistern::obs
