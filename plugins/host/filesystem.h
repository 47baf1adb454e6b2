// node_exporter's "filesystem" collector: one statfs(2) per mounted
// filesystem in <procfs>/1/mounts (<procfs>/mounts when hidepid hides pid 1),
// minus mount points matching mount_points_exclude and fs types matching
// fs_types_exclude, each (device, fstype, mountpoint) once:
//   node_filesystem_{size,free,avail}_bytes, node_filesystem_files,
//   node_filesystem_files_free, node_filesystem_readonly,
//   node_filesystem_device_error   {device, fstype, mountpoint}
// A mount point is reported without the rootfs prefix and statfs'ed under
// rootfs. A failed, timed-out (5 s) or still-stuck statfs gives
// device_error 1 and nothing else for that mount (StatfsRunner).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "plugins/host/collector.h"
#include "plugins/host/statfs_runner.h"

namespace cistern::plugins::host {

inline constexpr std::chrono::milliseconds kMountTimeout{5000};  // node_exporter's mount-timeout

std::unique_ptr<Collector> NewFilesystemCollector(const HostConfig& config);
// With a statfs of the caller's choosing (tests).
std::unique_ptr<Collector> NewFilesystemCollector(const HostConfig& config, std::chrono::milliseconds timeout,
                                                  StatfsRunner::StatFunction statfs);

// The mount point as reported: `mount_point` without the `root` prefix
// ("/host/home" under root "/host" -> "/home", "/host" -> "/"); unchanged
// when root is "/" or it is not under root.
std::string StripRootfs(std::string_view root, std::string_view mount_point);

}  // namespace cistern::plugins::host
