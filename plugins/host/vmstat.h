// The vmstat collector: node_vmstat_<field> for the /proc/vmstat fields that
// node_exporter's default --collector.vmstat.fields selects,
// ^(oom_kill|pgpg|pswp|pg.*fault).* (oom_kill, pgpgin, pgpgout, pswpin,
// pswpout, pgfault, pgmajfault, ...).
#pragma once

#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/base/status.h"
#include "plugins/host/collector.h"

namespace cistern::plugins::host {

inline constexpr std::string_view kVmstatFields = "^(oom_kill|pgpg|pswp|pg.*fault).*";

// Every "name value" line, in file order (views into `text`); lines with
// fewer than two fields are skipped, a value that does not parse is
// InvalidArgument "line N: ...". Pure.
StatusOr<std::vector<std::pair<std::string_view, double>>> ParseVmstat(std::string_view text);

std::unique_ptr<Collector> NewVmstatCollector(const HostConfig& config);

}  // namespace cistern::plugins::host
