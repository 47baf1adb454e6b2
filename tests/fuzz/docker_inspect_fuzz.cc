// Arbitrary bytes as a Docker `GET /containers/<id>/json` response.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "plugins/container/docker_inspect.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto c = cistern::plugins::container::ParseDockerInspect(std::string_view(reinterpret_cast<const char*>(data), size));
  (void)c;
  return 0;
}
