#include "plugins/host/netdev.h"

#include "plugins/host/device_filter.h"
#include "plugins/host/proc_text.h"

namespace cistern::plugins::host {
namespace {

constexpr std::array<std::string_view, kNetDevColumns> kMetricNames = {
    "node_network_receive_bytes_total",      "node_network_receive_packets_total",
    "node_network_receive_errs_total",       "node_network_receive_drop_total",
    "node_network_receive_fifo_total",       "node_network_receive_frame_total",
    "node_network_receive_compressed_total", "node_network_receive_multicast_total",
    "node_network_transmit_bytes_total",     "node_network_transmit_packets_total",
    "node_network_transmit_errs_total",      "node_network_transmit_drop_total",
    "node_network_transmit_fifo_total",      "node_network_transmit_colls_total",
    "node_network_transmit_carrier_total",   "node_network_transmit_compressed_total",
};

class NetDevCollector : public Collector {
 public:
  explicit NetDevCollector(const HostConfig& config)
      : config_(config), exclude_("netdev: netdev_device_exclude", config.netdev_device_exclude) {}

  Status Collect(Emitter& out) override {
    CISTERN_RETURN_IF_ERROR(exclude_.status());
    const std::string path = config_.Proc("net/dev");
    CISTERN_ASSIGN_OR_RETURN(std::string text, ReadProcFile(path));
    NetDevFile file = ParseNetDev(text);
    for (const NetDevice& d : file.devices) {
      if (exclude_.Ignored(d.name)) continue;
      for (size_t i = 0; i < kNetDevColumns; ++i) {
        out.Add(kMetricNames[i], {{"device", d.name}}, static_cast<double>(d.counters[i]));
      }
      // Missing on kernels before 4.6 and when sysfs shows another network namespace.
      if (d.name.find('/') != std::string::npos || d.name == "." || d.name == "..") continue;
      auto nohandler = ReadProcFile(config_.Sys("class/net/" + d.name + "/statistics/rx_nohandler"));
      uint64_t v;
      if (nohandler.ok() && ParseUint(TrimNewline(*nohandler), &v)) {
        out.Add("node_network_receive_nohandler_total", {{"device", d.name}}, static_cast<double>(v));
      }
    }
    if (!file.error.ok()) return file.error.Annotate(path);
    return OkStatus();
  }

 private:
  static std::string_view TrimNewline(std::string_view s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
    return s;
  }

  const HostConfig config_;
  const DeviceFilter exclude_;
};

}  // namespace

NetDevFile ParseNetDev(std::string_view text) {
  NetDevFile out;
  size_t line_no = 0;
  auto bad = [&](const std::string& why) {
    if (out.error.ok()) out.error = DataLossError("line " + std::to_string(line_no) + ": " + why);
  };
  for (std::string_view line : Lines(text)) {
    if (++line_no <= 2) continue;  // "Inter-|   Receive ..." and " face |bytes ..."
    if (Fields(line).empty()) continue;
    size_t colon = line.rfind(':');
    if (colon == std::string_view::npos) {
      bad("expected \"<device>: <counters>\"");
      continue;
    }
    std::vector<std::string_view> name = Fields(line.substr(0, colon));
    std::vector<std::string_view> f = Fields(line.substr(colon + 1));
    if (name.size() != 1) {
      bad("expected \"<device>: <counters>\"");
      continue;
    }
    if (f.size() != kNetDevColumns) {
      bad(std::string(name[0]) + ": expected " + std::to_string(kNetDevColumns) + " counters, got " +
          std::to_string(f.size()));
      continue;
    }
    NetDevice d;
    d.name = std::string(name[0]);
    bool ok = true;
    for (size_t i = 0; i < kNetDevColumns && ok; ++i) {
      ok = ParseUint(f[i], &d.counters[i]);
      if (!ok)
        bad(d.name + ": counter " + std::to_string(i + 1) + ": not a number: \"" + std::string(f[i]) + "\"");
    }
    if (ok) out.devices.push_back(std::move(d));
  }
  return out;
}

std::unique_ptr<Collector> NewNetDevCollector(const HostConfig& config) {
  return std::make_unique<NetDevCollector>(config);
}

}  // namespace cistern::plugins::host
