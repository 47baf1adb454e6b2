// Pure parsers for the /proc files the container input reads besides the
// cgroup tree: a member task's /proc/<pid>/net/dev, /proc/partitions (device
// names for the block-I/O `device` label) and /proc/meminfo (swap of the root
// cgroup on v2). Errors are InvalidArgument saying where ("line 4: ...");
// the caller prefixes the path. Thread-safe (no state).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/base/status.h"

namespace cistern::plugins::container {

struct NetInterface {
  std::string name;
  uint64_t rx_bytes = 0, rx_packets = 0, rx_errors = 0, rx_dropped = 0;
  uint64_t tx_bytes = 0, tx_packets = 0, tx_errors = 0, tx_dropped = 0;
};

// /proc/<pid>/net/dev: every interface, in file order. Like cAdvisor, a
// line without the 16 counters makes the whole file untrusted (an error).
StatusOr<std::vector<NetInterface>> ParseNetDev(std::string_view text);

// cAdvisor leaves out lo, veth*, docker* and nerdctl* (case-insensitive).
bool IsIgnoredInterface(std::string_view name);

// /proc/partitions: (major, minor) -> "/dev/<name>", cAdvisor's device names.
using DeviceNames = std::map<std::pair<uint32_t, uint32_t>, std::string>;
StatusOr<DeviceNames> ParsePartitions(std::string_view text);

// /proc/meminfo: bytes of swap in use (SwapTotal - SwapFree).
StatusOr<uint64_t> ParseMeminfoSwapUsed(std::string_view text);

}  // namespace cistern::plugins::container
