#include "plugins/webvitals/vital.h"

#include <array>

namespace cistern::plugins::webvitals {
namespace {

// Bucket bounds: dense around the thresholds (which are bounds themselves, so
// `histogram_quantile(0.75, ...) > threshold` is decided exactly), coarse in
// the tails.
constexpr double kLcpBuckets[] = {0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 8, 10, 15, 20, 30};
constexpr double kInpBuckets[] = {0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3,
                                  0.4,   0.5,  0.75,  1,   1.5,  2,   3,    5};
constexpr double kClsBuckets[] = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25,
                                  0.3,  0.4,   0.5,  0.75,  1,   1.5,  2.5};
constexpr double kFcpBuckets[] = {0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.8, 2.1, 2.5, 3, 4, 5, 6, 8, 10, 20};
constexpr double kTtfbBuckets[] = {0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1, 1.2, 1.5, 1.8, 2.5, 3, 5, 10};
constexpr double kFidBuckets[] = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2};

constexpr double kHourMs = 3600 * 1000;

// Indexed by Vital.
const std::array<VitalSpec, kVitalCount> kSpecs = {{
    {Vital::kLcp, "LCP", "webvitals_lcp_seconds", "Largest Contentful Paint of page views, in seconds.", 1000,
     2.5, 4, kHourMs, kLcpBuckets},
    {Vital::kInp, "INP", "webvitals_inp_seconds", "Interaction to Next Paint of page views, in seconds.",
     1000, 0.2, 0.5, kHourMs, kInpBuckets},
    {Vital::kCls, "CLS", "webvitals_cls", "Cumulative Layout Shift of page views (unitless).", 1, 0.1, 0.25,
     1000, kClsBuckets},
    {Vital::kFcp, "FCP", "webvitals_fcp_seconds", "First Contentful Paint of page views, in seconds.", 1000,
     1.8, 3, kHourMs, kFcpBuckets},
    {Vital::kTtfb, "TTFB", "webvitals_ttfb_seconds", "Time to First Byte of page views, in seconds.", 1000,
     0.8, 1.8, kHourMs, kTtfbBuckets},
    {Vital::kFid, "FID", "webvitals_fid_seconds",
     "First Input Delay of page views (old clients), in seconds.", 1000, 0.1, 0.3, kHourMs, kFidBuckets},
}};

constexpr std::string_view kNavigationNames[kNavigationTypeCount] = {
    "navigate",        "reload", "back-forward", "back-forward-cache", "prerender", "restore",
    "soft-navigation", "other",  "unknown"};

bool EqualsAsciiCaseInsensitive(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

const VitalSpec& SpecOf(Vital v) { return kSpecs[static_cast<size_t>(v)]; }

std::optional<Vital> VitalFromName(std::string_view name) {
  for (const VitalSpec& s : kSpecs) {
    if (EqualsAsciiCaseInsensitive(s.name, name)) return s.vital;
  }
  return std::nullopt;
}

Rating RateValue(const VitalSpec& spec, double base_value) {
  if (base_value <= spec.good) return Rating::kGood;
  if (base_value <= spec.poor) return Rating::kNeedsImprovement;
  return Rating::kPoor;
}

std::string_view RatingName(Rating r) {
  switch (r) {
    case Rating::kGood:
      return "good";
    case Rating::kNeedsImprovement:
      return "needs-improvement";
    case Rating::kPoor:
      return "poor";
  }
  return "poor";
}

std::optional<Rating> RatingFromName(std::string_view name) {
  for (Rating r : {Rating::kGood, Rating::kNeedsImprovement, Rating::kPoor}) {
    if (RatingName(r) == name) return r;
  }
  return std::nullopt;
}

std::string_view NavigationTypeName(NavigationType t) { return kNavigationNames[static_cast<size_t>(t)]; }

NavigationType NavigationTypeFromName(std::string_view name) {
  if (name == "back_forward") return NavigationType::kBackForward;
  for (size_t i = 0; i < static_cast<size_t>(NavigationType::kOther); ++i) {
    if (kNavigationNames[i] == name) return static_cast<NavigationType>(i);
  }
  return NavigationType::kOther;
}

}  // namespace cistern::plugins::webvitals
