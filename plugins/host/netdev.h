// node_exporter's "netdev" collector, from <procfs>/net/dev, devices
// matching netdev_device_exclude skipped (none by default). Per device
// {device}, with node_exporter's names for the columns (its "legacy" names,
// which its netlink source maps to as well):
//   node_network_receive_{bytes,packets,errs,drop,fifo,frame,compressed,multicast}_total
//   node_network_transmit_{bytes,packets,errs,drop,fifo,colls,carrier,compressed}_total
// and node_network_receive_nohandler_total, which /proc/net/dev lacks (node_exporter
// 1.5.0 reads it over netlink): from <sysfs>/class/net/<device>/statistics/rx_nohandler,
// omitted for a device without that file.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "plugins/host/collector.h"

namespace cistern::plugins::host {

inline constexpr size_t kNetDevColumns = 16;

struct NetDevice {
  std::string name;
  std::array<uint64_t, kNetDevColumns> counters{};  // receive 8, then transmit 8, in file order
};

struct NetDevFile {
  std::vector<NetDevice> devices;  // well-formed lines, in file order
  Status error;                    // first malformed line ("line 3: ..."); the others are kept
};

// The two header lines are skipped.
NetDevFile ParseNetDev(std::string_view text);

std::unique_ptr<Collector> NewNetDevCollector(const HostConfig& config);

}  // namespace cistern::plugins::host
