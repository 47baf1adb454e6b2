// The loadavg collector: node_load1, node_load5, node_load15 from /proc/loadavg.
#pragma once

#include <array>
#include <memory>
#include <string_view>

#include "agent/base/status.h"
#include "plugins/host/collector.h"

namespace cistern::plugins::host {

// "0.21 0.37 0.39 1/719 19737" -> {0.21, 0.37, 0.39}. Pure.
StatusOr<std::array<double, 3>> ParseLoadavg(std::string_view text);

std::unique_ptr<Collector> NewLoadavgCollector(const HostConfig& config);

}  // namespace cistern::plugins::host
