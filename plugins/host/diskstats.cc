#include "plugins/host/diskstats.h"

#include <array>

#include "plugins/host/device_filter.h"
#include "plugins/host/proc_text.h"
#include "plugins/host/udev_data.h"

namespace cistern::plugins::host {
namespace {

constexpr size_t kMinCounters = 11;   // the 14-field format of kernels before 4.18
constexpr double kSectorBytes = 512;  // diskstats sectors are always 512 bytes
constexpr double kSecondsPerMs = 1e-3;

struct CounterMetric {
  std::string_view name;
  double factor;
};

// The counters of a diskstats line, in column order.
constexpr std::array<CounterMetric, 17> kCounters = {{
    {"node_disk_reads_completed_total", 1},
    {"node_disk_reads_merged_total", 1},
    {"node_disk_read_bytes_total", kSectorBytes},
    {"node_disk_read_time_seconds_total", kSecondsPerMs},
    {"node_disk_writes_completed_total", 1},
    {"node_disk_writes_merged_total", 1},
    {"node_disk_written_bytes_total", kSectorBytes},
    {"node_disk_write_time_seconds_total", kSecondsPerMs},
    {"node_disk_io_now", 1},
    {"node_disk_io_time_seconds_total", kSecondsPerMs},
    {"node_disk_io_time_weighted_seconds_total", kSecondsPerMs},
    {"node_disk_discards_completed_total", 1},
    {"node_disk_discards_merged_total", 1},
    {"node_disk_discarded_sectors_total", 1},
    {"node_disk_discard_time_seconds_total", kSecondsPerMs},
    {"node_disk_flush_requests_total", 1},
    {"node_disk_flush_requests_time_seconds_total", kSecondsPerMs},
}};

// udev property -> metric, exported when the disk has ID_ATA.
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kAtaMetrics = {{
    {"ID_ATA_WRITE_CACHE", "node_disk_ata_write_cache"},
    {"ID_ATA_WRITE_CACHE_ENABLED", "node_disk_ata_write_cache_enabled"},
    {"ID_ATA_ROTATION_RATE_RPM", "node_disk_ata_rotation_rate_rpm"},
}};

std::string_view Get(const UdevProperties& p, std::string_view key) {
  auto it = p.find(key);
  return it == p.end() ? std::string_view() : std::string_view(it->second);
}

class DiskstatsCollector : public Collector {
 public:
  explicit DiskstatsCollector(const HostConfig& config)
      : config_(config), exclude_("diskstats: disk_device_exclude", config.disk_device_exclude) {}

  Status Collect(Emitter& out) override {
    CISTERN_RETURN_IF_ERROR(exclude_.status());
    const std::string path = config_.Proc("diskstats");
    CISTERN_ASSIGN_OR_RETURN(std::string text, ReadProcFile(path));
    DiskstatsFile file = ParseDiskstats(text);
    for (const DiskStats& d : file.disks) {
      if (exclude_.Ignored(d.name)) continue;
      Emit(out, d);
    }
    if (!file.error.ok()) return file.error.Annotate(path);
    return OkStatus();
  }

 private:
  void Emit(Emitter& out, const DiskStats& d) {
    const std::string_view dev = d.name;
    UdevProperties udev;
    // Absent (no udev, a container without /run/udev) means empty labels.
    auto data = ReadProcFile(
        config_.Root("run/udev/data/b" + std::to_string(d.major) + ":" + std::to_string(d.minor)));
    if (data.ok()) udev = ParseUdevData(*data);

    std::string_view serial = Get(udev, "SCSI_IDENT_SERIAL");  // the serial on the disk label
    if (serial.empty()) serial = Get(udev, "ID_SERIAL_SHORT");
    const std::string major = std::to_string(d.major), minor = std::to_string(d.minor);
    out.Add("node_disk_info",
            {{"device", dev},
             {"major", major},
             {"minor", minor},
             {"path", Get(udev, "ID_PATH")},
             {"wwn", Get(udev, "ID_WWN")},
             {"model", Get(udev, "ID_MODEL")},
             {"serial", serial},
             {"revision", Get(udev, "ID_REVISION")}},
            1);
    for (size_t i = 0; i < d.counters.size() && i < kCounters.size(); ++i) {
      out.Add(kCounters[i].name, {{"device", dev}}, static_cast<double>(d.counters[i]) * kCounters[i].factor);
    }
    if (std::string_view fs = Get(udev, "ID_FS_TYPE"); !fs.empty()) {
      out.Add("node_disk_filesystem_info",
              {{"device", dev},
               {"type", fs},
               {"usage", Get(udev, "ID_FS_USAGE")},
               {"uuid", Get(udev, "ID_FS_UUID")},
               {"version", Get(udev, "ID_FS_VERSION")}},
              1);
    }
    if (std::string_view dm = Get(udev, "DM_NAME"); !dm.empty()) {
      out.Add("node_disk_device_mapper_info",
              {{"device", dev},
               {"name", dm},
               {"uuid", Get(udev, "DM_UUID")},
               {"vg_name", Get(udev, "DM_VG_NAME")},
               {"lv_name", Get(udev, "DM_LV_NAME")},
               {"lv_layer", Get(udev, "DM_LV_LAYER")}},
              1);
    }
    if (!Get(udev, "ID_ATA").empty()) {
      for (const auto& [key, metric] : kAtaMetrics) {
        auto it = udev.find(key);
        double v;
        if (it != udev.end() && ParseFloat(it->second, &v)) out.Add(metric, {{"device", dev}}, v);
      }
    }
  }

  const HostConfig config_;
  const DeviceFilter exclude_;
};

}  // namespace

DiskstatsFile ParseDiskstats(std::string_view text) {
  DiskstatsFile out;
  size_t line_no = 0;
  auto bad = [&](const std::string& why) {
    if (out.error.ok()) out.error = DataLossError("line " + std::to_string(line_no) + ": " + why);
  };
  for (std::string_view line : Lines(text)) {
    ++line_no;
    std::vector<std::string_view> f = Fields(line);
    if (f.empty()) continue;
    if (f.size() < 3 + kMinCounters) {
      bad("expected at least " + std::to_string(3 + kMinCounters) + " fields, got " +
          std::to_string(f.size()));
      continue;
    }
    DiskStats d;
    uint64_t major, minor;
    if (!ParseUint(f[0], &major) || !ParseUint(f[1], &minor) || major > UINT32_MAX ||
        minor > UINT32_MAX) {
      bad("bad device number \"" + std::string(f[0]) + " " + std::string(f[1]) + "\"");
      continue;
    }
    d.major = static_cast<uint32_t>(major);
    d.minor = static_cast<uint32_t>(minor);
    d.name = std::string(f[2]);
    bool ok = true;
    for (size_t i = 3; i < f.size() && ok; ++i) {
      uint64_t v;
      ok = ParseUint(f[i], &v);
      if (ok) {
        d.counters.push_back(v);
      } else {
        bad(d.name + ": field " + std::to_string(i + 1) + ": not a number: \"" + std::string(f[i]) + "\"");
      }
    }
    if (ok) out.disks.push_back(std::move(d));
  }
  return out;
}

std::unique_ptr<Collector> NewDiskstatsCollector(const HostConfig& config) {
  return std::make_unique<DiskstatsCollector>(config);
}

}  // namespace cistern::plugins::host
