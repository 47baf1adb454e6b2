// node_exporter's "diskstats" collector, from <procfs>/diskstats (the
// kernel's Documentation/admin-guide/iostats.rst), devices matching
// disk_device_exclude skipped. Per device {device}:
//   node_disk_reads_completed_total, node_disk_reads_merged_total,
//   node_disk_read_bytes_total (sectors x 512), node_disk_read_time_seconds_total (ms -> s),
//   node_disk_writes_completed_total, node_disk_writes_merged_total,
//   node_disk_written_bytes_total, node_disk_write_time_seconds_total,
//   node_disk_io_now, node_disk_io_time_seconds_total, node_disk_io_time_weighted_seconds_total,
//   node_disk_discards_completed_total, node_disk_discards_merged_total,
//   node_disk_discarded_sectors_total, node_disk_discard_time_seconds_total   (kernel >= 4.18),
//   node_disk_flush_requests_total, node_disk_flush_requests_time_seconds_total (kernel >= 5.5)
// and, with labels from the udev database (<rootfs>/run/udev/data/b<maj>:<min>,
// empty when absent):
//   node_disk_info{device, major, minor, path, wwn, model, serial, revision} 1
//   node_disk_filesystem_info{device, type, usage, uuid, version} 1       (ID_FS_TYPE set)
//   node_disk_device_mapper_info{device, name, uuid, vg_name, lv_name, lv_layer} 1   (DM_NAME set)
//   node_disk_ata_write_cache, node_disk_ata_write_cache_enabled,
//   node_disk_ata_rotation_rate_rpm                                         (ID_ATA set)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "plugins/host/collector.h"

namespace cistern::plugins::host {

struct DiskStats {
  uint32_t major = 0;
  uint32_t minor = 0;
  std::string name;
  // The counters after the name, in file order: 11 (kernel < 4.18), 15
  // (discards) or 17 (flushes); more are kept but not exported.
  std::vector<uint64_t> counters;
};

struct DiskstatsFile {
  std::vector<DiskStats> disks;  // well-formed lines, in file order
  Status error;                  // first malformed line ("line 3: ..."); the others are kept
};

DiskstatsFile ParseDiskstats(std::string_view text);

std::unique_ptr<Collector> NewDiskstatsCollector(const HostConfig& config);

}  // namespace cistern::plugins::host
