// The aggregated output: one Prometheus classic histogram per (metric, page,
// navigation_type, device) in base units (webvitals_lcp_seconds_bucket{le},
// _sum, _count; le bounds from vital.cc, cumulative, with le="+Inf"), plus
// webvitals_rating_total{metric,rating} with the same labels (all three
// ratings, zeros included, so rate() sees the first increment). Series are
// created on the first observation and kept; counts only grow. Loop thread
// only.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "agent/base/status.h"
#include "agent/storage/appender.h"
#include "plugins/webvitals/device.h"
#include "plugins/webvitals/page_table.h"
#include "plugins/webvitals/vital.h"

namespace cistern::plugins::webvitals {

struct SeriesKey {
  Vital vital = Vital::kLcp;
  uint32_t page = PageTable::kOther;
  NavigationType navigation_type = NavigationType::kUnknown;
  Device device = Device::kDesktop;

  uint64_t Pack() const;
  static SeriesKey Unpack(uint64_t packed);
  friend bool operator==(const SeriesKey&, const SeriesKey&) = default;
};

class HistogramSet {
 public:
  // `base_value`: seconds, or unitless for CLS.
  void Observe(const SeriesKey& key, double base_value);

  // Appends every series at `timestamp_ms`; page names from `pages`.
  Status Append(const PageTable& pages, int64_t timestamp_ms, storage::Appender& appender) const;

  size_t series() const { return series_.size(); }

  // For tests: cumulative bucket counts (then +Inf), sum and count of one series.
  struct Snapshot {
    std::vector<uint64_t> cumulative;
    double sum = 0;
    uint64_t count = 0;
    uint64_t ratings[kRatingCount] = {};
  };
  bool Get(const SeriesKey& key, Snapshot* out) const;

 private:
  struct Series {
    std::vector<uint64_t> counts;  // per bucket (not cumulative), then the +Inf bucket
    double sum = 0;
    uint64_t count = 0;
    uint64_t ratings[kRatingCount] = {};
  };
  std::map<uint64_t, Series> series_;  // by SeriesKey::Pack(): output in a stable order
};

}  // namespace cistern::plugins::webvitals
