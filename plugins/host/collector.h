// The host input's collectors (node_exporter's, by the same names): each reads
// a few files under procfs / sysfs / rootfs and emits node_exporter's metric
// names, label names and units exactly. A collector is created once per
// input instance (it may keep compiled regexes, open files, previous values)
// and Collect() runs on the input's worker thread, never concurrently with
// itself.
//
// Errors: a collector whose source does not exist on this host (no
// /proc/pressure on an old kernel) returns NotFound: nothing is emitted, it
// is not an error. Unreadable or malformed sources return another error
// naming the file: what the collector emitted before is kept, the other
// collectors still run, and the collection counts as failed.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/base/status.h"
#include "agent/model/labels.h"
#include "agent/storage/appender.h"

namespace cistern::plugins::host {

struct HostConfig {
  std::string proc = "/proc";
  std::string sys = "/sys";
  std::string root = "/";
  // RE2 patterns (node_exporter's defaults, fully anchored as written there).
  std::string mount_points_exclude =
      "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
  std::string fs_types_exclude =
      "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|"
      "overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$";
  std::string disk_device_exclude = "^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$";
  std::string netdev_device_exclude;  // "" = none (node_exporter's default)

  std::string Proc(std::string_view rel) const { return Join(proc, rel); }
  std::string Sys(std::string_view rel) const { return Join(sys, rel); }
  std::string Root(std::string_view rel) const { return Join(root, rel); }
  static std::string Join(std::string_view dir, std::string_view rel);
};

// Appends the samples of one collection at one timestamp; keeps the first
// append error (the collection goes on).
class Emitter {
 public:
  using LabelList = std::initializer_list<std::pair<std::string_view, std::string_view>>;
  Emitter(storage::Appender* appender, int64_t timestamp_ms) : appender_(appender), ts_(timestamp_ms) {}

  // `name` is the full metric name; labels in any order, empty values dropped.
  void Add(std::string_view name, LabelList labels, double value);
  void Add(std::string_view name, const std::vector<std::pair<std::string, std::string>>& labels, double value);
  void Add(std::string_view name, double value) { Add(name, LabelList{}, value); }

  size_t samples() const { return samples_; }
  const Status& status() const { return status_; }

 private:
  void Append(std::vector<model::Label> labels, double value);
  storage::Appender* appender_;
  int64_t ts_;
  size_t samples_ = 0;
  Status status_;
};

class Collector {
 public:
  virtual ~Collector() = default;
  virtual Status Collect(Emitter& out) = 0;
};

struct CollectorInfo {
  std::string_view name;  // node_exporter's collector name: "cpu", "meminfo", ...
  bool enabled_by_default = true;
  std::unique_ptr<Collector> (*create)(const HostConfig& config);
};

// The tables (system_collectors.cc, device_collectors.cc).
std::span<const CollectorInfo> SystemCollectors();
std::span<const CollectorInfo> DeviceCollectors();

// Reads a (small) file under /proc or /sys: NotFound if it does not exist,
// another error naming the path if it cannot be read.
StatusOr<std::string> ReadProcFile(const std::string& path);

}  // namespace cistern::plugins::host
