#include "plugins/webvitals/id_tracker.h"

#include <gtest/gtest.h>

namespace cistern::plugins::webvitals {
namespace {

using Outcome = IdTracker::Outcome;

SeriesKey Key(Vital v, uint32_t page = 1) {
  SeriesKey k;
  k.vital = v;
  k.page = page;
  k.navigation_type = NavigationType::kNavigate;
  k.device = Device::kDesktop;
  return k;
}

uint64_t CountOf(const HistogramSet& h, const SeriesKey& k) {
  HistogramSet::Snapshot s;
  return h.Get(k, &s) ? s.count : 0;
}
double SumOf(const HistogramSet& h, const SeriesKey& k) {
  HistogramSet::Snapshot s;
  return h.Get(k, &s) ? s.sum : 0;
}

class IdTrackerTest : public ::testing::Test {
 protected:
  IdTrackerOptions Options(int64_t settle, int64_t ttl, size_t max_ids) {
    IdTrackerOptions o;
    o.settle_ms = settle;
    o.ttl_ms = ttl;
    o.max_ids = max_ids;
    return o;
  }
  HistogramSet hist_;
};

TEST_F(IdTrackerTest, ReportAllChangesRepeatsAreCountedOnceWithTheFinalValue) {
  IdTracker t(Options(1000, 60000, 100), &hist_);
  uint64_t id = IdTracker::KeyOf(Vital::kCls, "v6-1-1");
  SeriesKey k = Key(Vital::kCls);
  EXPECT_EQ(t.Report(id, k, 0.02, 0), Outcome::kNew);
  EXPECT_EQ(t.Report(id, k, 0.05, 300), Outcome::kUpdated);
  EXPECT_EQ(t.Report(id, k, 0.12, 600), Outcome::kUpdated);
  t.Sweep(1500);  // 900 ms after the last report: not settled yet
  EXPECT_EQ(CountOf(hist_, k), 0u);
  EXPECT_EQ(t.pending(), 1u);
  t.Sweep(1600);
  EXPECT_EQ(CountOf(hist_, k), 1u);
  EXPECT_DOUBLE_EQ(SumOf(hist_, k), 0.12);
  EXPECT_EQ(t.pending(), 0u);
}

TEST_F(IdTrackerTest, RepeatsAfterTheIdWasCountedAreIgnored) {
  IdTracker t(Options(1000, 60000, 100), &hist_);
  uint64_t id = IdTracker::KeyOf(Vital::kInp, "v6-1-2");
  SeriesKey k = Key(Vital::kInp);
  t.Report(id, k, 0.1, 0);
  t.Sweep(1000);
  EXPECT_EQ(t.Report(id, k, 0.4, 5000), Outcome::kLate);
  t.Sweep(10000);
  EXPECT_EQ(CountOf(hist_, k), 1u);
  EXPECT_DOUBLE_EQ(SumOf(hist_, k), 0.1);
}

TEST_F(IdTrackerTest, SoftNavigationsAreSeparateIdsEachCountedOnce) {
  IdTracker t(Options(1000, 60000, 100), &hist_);
  SeriesKey hard = Key(Vital::kLcp, 1);
  SeriesKey soft = Key(Vital::kLcp, 2);
  soft.navigation_type = NavigationType::kSoftNavigation;
  t.Report(IdTracker::KeyOf(Vital::kLcp, "v6-1-a"), hard, 1.2, 0);
  t.Report(IdTracker::KeyOf(Vital::kLcp, "v6-2-b"), soft, 0.4, 100);
  t.Report(IdTracker::KeyOf(Vital::kLcp, "v6-2-b"), soft, 0.6, 200);  // a later LCP candidate
  t.Report(IdTracker::KeyOf(Vital::kLcp, "v6-3-c"), soft, 0.3, 300);
  t.Sweep(5000);
  EXPECT_EQ(CountOf(hist_, hard), 1u);
  EXPECT_EQ(CountOf(hist_, soft), 2u);
  EXPECT_DOUBLE_EQ(SumOf(hist_, soft), 0.9);
}

TEST_F(IdTrackerTest, TheLatestReportsLabelsWin) {
  IdTracker t(Options(1000, 60000, 100), &hist_);
  uint64_t id = IdTracker::KeyOf(Vital::kCls, "x");
  t.Report(id, Key(Vital::kCls, 1), 0.1, 0);
  t.Report(id, Key(Vital::kCls, 2), 0.2, 10);
  t.Sweep(2000);
  EXPECT_EQ(CountOf(hist_, Key(Vital::kCls, 1)), 0u);
  EXPECT_EQ(CountOf(hist_, Key(Vital::kCls, 2)), 1u);
}

TEST_F(IdTrackerTest, EqualIdsOfDifferentMetricsAreDifferentInstances) {
  EXPECT_NE(IdTracker::KeyOf(Vital::kLcp, "same"), IdTracker::KeyOf(Vital::kCls, "same"));
  IdTracker t(Options(0, 60000, 100), &hist_);
  EXPECT_EQ(t.Report(IdTracker::KeyOf(Vital::kLcp, "same"), Key(Vital::kLcp), 1, 0), Outcome::kNew);
  EXPECT_EQ(t.Report(IdTracker::KeyOf(Vital::kCls, "same"), Key(Vital::kCls), 0.1, 0), Outcome::kNew);
}

TEST_F(IdTrackerTest, AnIdThatNeverGoesQuietIsCountedWhenItReachesTtl) {
  IdTracker t(Options(1000, 10000, 100), &hist_);
  uint64_t id = IdTracker::KeyOf(Vital::kCls, "chatty");
  SeriesKey k = Key(Vital::kCls);
  for (int64_t now = 0; now < 10000; now += 500) {
    t.Report(id, k, static_cast<double>(now) / 100000, now);
    t.Sweep(now);
  }
  EXPECT_EQ(CountOf(hist_, k), 0u);
  t.Sweep(10000);
  EXPECT_EQ(CountOf(hist_, k), 1u);
  EXPECT_DOUBLE_EQ(SumOf(hist_, k), 0.095);
  // Forgotten after ttl: the table is empty again.
  EXPECT_EQ(t.size(), 0u);
}

TEST_F(IdTrackerTest, IdsAreForgottenAfterTtl) {
  IdTracker t(Options(100, 1000, 100), &hist_);
  for (int i = 0; i < 50; ++i)
    t.Report(IdTracker::KeyOf(Vital::kLcp, std::to_string(i)), Key(Vital::kLcp), 1, i);
  t.Sweep(500);
  EXPECT_EQ(t.size(), 50u);
  EXPECT_EQ(t.pending(), 0u);
  t.Sweep(1025);  // ids 0..25 are 1000 ms old or more
  EXPECT_EQ(t.size(), 24u);
  t.Sweep(2000);
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(CountOf(hist_, Key(Vital::kLcp)), 50u);
}

TEST_F(IdTrackerTest, StateIsBoundedByMaxIdsAndTheOldestIsCountedEarly) {
  IdTracker t(Options(60000, 600000, 10), &hist_);
  SeriesKey k = Key(Vital::kFcp);
  for (int i = 0; i < 1000; ++i) t.Report(IdTracker::KeyOf(Vital::kFcp, std::to_string(i)), k, 1, i);
  EXPECT_EQ(t.size(), 10u);
  EXPECT_EQ(t.pending(), 10u);
  EXPECT_EQ(t.evicted(), 990u);
  // Evicted pending ids were counted, none lost and none twice.
  EXPECT_EQ(CountOf(hist_, k), 990u);
  t.ObserveAll();
  EXPECT_EQ(CountOf(hist_, k), 1000u);
  t.ObserveAll();
  EXPECT_EQ(CountOf(hist_, k), 1000u);
}

TEST_F(IdTrackerTest, ObserveAllCountsPendingIdsAndKeepsThemRemembered) {
  IdTracker t(Options(60000, 600000, 10), &hist_);
  uint64_t id = IdTracker::KeyOf(Vital::kTtfb, "t");
  SeriesKey k = Key(Vital::kTtfb);
  t.Report(id, k, 0.3, 0);
  t.ObserveAll();
  EXPECT_EQ(CountOf(hist_, k), 1u);
  EXPECT_EQ(t.Report(id, k, 0.3, 10), Outcome::kLate);
}

TEST_F(IdTrackerTest, ZeroSettleTimeCountsAtTheNextSweep) {
  IdTracker t(Options(0, 60000, 10), &hist_);
  SeriesKey k = Key(Vital::kTtfb);
  t.Report(IdTracker::KeyOf(Vital::kTtfb, "t"), k, 0.3, 5);
  t.Sweep(5);
  EXPECT_EQ(CountOf(hist_, k), 1u);
}

}  // namespace
}  // namespace cistern::plugins::webvitals
