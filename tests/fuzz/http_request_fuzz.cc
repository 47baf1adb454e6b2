// Feeds arbitrary bytes, split at fuzzer-chosen points, through the HTTP
// request parser exactly as the server does (stop after each request, resume).
#include <cstddef>
#include <cstdint>
#include <string>

#include "agent/net/http_server.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // First byte picks the chunk size the bytes arrive in.
  size_t chunk = 1 + data[0] % 64;
  std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
  cistern::net::internal::RequestParser parser(4096, 1 << 16);
  std::string pending;
  size_t pos = 0;
  int requests = 0;
  while (pos < input.size() || !pending.empty()) {
    if (pos < input.size()) {
      size_t n = std::min(chunk, input.size() - pos);
      pending.append(input, pos, n);
      pos += n;
    }
    size_t used = parser.Feed(pending.data(), pending.size());
    pending.erase(0, used);
    if (parser.error_status() != 0) break;
    if (parser.request_ready()) {
      cistern::net::HttpRequest req = parser.TakeRequest();
      (void)req.FormParams();
      if (++requests > 1000) break;
      continue;
    }
    if (used == 0 && pos >= input.size()) break;
  }
  return 0;
}
