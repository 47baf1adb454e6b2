#include <time.h>

#include "plugins/host/proc_text.h"
#include "plugins/host/time_collector.h"

namespace cistern::plugins::host {

StatusOr<std::vector<ClockSource>> ReadClockSources(const std::string& clocksource_dir) {
  std::vector<ClockSource> out;
  auto names = ListDir(clocksource_dir);
  if (names.status().code() == StatusCode::kNotFound) return out;
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) {
    // filepath.Glob("clocksource[0-9]*")
    if (name.size() < 12 || name.compare(0, 11, "clocksource") != 0 || name[11] < '0' || name[11] > '9')
      continue;
    std::string dir = clocksource_dir + "/" + name;
    CISTERN_ASSIGN_OR_RETURN(std::string available, ReadProcFile(dir + "/available_clocksource"));
    CISTERN_ASSIGN_OR_RETURN(std::string current, ReadProcFile(dir + "/current_clocksource"));
    ClockSource cs;
    for (std::string_view a : Fields(available)) cs.available.emplace_back(a);
    cs.current = std::string(TrimSpace(current));
    out.push_back(std::move(cs));
  }
  return out;
}

namespace {

class TimeCollector : public Collector {
 public:
  explicit TimeCollector(const HostConfig& config)
      : clocksource_dir_(config.Sys("devices/system/clocksource")) {}

  Status Collect(Emitter& out) override {
    struct timespec now;
    ::clock_gettime(CLOCK_REALTIME, &now);
    out.Add("node_time_seconds", static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9);
    struct tm local;
    ::tzset();  // a changed TZ; a replaced /etc/localtime needs a restart (node_exporter too)
    if (::localtime_r(&now.tv_sec, &local) != nullptr) {
      out.Add("node_time_zone_offset_seconds", {{"time_zone", local.tm_zone != nullptr ? local.tm_zone : ""}},
              static_cast<double>(local.tm_gmtoff));
    }
    auto sources = ReadClockSources(clocksource_dir_);
    if (!sources.ok()) return AfterEmit(sources.status());
    for (size_t i = 0; i < sources->size(); ++i) {
      std::string device = std::to_string(i);
      const ClockSource& cs = (*sources)[i];
      for (const std::string& a : cs.available) {
        out.Add("node_time_clocksource_available_info", {{"clocksource", a}, {"device", device}}, 1);
      }
      out.Add("node_time_clocksource_current_info", {{"clocksource", cs.current}, {"device", device}}, 1);
    }
    return OkStatus();
  }

 private:
  std::string clocksource_dir_;
};

}  // namespace

std::unique_ptr<Collector> NewTimeCollector(const HostConfig& config) {
  return std::make_unique<TimeCollector>(config);
}

}  // namespace cistern::plugins::host
