// What a cgroup path says about the container in it, from the naming
// conventions of the runtimes (cgroupfs and systemd cgroup drivers):
//
//   docker      /docker/<id>                    /system.slice/docker-<id>.scope
//   containerd  /<namespace>/<id> (nerdctl)      .../cri-containerd-<id>.scope, nerdctl-<id>.scope
//   cri-o       .../pod<uid>/crio-<id>           .../crio-<id>.scope
//   podman      /libpod_parent/libpod-<id>       /machine.slice/libpod-<id>.scope
//   kubepods    /kubepods[/burstable|/besteffort]/pod<uid>/<id>
//               /kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid_with_underscores>.slice/<scope>
//
// Only a cgroup whose last component names a container is one: helper
// cgroups (crio-conmon-<id>.scope, libpod-conmon-<id>.scope), pod slices,
// systemd services and slices are not (cAdvisor reports them as raw cgroups,
// without a `name`). Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace cistern::plugins::container {

enum class Runtime {
  kNone,  // not a container
  kDocker,
  kContainerd,
  kCrio,
  kPodman,
  kUnknown,  // a container id whose runtime the path does not tell (kubepods with cgroupfs, /<ns>/<id>)
};

struct CgroupIdentity {
  Runtime runtime = Runtime::kNone;
  std::string container_id;  // 64 hex digits; empty when the cgroup is not a container
  std::string pod_uid;  // kubepods: the pod's UID with dashes ("0d3b...-..."), also on the pod's own slice
  bool is_container() const { return !container_id.empty(); }
};

// `path` is the cgroup's path relative to the hierarchy root ("/" or
// "/system.slice/docker-<id>.scope").
CgroupIdentity IdentifyCgroup(std::string_view path);

// "docker", "containerd", "cri-o", "podman", "" (none / unknown).
std::string_view RuntimeName(Runtime runtime);

}  // namespace cistern::plugins::container
