// The meminfo collector: one gauge per /proc/meminfo line, named as
// node_exporter 1.5.0 names them: "Active(anon):  1564 kB" becomes
// node_memory_Active_anon_bytes (the parenthesised part joined with "_", a
// line with a unit is in kB and gets "_bytes"), "HugePages_Total:  0" (no
// unit) stays node_memory_HugePages_Total. Whatever fields this kernel has
// are reported, new ones included.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/base/status.h"
#include "plugins/host/collector.h"

namespace cistern::plugins::host {

// (metric name without the "node_memory_" prefix, value), in file order.
// Empty lines are skipped; a line that is not "Key: value [kB]" is
// InvalidArgument "line N: ...". Pure.
StatusOr<std::vector<std::pair<std::string, double>>> ParseMeminfo(std::string_view text);

std::unique_ptr<Collector> NewMeminfoCollector(const HostConfig& config);

}  // namespace cistern::plugins::host
