#include "plugins/host/timex.h"

namespace cistern::plugins::host {

std::array<TimexSample, kTimexMetrics> TimexSamples(const TimexReading& r) {
  // Divisions by doubles, in node_exporter's order, so the values are bit for bit its.
  const double divisor = (r.status & kStaNano) != 0 ? 1e9 : 1e6;
  constexpr double kMicro = 1e6;
  constexpr double kPpm16Frac = 1000000.0 * 65536.0;  // adjtimex(2) NOTES: ppm with a 16-bit fraction
  auto d = [](int64_t v) { return static_cast<double>(v); };
  return {{
      {"node_timex_sync_status", r.state == kTimeError ? 0.0 : 1.0},
      {"node_timex_offset_seconds", d(r.offset) / divisor},
      {"node_timex_frequency_adjustment_ratio", 1 + d(r.freq) / kPpm16Frac},
      {"node_timex_maxerror_seconds", d(r.maxerror) / kMicro},
      {"node_timex_estimated_error_seconds", d(r.esterror) / kMicro},
      {"node_timex_status", d(r.status)},
      {"node_timex_loop_time_constant", d(r.constant)},
      {"node_timex_tick_seconds", d(r.tick) / kMicro},
      {"node_timex_pps_frequency_hertz", d(r.ppsfreq) / kPpm16Frac},
      {"node_timex_pps_jitter_seconds", d(r.jitter) / divisor},
      {"node_timex_pps_shift_seconds", d(r.shift)},
      {"node_timex_pps_stability_hertz", d(r.stabil) / kPpm16Frac},
      {"node_timex_pps_jitter_total", d(r.jitcnt)},
      {"node_timex_pps_calibration_total", d(r.calcnt)},
      {"node_timex_pps_error_total", d(r.errcnt)},
      {"node_timex_pps_stability_exceeded_total", d(r.stbcnt)},
      {"node_timex_tai_offset_seconds", d(r.tai)},
  }};
}

namespace {

class TimexCollector : public Collector {
 public:
  Status Collect(Emitter& out) override {
    CISTERN_ASSIGN_OR_RETURN(TimexReading r, ReadTimex());
    for (const auto& [name, value] : TimexSamples(r)) out.Add(name, value);
    return OkStatus();
  }
};

}  // namespace

std::unique_ptr<Collector> NewTimexCollector(const HostConfig&) { return std::make_unique<TimexCollector>(); }

}  // namespace cistern::plugins::host
