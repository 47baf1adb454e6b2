#include "agent/tsdb/head_querier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/storage/merge.h"
#include "agent/tsdb/head.h"
#include "tests/agent/tsdb/head_test_util.h"
#include "tests/testing/status_matchers.h"

namespace cistern::tsdb {
namespace {

using ::cistern::testing::IsOk;
using ::cistern::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using namespace ::cistern::tsdb::testing;  // NOLINT

class HeadQuerierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto app = head_.NewAppender();
    for (int64_t t = 1; t <= 5; ++t) {
      ASSERT_THAT(app->Append(0, model::Labels{{"__name__", "up"}, {"job", "b"}}, t * 1000, t), IsOk());
      ASSERT_THAT(app->Append(0, model::Labels{{"__name__", "up"}, {"job", "a"}}, t * 1000, -t), IsOk());
      ASSERT_THAT(
          app->Append(0, model::Labels{{"__name__", "up"}, {"job", "c"}, {"zone", "z"}}, t * 10000, t),
          IsOk());
    }
    ASSERT_THAT(app->Commit(), IsOk());
  }
  std::unique_ptr<storage::Querier> Q(int64_t mint = storage::kMinTime, int64_t maxt = storage::kMaxTime) {
    auto q = head_.NewQuerier(mint, maxt);
    EXPECT_THAT(q, IsOk());
    return std::move(*q);
  }
  Head head_;
};

TEST_F(HeadQuerierTest, SelectReturnsMatchingSeriesSortedByLabels) {
  auto q = Q();
  auto set = q->Select(true, nullptr, std::vector{Eq("__name__", "up"), Re("job", "a|b")});
  std::vector<std::string> jobs;
  while (set->Next()) jobs.emplace_back(set->At()->Labels().Get("job"));
  EXPECT_THAT(jobs, ElementsAre("a", "b"));
  EXPECT_THAT(Query(head_, {Eq("zone", "z")}),
              ElementsAre(Pair("up{job=\"c\", zone=\"z\"}", ::testing::SizeIs(5))));
}

TEST_F(HeadQuerierTest, NoMatchersSelectNothing) {
  auto set = Q()->Select(true, nullptr, {});
  EXPECT_FALSE(set->Next());
}

TEST_F(HeadQuerierTest, SamplesAreTrimmedToTheQuerierRange) {
  Result r = Query(head_, {Eq("job", "a")}, 2000, 4000);
  EXPECT_THAT(r["up{job=\"a\"}"], ElementsAre(Pair(2000, -2), Pair(3000, -3), Pair(4000, -4)));
}

TEST_F(HeadQuerierTest, HintsRangeOverridesTheQuerierRange) {
  auto q = Q();
  storage::SelectHints hints{.start_ms = 4500, .end_ms = 5000};
  auto set = q->Select(true, &hints, std::vector{Eq("job", "b")});
  EXPECT_THAT(ReadSet(set.get())["up{job=\"b\"}"], ElementsAre(Pair(5000, 5)));
}

TEST_F(HeadQuerierTest, SeriesWithoutSamplesInRangeAreOmitted) {
  // job="c" has samples at 10000..50000; nothing in [11000, 19000].
  Result r = Query(head_, {Eq("__name__", "up")}, 11000, 19000);
  EXPECT_THAT(r, IsEmpty());
  Result r2 = Query(head_, {Eq("__name__", "up")}, 5000, 10000);
  EXPECT_EQ(r2.size(), 3u);
}

TEST_F(HeadQuerierTest, SelectSeesOnlySamplesCommittedBeforeIt) {
  auto q = Q();
  auto set = q->Select(true, nullptr, std::vector{Eq("job", "a")});
  ASSERT_THAT(AppendOne(head_, model::Labels{{"__name__", "up"}, {"job", "a"}}, 6000, -6), IsOk());
  ASSERT_TRUE(set->Next());
  auto series = set->At();
  EXPECT_EQ(storage::ReadAll(series->Iterator().get()).size(), 5u);
  // Even after the head dropped the data.
  head_.Truncate(storage::kMaxTime);
  EXPECT_EQ(head_.NumSeries(), 0u);
  EXPECT_EQ(storage::ReadAll(series->Iterator().get()).size(), 5u);
  EXPECT_THAT(QueryOne(head_, "up"), IsEmpty());
}

TEST_F(HeadQuerierTest, LabelNamesAndValuesWithAndWithoutMatchers) {
  auto q = Q();
  auto names = q->LabelNames({});
  ASSERT_THAT(names, IsOk());
  EXPECT_THAT(*names, ElementsAre("__name__", "job", "zone"));
  auto jobs = q->LabelValues("job", {});
  ASSERT_THAT(jobs, IsOk());
  EXPECT_THAT(*jobs, ElementsAre("a", "b", "c"));
  auto some = q->LabelValues("job", std::vector{Re("job", "a|c")});
  ASSERT_THAT(some, IsOk());
  EXPECT_THAT(*some, ElementsAre("a", "c"));
  auto names_b = q->LabelNames(std::vector{Eq("job", "b")});
  ASSERT_THAT(names_b, IsOk());
  EXPECT_THAT(*names_b, ElementsAre("__name__", "job"));
  auto zones = q->LabelValues("zone", std::vector{Eq("job", "b")});
  ASSERT_THAT(zones, IsOk());
  EXPECT_THAT(*zones, IsEmpty());
}

TEST_F(HeadQuerierTest, LabelsOutsideTheHeadRangeAreEmpty) {
  auto q = Q(100000, 200000);
  auto names = q->LabelNames({});
  ASSERT_THAT(names, IsOk());
  EXPECT_THAT(*names, IsEmpty());
}

TEST_F(HeadQuerierTest, InvertedRangeIsInvalid) {
  EXPECT_THAT(head_.NewQuerier(10, 5), StatusIs(StatusCode::kInvalidArgument, ::testing::HasSubstr("mint")));
}

TEST(HeadQuerierSeekTest, SeekCrossesChunksForwardOnly) {
  Head head(HeadOptions{.chunk_range_ms = 0, .samples_per_chunk = 10});
  auto app = head.NewAppender();
  for (int i = 0; i < 100; ++i) ASSERT_THAT(app->Append(0, Metric("up"), i * 10, i), IsOk());
  ASSERT_THAT(app->Commit(), IsOk());
  auto q = head.NewQuerier(storage::kMinTime, storage::kMaxTime);
  auto set = (*q)->Select(false, nullptr, std::vector{Eq("__name__", "up")});
  ASSERT_TRUE(set->Next());
  auto it = set->At()->Iterator();
  ASSERT_TRUE(it->Seek(455));
  EXPECT_EQ(it->At().timestamp_ms, 460);
  ASSERT_TRUE(it->Seek(100));  // backwards: stays
  EXPECT_EQ(it->At().timestamp_ms, 460);
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->At().timestamp_ms, 470);
  ASSERT_TRUE(it->Seek(490));  // the chunk boundary
  EXPECT_EQ(it->At().value, 49);
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->At().timestamp_ms, 500);
  ASSERT_TRUE(it->Seek(990));
  EXPECT_FALSE(it->Next());
  EXPECT_FALSE(it->Seek(0));
  EXPECT_TRUE(it->Err().ok());
}

TEST(HeadQuerierSeekTest, SeekOverMergedOutOfOrderData) {
  Head head(HeadOptions{.out_of_order_window_ms = 1000000, .ooo_capacity = 3});
  for (int t : {100, 200, 300, 400}) ASSERT_THAT(AppendOne(head, Metric("up"), t, t), IsOk());
  for (int t : {350, 150, 250, 50}) ASSERT_THAT(AppendOne(head, Metric("up"), t, t), IsOk());
  auto q = head.NewQuerier(100, 350);
  auto set = (*q)->Select(false, nullptr, std::vector{Eq("__name__", "up")});
  ASSERT_TRUE(set->Next());
  auto it = set->At()->Iterator();
  ASSERT_TRUE(it->Seek(160));
  EXPECT_EQ(it->At().timestamp_ms, 200);
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->At().timestamp_ms, 250);
  ASSERT_TRUE(it->Seek(301));
  EXPECT_EQ(it->At().timestamp_ms, 350);
  EXPECT_FALSE(it->Next());  // 400 is outside the range
}

TEST(HeadQuerierMergeTest, MergeQuerierCombinesHeadsAndDeduplicates) {
  Head a, b;
  ASSERT_THAT(AppendOne(a, Metric("up"), 1000, 1), IsOk());
  ASSERT_THAT(AppendOne(a, Metric("up"), 3000, 3), IsOk());
  ASSERT_THAT(AppendOne(b, Metric("up"), 2000, 2), IsOk());
  ASSERT_THAT(AppendOne(b, Metric("up"), 3000, 30), IsOk());
  ASSERT_THAT(AppendOne(b, Metric("up", "2"), 3000, 5), IsOk());
  std::vector<std::unique_ptr<storage::Querier>> qs;
  qs.push_back(std::move(*a.NewQuerier(0, 10000)));
  qs.push_back(std::move(*b.NewQuerier(0, 10000)));
  auto q = storage::NewMergeQuerier(std::move(qs));
  auto set = q->Select(true, nullptr, std::vector{Eq("__name__", "up")});
  Result r = ReadSet(set.get());
  EXPECT_THAT(
      r, ElementsAre(Pair("up{instance=\"1\"}", ElementsAre(Pair(1000, 1), Pair(2000, 2), Pair(3000, 3))),
                     Pair("up{instance=\"2\"}", ElementsAre(Pair(3000, 5)))));
  auto inst = q->LabelValues("instance", {});
  ASSERT_THAT(inst, IsOk());
  EXPECT_THAT(*inst, ElementsAre("1", "2"));
  EXPECT_THAT(q->Close(), IsOk());
}

}  // namespace
}  // namespace cistern::tsdb
