#include "agent/storage/merge.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/storage/series_list.h"

namespace cistern::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

std::unique_ptr<SampleIterator> Vec(std::vector<model::Sample> s) {
  return std::make_unique<VectorSampleIterator>(std::move(s));
}

std::vector<std::pair<int64_t, double>> Drain(SampleIterator* it) {
  std::vector<std::pair<int64_t, double>> out;
  for (const model::Sample& s : ReadAll(it)) out.emplace_back(s.timestamp_ms, s.value);
  return out;
}

std::unique_ptr<SampleIterator> TwoSources() {
  std::vector<std::unique_ptr<SampleIterator>> its;
  its.push_back(Vec({{1, 1}, {3, 3}, {5, 5}}));
  its.push_back(Vec({{2, 20}, {3, 30}, {6, 60}}));
  return NewMergeSampleIterator(std::move(its));
}

TEST(MergeSampleIteratorTest, InterleavesByTimestampAndFirstSourceWinsTies) {
  auto it = TwoSources();
  EXPECT_THAT(Drain(it.get()), ElementsAre(Pair(1, 1), Pair(2, 20), Pair(3, 3), Pair(5, 5), Pair(6, 60)));
  EXPECT_TRUE(it->Err().ok());
}

TEST(MergeSampleIteratorTest, SeekIsForwardOnlyAcrossSources) {
  auto it = TwoSources();
  ASSERT_TRUE(it->Seek(3));
  EXPECT_EQ(it->At().value, 3);
  ASSERT_TRUE(it->Seek(2));  // backwards: stays
  EXPECT_EQ(it->At().timestamp_ms, 3);
  ASSERT_TRUE(it->Next());  // the duplicate 3 of the second source is skipped
  EXPECT_EQ(it->At().timestamp_ms, 5);
  ASSERT_TRUE(it->Seek(6));
  EXPECT_EQ(it->At().value, 60);
  EXPECT_FALSE(it->Seek(7));
  EXPECT_FALSE(it->Next());
}

TEST(MergeSampleIteratorTest, SeekBeforeFirstNextPositionsEverySource) {
  auto it = TwoSources();
  ASSERT_TRUE(it->Seek(4));
  EXPECT_EQ(it->At().timestamp_ms, 5);
  ASSERT_TRUE(it->Next());
  EXPECT_EQ(it->At().timestamp_ms, 6);
}

class FailingIterator final : public SampleIterator {
 public:
  bool Next() override { return false; }
  bool Seek(int64_t) override { return false; }
  model::Sample At() const override { return {}; }
  Status Err() const override { return DataLossError("broken chunk"); }
};

TEST(MergeSampleIteratorTest, ErrorOfAnySourceIsReported) {
  std::vector<std::unique_ptr<SampleIterator>> its;
  its.push_back(Vec({{1, 1}}));
  its.push_back(std::make_unique<FailingIterator>());
  auto it = NewMergeSampleIterator(std::move(its));
  while (it->Next()) {
  }
  EXPECT_EQ(it->Err().code(), StatusCode::kDataLoss);
}

std::shared_ptr<Series> S(const char* v, std::vector<model::Sample> samples) {
  return std::make_shared<ListSeries>(model::Labels{{"__name__", "up"}, {"a", v}}, std::move(samples));
}

TEST(MergeSeriesSetTest, MergesSortedSetsAndCombinesIdenticalSeries) {
  std::vector<std::unique_ptr<SeriesSet>> sets;
  sets.push_back(NewListSeriesSet({S("1", {{1, 1}}), S("3", {{1, 1}, {3, 3}})}));
  sets.push_back(NewListSeriesSet({S("2", {{2, 2}}), S("3", {{2, 20}, {3, 30}})}));
  auto set = NewMergeSeriesSet(std::move(sets));
  std::vector<std::string> names;
  std::vector<std::pair<int64_t, double>> merged;
  while (set->Next()) {
    names.emplace_back(set->At()->Labels().Get("a"));
    if (names.back() == "3") merged = Drain(set->At()->Iterator().get());
  }
  EXPECT_TRUE(set->Err().ok());
  EXPECT_THAT(names, ElementsAre("1", "2", "3"));
  EXPECT_THAT(merged, ElementsAre(Pair(1, 1), Pair(2, 20), Pair(3, 3)));
}

TEST(MergeSeriesSetTest, SeriesStayValidAfterNext) {
  std::vector<std::unique_ptr<SeriesSet>> sets;
  sets.push_back(NewListSeriesSet({S("1", {{1, 1}})}));
  sets.push_back(NewListSeriesSet({S("2", {{2, 2}})}));
  auto set = NewMergeSeriesSet(std::move(sets));
  std::vector<std::shared_ptr<Series>> kept;
  while (set->Next()) kept.push_back(set->At());
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0]->Labels().Get("a"), "1");
  EXPECT_THAT(Drain(kept[1]->Iterator().get()), ElementsAre(Pair(2, 2)));
}

TEST(MergeSeriesSetTest, AnInputErrorEndsTheSet) {
  std::vector<std::unique_ptr<SeriesSet>> sets;
  sets.push_back(NewListSeriesSet({S("1", {{1, 1}})}));
  sets.push_back(NewErrorSeriesSet(UnavailableError("block gone")));
  auto set = NewMergeSeriesSet(std::move(sets));
  EXPECT_FALSE(set->Next());
  EXPECT_EQ(set->Err().code(), StatusCode::kUnavailable);
}

class FakeQuerier final : public Querier {
 public:
  FakeQuerier(std::vector<std::shared_ptr<Series>> series, std::vector<std::string> values, bool* closed)
      : series_(std::move(series)), values_(std::move(values)), closed_(closed) {}
  std::unique_ptr<SeriesSet> Select(bool sorted, const SelectHints*, std::span<const LabelMatcher>) override {
    EXPECT_TRUE(sorted);  // merging needs sorted input
    return NewListSeriesSet(series_);
  }
  StatusOr<std::vector<std::string>> LabelValues(std::string_view, std::span<const LabelMatcher>) override {
    return values_;
  }
  StatusOr<std::vector<std::string>> LabelNames(std::span<const LabelMatcher>) override { return values_; }
  Status Close() override {
    *closed_ = true;
    return OkStatus();
  }

 private:
  std::vector<std::shared_ptr<Series>> series_;
  std::vector<std::string> values_;
  bool* closed_;
};

TEST(MergeQuerierTest, UnionsLabelValuesAndMergesSelectAndClosesAll) {
  bool closed1 = false, closed2 = false;
  std::vector<std::unique_ptr<Querier>> qs;
  qs.push_back(std::make_unique<FakeQuerier>(std::vector{S("1", {{1, 1}})},
                                             std::vector<std::string>{"a", "c"}, &closed1));
  qs.push_back(std::make_unique<FakeQuerier>(std::vector{S("1", {{2, 2}})},
                                             std::vector<std::string>{"b", "c"}, &closed2));
  auto q = NewMergeQuerier(std::move(qs));
  auto values = q->LabelValues("x", {});
  ASSERT_TRUE(values.ok());
  EXPECT_THAT(*values, ElementsAre("a", "b", "c"));
  auto set = q->Select(false, nullptr, {});
  ASSERT_TRUE(set->Next());
  EXPECT_THAT(Drain(set->At()->Iterator().get()), ElementsAre(Pair(1, 1), Pair(2, 2)));
  EXPECT_FALSE(set->Next());
  EXPECT_TRUE(q->Close().ok());
  EXPECT_TRUE(closed1 && closed2);
}

}  // namespace
}  // namespace cistern::storage
