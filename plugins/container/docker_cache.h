// Optional enrichment of container series from the Docker (or Podman) API:
// one `GET /containers/<id>/json` per new container id, cached until the
// container goes away. No socket, nobody listening, or an id the engine does
// not know (a containerd or cri-o container) is normal: the container is
// reported with what its cgroup path says. Errors never fail a collection;
// they are logged (rate-limited) and retried later. After a failed connect
// or a timeout the engine is left alone for a minute, so a missing or hung
// daemon costs at most one timeout per minute. Worker thread only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "agent/base/units.h"
#include "agent/obs/log.h"
#include "plugins/container/docker_inspect.h"

namespace cistern::plugins::container {

class DockerCache {
 public:
  // `socket_path` "" disables lookups. `log_component` is for warnings.
  DockerCache(std::string socket_path, Duration timeout, std::string log_component);

  // The container's metadata, or nullptr when it is not (yet) known.
  const DockerContainer* Lookup(const std::string& id, int64_t now_ms);
  // Forgets containers not in `alive` (they stopped).
  void Retain(const std::set<std::string>& alive);

  int requests() const { return requests_; }  // API calls made so far

 private:
  struct Entry {
    std::optional<DockerContainer> info;
    int64_t retry_at_ms = 0;  // when info is empty
  };
  std::string socket_path_;
  Duration timeout_;
  std::string log_component_;
  std::map<std::string, Entry> entries_;
  int64_t engine_retry_at_ms_ = 0;  // after a failed connect or timeout
  int requests_ = 0;
  obs::RateLimiter log_{3, 600000};
};

}  // namespace cistern::plugins::container
