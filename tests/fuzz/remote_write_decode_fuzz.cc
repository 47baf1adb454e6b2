// Arbitrary bytes as a remote-write body (snappy + protobuf) and as raw protobuf.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/remote/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  cistern::remote::DecodeLimits limits;
  limits.max_decoded_bytes = 1 << 20;
  auto a = cistern::remote::DecodeWriteRequest(body, limits);
  if (a.ok()) {
    for (const auto& ts : a->timeseries) (void)ts.labels.Validate();
  }
  auto b = cistern::remote::ParseWriteRequest(body);
  (void)b;
  return 0;
}
