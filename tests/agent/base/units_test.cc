#include "agent/base/units.h"

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace cistern {
namespace {

using ::testing::HasSubstr;
using testing::StatusIs;
using ::testing::_;

TEST(DurationTest, ParsesPrometheusDurations) {
  EXPECT_EQ(ParseDuration("15s")->count(), 15000);
  EXPECT_EQ(ParseDuration("1h30m")->count(), 5400000);
  EXPECT_EQ(ParseDuration("500ms")->count(), 500);
  EXPECT_EQ(ParseDuration("30d")->count(), 30LL * 86400000);
  EXPECT_EQ(ParseDuration("1w2d")->count(), 9LL * 86400000);
  EXPECT_EQ(ParseDuration("1y")->count(), 365LL * 86400000);
  EXPECT_EQ(ParseDuration("0")->count(), 0);
  EXPECT_EQ(ParseDuration("0s")->count(), 0);
  EXPECT_EQ(ParseDuration("1m30s500ms")->count(), 90500);
}

TEST(DurationTest, RejectsMalformedDurationsWithReason) {
  EXPECT_THAT(ParseDuration(""), StatusIs(StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_THAT(ParseDuration("15"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("missing unit")));
  EXPECT_THAT(ParseDuration("15x"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("unknown unit \"x\"")));
  EXPECT_THAT(ParseDuration("30m1h"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("decreasing order")));
  EXPECT_THAT(ParseDuration("1s1s"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("decreasing order")));
  EXPECT_THAT(ParseDuration("-5s"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("expected a number")));
  EXPECT_THAT(ParseDuration("1.5h"), StatusIs(StatusCode::kInvalidArgument, _));
  EXPECT_THAT(ParseDuration("99999999999999999999s"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("too large")));
  EXPECT_THAT(ParseDuration("9999999999999999y"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("too large")));
}

TEST(DurationTest, FormatsShortestForm) {
  EXPECT_EQ(FormatDuration(Duration(5400000)), "1h30m");
  EXPECT_EQ(FormatDuration(Duration(0)), "0s");
  EXPECT_EQ(FormatDuration(Duration(1500)), "1s500ms");
  EXPECT_EQ(FormatDuration(Duration(86400000)), "1d");
}

TEST(SizeTest, ParsesDecimalAndBinaryUnits) {
  EXPECT_EQ(*ParseSize("512MiB"), 512ULL << 20);
  EXPECT_EQ(*ParseSize("1GiB"), 1ULL << 30);
  EXPECT_EQ(*ParseSize("10GB"), 10000000000ULL);
  EXPECT_EQ(*ParseSize("64KiB"), 65536ULL);
  EXPECT_EQ(*ParseSize("1024"), 1024ULL);
  EXPECT_EQ(*ParseSize("100B"), 100ULL);
  EXPECT_EQ(*ParseSize("1.5KiB"), 1536ULL);
}

TEST(SizeTest, RejectsMalformedSizes) {
  EXPECT_THAT(ParseSize(""), StatusIs(StatusCode::kInvalidArgument, HasSubstr("expected a number")));
  EXPECT_THAT(ParseSize("MiB"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("expected a number")));
  EXPECT_THAT(ParseSize("10XB"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("unknown unit \"XB\"")));
  EXPECT_THAT(ParseSize("1.2.3MB"), StatusIs(StatusCode::kInvalidArgument, _));
  EXPECT_THAT(ParseSize("0.5B"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("whole number")));
  EXPECT_THAT(ParseSize("99999999PiB"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("too large")));
}

TEST(SizeTest, FormatsLargestExactBinaryUnit) {
  EXPECT_EQ(FormatSize(32ULL << 20), "32MiB");
  EXPECT_EQ(FormatSize(1ULL << 30), "1GiB");
  EXPECT_EQ(FormatSize(1000), "1000B");
}

}  // namespace
}  // namespace cistern
