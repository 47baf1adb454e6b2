#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cmath>
#include <functional>
#include <map>

#include "agent/base/file_util.h"
#include "plugins/container/container_fs.h"
#include "plugins/container/proc_parsers.h"
#include "plugins/host/collector.h"

namespace cistern::plugins::container {
namespace {

// <dir> + <cgroup path>: "/sys/fs/cgroup" + "/" -> "/sys/fs/cgroup".
std::string CgroupPath(const std::string& dir, const std::string& path) {
  return path == "/" ? dir : dir + path;
}

bool IsDir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::optional<double> MtimeSeconds(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return static_cast<double>(st.st_mtim.tv_sec) + static_cast<double>(st.st_mtim.tv_nsec) / 1e9;
}

// The files of one cgroup directory, read for one CgroupSample.
class Files {
 public:
  Files(std::string dir, CgroupSample* sample, ErrorList* errors)
      : dir_(std::move(dir)), sample_(sample), errors_(errors) {}

  // The text of `name`, or nullopt: absent and optional, an error (recorded),
  // or the cgroup is gone (sample->gone).
  std::optional<std::string> Read(std::string_view name, bool required) {
    if (sample_->gone) return std::nullopt;
    std::string path = dir_ + "/" + std::string(name);
    auto text = host::ReadProcFile(path);
    if (text.ok()) return std::move(*text);
    if (!IsDir(dir_)) {
      sample_->gone = true;
      return std::nullopt;
    }
    if (text.status().code() == StatusCode::kNotFound && !required) return std::nullopt;
    errors_->Add(text.status());
    return std::nullopt;
  }

  // Read() then `parse`; a parse error names the file.
  template <typename T>
  std::optional<T> Parse(std::string_view name, bool required, StatusOr<T> (*parse)(std::string_view)) {
    std::optional<std::string> text = Read(name, required);
    if (!text) return std::nullopt;
    StatusOr<T> v = parse(*text);
    if (v.ok()) return std::move(*v);
    if (!IsDir(dir_)) {
      sample_->gone = true;
      return std::nullopt;
    }
    errors_->Add(v.status().Annotate(dir_ + "/" + std::string(name)));
    return std::nullopt;
  }

  void Error(std::string_view name, std::string message) {
    errors_->Add(InvalidArgumentError(dir_ + "/" + std::string(name) + ": " + std::move(message)));
  }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  CgroupSample* sample_;
  ErrorList* errors_;
};

std::optional<uint64_t> Key(const FlatKeyed& m, std::string_view key) {
  auto it = m.find(key);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

std::optional<uint64_t> Times(std::optional<uint64_t> v, uint64_t factor) {
  if (!v) return std::nullopt;
  return *v * factor;
}

void ReadProcs(Files& f, CgroupSample* s) {
  if (auto procs = f.Parse("cgroup.procs", true, ParseProcs)) {
    s->processes = procs->size();
    if (!procs->empty()) s->member_pid = procs->front();
  }
}

void ReadPids(Files& f, CgroupSample* s) {
  s->threads = f.Parse("pids.current", true, ParseCounter);
  if (auto max = f.Parse("pids.max", true, ParseLimit))
    s->threads_max = max->value_or(0);  // "max": 0 = no limit
}

void EarliestStart(const std::string& dir, const char* marker_file, std::optional<double>* earliest) {
  for (const std::string& p : {dir, dir + "/" + marker_file}) {
    std::optional<double> t = MtimeSeconds(p);
    if (t && (!*earliest || *t < **earliest)) *earliest = t;
  }
}

// Directories under `dir`, recursively, as cgroup paths below `prefix`.
Status Walk(const std::string& dir, const std::string& prefix, int depth, int max_depth, uint32_t bits,
            std::map<std::string, uint32_t>* out) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) return OkStatus();  // removed while walking
    return UnavailableError("list " + dir + ": " + ErrnoMessage(err));
  }
  std::vector<std::string> children;
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    bool is_dir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st;
      is_dir = ::lstat((dir + "/" + e->d_name).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    }
    if (is_dir) children.emplace_back(name);
  }
  ::closedir(d);
  Status first;
  for (const std::string& c : children) {
    std::string path = prefix == "/" ? "/" + c : prefix + "/" + c;
    (*out)[path] |= bits;
    if (max_depth > 0 && depth + 1 >= max_depth) continue;
    Status s = Walk(dir + "/" + c, path, depth + 1, max_depth, bits, out);
    if (first.ok() && !s.ok()) first = s;
  }
  return first;
}

double BootTimeSeconds() {
  struct sysinfo info;
  double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  if (::sysinfo(&info) != 0) return 0;
  double boot = now - static_cast<double>(info.uptime);
  return std::floor(boot / 60) * 60;  // cAdvisor truncates to the minute
}

}  // namespace

const std::string& CgroupLayout::Dir(Hierarchy h) const {
  switch (h) {
    case kCpu:
      return cpu;
    case kCpuacct:
      return cpuacct;
    case kMemory:
      return memory;
    case kBlkio:
      return blkio;
    case kPids:
      return pids;
  }
  return root;
}

StatusOr<CgroupLayout> DetectLayout(const std::string& cgroupfs) {
  CgroupLayout l;
  l.root = cgroupfs;
  while (l.root.size() > 1 && l.root.back() == '/') l.root.pop_back();
  if (Exists(l.root + "/cgroup.controllers")) {
    l.unified = true;
    return l;
  }
  struct Probe {
    std::string* dir;
    std::vector<const char*> names;
    const char* marker;
  };
  Probe probes[] = {
      {&l.cpu, {"cpu", "cpu,cpuacct", "cpuacct,cpu"}, "cpu.shares"},
      {&l.cpuacct, {"cpuacct", "cpu,cpuacct", "cpuacct,cpu"}, "cpuacct.usage"},
      {&l.memory, {"memory"}, "memory.usage_in_bytes"},
      {&l.blkio, {"blkio"}, "blkio.reset_stats"},
      {&l.pids, {"pids"}, "cgroup.procs"},
  };
  bool any = false;
  for (Probe& p : probes) {
    for (const char* n : p.names) {
      std::string dir = l.root + "/" + n;
      if (Exists(dir + "/" + p.marker)) {
        *p.dir = dir;
        any = true;
        break;
      }
    }
  }
  if (!any) return NotFoundError("no cgroup v2 or v1 hierarchy under " + l.root);
  return l;
}

Status ListCgroups(const CgroupLayout& layout, int max_depth, std::vector<CgroupDir>* out) {
  std::map<std::string, uint32_t> paths;
  Status first;
  if (layout.unified) {
    paths["/"] = 0;
    first = Walk(layout.root, "/", 0, max_depth, 0, &paths);
  } else {
    // One walk per distinct directory (cpu and cpuacct may be one mount).
    std::map<std::string, uint32_t> dirs;
    for (Hierarchy h : {kCpu, kCpuacct, kMemory, kBlkio, kPids}) {
      const std::string& d = layout.Dir(h);
      if (d.empty()) continue;
      char real[PATH_MAX];
      std::string key = ::realpath(d.c_str(), real) != nullptr ? std::string(real) : d;
      dirs[key] |= h;
    }
    for (const auto& [dir, bits] : dirs) {
      paths["/"] |= bits;
      Status s = Walk(dir, "/", 0, max_depth, bits, &paths);
      if (first.ok() && !s.ok()) first = s;
    }
  }
  out->clear();
  out->reserve(paths.size());
  for (const auto& [path, bits] : paths) out->push_back({path, bits});  // std::map: "/" sorts first
  return first;
}

void ErrorList::Add(Status s) {
  if (s.ok()) return;
  if (count_ == 0) first_ = std::move(s);
  ++count_;
}

Status ErrorList::Summary() const {
  if (count_ <= 1) return first_;
  return Status(first_.code(), first_.message() + " (and " + std::to_string(count_ - 1) + " more errors)");
}

CgroupReader::CgroupReader(const CgroupLayout& layout, std::string procfs, bool per_cpu)
    : layout_(layout), procfs_(std::move(procfs)), per_cpu_(per_cpu) {
  long ticks = ::sysconf(_SC_CLK_TCK);
  clock_ticks_ = ticks > 0 ? static_cast<double>(ticks) : 100;
  boot_time_seconds_ = BootTimeSeconds();
}

CgroupSample CgroupReader::Read(const CgroupDir& dir, ErrorList* errors) const {
  CgroupSample s = layout_.unified ? ReadV2(dir, errors) : ReadV1(dir, errors);
  if (s.start_time_seconds && *s.start_time_seconds < boot_time_seconds_)
    s.start_time_seconds = boot_time_seconds_;
  return s;
}

CgroupSample CgroupReader::ReadV2(const CgroupDir& dir, ErrorList* errors) const {
  CgroupSample s;
  const bool root = dir.path == "/";
  Files f(CgroupPath(layout_.root, dir.path), &s, errors);
  std::vector<std::string> controllers;
  if (auto text = f.Read("cgroup.controllers", true)) controllers = ParseControllers(*text);
  if (s.gone) return s;
  auto has = [&](std::string_view c) {
    return std::find(controllers.begin(), controllers.end(), c) != controllers.end();
  };

  if (auto cpu = f.Parse("cpu.stat", true, ParseFlatKeyed)) {
    s.cpu_usage_ns = Times(Key(*cpu, "usage_usec"), 1000);
    s.cpu_user_ns = Times(Key(*cpu, "user_usec"), 1000);
    s.cpu_system_ns = Times(Key(*cpu, "system_usec"), 1000);
    s.cfs_periods = Key(*cpu, "nr_periods");
    s.cfs_throttled_periods = Key(*cpu, "nr_throttled");
    s.cfs_throttled_ns = Times(Key(*cpu, "throttled_usec"), 1000);
    s.cfs_burst_periods = Key(*cpu, "nr_bursts");
    s.cfs_burst_ns = Times(Key(*cpu, "burst_usec"), 1000);
  }
  s.has_cpu_spec = true;  // cAdvisor: every v2 cgroup has a CPU spec (zeros without the controller)
  s.cpu_period_us = 0;
  s.cpu_shares = 0;
  if (!root && has("cpu")) {
    s.cpu_period_us.reset();
    s.cpu_shares.reset();
    if (auto max = f.Parse("cpu.max", true, ParseCpuMax)) {
      s.cpu_quota_us = max->quota_us.value_or(0);
      s.cpu_period_us = max->period_us;
    }
    if (auto weight = f.Parse("cpu.weight", true, ParseCounter)) {
      if (*weight >= 1 && *weight <= 10000) {
        s.cpu_shares = 2 + ((*weight - 1) * 262142) / 9999;  // cAdvisor's cpu.weight -> cpu.shares
      } else {
        f.Error("cpu.weight", "expected 1..10000, got " + std::to_string(*weight));
      }
    }
  }

  if (has("memory")) {
    std::optional<FlatKeyed> stat = f.Parse("memory.stat", true, ParseFlatKeyed);
    if (stat) {
      s.memory_cache = Key(*stat, "file");
      s.memory_rss = Key(*stat, "anon");
      s.memory_mapped_file = Key(*stat, "file_mapped");
      s.memory_active_file = Key(*stat, "active_file");
      s.memory_inactive_file = Key(*stat, "inactive_file");
      s.pgfault = Key(*stat, "pgfault");
      s.pgmajfault = Key(*stat, "pgmajfault");
    }
    if (root) {
      // No memory.current at the root: libcontainer's anon + file, swap from meminfo.
      if (s.memory_cache && s.memory_rss) s.memory_usage = *s.memory_cache + *s.memory_rss;
      std::string meminfo = procfs_ + "/meminfo";
      auto text = host::ReadProcFile(meminfo);
      StatusOr<uint64_t> swap = text.ok() ? ParseMeminfoSwapUsed(*text) : StatusOr<uint64_t>(text.status());
      if (swap.ok()) {
        s.memory_swap = *swap;
      } else {
        errors->Add(text.ok() ? swap.status().Annotate(meminfo) : swap.status());
      }
    } else {
      s.memory_usage = f.Parse("memory.current", true, ParseCounter);
      s.memory_max_usage = f.Parse("memory.peak", false, ParseCounter);  // kernel >= 5.19
      s.memory_swap = f.Parse("memory.swap.current", false, ParseCounter);
      if (auto events = f.Parse("memory.events", true, ParseFlatKeyed))
        s.memory_failcnt = Key(*events, "max");
      if (auto max = f.Parse("memory.max", true, ParseLimit)) {
        s.has_memory_spec = true;
        s.memory_limit = max->value_or(UINT64_MAX);
        s.memory_swap_limit = 0;  // no swap accounting: cAdvisor's 0
        s.memory_reservation = 0;
        if (auto text = f.Read("memory.swap.max", false)) {
          auto swap = ParseLimit(*text);
          s.memory_swap_limit =
              swap.ok() ? std::optional<uint64_t>(swap->value_or(UINT64_MAX)) : std::nullopt;
          if (!swap.ok()) f.Error("memory.swap.max", swap.status().message());
        }
        if (auto text = f.Read("memory.min", false)) {
          auto min = ParseLimit(*text);
          s.memory_reservation = min.ok() ? std::optional<uint64_t>(min->value_or(UINT64_MAX)) : std::nullopt;
          if (!min.ok()) f.Error("memory.min", min.status().message());
        }
      }
    }
  }

  if (has("io") || root) {
    if (auto io = f.Parse("io.stat", !root, ParseIoStatV2)) {
      s.has_io = true;
      s.io_bytes = std::move(io->bytes);
      s.io_ops = std::move(io->ios);
    }
  }
  if (has("pids") && !root) ReadPids(f, &s);
  ReadProcs(f, &s);
  EarliestStart(f.dir(), "cgroup.events", &s.start_time_seconds);
  return s;
}

CgroupSample CgroupReader::ReadV1(const CgroupDir& dir, ErrorList* errors) const {
  CgroupSample s;
  const bool root = dir.path == "/";
  auto files = [&](Hierarchy h) { return Files(CgroupPath(layout_.Dir(h), dir.path), &s, errors); };
  auto in = [&](Hierarchy h) { return (dir.hierarchies & h) != 0 && !layout_.Dir(h).empty(); };

  if (in(kCpuacct)) {
    Files f = files(kCpuacct);
    s.cpu_usage_ns = f.Parse("cpuacct.usage", true, ParseCounter);
    if (auto stat = f.Parse("cpuacct.stat", true, ParseFlatKeyed)) {
      // USER_HZ ticks, as libcontainer converts them.
      auto ns = [&](std::optional<uint64_t> ticks) -> std::optional<uint64_t> {
        if (!ticks) return std::nullopt;
        return static_cast<uint64_t>(static_cast<double>(*ticks) * 1e9 / clock_ticks_);
      };
      s.cpu_user_ns = ns(Key(*stat, "user"));
      s.cpu_system_ns = ns(Key(*stat, "system"));
    }
    if (per_cpu_) {
      if (auto percpu = f.Parse("cpuacct.usage_percpu", true, ParseUintList))
        s.cpu_percpu_ns = std::move(*percpu);
    }
  }
  if (in(kCpu)) {
    Files f = files(kCpu);
    s.has_cpu_spec = true;
    s.cpu_shares = f.Parse("cpu.shares", true, ParseCounter);
    // Without CONFIG_CFS_BANDWIDTH there are no cfs files: cAdvisor's 0.
    if (auto text = f.Read("cpu.cfs_period_us", false)) {
      auto period = ParseCounter(*text);
      if (period.ok()) s.cpu_period_us = *period;
      if (!period.ok()) f.Error("cpu.cfs_period_us", period.status().message());
    } else if (!s.gone && !Exists(f.dir() + "/cpu.cfs_period_us")) {
      s.cpu_period_us = 0;
    }
    if (auto quota = f.Parse("cpu.cfs_quota_us", false, ParseCfsQuotaV1)) s.cpu_quota_us = quota->value_or(0);
    if (auto stat = f.Parse("cpu.stat", true, ParseFlatKeyed)) {
      s.cfs_periods = Key(*stat, "nr_periods");
      s.cfs_throttled_periods = Key(*stat, "nr_throttled");
      s.cfs_throttled_ns = Key(*stat, "throttled_time");
      s.cfs_burst_periods = Key(*stat, "nr_bursts");
      s.cfs_burst_ns = Key(*stat, "burst_time");
    }
  }
  if (in(kMemory)) {
    Files f = files(kMemory);
    s.memory_usage = f.Parse("memory.usage_in_bytes", true, ParseCounter);
    s.memory_max_usage = f.Parse("memory.max_usage_in_bytes", true, ParseCounter);
    s.memory_failcnt = f.Parse("memory.failcnt", true, ParseCounter);
    if (auto stat = f.Parse("memory.stat", true, ParseFlatKeyed)) {
      // The hierarchical total_* when the kernel has them (use_hierarchy,
      // always on in current kernels), as cAdvisor does.
      auto pick = [&](std::string_view key) {
        std::optional<uint64_t> total = Key(*stat, "total_" + std::string(key));
        return total ? total : Key(*stat, key);
      };
      s.memory_cache = pick("cache");
      s.memory_rss = pick("rss");
      s.memory_swap = pick("swap");
      s.memory_mapped_file = pick("mapped_file");
      s.memory_active_file = pick("active_file");
      s.memory_inactive_file = pick("inactive_file");
      s.pgfault = Key(*stat, "pgfault");
      s.pgmajfault = Key(*stat, "pgmajfault");
    }
    if (auto limit = f.Parse("memory.limit_in_bytes", true, ParseCounter)) {
      s.has_memory_spec = true;
      s.memory_limit = *limit;
      s.memory_reservation = f.Parse("memory.soft_limit_in_bytes", true, ParseCounter);
      if (auto text = f.Read("memory.memsw.limit_in_bytes", false)) {  // only with swap accounting
        auto swap = ParseCounter(*text);
        if (swap.ok()) s.memory_swap_limit = *swap;
        if (!swap.ok()) f.Error("memory.memsw.limit_in_bytes", swap.status().message());
      } else if (!s.gone && !Exists(f.dir() + "/memory.memsw.limit_in_bytes")) {
        s.memory_swap_limit = 0;
      }
    }
  }
  if (in(kBlkio)) {
    Files f = files(kBlkio);
    auto read = [&](const char* recursive, const char* flat) {
      std::optional<std::vector<BlkioEntry>> v = f.Parse(recursive, false, ParseBlkioV1);
      if (!v && !s.gone) v = f.Parse(flat, false, ParseBlkioV1);
      return v;
    };
    if (auto bytes = read("blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_service_bytes")) {
      s.has_io = true;
      s.io_bytes = std::move(*bytes);
    }
    if (auto ops = read("blkio.throttle.io_serviced_recursive", "blkio.throttle.io_serviced")) {
      s.has_io = true;
      s.io_ops = std::move(*ops);
    }
  }
  if (in(kPids) && !root) {  // cAdvisor reads no pids.* for the root (there are none)
    Files f = files(kPids);
    ReadPids(f, &s);
  }
  for (Hierarchy h : {kCpu, kCpuacct, kMemory, kPids, kBlkio}) {
    if (!in(h)) continue;
    Files f = files(h);
    ReadProcs(f, &s);
    break;
  }
  for (Hierarchy h : {kCpu, kCpuacct, kMemory, kBlkio, kPids}) {
    if (in(h))
      EarliestStart(CgroupPath(layout_.Dir(h), dir.path), "cgroup.clone_children", &s.start_time_seconds);
  }
  return s;
}

std::string NetnsOf(const std::string& procfs, const std::string& pid) {
  std::string path = procfs + "/" + pid + "/ns/net";
  char buf[128];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
  if (n <= 0) return "";
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace cistern::plugins::container
