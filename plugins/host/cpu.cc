#include "plugins/host/cpu.h"

#include <string>
#include <utility>
#include <vector>

#include "plugins/host/proc_text.h"

namespace cistern::plugins::host {

const std::map<int64_t, CpuTimes>& CpuTimesTracker::Update(const std::map<int64_t, CpuTimes>& now) {
  std::map<int64_t, CpuTimes> next;
  for (const auto& [cpu, n] : now) {
    CpuTimes prev;
    if (auto it = last_.find(cpu); it != last_.end()) prev = it->second;
    if (prev.idle - n.idle >= kJumpBackSeconds) prev = CpuTimes{};
    CpuTimes& out = next[cpu];
    auto keep_max = [](double p, double v) { return v >= p ? v : p; };
    out.user = keep_max(prev.user, n.user);
    out.nice = keep_max(prev.nice, n.nice);
    out.system = keep_max(prev.system, n.system);
    out.idle = keep_max(prev.idle, n.idle);
    out.iowait = keep_max(prev.iowait, n.iowait);
    out.irq = keep_max(prev.irq, n.irq);
    out.softirq = keep_max(prev.softirq, n.softirq);
    out.steal = keep_max(prev.steal, n.steal);
    out.guest = keep_max(prev.guest, n.guest);
    out.guest_nice = keep_max(prev.guest_nice, n.guest_nice);
  }
  last_ = std::move(next);
  return last_;
}

namespace {

// /sys/devices/system/cpu/isolated: "", "2", "1,3-5".
StatusOr<std::vector<uint64_t>> ParseCpuList(std::string_view text) {
  std::vector<uint64_t> out;
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (item.empty()) continue;
    size_t dash = item.find('-');
    std::string_view first = item.substr(0, dash);
    std::string_view last = dash == std::string_view::npos ? first : item.substr(dash + 1);
    uint64_t lo = 0, hi = 0;
    if (!ParseUint(first, &lo) || !ParseUint(last, &hi) || hi < lo || hi - lo > 65535) {
      return InvalidArgumentError("invalid cpu list entry \"" + std::string(item) + "\"");
    }
    for (uint64_t i = 0; i <= hi - lo; ++i) out.push_back(lo + i);
  }
  return out;
}

class CpuCollector : public Collector {
 public:
  explicit CpuCollector(const HostConfig& config)
      : stat_path_(config.Proc("stat")), cpu_dir_(config.Sys("devices/system/cpu")) {}

  Status Collect(Emitter& out) override {
    CISTERN_ASSIGN_OR_RETURN(std::string text, ReadProcFile(stat_path_));
    auto stat = ParseProcStat(text);
    if (!stat.ok()) return stat.status().Annotate(stat_path_);
    for (const auto& [id, t] : tracker_.Update(stat->cpus)) {
      std::string cpu = std::to_string(id);
      const std::pair<std::string_view, double> modes[] = {
          {"user", t.user},     {"nice", t.nice}, {"system", t.system},   {"idle", t.idle},
          {"iowait", t.iowait}, {"irq", t.irq},   {"softirq", t.softirq}, {"steal", t.steal},
      };
      for (const auto& [mode, v] : modes) {
        out.Add("node_cpu_seconds_total", {{"cpu", cpu}, {"mode", mode}}, v);
      }
      out.Add("node_cpu_guest_seconds_total", {{"cpu", cpu}, {"mode", "user"}}, t.guest);
      out.Add("node_cpu_guest_seconds_total", {{"cpu", cpu}, {"mode", "nice"}}, t.guest_nice);
    }
    Status isolated = AfterEmit(CollectIsolated(out));
    CollectThermalThrottles(out);
    return isolated;
  }

 private:
  Status CollectIsolated(Emitter& out) {
    std::string path = cpu_dir_ + "/isolated";
    auto text = ReadProcFile(path);
    if (text.status().code() == StatusCode::kNotFound) return OkStatus();  // older kernels
    if (!text.ok()) return text.status();
    auto cpus = ParseCpuList(*text);
    if (!cpus.ok()) return cpus.status().Annotate(path);
    for (uint64_t c : *cpus) out.Add("node_cpu_isolated", {{"cpu", std::to_string(c)}}, 1);
    return OkStatus();
  }

  // Each package's and each core's count is read from the first of its CPUs
  // that has it; CPUs without topology or throttle files are skipped
  // (node_exporter too).
  void CollectThermalThrottles(Emitter& out) {
    auto names = ListDir(cpu_dir_);
    if (!names.ok()) return;
    std::map<uint64_t, uint64_t> packages;
    std::map<std::pair<uint64_t, uint64_t>, uint64_t> cores;
    for (const std::string& name : *names) {
      if (name.size() < 4 || name.compare(0, 3, "cpu") != 0 || name[3] < '0' || name[3] > '9') continue;
      std::string dir = cpu_dir_ + "/" + name;
      auto package = ReadUintFile(dir + "/topology/physical_package_id");
      if (!package.ok()) continue;
      auto core = ReadUintFile(dir + "/topology/core_id");
      if (!core.ok()) continue;
      std::pair<uint64_t, uint64_t> key{*package, *core};
      if (!cores.count(key)) {
        auto n = ReadUintFile(dir + "/thermal_throttle/core_throttle_count");
        if (n.ok()) cores[key] = *n;
      }
      if (!packages.count(*package)) {
        auto n = ReadUintFile(dir + "/thermal_throttle/package_throttle_count");
        if (n.ok()) packages[*package] = *n;
      }
    }
    for (const auto& [package, n] : packages) {
      out.Add("node_cpu_package_throttles_total", {{"package", std::to_string(package)}},
              static_cast<double>(n));
    }
    for (const auto& [key, n] : cores) {
      out.Add("node_cpu_core_throttles_total",
              {{"package", std::to_string(key.first)}, {"core", std::to_string(key.second)}},
              static_cast<double>(n));
    }
  }

  std::string stat_path_;
  std::string cpu_dir_;
  CpuTimesTracker tracker_;
};

}  // namespace

std::unique_ptr<Collector> NewCpuCollector(const HostConfig& config) {
  return std::make_unique<CpuCollector>(config);
}

}  // namespace cistern::plugins::host
