// The table of device collectors: filesystem, diskstats, netdev, netstat,
// sockstat, pressure, conntrack, netclass.
#include <array>

#include "plugins/host/collector.h"
#include "plugins/host/conntrack.h"
#include "plugins/host/diskstats.h"
#include "plugins/host/filesystem.h"
#include "plugins/host/netclass.h"
#include "plugins/host/netdev.h"
#include "plugins/host/netstat.h"
#include "plugins/host/pressure.h"
#include "plugins/host/sockstat.h"

namespace cistern::plugins::host {
namespace {

std::unique_ptr<Collector> Filesystem(const HostConfig& c) { return NewFilesystemCollector(c); }
std::unique_ptr<Collector> Sockstat(const HostConfig& c) { return NewSockstatCollector(c); }

const std::array<CollectorInfo, 8> kDeviceCollectors = {{
    {"filesystem", true, Filesystem},
    {"diskstats", true, NewDiskstatsCollector},
    {"netdev", true, NewNetDevCollector},
    {"netstat", true, NewNetstatCollector},
    {"sockstat", true, Sockstat},
    {"pressure", true, NewPressureCollector},
    {"conntrack", true, NewConntrackCollector},
    {"netclass", true, NewNetClassCollector},
}};

}  // namespace

std::span<const CollectorInfo> DeviceCollectors() { return kDeviceCollectors; }

}  // namespace cistern::plugins::host
