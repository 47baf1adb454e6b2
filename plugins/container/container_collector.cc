#include "plugins/container/container_collector.h"

#include <re2/re2.h>

#include <optional>
#include <set>

#include "plugins/container/container_fs.h"
#include "plugins/container/container_metrics.h"
#include "plugins/container/container_naming.h"
#include "plugins/container/proc_parsers.h"

namespace cistern::plugins::container {
namespace {

// The kubelet's names for the pod, namespace and container of a container
// it started through Docker (cAdvisor's `pod`, `namespace`, `container`).
constexpr std::pair<const char*, const char*> kKubeLabels[] = {
    {"io.kubernetes.pod.name", "pod"},
    {"io.kubernetes.pod.namespace", "namespace"},
    {"io.kubernetes.container.name", "container"},
};

bool MayAskDocker(Runtime r) {
  // containerd and cri-o containers are not the Docker API's; Podman's
  // compatible API answers for its own when docker_socket points at it.
  return r == Runtime::kDocker || r == Runtime::kPodman || r == Runtime::kUnknown;
}

}  // namespace

ContainerCollector::ContainerCollector(ContainerConfig config)
    : config_(std::move(config)),
      docker_(config_.docker_socket, config_.docker_timeout, config_.log_component) {}

ContainerCollector::~ContainerCollector() = default;

StatusOr<std::unique_ptr<ContainerCollector>> ContainerCollector::Create(ContainerConfig config) {
  std::unique_ptr<ContainerCollector> c(new ContainerCollector(std::move(config)));
  if (!c->config_.exclude.empty()) {
    c->exclude_ = std::make_unique<re2::RE2>(c->config_.exclude, re2::RE2::Quiet);
    if (!c->exclude_->ok()) {
      return InvalidArgumentError("exclude: bad regular expression: " + c->exclude_->error());
    }
  }
  return c;
}

Status ContainerCollector::Collect(host::Emitter& out, int64_t timestamp_ms) {
  auto layout = DetectLayout(config_.cgroupfs);
  if (!layout.ok())
    return FailedPreconditionError("cgroupfs " + config_.cgroupfs + ": " + layout.status().message());
  ErrorList errors;
  std::vector<CgroupDir> dirs;
  errors.Add(ListCgroups(*layout, config_.max_depth, &dirs));
  CgroupReader reader(*layout, config_.procfs, config_.per_cpu);

  std::optional<DeviceNames> devices;  // read once, when a cgroup has block I/O
  auto device_names = [&]() -> const DeviceNames& {
    if (!devices) {
      devices.emplace();
      std::string path = config_.procfs + "/partitions";
      auto text = host::ReadProcFile(path);
      auto parsed = text.ok() ? ParsePartitions(*text) : StatusOr<DeviceNames>(text.status());
      if (parsed.ok()) {
        devices = std::move(*parsed);
      } else {
        errors.Add(text.ok() ? parsed.status().Annotate(path) : parsed.status());
      }
    }
    return *devices;
  };
  // The host's network namespace; pid 1's may be unreadable without ptrace
  // rights, then ours stands in for it.
  std::string host_netns = NetnsOf(config_.procfs, "1");
  if (host_netns.empty()) host_netns = NetnsOf(config_.procfs, "self");

  std::set<std::string> alive;
  for (const CgroupDir& dir : dirs) {
    const bool root = dir.path == "/";
    CgroupIdentity ident = IdentifyCgroup(dir.path);
    if (config_.containers_only && !root && !ident.is_container()) continue;
    if (exclude_ && re2::RE2::PartialMatch(dir.path, *exclude_)) continue;
    CgroupSample s = reader.Read(dir, &errors);
    if (s.gone) continue;

    const DockerContainer* info = nullptr;
    LabelPairs labels = {{"id", dir.path}};
    if (ident.is_container()) {
      alive.insert(ident.container_id);
      if (MayAskDocker(ident.runtime)) info = docker_.Lookup(ident.container_id, timestamp_ms);
      labels.emplace_back("name", info != nullptr && !info->name.empty() ? info->name : ident.container_id);
      if (info != nullptr) {
        labels.emplace_back("image", info->image);
        for (const std::string& key : config_.container_labels) {
          auto it = info->labels.find(key);
          if (it != info->labels.end()) labels.emplace_back(ContainerLabelName(key), it->second);
        }
        for (const auto& [key, label] : kKubeLabels) {
          auto it = info->labels.find(key);
          if (it != info->labels.end()) labels.emplace_back(label, it->second);
        }
      }
    }
    static const DeviceNames kNoDevices;
    EmitCgroup(s, labels, s.has_io ? device_names() : kNoDevices, timestamp_ms, config_.per_cpu, out);

    // Network: the root's is pid 1's; a container's is its member task's,
    // if that task has a network namespace of its own.
    int pid = root ? 1 : (s.member_pid > 0 ? s.member_pid : (info != nullptr ? info->pid : 0));
    if (pid <= 0) continue;
    if (!root) {
      std::string ns = NetnsOf(config_.procfs, std::to_string(pid));
      if (ns.empty() || host_netns.empty() || ns == host_netns) continue;
    }
    std::string path = config_.procfs + "/" + std::to_string(pid) + "/net/dev";
    auto text = host::ReadProcFile(path);
    if (!text.ok()) {
      if (!(text.status().code() == StatusCode::kNotFound && !root))
        errors.Add(text.status());  // exited: fine
      continue;
    }
    auto interfaces = ParseNetDev(*text);
    if (!interfaces.ok()) {
      errors.Add(interfaces.status().Annotate(path));
      continue;
    }
    EmitNetwork(*interfaces, labels, out);
  }
  docker_.Retain(alive);
  return errors.Summary();
}

}  // namespace cistern::plugins::container
