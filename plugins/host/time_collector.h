// The time collector:
//   node_time_seconds                        the wall clock, float seconds since the epoch
//   node_time_zone_offset_seconds{time_zone} this process's local zone (TZ, else
//                                            /etc/localtime), e.g. {time_zone="CET"} 3600
//   node_time_clocksource_available_info{clocksource,device}
//   node_time_clocksource_current_info{clocksource,device}
//       from /sys/devices/system/clocksource/clocksourceN/{available,current}_clocksource;
//       device is the index among the clocksourceN directories in name order
//       (node_exporter's), which is N on every real machine.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "agent/base/status.h"
#include "plugins/host/collector.h"

namespace cistern::plugins::host {

struct ClockSource {
  std::vector<std::string> available;
  std::string current;
};

// The clocksources under `clocksource_dir` (<sysfs>/devices/system/clocksource),
// in node_exporter's order. None (not an error) if the directory is missing.
StatusOr<std::vector<ClockSource>> ReadClockSources(const std::string& clocksource_dir);

std::unique_ptr<Collector> NewTimeCollector(const HostConfig& config);

}  // namespace cistern::plugins::host
