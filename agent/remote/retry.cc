#include "agent/remote/retry.h"

#include <algorithm>
#include <ctime>

namespace cistern::remote {

std::optional<Duration> ParseRetryAfter(std::string_view v, int64_t now_unix_ms) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.empty()) return std::nullopt;
  bool digits = true;
  for (char c : v) digits &= c >= '0' && c <= '9';
  if (digits) {
    if (v.size() > 9) return Duration(int64_t{999999999} * 1000);
    return Duration(std::stoll(std::string(v)) * 1000);
  }
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  std::tm tm{};
  std::string s(v);
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  int64_t at_ms = static_cast<int64_t>(timegm(&tm)) * 1000;
  return Duration(std::max<int64_t>(0, at_ms - now_unix_ms));
}

Classified Classify(const Status& transport, int http_status, std::string_view retry_after_header,
                    int64_t now_unix_ms) {
  Classified c;
  if (!transport.ok()) {
    c.outcome = Outcome::kRetry;
    c.reason = transport.code() == StatusCode::kDeadlineExceeded ? "timeout" : "network";
    return c;
  }
  if (http_status >= 200 && http_status < 300) return c;
  if (http_status == 429 || http_status >= 500) {
    c.outcome = Outcome::kRetry;
    c.reason = "http_" + std::to_string(http_status);
    if (!retry_after_header.empty()) c.retry_after = ParseRetryAfter(retry_after_header, now_unix_ms);
    return c;
  }
  c.outcome = Outcome::kDrop;
  c.reason = "http_" + std::to_string(http_status);
  return c;
}

Backoff::Backoff(Duration min, Duration max, uint64_t seed) : min_(min), max_(std::max(min, max)), rng_(seed) {}

Duration Backoff::Next(std::optional<Duration> retry_after) {
  int64_t cap = min_.count();
  for (int i = 0; i < attempt_ && cap < max_.count(); ++i) cap *= 2;
  cap = std::min(cap, max_.count());
  if (attempt_ < 62) ++attempt_;
  // Jitter in [cap/2, cap]: spreads a fleet's retries without collapsing to ~0.
  std::uniform_int_distribution<int64_t> dist(cap / 2, std::max<int64_t>(cap / 2, cap));
  Duration d(dist(rng_));
  if (retry_after && *retry_after > d) d = *retry_after;
  return d;
}

}  // namespace cistern::remote
