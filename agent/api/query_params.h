// Request parameters of the Prometheus HTTP API, read as Prometheus 2.42's
// web/api/v1 reads them, with its error texts:
//   Form               Go's r.Form: body values (POST form) before URL values
//   ParseApiTime       parseTime: Unix seconds as a float, RFC 3339 with
//                      optional fraction, or the min/max sentinels
//   ParseApiDuration   parseDuration: seconds as a float, or "1m30s"
//   ParseMatcherSets   parseMatchersParam: several match[] selectors
// Pure functions and value types, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/base/status.h"
#include "agent/net/http_server.h"
#include "agent/storage/label_matcher.h"

namespace cistern::api {

// Prometheus' minTime / maxTime (the defaults of start and end for series and
// labels) in milliseconds: time.Unix(math.MinInt64/1000+62135596801, 0) and
// time.Unix(math.MaxInt64/1000-62135596801, 999999999).
inline constexpr int64_t kApiMinTimeMs = -9223309901257974000;
inline constexpr int64_t kApiMaxTimeMs = 9223309901257974999;
// ... and how they print (time.RFC3339Nano), accepted back by ParseApiTime.
inline constexpr std::string_view kApiMinTimeText = "-292273086-05-16T16:47:06Z";
inline constexpr std::string_view kApiMaxTimeText = "292277025-08-18T07:12:54.999999999Z";

class Form {
 public:
  Form() = default;
  explicit Form(std::vector<std::pair<std::string, std::string>> pairs) : pairs_(std::move(pairs)) {}
  // Body parameters (POST with application/x-www-form-urlencoded), then the
  // query string's. InvalidArgument on a malformed encoding.
  static StatusOr<Form> FromRequest(const net::HttpRequest& request);

  // The first value, "" when absent (Go's FormValue).
  std::string_view Value(std::string_view key) const;
  std::vector<std::string> Values(std::string_view key) const;
  bool Has(std::string_view key) const;

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

// Milliseconds since the epoch. InvalidArgument
// `cannot parse "x" to a valid timestamp`.
StatusOr<int64_t> ParseApiTime(std::string_view s);
// The parameter `name` of `form`, `fallback` when absent or empty; errors as
// parseTimeParam: `Invalid time value for 'start': cannot parse ...`.
StatusOr<int64_t> ParseApiTimeParam(const Form& form, std::string_view name, int64_t fallback);

// Nanoseconds (Go's time.Duration), possibly <= 0. InvalidArgument
// `cannot parse "x" to a valid duration` (`... It overflows int64`).
StatusOr<int64_t> ParseApiDuration(std::string_view s);

// One matcher list per match[] value (OR-ed by the caller). Parse errors as
// the parser words them; a selector whose matchers all match the empty
// string: `match[] must contain at least one non-empty matcher`.
StatusOr<std::vector<std::vector<storage::LabelMatcher>>> ParseMatcherSets(
    const std::vector<std::string>& selectors);

}  // namespace cistern::api
