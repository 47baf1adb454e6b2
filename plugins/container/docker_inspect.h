// The few fields of Docker's `GET /containers/<id>/json` (also served by
// Podman's Docker-compatible API) that label a container's series: Name,
// Config.Image, Config.Labels and State.Pid. A small strict JSON reader
// (RFC 8259, nesting depth <= 64) for this one response; everything else in
// it is skipped. Pure, thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "agent/base/status.h"

namespace cistern::plugins::container {

struct DockerContainer {
  std::string name;                           // without the leading "/" (cAdvisor's alias)
  std::string image;                          // Config.Image as the user gave it ("redis:7")
  std::map<std::string, std::string> labels;  // Config.Labels
  int pid = 0;                                // State.Pid (0 when not running)
};

// InvalidArgument ("offset 120: expected ':'") when `json` is not valid JSON
// or not an object.
StatusOr<DockerContainer> ParseDockerInspect(std::string_view json);

}  // namespace cistern::plugins::container
