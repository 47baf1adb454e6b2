// cAdvisor's series for one cgroup: turns a CgroupSample (and a member
// task's interfaces) into cAdvisor's metric names, labels and units, with
// its conventions: container_cpu_usage_seconds_total{cpu="total"} (per-CPU
// "cpu00".. only on request), CFS counters and container_spec_cpu_quota
// only when a quota is set, unlimited memory limits as 0, working set =
// usage - inactive_file (not below 0). The list is in README.md. Pure;
// thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "plugins/container/container_fs.h"
#include "plugins/container/proc_parsers.h"
#include "plugins/host/collector.h"

namespace cistern::plugins::container {

// The labels every series of the cgroup carries (id, name, image, ...);
// empty values are dropped.
using LabelPairs = std::vector<std::pair<std::string, std::string>>;

// `devices` names block devices for the `device` label.
void EmitCgroup(const CgroupSample& sample, const LabelPairs& labels, const DeviceNames& devices,
                int64_t timestamp_ms, bool per_cpu, host::Emitter& out);

// container_network_* for the interfaces cAdvisor keeps (IsIgnoredInterface).
void EmitNetwork(const std::vector<NetInterface>& interfaces, const LabelPairs& labels, host::Emitter& out);

// cAdvisor's label name for a container label: "container_label_" + the
// key with every character outside [a-zA-Z0-9_] replaced by '_'.
std::string ContainerLabelName(std::string_view key);

}  // namespace cistern::plugins::container
