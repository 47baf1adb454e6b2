#include "plugins/webvitals/histogram_set.h"

#include <algorithm>
#include <string>

#include "agent/base/float_format.h"
#include "agent/model/labels.h"

namespace cistern::plugins::webvitals {

uint64_t SeriesKey::Pack() const {
  return (static_cast<uint64_t>(vital) << 48) | (static_cast<uint64_t>(navigation_type) << 40) |
         (static_cast<uint64_t>(device) << 32) | page;
}

SeriesKey SeriesKey::Unpack(uint64_t p) {
  SeriesKey k;
  k.vital = static_cast<Vital>((p >> 48) & 0xff);
  k.navigation_type = static_cast<NavigationType>((p >> 40) & 0xff);
  k.device = static_cast<Device>((p >> 32) & 0xff);
  k.page = static_cast<uint32_t>(p & 0xffffffffu);
  return k;
}

void HistogramSet::Observe(const SeriesKey& key, double v) {
  const VitalSpec& spec = SpecOf(key.vital);
  Series& s = series_[key.Pack()];
  if (s.counts.empty()) s.counts.assign(spec.buckets.size() + 1, 0);
  // First bound >= v: Prometheus buckets are "le" (upper bound inclusive).
  size_t b = static_cast<size_t>(std::lower_bound(spec.buckets.begin(), spec.buckets.end(), v) -
                                 spec.buckets.begin());
  ++s.counts[b];
  s.sum += v;
  ++s.count;
  ++s.ratings[static_cast<size_t>(RateValue(spec, v))];
}

bool HistogramSet::Get(const SeriesKey& key, Snapshot* out) const {
  auto it = series_.find(key.Pack());
  if (it == series_.end()) return false;
  const Series& s = it->second;
  out->cumulative.clear();
  uint64_t acc = 0;
  for (uint64_t c : s.counts) out->cumulative.push_back(acc += c);
  out->sum = s.sum;
  out->count = s.count;
  std::copy(std::begin(s.ratings), std::end(s.ratings), std::begin(out->ratings));
  return true;
}

Status HistogramSet::Append(const PageTable& pages, int64_t ts, storage::Appender& appender) const {
  std::vector<model::Label> base;
  auto append = [&](std::string name, std::vector<model::Label> extra, double value) -> Status {
    extra.push_back({std::string(model::kMetricName), std::move(name)});
    extra.insert(extra.end(), base.begin(), base.end());
    auto ref = appender.Append(0, model::Labels::FromUnsorted(std::move(extra)), ts, value);
    return ref.ok() ? OkStatus() : ref.status();
  };
  for (const auto& [packed, s] : series_) {
    SeriesKey k = SeriesKey::Unpack(packed);
    const VitalSpec& spec = SpecOf(k.vital);
    base = {{"page", pages.Name(k.page)},
            {"navigation_type", std::string(NavigationTypeName(k.navigation_type))},
            {"device", std::string(DeviceName(k.device))}};
    std::string family(spec.family);
    uint64_t acc = 0;
    for (size_t i = 0; i < s.counts.size(); ++i) {
      acc += s.counts[i];
      std::string le = i < spec.buckets.size() ? FormatFloatG(spec.buckets[i]) : "+Inf";
      CISTERN_RETURN_IF_ERROR(append(family + "_bucket", {{"le", std::move(le)}}, static_cast<double>(acc)));
    }
    CISTERN_RETURN_IF_ERROR(append(family + "_sum", {}, s.sum));
    CISTERN_RETURN_IF_ERROR(append(family + "_count", {}, static_cast<double>(s.count)));
    for (size_t r = 0; r < kRatingCount; ++r) {
      CISTERN_RETURN_IF_ERROR(append(
          "webvitals_rating_total",
          {{"metric", std::string(spec.name)}, {"rating", std::string(RatingName(static_cast<Rating>(r)))}},
          static_cast<double>(s.ratings[r])));
    }
  }
  return OkStatus();
}

}  // namespace cistern::plugins::webvitals
