// The web-vitals vocabulary: the metrics a beacon may carry (with their units,
// thresholds and histogram buckets), ratings, and navigation types. One table
// (vital.cc) holds everything per metric; pure, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace cistern::plugins::webvitals {

enum class Vital : uint8_t { kLcp, kInp, kCls, kFcp, kTtfb, kFid };
inline constexpr size_t kVitalCount = 6;

struct VitalSpec {
  Vital vital;
  std::string_view name;    // web-vitals' Metric.name: "LCP"; the `metric` label of webvitals_rating_total
  std::string_view family;  // "webvitals_lcp_seconds"
  std::string_view help;
  double divisor;  // beacon value / divisor = base units (ms -> s: 1000; CLS: 1)
  // web-vitals' thresholds in base units: value <= good is "good", <= poor is
  // "needs-improvement", above is "poor". Both are bucket bounds.
  double good, poor;
  double max_value;                 // beacon values above this (in the beacon's unit) are rejected
  std::span<const double> buckets;  // upper bounds in base units, ascending, without +Inf
};

const VitalSpec& SpecOf(Vital v);
// "LCP", "lcp", ... ; nullopt for anything else.
std::optional<Vital> VitalFromName(std::string_view name);

enum class Rating : uint8_t { kGood, kNeedsImprovement, kPoor };
inline constexpr size_t kRatingCount = 3;
// From the value in base units, with web-vitals' rule (thresholds inclusive).
Rating RateValue(const VitalSpec& spec, double base_value);
std::string_view RatingName(Rating r);  // "good", "needs-improvement", "poor"
std::optional<Rating> RatingFromName(std::string_view name);

// Metric.navigationType. kOther: a value this version does not know (a newer
// library); kUnknown: the beacon did not say.
enum class NavigationType : uint8_t {
  kNavigate,
  kReload,
  kBackForward,
  kBackForwardCache,
  kPrerender,
  kRestore,
  kSoftNavigation,
  kOther,
  kUnknown
};
inline constexpr size_t kNavigationTypeCount = 9;
std::string_view NavigationTypeName(NavigationType t);  // the label value: "navigate", "back-forward", ...
// The library's spellings, plus "back_forward" of web-vitals 1.x-2.x; else kOther.
NavigationType NavigationTypeFromName(std::string_view name);

}  // namespace cistern::plugins::webvitals
