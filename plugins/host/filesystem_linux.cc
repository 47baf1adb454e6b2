#include <set>
#include <tuple>

#include "agent/obs/log.h"
#include "plugins/host/device_filter.h"
#include "plugins/host/filesystem.h"
#include "plugins/host/mounts.h"

namespace cistern::plugins::host {
namespace {

class FilesystemCollector : public Collector {
 public:
  FilesystemCollector(const HostConfig& config, std::chrono::milliseconds timeout,
                      StatfsRunner::StatFunction fn)
      : config_(config),
        mount_points_("filesystem: mount_points_exclude", config.mount_points_exclude),
        fs_types_("filesystem: fs_types_exclude", config.fs_types_exclude),
        statfs_(timeout, std::move(fn)),
        timeout_(timeout) {}

  Status Collect(Emitter& out) override {
    CISTERN_RETURN_IF_ERROR(mount_points_.status());
    CISTERN_RETURN_IF_ERROR(fs_types_.status());
    std::string path = config_.Proc("1/mounts");
    StatusOr<std::string> text = ReadProcFile(path);
    if (!text.ok() && text.status().code() == StatusCode::kNotFound) {
      path = config_.Proc("mounts");  // pid 1 hidden (hidepid)
      text = ReadProcFile(path);
    }
    if (!text.ok()) return text.status();
    MountTable table = ParseMounts(*text);

    std::set<std::tuple<std::string_view, std::string, std::string_view>> seen;
    for (const MountEntry& m : table.mounts) {
      std::string mount_point = StripRootfs(config_.root, m.mount_point);
      if (mount_points_.Ignored(mount_point) || fs_types_.Ignored(m.fs_type)) continue;
      if (!seen.emplace(m.device, mount_point, m.fs_type).second) continue;
      Emit(out, m, mount_point);
    }
    if (!table.error.ok()) return table.error.Annotate(path);
    return OkStatus();
  }

 private:
  void Emit(Emitter& out, const MountEntry& m, const std::string& mount_point) {
    const Emitter::LabelList labels = {
        {"device", m.device}, {"fstype", m.fs_type}, {"mountpoint", mount_point}};
    std::string stat_path = HostConfig::Join(config_.root, mount_point);
    StatfsRunner::Result r = statfs_.Stat(stat_path);
    if (r.outcome == StatfsRunner::Outcome::kTimedOut) {
      obs::Warn("host", "filesystem: statfs {}: no answer after {}ms, skipping it until it answers",
                stat_path, timeout_.count());
    }
    out.Add("node_filesystem_device_error", labels, r.outcome == StatfsRunner::Outcome::kOk ? 0 : 1);
    if (r.outcome != StatfsRunner::Outcome::kOk) return;
    const double bsize = static_cast<double>(r.stat.f_bsize);
    out.Add("node_filesystem_size_bytes", labels, static_cast<double>(r.stat.f_blocks) * bsize);
    out.Add("node_filesystem_free_bytes", labels, static_cast<double>(r.stat.f_bfree) * bsize);
    out.Add("node_filesystem_avail_bytes", labels, static_cast<double>(r.stat.f_bavail) * bsize);
    out.Add("node_filesystem_files", labels, static_cast<double>(r.stat.f_files));
    out.Add("node_filesystem_files_free", labels, static_cast<double>(r.stat.f_ffree));
    out.Add("node_filesystem_readonly", labels, m.ReadOnly() ? 1 : 0);
  }

  const HostConfig config_;
  const DeviceFilter mount_points_;
  const DeviceFilter fs_types_;
  StatfsRunner statfs_;
  const std::chrono::milliseconds timeout_;
};

}  // namespace

std::string StripRootfs(std::string_view root, std::string_view mount_point) {
  while (root.size() > 1 && root.back() == '/') root.remove_suffix(1);
  if (root.empty() || root == "/") return std::string(mount_point);
  if (mount_point.substr(0, root.size()) != root) return std::string(mount_point);
  std::string_view rest = mount_point.substr(root.size());
  if (rest.empty()) return "/";
  if (rest.front() != '/') return std::string(mount_point);  // "/hostfoo" is not under "/host"
  return std::string(rest);
}

std::unique_ptr<Collector> NewFilesystemCollector(const HostConfig& config) {
  return NewFilesystemCollector(config, kMountTimeout, StatfsRunner::SystemStatfs);
}

std::unique_ptr<Collector> NewFilesystemCollector(const HostConfig& config, std::chrono::milliseconds timeout,
                                                  StatfsRunner::StatFunction statfs) {
  return std::make_unique<FilesystemCollector>(config, timeout, std::move(statfs));
}

}  // namespace cistern::plugins::host
