// One collection of [inputs.container]: walks the cgroup tree (the root "/"
// and every cgroup below it, as cAdvisor does), reads each cgroup once
// (container_fs.h), names it from its path (container_naming.h) and, for
// containers, from the Docker API when there is one (docker_cache.h), and
// appends cAdvisor's series (container_metrics.h). Network counters come from
// a member task's /proc/<pid>/net/dev when that task has its own network
// namespace (the root cgroup: pid 1's); a cgroup sharing the host's is
// skipped, as cAdvisor does.
//
// Created once per input instance; Collect runs on the input's worker thread,
// never concurrently with itself.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "agent/base/status.h"
#include "agent/base/units.h"
#include "plugins/container/docker_cache.h"
#include "plugins/host/collector.h"

namespace re2 {
class RE2;
}

namespace cistern::plugins::container {

struct ContainerConfig {
  std::string cgroupfs = "/sys/fs/cgroup";
  std::string procfs = "/proc";
  std::string docker_socket = "/var/run/docker.sock";  // "" disables the lookups
  Duration docker_timeout{1000};
  // Docker labels exported as container_label_<key> (cAdvisor's names).
  std::vector<std::string> container_labels = {"com.docker.compose.project", "com.docker.compose.service"};
  bool containers_only = false;  // only "/" and cgroups that are containers (cAdvisor's --docker_only)
  int max_depth = 0;             // 0: the whole tree
  std::string exclude;           // RE2, partial match on the cgroup path; "" excludes nothing
  bool per_cpu = false;          // v1: container_cpu_usage_seconds_total{cpu="cpuNN"} instead of "total"
  std::string log_component = "input container";
};

class ContainerCollector {
 public:
  // InvalidArgument for a bad `exclude` pattern.
  static StatusOr<std::unique_ptr<ContainerCollector>> Create(ContainerConfig config);
  ~ContainerCollector();

  // Appends one collection at `timestamp_ms`. Returns the first problem
  // (naming the file) when a cgroup file was missing or malformed: what
  // could be read is appended all the same.
  Status Collect(host::Emitter& out, int64_t timestamp_ms);

  const DockerCache& docker() const { return docker_; }

 private:
  explicit ContainerCollector(ContainerConfig config);
  ContainerConfig config_;
  std::unique_ptr<re2::RE2> exclude_;
  DockerCache docker_;
};

}  // namespace cistern::plugins::container
