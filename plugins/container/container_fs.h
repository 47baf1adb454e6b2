// The kernel's view of the containers, read from cgroupfs and procfs: which
// hierarchy layout this host has (cgroup v2, or v1 with one hierarchy per
// controller), every cgroup in it, and what one cgroup's files say
// (CgroupSample). Blocking file I/O: call from a worker thread. A
// CgroupReader is used by one thread at a time.
//
// What is read, per cgroup, once each:
//   v2: cgroup.controllers, cpu.stat, cgroup.procs, and by enabled controller
//       cpu.{max,weight}; memory.{current,stat,max,min,peak,swap.current,
//       swap.max,events}; io.stat; pids.{current,max}. The root cgroup has
//       only cpu.stat, memory.stat and io.stat (swap from /proc/meminfo).
//   v1: cpuacct.{usage,stat[,usage_percpu]}; cpu.{shares,cfs_period_us,
//       cfs_quota_us,stat}; memory.{usage_in_bytes,max_usage_in_bytes,failcnt,
//       stat,limit_in_bytes,memsw.limit_in_bytes,soft_limit_in_bytes};
//       blkio.throttle.io_service{_bytes,d}[_recursive]; pids.{current,max};
//       cgroup.procs of the first of cpu, cpuacct, memory, pids, blkio.
// plus a stat() of the directory and of cgroup.events (v2) or
// cgroup.clone_children (v1) for the start time, as cAdvisor does.
//
// Errors: a file the cgroup's controllers promise that is missing or
// malformed is an error naming the file, and only the values from it are
// absent. Files that depend on kernel options (memory.peak, memory.swap.*,
// memory.memsw.*, cpu.cfs_*, blkio.throttle.*) may be absent. A cgroup whose
// directory is gone by the time a file is read (a container that stopped)
// is `gone`, not an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/base/status.h"
#include "plugins/container/cgroup_parsers.h"

namespace cistern::plugins::container {

// v1 hierarchies the input reads (bits of CgroupDir::hierarchies).
enum Hierarchy : uint32_t {
  kCpu = 1,
  kCpuacct = 2,
  kMemory = 4,
  kBlkio = 8,
  kPids = 16,
};

struct CgroupLayout {
  bool unified = false;  // cgroup v2: `root` is the cgroup2 mount
  std::string root;      // v2 mount, or the v1 parent of the controller mounts
  // v1: each controller's mount ("" when not mounted); cpu and cpuacct may
  // be one directory (cpu,cpuacct).
  std::string cpu, cpuacct, memory, blkio, pids;
  const std::string& Dir(Hierarchy h) const;
};

// v2 when <cgroupfs>/cgroup.controllers exists (what cAdvisor calls unified
// mode; a hybrid host with cgroup2 at <cgroupfs>/unified is read as v1).
// Otherwise v1, each controller found by a file only it has. NotFound when
// there is neither.
StatusOr<CgroupLayout> DetectLayout(const std::string& cgroupfs);

struct CgroupDir {
  std::string path;          // "/" or "/system.slice/docker-<id>.scope"
  uint32_t hierarchies = 0;  // v1: the Hierarchy bits that have this path
};

// Every cgroup: "/" first, then the rest sorted; on v1 the union of the
// hierarchies' trees joined by path. `max_depth` > 0 stops below that many
// components ("/a/b" is depth 2). Subtrees that vanish during the walk are
// skipped; other directory errors are returned (the rest is still listed).
Status ListCgroups(const CgroupLayout& layout, int max_depth, std::vector<CgroupDir>* out);

// Everything read for one cgroup. An empty optional: not available here.
struct CgroupSample {
  bool gone = false;  // the cgroup disappeared while being read
  // CPU, nanoseconds.
  std::optional<uint64_t> cpu_usage_ns, cpu_user_ns, cpu_system_ns;
  std::vector<uint64_t> cpu_percpu_ns;  // v1 with per_cpu only
  std::optional<uint64_t> cfs_periods, cfs_throttled_periods, cfs_throttled_ns;
  std::optional<uint64_t> cfs_burst_periods, cfs_burst_ns;
  // CPU spec (cAdvisor's conventions: quota 0 = none, period and shares 0
  // where the controller is off; v2 shares from cpu.weight). Empty when
  // the file could not be read.
  bool has_cpu_spec = false;
  std::optional<uint64_t> cpu_shares, cpu_period_us;
  uint64_t cpu_quota_us = 0;
  // Memory, bytes.
  std::optional<uint64_t> memory_usage, memory_max_usage, memory_failcnt;
  std::optional<uint64_t> memory_cache, memory_rss, memory_swap, memory_mapped_file;
  std::optional<uint64_t> memory_active_file, memory_inactive_file;
  std::optional<uint64_t> pgfault, pgmajfault;
  // Memory spec: raw limits (UINT64_MAX for "max"); unlimited ones are
  // reported as 0 by the emitter, as cAdvisor does.
  bool has_memory_spec = false;
  uint64_t memory_limit = 0;
  std::optional<uint64_t> memory_swap_limit, memory_reservation;  // 0 where the kernel has none
  // Block I/O (v1 op names), from the hierarchical counters.
  std::vector<BlkioEntry> io_bytes, io_ops;
  bool has_io = false;
  // Tasks.
  std::optional<uint64_t> processes, threads, threads_max;
  int member_pid = 0;  // the first member process, 0 if none
  // Unix seconds: the earliest mtime of the cgroup's directories and of
  // cgroup.events / cgroup.clone_children, not before boot.
  std::optional<double> start_time_seconds;
};

// The first error of a collection and how many there were.
class ErrorList {
 public:
  void Add(Status s);
  int count() const { return count_; }
  // OK, the first error, or the first error with "(and N more)".
  Status Summary() const;

 private:
  Status first_;
  int count_ = 0;
};

class CgroupReader {
 public:
  // `procfs` is for the v2 root's swap (/proc/meminfo); `per_cpu` also reads
  // v1's cpuacct.usage_percpu.
  CgroupReader(const CgroupLayout& layout, std::string procfs, bool per_cpu);
  CgroupSample Read(const CgroupDir& dir, ErrorList* errors) const;

 private:
  CgroupSample ReadV2(const CgroupDir& dir, ErrorList* errors) const;
  CgroupSample ReadV1(const CgroupDir& dir, ErrorList* errors) const;

  const CgroupLayout& layout_;
  std::string procfs_;
  bool per_cpu_;
  double clock_ticks_;
  double boot_time_seconds_;
};

// The network namespace of `pid` ("net:[4026531840]") from
// <procfs>/<pid>/ns/net, or "" when it cannot be read. `pid` may be "self".
std::string NetnsOf(const std::string& procfs, const std::string& pid);

}  // namespace cistern::plugins::container
