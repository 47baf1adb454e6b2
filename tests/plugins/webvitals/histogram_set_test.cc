#include "plugins/webvitals/histogram_set.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "agent/base/float_format.h"
#include "tests/testing/recording_appender.h"

namespace cistern::plugins::webvitals {
namespace {

using ::testing::ElementsAre;

TEST(VitalSpecTest, BucketsContainTheThresholdsExactlyAndAscend) {
  for (size_t i = 0; i < kVitalCount; ++i) {
    const VitalSpec& s = SpecOf(static_cast<Vital>(i));
    auto has = [&](double v) {
      for (double b : s.buckets) {
        if (b == v) return true;
      }
      return false;
    };
    EXPECT_TRUE(has(s.good)) << s.name << " lacks " << s.good;
    EXPECT_TRUE(has(s.poor)) << s.name << " lacks " << s.poor;
    for (size_t b = 1; b < s.buckets.size(); ++b) EXPECT_LT(s.buckets[b - 1], s.buckets[b]) << s.name;
  }
}

TEST(VitalSpecTest, ThresholdsAreTheCoreWebVitalsOnes) {
  EXPECT_EQ(SpecOf(Vital::kLcp).good, 2.5);
  EXPECT_EQ(SpecOf(Vital::kLcp).poor, 4);
  EXPECT_EQ(SpecOf(Vital::kInp).good, 0.2);
  EXPECT_EQ(SpecOf(Vital::kInp).poor, 0.5);
  EXPECT_EQ(SpecOf(Vital::kCls).good, 0.1);
  EXPECT_EQ(SpecOf(Vital::kCls).poor, 0.25);
  EXPECT_EQ(SpecOf(Vital::kFcp).good, 1.8);
  EXPECT_EQ(SpecOf(Vital::kFcp).poor, 3);
  EXPECT_EQ(SpecOf(Vital::kTtfb).good, 0.8);
  EXPECT_EQ(SpecOf(Vital::kTtfb).poor, 1.8);
}

TEST(VitalSpecTest, MillisecondsAtTheThresholdConvertToTheBoundExactly) {
  // 2500 ms / 1000 is the double 2.5; 200 / 1000 is the double nearest 0.2,
  // the same as the bound: a value at the threshold lands in its bucket.
  EXPECT_EQ(2500.0 / SpecOf(Vital::kLcp).divisor, 2.5);
  EXPECT_EQ(200.0 / SpecOf(Vital::kInp).divisor, 0.2);
  EXPECT_EQ(1800.0 / SpecOf(Vital::kFcp).divisor, 1.8);
  EXPECT_EQ(800.0 / SpecOf(Vital::kTtfb).divisor, 0.8);
}

TEST(VitalSpecTest, RatingFollowsWebVitalsInclusiveThresholds) {
  const VitalSpec& lcp = SpecOf(Vital::kLcp);
  EXPECT_EQ(RateValue(lcp, 2.5), Rating::kGood);
  EXPECT_EQ(RateValue(lcp, 2.5000001), Rating::kNeedsImprovement);
  EXPECT_EQ(RateValue(lcp, 4), Rating::kNeedsImprovement);
  EXPECT_EQ(RateValue(lcp, 4.0001), Rating::kPoor);
}

SeriesKey Key(Vital v, uint32_t page) {
  SeriesKey k;
  k.vital = v;
  k.page = page;
  k.navigation_type = NavigationType::kNavigate;
  k.device = Device::kMobile;
  return k;
}

TEST(HistogramSetTest, SeriesKeyRoundTrips) {
  SeriesKey k{Vital::kTtfb, 123456, NavigationType::kSoftNavigation, Device::kTablet};
  EXPECT_EQ(SeriesKey::Unpack(k.Pack()), k);
}

TEST(HistogramSetTest, AValueAtABoundCountsInThatBucket) {
  HistogramSet h;
  SeriesKey k = Key(Vital::kCls, 1);
  h.Observe(k, 0.1);   // le="0.1"
  h.Observe(k, 0.25);  // le="0.25"
  h.Observe(k, 0.26);  // le="0.3"
  h.Observe(k, 99);    // +Inf only
  HistogramSet::Snapshot s;
  ASSERT_TRUE(h.Get(k, &s));
  const VitalSpec& spec = SpecOf(Vital::kCls);
  std::map<std::string, uint64_t> by_le;
  for (size_t i = 0; i < s.cumulative.size(); ++i) {
    by_le[i < spec.buckets.size() ? FormatFloatG(spec.buckets[i]) : "+Inf"] = s.cumulative[i];
  }
  EXPECT_EQ(by_le["0.075"], 0u);
  EXPECT_EQ(by_le["0.1"], 1u);
  EXPECT_EQ(by_le["0.2"], 1u);
  EXPECT_EQ(by_le["0.25"], 2u);
  EXPECT_EQ(by_le["0.3"], 3u);
  EXPECT_EQ(by_le["2.5"], 3u);
  EXPECT_EQ(by_le["+Inf"], 4u);
  EXPECT_EQ(s.count, 4u);
  EXPECT_DOUBLE_EQ(s.sum, 0.1 + 0.25 + 0.26 + 99);
  EXPECT_THAT(s.ratings, ElementsAre(1, 1, 2));
}

TEST(HistogramSetTest, AppendsClassicHistogramsWithPrometheusLeAndRatingCounters) {
  PageTable pages(10);
  uint32_t p = pages.Intern("/products/:id");
  HistogramSet h;
  h.Observe(Key(Vital::kLcp, p), 2.5);
  h.Observe(Key(Vital::kLcp, p), 3.1);
  cistern::testing::RecordingAppendable sink;
  auto app = sink.NewAppender();
  ASSERT_TRUE(h.Append(pages, 1000, *app).ok());
  ASSERT_TRUE(app->Commit().ok());

  std::map<std::string, double> buckets;
  for (const auto& s : sink.Find("webvitals_lcp_seconds_bucket")) {
    EXPECT_EQ(s.labels.Get("page"), "/products/:id");
    EXPECT_EQ(s.labels.Get("navigation_type"), "navigate");
    EXPECT_EQ(s.labels.Get("device"), "mobile");
    EXPECT_EQ(s.timestamp_ms, 1000);
    buckets[std::string(s.labels.Get("le"))] = s.value;
  }
  EXPECT_EQ(buckets.size(), SpecOf(Vital::kLcp).buckets.size() + 1);
  EXPECT_EQ(buckets["0.5"], 0);
  EXPECT_EQ(buckets["2.5"], 1);
  EXPECT_EQ(buckets["3"], 1);
  EXPECT_EQ(buckets["3.5"], 2);
  EXPECT_EQ(buckets["+Inf"], 2);
  ASSERT_EQ(sink.Find("webvitals_lcp_seconds_count").size(), 1u);
  EXPECT_EQ(sink.Find("webvitals_lcp_seconds_count")[0].value, 2);
  EXPECT_DOUBLE_EQ(sink.Find("webvitals_lcp_seconds_sum")[0].value, 5.6);

  std::map<std::string, double> ratings;
  for (const auto& s : sink.Find("webvitals_rating_total")) {
    EXPECT_EQ(s.labels.Get("metric"), "LCP");
    EXPECT_EQ(s.labels.Get("page"), "/products/:id");
    ratings[std::string(s.labels.Get("rating"))] = s.value;
  }
  EXPECT_EQ(ratings, (std::map<std::string, double>{{"good", 1}, {"needs-improvement", 1}, {"poor", 0}}));
}

TEST(HistogramSetTest, NothingObservedAppendsNothing) {
  PageTable pages(10);
  HistogramSet h;
  cistern::testing::RecordingAppendable sink;
  auto app = sink.NewAppender();
  ASSERT_TRUE(h.Append(pages, 1000, *app).ok());
  ASSERT_TRUE(app->Commit().ok());
  EXPECT_TRUE(sink.samples().empty());
}

}  // namespace
}  // namespace cistern::plugins::webvitals
