// Remote-write error classification and retry backoff. Errors are classified
// once, here (STYLE.md): the sending loop looks only at the Outcome.
//
//   2xx                                  -> kSent
//   429, 5xx, network errors, timeouts   -> kRetry (Retry-After honoured when given)
//   other 4xx (400 bad data, 401, 413...) -> kDrop: never retried, counted, logged
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "agent/base/status.h"
#include "agent/base/units.h"

namespace cistern::remote {

enum class Outcome { kSent, kRetry, kDrop };

struct Classified {
  Outcome outcome = Outcome::kSent;
  std::optional<Duration> retry_after;  // from a Retry-After header on 429/5xx
  std::string reason;                   // for logs and the `reason` label: "http_400", "network", "timeout"
};

// `status`: the transport error, or OK; `http_status`/`retry_after_header`
// from the response when there was one. `now_unix_ms` resolves HTTP-date
// Retry-After values.
Classified Classify(const Status& transport, int http_status, std::string_view retry_after_header,
                    int64_t now_unix_ms);

// Parses Retry-After: delta-seconds or an HTTP-date (RFC 9110). nullopt if malformed.
std::optional<Duration> ParseRetryAfter(std::string_view value, int64_t now_unix_ms);

// Exponential backoff with full jitter between min and max: attempt 0 waits
// about min, each attempt doubles, capped at max. Retry-After wins when larger.
// Not thread-safe (one per shard).
class Backoff {
 public:
  Backoff(Duration min, Duration max, uint64_t seed = std::random_device{}());
  Duration Next(std::optional<Duration> retry_after = std::nullopt);
  void Reset() { attempt_ = 0; }
  int attempt() const { return attempt_; }

 private:
  Duration min_, max_;
  int attempt_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace cistern::remote
