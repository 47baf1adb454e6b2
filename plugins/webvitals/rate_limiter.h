// Per-client request rate limit: a token bucket per client key holding up to
// `burst` requests, refilled at `per_second`. Clients whose bucket is full
// again are forgotten (Sweep), so memory follows the clients of the last
// second or so, capped at `max_clients`; past the cap, new clients share one
// bucket until a sweep makes room. Loop thread only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cistern::plugins::webvitals {

class RateLimiter {
 public:
  // per_second <= 0: no limit.
  RateLimiter(double per_second, double burst, size_t max_clients = 65536);

  // True if `client` may send a request now (takes a token).
  bool Allow(std::string_view client, int64_t now_ms);
  // Forgets clients whose bucket has refilled.
  void Sweep(int64_t now_ms);
  size_t clients() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens;
    int64_t last_ms;
  };
  bool Take(Bucket& b, int64_t now_ms);

  double per_ms_, burst_;
  size_t max_clients_;
  std::unordered_map<std::string, Bucket> buckets_;
  Bucket overflow_;
  int64_t last_sweep_ms_ = 0;
};

// The rate-limit key of a peer address: the IPv4 address ("203.0.113.7:5123"
// -> "203.0.113.7"), or the /64 prefix of an IPv6 address (one household or
// host gets a whole /64). A bare address (from X-Forwarded-For) works too.
std::string ClientKey(std::string_view address);

}  // namespace cistern::plugins::webvitals
