#include "agent/base/float_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace cistern {
namespace {

// Expected strings are what Go's strconv.FormatFloat(v, 'g'|'f', -1, 64) prints.
TEST(FloatFormatTest, GMatchesGoShortestFormatting) {
  EXPECT_EQ(FormatFloatG(0), "0");
  EXPECT_EQ(FormatFloatG(1), "1");
  EXPECT_EQ(FormatFloatG(-2.5), "-2.5");
  EXPECT_EQ(FormatFloatG(0.1), "0.1");
  EXPECT_EQ(FormatFloatG(123456), "123456");
  EXPECT_EQ(FormatFloatG(1e6), "1e+06");
  EXPECT_EQ(FormatFloatG(1234567), "1.234567e+06");
  EXPECT_EQ(FormatFloatG(1.6977e9), "1.6977e+09");
  EXPECT_EQ(FormatFloatG(0.0001), "0.0001");
  EXPECT_EQ(FormatFloatG(0.00001), "1e-05");
  EXPECT_EQ(FormatFloatG(1.5e-300), "1.5e-300");
  EXPECT_EQ(FormatFloatG(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatFloatG(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatFloatG(std::nan("")), "NaN");
}

TEST(FloatFormatTest, FNeverUsesExponent) {
  EXPECT_EQ(FormatFloatF(1e6), "1000000");
  EXPECT_EQ(FormatFloatF(0.000015), "0.000015");
  EXPECT_EQ(FormatFloatF(1.5), "1.5");
  EXPECT_EQ(FormatFloatF(-0.25), "-0.25");
  EXPECT_EQ(FormatFloatF(1e21), "1000000000000000000000");
  EXPECT_EQ(FormatFloatF(0.1 + 0.2), "0.30000000000000004");
}

TEST(FloatFormatTest, ParsesPrometheusFloatSyntax) {
  double v;
  ASSERT_TRUE(ParseFloat("1.5e3", &v));
  EXPECT_EQ(v, 1500);
  ASSERT_TRUE(ParseFloat("+Inf", &v));
  EXPECT_TRUE(std::isinf(v) && v > 0);
  ASSERT_TRUE(ParseFloat("-inf", &v));
  EXPECT_TRUE(std::isinf(v) && v < 0);
  ASSERT_TRUE(ParseFloat("NaN", &v));
  EXPECT_TRUE(std::isnan(v));
  ASSERT_TRUE(ParseFloat("0x1p4", &v));
  EXPECT_EQ(v, 16);
  EXPECT_FALSE(ParseFloat("", &v));
  EXPECT_FALSE(ParseFloat("1.5x", &v));
  EXPECT_FALSE(ParseFloat("nan(123)", &v));
}

}  // namespace
}  // namespace cistern
