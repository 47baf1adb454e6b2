#include "agent/tsdb/mem_postings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cistern::tsdb {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(MemPostingsTest, ListsStaySortedWhateverTheAddOrder) {
  MemPostings ix;
  ix.Add(5, {{"job", "a"}});
  ix.Add(2, {{"job", "a"}});
  ix.Add(9, {{"job", "a"}});
  ix.Add(2, {{"job", "a"}});  // idempotent
  EXPECT_THAT(ix.Get("job", "a"), ElementsAre(2, 5, 9));
  EXPECT_THAT(ix.All(), ElementsAre(2, 5, 9));
  EXPECT_EQ(ix.NumSeries(), 3u);
}

TEST(MemPostingsTest, DeleteRemovesRefAndEmptyValuesAndNames) {
  MemPostings ix;
  ix.Add(1, {{"__name__", "up"}, {"job", "a"}});
  ix.Add(2, {{"__name__", "up"}, {"job", "b"}, {"zone", "x"}});
  ix.Delete(2, {{"__name__", "up"}, {"job", "b"}, {"zone", "x"}});
  EXPECT_THAT(ix.Get("__name__", "up"), ElementsAre(1));
  EXPECT_THAT(ix.Get("job", "b"), IsEmpty());
  EXPECT_THAT(ix.LabelValues("job"), ElementsAre("a"));
  EXPECT_THAT(ix.LabelNames(), ElementsAre("__name__", "job"));
  EXPECT_THAT(ix.All(), ElementsAre(1));
}

TEST(MemPostingsTest, LabelNamesAndValuesAreSorted) {
  MemPostings ix;
  ix.Add(1, {{"b", "z"}, {"a", "y"}});
  ix.Add(2, {{"b", "c"}});
  EXPECT_THAT(ix.LabelNames(), ElementsAre("a", "b"));
  EXPECT_THAT(ix.LabelValues("b"), ElementsAre("c", "z"));
  EXPECT_THAT(ix.LabelValues("nope"), IsEmpty());
}

TEST(MemPostingsTest, MatchingUnionsTheValuesThatMatch) {
  MemPostings ix;
  ix.Add(1, {{"inst", "a1"}});
  ix.Add(2, {{"inst", "b1"}});
  ix.Add(3, {{"inst", "a2"}});
  EXPECT_THAT(ix.Matching("inst", [](std::string_view v) { return v[0] == 'a'; }), ElementsAre(1, 3));
  EXPECT_THAT(ix.Matching("nope", [](std::string_view) { return true; }), IsEmpty());
}

}  // namespace
}  // namespace cistern::tsdb
