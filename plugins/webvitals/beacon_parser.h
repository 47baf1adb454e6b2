// Parses the bodies browsers send: one web-vitals `Metric` object (as
// JSON.stringify gives it, or a subset) or a JSON array of them (a batch sent
// on page hide), whatever the Content-Type (sendBeacon with a string sends
// text/plain;charset=UTF-8, with a Blob its type, fetch application/json).
//
// Fields read (web-vitals v4, v5 and v6; unknown fields such as `entries`,
// `attribution` or `navigationId` are ignored):
//   name            string, required: LCP INP CLS FCP TTFB, or FID (old clients); any case
//   value           number, required: finite, >= 0, at most the metric's max_value
//   id              string, required, 1..256 bytes: the metric instance to de-duplicate on
//   delta           number, optional: finite (may be negative); not used
//   rating          string, optional: good | needs-improvement | poor; the agent rates by value itself
//   navigationType  string, optional: kept if known, else "other"; absent: "unknown"
//   navigationURL   string, optional (v6)
//   page, url, page_location   string, optional: the page URL, in this order of preference
//
// A bad element of an array is rejected alone; the others are kept. An array
// longer than `max_metrics` is rejected whole (too_many_metrics). Parsing
// is simdjson's (its header stays in beacon_parser.cc). Not thread-safe: one
// parser per thread (it reuses its buffers).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/webvitals/rejection.h"
#include "plugins/webvitals/vital.h"

namespace cistern::plugins::webvitals {

struct Beacon {
  Vital vital = Vital::kLcp;
  double value = 0;  // as sent: milliseconds, or unitless for CLS
  std::string id;
  NavigationType navigation_type = NavigationType::kUnknown;
  std::string page_url;        // `page`, else `url`, else `page_location`; "" if none
  std::string navigation_url;  // `navigationURL`; "" if absent

  // The URL the metric is about: page_url, else navigation_url, else `referer`.
  std::string_view PageUrl(std::string_view referer) const;
};

struct ParseResult {
  bool batch = false;   // the body was an array
  size_t elements = 0;  // its length (1 for an object)
  std::vector<Beacon> beacons;
  std::vector<Rejection> rejected;  // one per refused element, or one for the whole body
};

class BeaconParser {
 public:
  static constexpr size_t kDefaultMaxMetrics = 200;
  explicit BeaconParser(size_t max_metrics = kDefaultMaxMetrics);
  ~BeaconParser();
  BeaconParser(const BeaconParser&) = delete;
  BeaconParser& operator=(const BeaconParser&) = delete;

  ParseResult Parse(std::string_view body);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  size_t max_metrics_;
};

}  // namespace cistern::plugins::webvitals
