// The stat collector (node_exporter's, default flags: no softirq), from
// /proc/stat: node_boot_time_seconds, node_context_switches_total,
// node_forks_total, node_intr_total, node_procs_running, node_procs_blocked.
#pragma once

#include <memory>

#include "plugins/host/collector.h"

namespace cistern::plugins::host {

std::unique_ptr<Collector> NewStatCollector(const HostConfig& config);

}  // namespace cistern::plugins::host
