#include "plugins/webvitals/rate_limiter.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>

namespace cistern::plugins::webvitals {

RateLimiter::RateLimiter(double per_second, double burst, size_t max_clients)
    : per_ms_(per_second / 1000.0),
      burst_(std::max(burst, 1.0)),
      max_clients_(max_clients),
      overflow_{std::max(burst, 1.0), 0} {}

bool RateLimiter::Take(Bucket& b, int64_t now_ms) {
  if (now_ms > b.last_ms) {
    b.tokens = std::min(burst_, b.tokens + static_cast<double>(now_ms - b.last_ms) * per_ms_);
    b.last_ms = now_ms;
  }
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

bool RateLimiter::Allow(std::string_view client, int64_t now_ms) {
  if (per_ms_ <= 0) return true;
  auto it = buckets_.find(std::string(client));
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_clients_ && now_ms - last_sweep_ms_ >= 1000) Sweep(now_ms);
    if (buckets_.size() >= max_clients_) return Take(overflow_, now_ms);
    it = buckets_.emplace(std::string(client), Bucket{burst_, now_ms}).first;
  }
  return Take(it->second, now_ms);
}

void RateLimiter::Sweep(int64_t now_ms) {
  last_sweep_ms_ = now_ms;
  if (per_ms_ <= 0) return;
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const Bucket& b = it->second;
    if (b.tokens + static_cast<double>(now_ms - b.last_ms) * per_ms_ >= burst_) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
}

std::string ClientKey(std::string_view address) {
  std::string host(address);
  if (!host.empty() && host[0] == '[') {  // "[v6]:port"
    size_t close = host.find(']');
    host = host.substr(1, close == std::string::npos ? std::string::npos : close - 1);
  } else if (std::count(host.begin(), host.end(), ':') == 1) {  // "v4:port"
    host.resize(host.find(':'));
  }
  in6_addr a6;
  if (host.find(':') != std::string::npos && inet_pton(AF_INET6, host.c_str(), &a6) == 1) {
    if (IN6_IS_ADDR_V4MAPPED(&a6)) {
      char v4[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, &a6.s6_addr[12], v4, sizeof v4);
      return v4;
    }
    char out[48];
    const uint8_t* b = a6.s6_addr;
    std::snprintf(out, sizeof out, "%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", b[0], b[1], b[2], b[3], b[4],
                  b[5], b[6], b[7]);
    return out;
  }
  return host;
}

}  // namespace cistern::plugins::webvitals
