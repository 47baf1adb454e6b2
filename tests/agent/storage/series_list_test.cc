#include "agent/storage/series_list.h"

#include <gtest/gtest.h>

namespace cistern::storage {
namespace {

std::vector<model::Sample> Samples(std::initializer_list<int64_t> ts) {
  std::vector<model::Sample> out;
  for (int64_t t : ts) out.push_back({t, static_cast<double>(t) * 10});
  return out;
}

TEST(VectorSampleIteratorTest, SeekFindsFirstSampleAtOrAfterAndNeverMovesBack) {
  VectorSampleIterator it(Samples({10, 20, 30, 40}));
  ASSERT_TRUE(it.Seek(15));
  EXPECT_EQ(it.At().timestamp_ms, 20);
  ASSERT_TRUE(it.Seek(5));  // backwards: stays
  EXPECT_EQ(it.At().timestamp_ms, 20);
  ASSERT_TRUE(it.Seek(20));
  EXPECT_EQ(it.At().timestamp_ms, 20);
  ASSERT_TRUE(it.Next());
  EXPECT_EQ(it.At().timestamp_ms, 30);
  ASSERT_TRUE(it.Seek(40));
  EXPECT_EQ(it.At().value, 400);
  EXPECT_FALSE(it.Seek(41));
  EXPECT_FALSE(it.Next());
  EXPECT_FALSE(it.Seek(0));
}

TEST(VectorSampleIteratorTest, EmptyIteratorHasNothing) {
  VectorSampleIterator it({});
  EXPECT_FALSE(it.Seek(0));
  EXPECT_FALSE(it.Next());
  EXPECT_TRUE(it.Err().ok());
}

TEST(ListSeriesSetTest, HandsOutSeriesInOrderAndErrorSetFails) {
  std::vector<std::shared_ptr<Series>> v{
      std::make_shared<ListSeries>(model::Labels{{"a", "1"}}, Samples({1})),
      std::make_shared<ListSeries>(model::Labels{{"a", "2"}}, Samples({2}))};
  auto set = NewListSeriesSet(v);
  ASSERT_TRUE(set->Next());
  EXPECT_EQ(set->At()->Labels().Get("a"), "1");
  ASSERT_TRUE(set->Next());
  auto it = set->At()->Iterator();
  EXPECT_EQ(ReadAll(it.get()).size(), 1u);
  EXPECT_FALSE(set->Next());
  auto err = NewErrorSeriesSet(UnavailableError("x"));
  EXPECT_FALSE(err->Next());
  EXPECT_EQ(err->Err().code(), StatusCode::kUnavailable);
  EXPECT_FALSE(NewEmptySeriesSet()->Next());
}

}  // namespace
}  // namespace cistern::storage
