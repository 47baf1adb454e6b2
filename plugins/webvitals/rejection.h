// Why a beacon (or a whole request) was refused: the `reason` label of
// cistern_webvitals_rejected_total. One fixed vocabulary for the parser, the
// request handler and the HTTP server's own refusals.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cistern::plugins::webvitals {

enum class RejectReason : uint8_t {
  kInvalidJson,       // 400: not JSON, or not an object / array of objects
  kInvalidField,      // 400: a field missing or of the wrong type
  kUnknownMetric,     // 400: `name` is not LCP, INP, CLS, FCP, TTFB or FID
  kInvalidValue,      // 400: `value` negative, not finite, or absurdly large
  kTooManyMetrics,    // 400: more metrics in one body than the parser takes
  kForbiddenOrigin,   // 403: Origin not in allowed_origins
  kBodyTooLarge,      // 413: body over max_body
  kRateLimited,       // 429: client over rate_limit_per_ip
  kMalformedRequest,  // 400/431/505 from the HTTP layer, before the handler
  kTimeout,           // 408 from the HTTP layer: head or body too slow
};
inline constexpr size_t kRejectReasonCount = 10;

inline std::string_view ReasonName(RejectReason r) {
  constexpr std::string_view kNames[kRejectReasonCount] = {
      "invalid_json",     "invalid_field",  "unknown_metric", "invalid_value",     "too_many_metrics",
      "forbidden_origin", "body_too_large", "rate_limited",   "malformed_request", "timeout"};
  return kNames[static_cast<size_t>(r)];
}

// One refused metric (or body): the reason and a message that leads with
// where ("[2].value: expected a number, got string").
struct Rejection {
  RejectReason reason;
  std::string message;
};

}  // namespace cistern::plugins::webvitals
