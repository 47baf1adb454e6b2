// node_exporter's "timex" collector: the kernel clock discipline's state as
// adjtimex(2) reports it (read-only, modes = 0), node_exporter 1.5.0's names:
//   node_timex_sync_status                   1 unless the call returns TIME_ERROR
//   node_timex_offset_seconds                offset / (STA_NANO ? 1e9 : 1e6)
//   node_timex_frequency_adjustment_ratio    1 + freq / 2^16 / 1e6 (freq is scaled ppm)
//   node_timex_maxerror_seconds              maxerror / 1e6 (always µs)
//   node_timex_estimated_error_seconds       esterror / 1e6 (always µs)
//   node_timex_status                        the status bits (STA_*)
//   node_timex_loop_time_constant            constant
//   node_timex_tick_seconds                  tick / 1e6
//   node_timex_pps_frequency_hertz           ppsfreq / 2^16 / 1e6
//   node_timex_pps_jitter_seconds            jitter / (STA_NANO ? 1e9 : 1e6)
//   node_timex_pps_shift_seconds             shift (as node_exporter: not scaled)
//   node_timex_pps_stability_hertz           stabil / 2^16 / 1e6
//   node_timex_pps_jitter_total, node_timex_pps_calibration_total,
//   node_timex_pps_error_total, node_timex_pps_stability_exceeded_total
//                                            jitcnt, calcnt, errcnt, stbcnt
//   node_timex_tai_offset_seconds            tai
// The clock is the kernel's, not procfs': the collector ignores procfs/sysfs.
// A call refused with EPERM (a seccomp profile) is NotFound, as node_exporter
// reports no data then.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>

#include "agent/base/status.h"
#include "plugins/host/collector.h"

namespace cistern::plugins::host {

// What adjtimex(2) returned: its return value (the clock state, TIME_OK ..
// TIME_ERROR) and the fields of struct timex node_exporter reports.
struct TimexReading {
  int state = 0;
  int64_t offset = 0, freq = 0, maxerror = 0, esterror = 0, status = 0, constant = 0, tick = 0;
  int64_t ppsfreq = 0, jitter = 0, shift = 0, stabil = 0, jitcnt = 0, calcnt = 0, errcnt = 0, stbcnt = 0;
  int64_t tai = 0;
};

inline constexpr int kTimeError = 5;         // TIME_ERROR: the clock is not synchronised
inline constexpr int64_t kStaNano = 0x2000;  // STA_NANO: offset and jitter in ns, else µs
inline constexpr size_t kTimexMetrics = 17;

using TimexSample = std::pair<std::string_view, double>;  // metric name, value

// The samples for one reading, node_exporter's conversion exactly. Pure.
std::array<TimexSample, kTimexMetrics> TimexSamples(const TimexReading& r);

// adjtimex(2) with modes = 0 (timex_linux.cc). NotFound on EPERM.
StatusOr<TimexReading> ReadTimex();

std::unique_ptr<Collector> NewTimexCollector(const HostConfig& config);

}  // namespace cistern::plugins::host
