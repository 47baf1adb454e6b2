// Arbitrary bytes as a configuration file: errors are fine, crashes are not.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto c = cistern::config::ParseConfig(text, "fuzz.toml");
  (void)c;
  return 0;
}
