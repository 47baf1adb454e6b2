#include "agent/tsdb/postings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/tsdb/mem_postings.h"

namespace cistern::tsdb {
namespace {

using storage::LabelMatcher;
using storage::MatchType;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(PostingsTest, IntersectKeepsRefsInEveryList) {
  std::vector<Postings> lists{{1, 2, 3, 5, 8, 13}, {2, 3, 4, 5, 13, 20}, {0, 3, 5, 13}};
  EXPECT_THAT(Intersect(lists), ElementsAre(3, 5, 13));
  std::vector<Postings> with_empty{{1, 2}, {}};
  EXPECT_THAT(Intersect(with_empty), IsEmpty());
  EXPECT_THAT(Intersect({}), IsEmpty());
  std::vector<Postings> one{{4, 9}};
  EXPECT_THAT(Intersect(one), ElementsAre(4, 9));
}

TEST(PostingsTest, UnionKeepsRefsInAnyListSortedAndUnique) {
  std::vector<Postings> two{{1, 3, 5}, {2, 3, 6}};
  EXPECT_THAT(Union(two), ElementsAre(1, 2, 3, 5, 6));
  std::vector<Postings> three{{9}, {1, 9}, {}, {4}};
  EXPECT_THAT(Union(three), ElementsAre(1, 4, 9));
  EXPECT_THAT(Union({}), IsEmpty());
}

TEST(PostingsTest, WithoutSubtracts) {
  EXPECT_THAT(Without({1, 2, 3, 4}, {2, 4, 6}), ElementsAre(1, 3));
  EXPECT_THAT(Without({1, 2}, {}), ElementsAre(1, 2));
  EXPECT_THAT(Without({}, {1}), IsEmpty());
}

// Prometheus' matcher semantics over the index, series by series.
class PostingsForMatchersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ix_.Add(1, {{"__name__", "up"}, {"job", "a"}, {"inst", "1"}});
    ix_.Add(2, {{"__name__", "up"}, {"job", "b"}, {"inst", "2"}});
    ix_.Add(3, {{"__name__", "up"}, {"inst", "3"}});
    ix_.Add(4, {{"__name__", "down"}, {"job", "a"}});
    ix_.Add(5, {{"__name__", "down"}, {"job", "a.b"}});
  }
  Postings Select(std::vector<std::tuple<const char*, MatchType, const char*>> ms) {
    std::vector<LabelMatcher> matchers;
    for (auto& [n, t, v] : ms) matchers.push_back(*LabelMatcher::Make(t, n, v));
    return PostingsForMatchers(ix_, matchers);
  }
  MemPostings ix_;
};

constexpr MatchType kEq = MatchType::kEqual, kNeq = MatchType::kNotEqual, kRe = MatchType::kRegexp,
                    kNre = MatchType::kNotRegexp;

TEST_F(PostingsForMatchersTest, EqualSelectsTheValue) {
  EXPECT_THAT(Select({{"job", kEq, "a"}}), ElementsAre(1, 4));
  EXPECT_THAT(Select({{"job", kEq, "c"}}), IsEmpty());
  EXPECT_THAT(Select({{"__name__", kEq, "up"}, {"job", kEq, "a"}}), ElementsAre(1));
}

TEST_F(PostingsForMatchersTest, EmptyValueSelectsSeriesWithoutTheLabel) {
  EXPECT_THAT(Select({{"job", kEq, ""}}), ElementsAre(3));
  EXPECT_THAT(Select({{"__name__", kEq, "up"}, {"job", kRe, ""}}), ElementsAre(3));
  EXPECT_THAT(Select({{"job", kNre, ".+"}}), ElementsAre(3));
  EXPECT_THAT(Select({{"nope", kEq, ""}}), ElementsAre(1, 2, 3, 4, 5));
}

TEST_F(PostingsForMatchersTest, NotEqualIncludesSeriesWithoutTheLabel) {
  EXPECT_THAT(Select({{"job", kNeq, "a"}}), ElementsAre(2, 3, 5));
  EXPECT_THAT(Select({{"__name__", kEq, "up"}, {"job", kNeq, "b"}}), ElementsAre(1, 3));
  EXPECT_THAT(Select({{"job", kNeq, "a"}, {"job", kNeq, "b"}}), ElementsAre(3, 5));
}

TEST_F(PostingsForMatchersTest, NotEmptySelectsSeriesWithTheLabel) {
  EXPECT_THAT(Select({{"job", kNeq, ""}}), ElementsAre(1, 2, 4, 5));
  EXPECT_THAT(Select({{"job", kRe, ".+"}}), ElementsAre(1, 2, 4, 5));
  EXPECT_THAT(Select({{"job", kNeq, ""}, {"job", kNeq, "a"}}), ElementsAre(2, 5));
}

TEST_F(PostingsForMatchersTest, RegexIsFullyAnchored) {
  EXPECT_THAT(Select({{"job", kRe, "a"}}), ElementsAre(1, 4));  // not "a.b"
  EXPECT_THAT(Select({{"job", kRe, "a.*"}}), ElementsAre(1, 4, 5));
  EXPECT_THAT(Select({{"job", kRe, "a\\.b|b"}}), ElementsAre(2, 5));
  EXPECT_THAT(Select({{"job", kRe, "a|b"}}), ElementsAre(1, 2, 4));
  EXPECT_THAT(Select({{"inst", kRe, "1|3"}}), ElementsAre(1, 3));
}

TEST_F(PostingsForMatchersTest, RegexMatchingEmptyAlsoSelectsSeriesWithoutTheLabel) {
  EXPECT_THAT(Select({{"job", kRe, "a|"}}), ElementsAre(1, 3, 4));
  EXPECT_THAT(Select({{"job", kRe, ".*"}}), ElementsAre(1, 2, 3, 4, 5));
}

TEST_F(PostingsForMatchersTest, NegativeRegex) {
  EXPECT_THAT(Select({{"job", kNre, "a"}}), ElementsAre(2, 3, 5));
  EXPECT_THAT(Select({{"job", kNre, "a.*"}, {"__name__", kEq, "up"}}), ElementsAre(2, 3));
  EXPECT_THAT(Select({{"job", kRe, "a"}, {"job", kNre, "a"}}), IsEmpty());
}

TEST_F(PostingsForMatchersTest, NoMatchersSelectNothing) { EXPECT_THAT(Select({}), IsEmpty()); }

}  // namespace
}  // namespace cistern::tsdb
