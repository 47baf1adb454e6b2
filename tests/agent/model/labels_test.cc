#include "agent/model/labels.h"

#include <gtest/gtest.h>

#include "agent/model/sample.h"
#include "tests/testing/status_matchers.h"

namespace cistern::model {
namespace {

using ::testing::HasSubstr;
using testing::StatusIs;

TEST(LabelsTest, InitializerListSortsByName) {
  Labels l{{"job", "node"}, {"__name__", "up"}, {"instance", "a:9100"}};
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0].name, "__name__");
  EXPECT_EQ(l[1].name, "instance");
  EXPECT_EQ(l.MetricName(), "up");
  EXPECT_EQ(l.Get("missing"), "");
  EXPECT_EQ(l.ToString(), "up{instance=\"a:9100\", job=\"node\"}");
  CISTERN_EXPECT_OK(l.Validate());
}

TEST(LabelsTest, HashIsStableAndSeparatesBoundaries) {
  Labels a{{"a", "bc"}};
  Labels b{{"ab", "c"}};
  EXPECT_NE(a.Hash(), b.Hash());
  EXPECT_EQ(a.Hash(), (Labels{{"a", "bc"}}).Hash());
}

TEST(LabelsTest, ValidateNamesEachProblem) {
  EXPECT_THAT((Labels{{"__name__", "1up"}}).Validate(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("invalid metric name \"1up\"")));
  EXPECT_THAT((Labels{{"a-b", "x"}}).Validate(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("invalid label name \"a-b\"")));
  EXPECT_THAT((Labels{{"a", "x"}, {"a", "y"}}).Validate(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("duplicate label name \"a\"")));
  EXPECT_THAT(Labels::FromSorted({{"b", "x"}, {"a", "y"}}).Validate(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not sorted")));
  EXPECT_THAT((Labels{{"a", ""}}).Validate(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("empty value")));
  EXPECT_THAT((Labels{{"a", std::string("\xff\xfe")}}).Validate(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("utf-8")));
  EXPECT_THAT((Labels{{"a", std::string("\xc3")}}).Validate(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("utf-8")));
  CISTERN_EXPECT_OK((Labels{{"a", "h\xc3\xa9llo"}}).Validate());
}

TEST(LabelsBuilderTest, SetOverridesAndEmptyDeletes) {
  LabelsBuilder b(Labels{{"__name__", "x"}, {"a", "1"}});
  b.Set("b", "2").Set("a", "3").Del("__name__");
  EXPECT_EQ(b.Build(), (Labels{{"a", "3"}, {"b", "2"}}));
}

TEST(SampleTest, StaleMarkerIsOneSpecificNaN) {
  EXPECT_TRUE(IsStaleNaN(StaleNaN()));
  EXPECT_TRUE(std::isnan(StaleNaN()));
  EXPECT_FALSE(IsStaleNaN(std::nan("")));
}

}  // namespace
}  // namespace cistern::model
