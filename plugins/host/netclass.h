// node_exporter's "netclass" collector: the attributes of each network
// interface in <sysfs>/class/net/<device>/ (every entry that is not a regular
// file; none ignored, node_exporter's default --collector.netclass.ignored-devices="^$").
// Per device {device}, node_exporter 1.5.0's names:
//   node_network_up                       1 if operstate is "up", else 0 (always emitted)
//   node_network_info{address,broadcast,duplex,ifalias,operstate} 1 (always emitted; an
//                                         unreadable attribute is an empty label)
//   node_network_address_assign_type      addr_assign_type
//   node_network_carrier                  carrier
//   node_network_carrier_changes_total    carrier_changes
//   node_network_carrier_up_changes_total, node_network_carrier_down_changes_total
//                                         carrier_up_count, carrier_down_count
//   node_network_device_id                dev_id ("0x0": hexadecimal)
//   node_network_dormant                  dormant
//   node_network_flags                    flags ("0x1003")
//   node_network_iface_id                 ifindex
//   node_network_iface_link               iflink
//   node_network_iface_link_mode          link_mode
//   node_network_mtu_bytes                mtu
//   node_network_name_assign_type         name_assign_type
//   node_network_net_dev_group            netdev_group
//   node_network_speed_bytes              speed (Mb/s) * 125000; -1 (unknown) gives -125000,
//                                         as node_exporter without --collector.netclass.ignore-invalid-speed
//   node_network_transmit_queue_length    tx_queue_len
//   node_network_protocol_type            type
// An attribute the kernel refuses to read (EINVAL: speed, duplex or carrier of
// a down or virtual device; EOPNOTSUPP; EACCES / EPERM) or that does not exist
// is left out, not an error. Like node_exporter, each attribute is one read(2)
// of at most 128 bytes, whitespace trimmed; only the 22 files above are read
// (node_exporter reads every regular file of the directory).
// Unlike node_exporter, which reports an unparsable number as 0 and fails
// the whole collector (emitting nothing) on any other read error, such an
// attribute is left out, the other attributes and devices are still emitted,
// and the collector returns an error naming the first such file. A device
// whose directory vanishes during the collection (no attribute readable) is
// left out. No <sysfs>/class/net is NotFound.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "plugins/host/collector.h"

namespace cistern::plugins::host {

// The attributes node_exporter reports: the text ones (files address,
// broadcast, duplex, ifalias, operstate) feed node_network_info.
enum class NetClassText { kAddress, kBroadcast, kDuplex, kIfAlias, kOperState, kCount };
inline constexpr size_t kNetClassTexts = static_cast<size_t>(NetClassText::kCount);
inline constexpr size_t kNetClassNumbers = 17;

struct NetClassDevice {
  std::string name;
  std::array<std::string, kNetClassTexts> texts;                 // "" if absent
  std::array<std::optional<int64_t>, kNetClassNumbers> numbers;  // in NetClassNumberFiles() order
};

// The numeric attributes' file names, in the order of NetClassDevice::numbers.
const std::array<std::string_view, kNetClassNumbers>& NetClassNumberFiles();

// A numeric attribute's (trimmed) content as procfs' ValueParser reads it:
// "0x" and hexadecimal digits, or an optionally signed decimal. Pure.
bool ParseNetClassNumber(std::string_view s, int64_t* out);

// The samples of one device. Pure.
void EmitNetClassDevice(const NetClassDevice& device, Emitter& out);

// Platform (netclass_linux.cc).
// The entries of `dir` (<sysfs>/class/net) that are not regular files, sorted.
StatusOr<std::vector<std::string>> ListNetClassDevices(const std::string& dir);
// One attribute, read as node_exporter's SysReadFile does and trimmed; nullopt
// if it does not exist or the kernel refuses it (ENOENT, ENOTDIR, EINVAL,
// EOPNOTSUPP, EACCES, EPERM); another error names the file.
StatusOr<std::optional<std::string>> ReadNetClassAttribute(const std::string& path);

std::unique_ptr<Collector> NewNetClassCollector(const HostConfig& config);

}  // namespace cistern::plugins::host
