#include "plugins/container/container_metrics.h"

#include <cmath>
#include <cstdio>
#include <map>

namespace cistern::plugins::container {
namespace {

// Above this a memory limit means "unlimited" (kernels round LONG_MAX down
// to a page multiple): cAdvisor's maxMemorySize, reported as 0.
constexpr uint64_t kMaxMemorySize = uint64_t{1} << 62;

double SpecMemory(uint64_t v) { return v > kMaxMemorySize ? 0 : static_cast<double>(v); }

class Series {
 public:
  Series(const LabelPairs& labels, host::Emitter& out) : labels_(labels), out_(out) {}

  void Add(std::string_view name, double value) { out_.Add(name, labels_, value); }
  void Add(std::string_view name, std::optional<uint64_t> value, double scale = 1) {
    if (value) out_.Add(name, labels_, static_cast<double>(*value) * scale);
  }
  // With extra labels after the cgroup's.
  void Add(std::string_view name, std::initializer_list<std::pair<std::string_view, std::string_view>> extra,
           double value) {
    LabelPairs l = labels_;
    for (const auto& [k, v] : extra) l.emplace_back(std::string(k), std::string(v));
    out_.Add(name, l, value);
  }

 private:
  const LabelPairs& labels_;
  host::Emitter& out_;
};

constexpr double kNs = 1e-9;

void EmitCpu(const CgroupSample& s, bool per_cpu, Series& out) {
  if (per_cpu && !s.cpu_percpu_ns.empty()) {
    for (size_t i = 0; i < s.cpu_percpu_ns.size(); ++i) {
      if (s.cpu_percpu_ns[i] == 0) continue;  // cAdvisor skips idle CPUs
      char cpu[16];
      std::snprintf(cpu, sizeof cpu, "cpu%02zu", i);
      out.Add("container_cpu_usage_seconds_total", {{"cpu", cpu}},
              static_cast<double>(s.cpu_percpu_ns[i]) * kNs);
    }
  } else if (s.cpu_usage_ns && *s.cpu_usage_ns > 0) {  // cAdvisor reports no zero total
    out.Add("container_cpu_usage_seconds_total", {{"cpu", "total"}},
            static_cast<double>(*s.cpu_usage_ns) * kNs);
  }
  out.Add("container_cpu_user_seconds_total", s.cpu_user_ns, kNs);
  out.Add("container_cpu_system_seconds_total", s.cpu_system_ns, kNs);
  if (s.cpu_quota_us != 0) {  // cAdvisor: CFS counters only for a cgroup with a quota
    out.Add("container_cpu_cfs_periods_total", s.cfs_periods);
    out.Add("container_cpu_cfs_throttled_periods_total", s.cfs_throttled_periods);
    out.Add("container_cpu_cfs_throttled_seconds_total", s.cfs_throttled_ns, kNs);
    out.Add("container_cpu_cfs_burst_periods_total", s.cfs_burst_periods);
    out.Add("container_cpu_cfs_burst_seconds_total", s.cfs_burst_ns, kNs);
  }
  if (s.has_cpu_spec) {
    out.Add("container_spec_cpu_period", s.cpu_period_us);
    if (s.cpu_quota_us != 0) out.Add("container_spec_cpu_quota", static_cast<double>(s.cpu_quota_us));
    out.Add("container_spec_cpu_shares", s.cpu_shares);
  }
}

void EmitMemory(const CgroupSample& s, Series& out) {
  out.Add("container_memory_usage_bytes", s.memory_usage);
  out.Add("container_memory_max_usage_bytes", s.memory_max_usage);
  if (s.memory_usage && s.memory_inactive_file) {
    uint64_t ws = *s.memory_usage > *s.memory_inactive_file ? *s.memory_usage - *s.memory_inactive_file : 0;
    out.Add("container_memory_working_set_bytes", static_cast<double>(ws));
  }
  out.Add("container_memory_rss", s.memory_rss);
  out.Add("container_memory_cache", s.memory_cache);
  out.Add("container_memory_swap", s.memory_swap);
  out.Add("container_memory_mapped_file", s.memory_mapped_file);
  out.Add("container_memory_failcnt", s.memory_failcnt);
  out.Add("container_memory_total_active_file_bytes", s.memory_active_file);
  out.Add("container_memory_total_inactive_file_bytes", s.memory_inactive_file);
  // cAdvisor reports memory.stat's (own) counters for both scopes.
  for (const char* scope : {"container", "hierarchy"}) {
    if (s.pgfault) {
      out.Add("container_memory_failures_total", {{"failure_type", "pgfault"}, {"scope", scope}},
              static_cast<double>(*s.pgfault));
    }
    if (s.pgmajfault) {
      out.Add("container_memory_failures_total", {{"failure_type", "pgmajfault"}, {"scope", scope}},
              static_cast<double>(*s.pgmajfault));
    }
  }
  if (s.has_memory_spec) {
    out.Add("container_spec_memory_limit_bytes", SpecMemory(s.memory_limit));
    if (s.memory_swap_limit)
      out.Add("container_spec_memory_swap_limit_bytes", SpecMemory(*s.memory_swap_limit));
    if (s.memory_reservation) {
      out.Add("container_spec_memory_reservation_limit_bytes", SpecMemory(*s.memory_reservation));
    }
  }
}

void EmitIo(const CgroupSample& s, const DeviceNames& devices, Series& out) {
  auto name_of = [&](uint32_t major, uint32_t minor) -> std::string {
    auto it = devices.find({major, minor});
    return it == devices.end() ? "" : it->second;
  };
  for (const BlkioEntry& e : s.io_bytes) {
    std::string major = std::to_string(e.major), minor = std::to_string(e.minor);
    out.Add("container_blkio_device_usage_total",
            {{"device", name_of(e.major, e.minor)}, {"major", major}, {"minor", minor}, {"operation", e.op}},
            static_cast<double>(e.value));
  }
  // Per device, as cAdvisor's ioValues(): a device it cannot name would
  // collide with every other unnamed one under device="", so it is left out.
  auto per_device = [&](const std::vector<BlkioEntry>& entries, std::string_view op,
                        std::string_view metric) {
    std::map<std::pair<uint32_t, uint32_t>, uint64_t> by_device;
    for (const BlkioEntry& e : entries) {
      if (e.op == op) by_device[{e.major, e.minor}] += e.value;
    }
    for (const auto& [dev, value] : by_device) {
      std::string name = name_of(dev.first, dev.second);
      if (!name.empty()) out.Add(metric, {{"device", name}}, static_cast<double>(value));
    }
  };
  per_device(s.io_bytes, "Read", "container_fs_reads_bytes_total");
  per_device(s.io_bytes, "Write", "container_fs_writes_bytes_total");
  per_device(s.io_ops, "Read", "container_fs_reads_total");
  per_device(s.io_ops, "Write", "container_fs_writes_total");
}

}  // namespace

void EmitCgroup(const CgroupSample& s, const LabelPairs& labels, const DeviceNames& devices,
                int64_t timestamp_ms, bool per_cpu, host::Emitter& out) {
  Series series(labels, out);
  series.Add("container_last_seen", std::floor(static_cast<double>(timestamp_ms) / 1000));
  if (s.start_time_seconds) series.Add("container_start_time_seconds", std::floor(*s.start_time_seconds));
  EmitCpu(s, per_cpu, series);
  EmitMemory(s, series);
  EmitIo(s, devices, series);
  series.Add("container_processes", s.processes);
  series.Add("container_threads", s.threads);
  series.Add("container_threads_max", s.threads_max);
}

void EmitNetwork(const std::vector<NetInterface>& interfaces, const LabelPairs& labels, host::Emitter& out) {
  Series series(labels, out);
  for (const NetInterface& i : interfaces) {
    if (IsIgnoredInterface(i.name)) continue;
    auto add = [&](std::string_view name, uint64_t v) {
      series.Add(name, {{"interface", i.name}}, static_cast<double>(v));
    };
    add("container_network_receive_bytes_total", i.rx_bytes);
    add("container_network_receive_packets_total", i.rx_packets);
    add("container_network_receive_errors_total", i.rx_errors);
    add("container_network_receive_packets_dropped_total", i.rx_dropped);
    add("container_network_transmit_bytes_total", i.tx_bytes);
    add("container_network_transmit_packets_total", i.tx_packets);
    add("container_network_transmit_errors_total", i.tx_errors);
    add("container_network_transmit_packets_dropped_total", i.tx_dropped);
  }
}

std::string ContainerLabelName(std::string_view key) {
  std::string out = "container_label_";
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out.push_back(ok ? c : '_');
  }
  return out;
}

}  // namespace cistern::plugins::container
