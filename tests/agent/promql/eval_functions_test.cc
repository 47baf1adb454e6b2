#include "agent/promql/eval_functions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "tests/testing/status_matchers.h"

// Expected values were computed by hand from Prometheus 2.42's
// promql/functions.go and checked against the Debian prometheus 2.42 binary
// (promtool test rules, 1m sample interval): each case names the PromQL
// query it mirrors.

namespace cistern::promql {
namespace {

using F = FunctionId;
using ::cistern::testing::StatusIs;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int64_t kMin = 60'000;

// Values at 0m, 1m, 2m, ...; NaN-free unless given.
std::vector<FPoint> Minutes(std::vector<double> values, int first_minute = 0) {
  std::vector<FPoint> out;
  for (size_t i = 0; i < values.size(); ++i)
    out.push_back({(first_minute + static_cast<int64_t>(i)) * kMin, values[i]});
  return out;
}

struct RangeResult {
  bool ok = false;
  double v = 0;
  std::string error;
};

// f(points[range]) evaluated at `at_min` with `offset_min`.
RangeResult Range(F id, const std::vector<FPoint>& all, int range_min, int at_min,
                  std::vector<double> scalars = {}, int offset_min = 0) {
  RangeArgs a;
  a.eval_ms = at_min * kMin;
  a.range_end_ms = (at_min - offset_min) * kMin;
  a.range_start_ms = a.range_end_ms - range_min * kMin;
  std::vector<FPoint> in;
  for (const FPoint& p : all) {
    if (p.t >= a.range_start_ms && p.t <= a.range_end_ms) in.push_back(p);
  }
  a.points = in;
  a.scalars = scalars;
  RangeResult c;
  c.ok = EvalRangeFunction(id, a, &c.v, &c.error);
  return c;
}

double RangeValue(F id, const std::vector<FPoint>& all, int range_min, int at_min,
                  std::vector<double> scalars = {}, int offset_min = 0) {
  RangeResult c = Range(id, all, range_min, at_min, std::move(scalars), offset_min);
  EXPECT_TRUE(c.ok) << c.error;
  return c.ok ? c.v : -12345;
}

double Elem(F id, double v, std::vector<double> scalars = {}) {
  double out = -12345;
  EXPECT_TRUE(EvalElementwise(id, v, scalars, &out));
  return out;
}

// ---- rate / increase / delta ----------------------------------------------

TEST(EvalFunctionsRateTest, CounterResetAddsThePreviousValue) {
  auto ctr = Minutes({0, 10, 20, 5, 15});
  // rate(ctr[5m]) @ 5m: raw increase 35 over 4m sampled, extrapolated 1m to
  // the end (< 1.1 * 60s) and not below zero at the start.
  EXPECT_DOUBLE_EQ(RangeValue(F::kRate, ctr, 5, 5), 1.4583333333333334E-01);
  EXPECT_DOUBLE_EQ(RangeValue(F::kIncrease, ctr, 5, 5), 43.75);
  EXPECT_DOUBLE_EQ(RangeValue(F::kIncrease, ctr, 5, 4), 35);
  EXPECT_DOUBLE_EQ(RangeValue(F::kResets, ctr, 10, 5), 1);
}

TEST(EvalFunctionsRateTest, CounterIsNotExtrapolatedBelowZero) {
  auto ctrz = Minutes({10, 20, 30});
  // increase(ctrz[5m]) @ 3m: start extrapolation limited to the zero point
  // (60s), end extrapolated 60s: 20 * 240 / 120.
  EXPECT_DOUBLE_EQ(RangeValue(F::kIncrease, ctrz, 5, 3), 40);
  EXPECT_DOUBLE_EQ(RangeValue(F::kRate, ctrz, 5, 3), 1.3333333333333333E-01);
  // A negative first value disables the zero clamp: 4 * (120 + 30 + 60) / 120.
  auto neg = Minutes({-5, -3, -1});
  EXPECT_DOUBLE_EQ(RangeValue(F::kIncrease, neg, 5, 3), 7);
}

TEST(EvalFunctionsRateTest, ZeroClampIsAppliedBeforeTheThresholdCheck) {
  // increase(gap[10m]) @ 9m over 1 2 3 4 at 2m..5m: 180s to the start is
  // cut to the 60s zero point, which is then under the threshold (66s) and
  // extrapolated fully; the end is 240s away: half an interval. 3 * 270/180.
  auto gap = Minutes({1, 2, 3, 4}, 2);
  EXPECT_DOUBLE_EQ(RangeValue(F::kIncrease, gap, 10, 9), 4.5);
  // delta(gap[4m]) @ 6m: no zero clamp for gauges; 30s each side.
  EXPECT_DOUBLE_EQ(RangeValue(F::kDelta, gap, 4, 6), 4);
}

TEST(EvalFunctionsRateTest, DeltaDoesNotTreatDecreasesAsResets) {
  auto g = Minutes({5, 3, 8});
  EXPECT_DOUBLE_EQ(RangeValue(F::kDelta, g, 4, 3), 6);
  EXPECT_DOUBLE_EQ(RangeValue(F::kDelta, g, 3, 2), 4.5);
}

TEST(EvalFunctionsRateTest, FewerThanTwoPointsGiveNoSample) {
  auto one = Minutes({7});
  EXPECT_FALSE(Range(F::kRate, one, 5, 1).ok);
  EXPECT_FALSE(Range(F::kIncrease, one, 5, 1).ok);
  EXPECT_FALSE(Range(F::kDelta, one, 5, 1).ok);
  EXPECT_FALSE(Range(F::kIrate, one, 5, 1).ok);
  EXPECT_FALSE(Range(F::kIdelta, one, 5, 1).ok);
  EXPECT_FALSE(Range(F::kDeriv, one, 5, 1).ok);
  EXPECT_FALSE(Range(F::kPredictLinear, one, 5, 1, {60}).ok);
  EXPECT_FALSE(Range(F::kHoltWinters, one, 5, 1, {0.5, 0.5}).ok);
  // No points at all: no sample from any function.
  EXPECT_FALSE(Range(F::kCountOverTime, one, 1, 10).ok);
}

TEST(EvalFunctionsRateTest, RateOfExactlyCoveredRange) {
  // rate(lin[1m]) @ 3m: points at 2m and 3m, both range ends included.
  EXPECT_DOUBLE_EQ(RangeValue(F::kRate, Minutes({1, 3, 4, 8, 9}), 1, 3), 6.666666666666667E-02);
}

TEST(EvalFunctionsRateTest, IrateUsesTheLastTwoPointsAndResetRule) {
  auto ctr = Minutes({0, 10, 20, 5, 15});
  EXPECT_DOUBLE_EQ(RangeValue(F::kIrate, ctr, 5, 4), 1.6666666666666666E-01);
  // At 3m the last pair is 20 -> 5: a reset, so the rate is 5 / 60s.
  EXPECT_DOUBLE_EQ(RangeValue(F::kIrate, ctr, 5, 3), 8.333333333333333E-02);
  EXPECT_DOUBLE_EQ(RangeValue(F::kIdelta, ctr, 5, 4), 10);
  EXPECT_DOUBLE_EQ(RangeValue(F::kIdelta, ctr, 5, 3), -15);
}

TEST(EvalFunctionsRateTest, IrateOfPointsAtTheSameTimeGivesNoSample) {
  std::vector<FPoint> p = {{1000, 1}, {1000, 2}};
  RangeArgs a;
  a.points = p;
  a.range_start_ms = 0;
  a.range_end_ms = 2000;
  double out;
  std::string err;
  EXPECT_FALSE(EvalRangeFunction(F::kIrate, a, &out, &err));
  EXPECT_FALSE(EvalRangeFunction(F::kIdelta, a, &out, &err));
}

// ---- deriv / predict_linear / holt_winters --------------------------------

TEST(EvalFunctionsRegressionTest, DerivAndPredictLinear) {
  auto lin = Minutes({1, 3, 4, 8, 9});
  EXPECT_DOUBLE_EQ(RangeValue(F::kDeriv, lin, 5, 5), 0.035);
  EXPECT_DOUBLE_EQ(RangeValue(F::kPredictLinear, lin, 5, 5, {120}), 15.5);
}

TEST(EvalFunctionsRegressionTest, PredictLinearInterceptIsAtTheStepTimeNotTheOffsetEnd) {
  // predict_linear(lin[5m] offset 1m, 30) @ 6m.
  auto lin = Minutes({1, 3, 4, 8, 9});
  EXPECT_DOUBLE_EQ(RangeValue(F::kPredictLinear, lin, 5, 6, {30}, 1), 1.4450000000000003E+01);
}

TEST(EvalFunctionsRegressionTest, ConstantSeriesHasZeroSlopeAndInfiniteOneNaN) {
  auto c = Minutes({0.1, 0.1, 0.1, 0.1});
  EXPECT_EQ(RangeValue(F::kDeriv, c, 5, 3), 0);
  EXPECT_EQ(RangeValue(F::kPredictLinear, c, 5, 3, {1e6}), 0.1);
  auto inf = Minutes({kInf, kInf, kInf});
  EXPECT_TRUE(std::isnan(RangeValue(F::kDeriv, inf, 5, 4)));
  EXPECT_TRUE(std::isnan(RangeValue(F::kPredictLinear, inf, 5, 4, {60})));
}

TEST(EvalFunctionsRegressionTest, HoltWintersSmoothsWithTrend) {
  // holt_winters(lin[5m], 0.5, 0.3) @ 5m.
  EXPECT_DOUBLE_EQ(RangeValue(F::kHoltWinters, Minutes({1, 3, 4, 8, 9}), 5, 5, {0.5, 0.3}), 9.13625);
}

TEST(EvalFunctionsRegressionTest, HoltWintersRejectsFactorsOutsideTheOpenUnitInterval) {
  auto lin = Minutes({1, 3, 4, 8, 9});
  RangeResult c = Range(F::kHoltWinters, lin, 5, 5, {1.5, 0.3});
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.error, "invalid smoothing factor. Expected: 0 < sf < 1, got: 1.500000");
  c = Range(F::kHoltWinters, lin, 5, 5, {0.5, 1});
  EXPECT_EQ(c.error, "invalid trend factor. Expected: 0 < tf < 1, got: 1.000000");
  // Checked before the point count: a single point still fails.
  c = Range(F::kHoltWinters, Minutes({1}), 5, 0, {0, 0.5});
  EXPECT_EQ(c.error, "invalid smoothing factor. Expected: 0 < sf < 1, got: 0.000000");
}

// ---- changes / resets / *_over_time ----------------------------------------

TEST(EvalFunctionsOverTimeTest, ChangesTreatsNaNAsEqualToNaN) {
  // changes(nanv[10m]) over NaN 1 NaN NaN 2 2.
  auto nanv = Minutes({kNaN, 1, kNaN, kNaN, 2, 2});
  EXPECT_EQ(RangeValue(F::kChanges, nanv, 10, 5), 3);
  EXPECT_EQ(RangeValue(F::kChanges, Minutes({4}), 10, 5), 0);
}

TEST(EvalFunctionsOverTimeTest, MinMaxReplaceNaNByAnyValue) {
  auto nanv = Minutes({kNaN, 1, kNaN, kNaN, 2, 2});
  EXPECT_EQ(RangeValue(F::kMinOverTime, nanv, 10, 5), 1);
  EXPECT_EQ(RangeValue(F::kMaxOverTime, nanv, 10, 5), 2);
  EXPECT_TRUE(std::isnan(RangeValue(F::kMaxOverTime, Minutes({kNaN, kNaN}), 10, 5)));
  // A NaN after a number is skipped.
  EXPECT_EQ(RangeValue(F::kMaxOverTime, Minutes({3, kNaN}), 10, 5), 3);
}

TEST(EvalFunctionsOverTimeTest, AvgKeepsAnInfiniteMean) {
  EXPECT_EQ(RangeValue(F::kAvgOverTime, Minutes({1, kInf, 3}), 10, 5), kInf);
  EXPECT_EQ(RangeValue(F::kAvgOverTime, Minutes({kInf, kInf, 3}), 10, 5), kInf);
  EXPECT_TRUE(std::isnan(RangeValue(F::kAvgOverTime, Minutes({kInf, -kInf, 1}), 10, 5)));
  EXPECT_TRUE(std::isnan(RangeValue(F::kSumOverTime, Minutes({kInf, -kInf, 1}), 10, 5)));
  EXPECT_EQ(RangeValue(F::kAvgOverTime, Minutes({1, 3, 4, 8, 9}), 10, 5), 5);
}

TEST(EvalFunctionsOverTimeTest, SumUsesCompensatedSummation) {
  // sum_over_time over 1e100 1 -1e100 is 1 in Prometheus 2.42 (not 0).
  EXPECT_EQ(RangeValue(F::kSumOverTime, Minutes({1e100, 1, -1e100}), 5, 2), 1);
}

TEST(EvalFunctionsOverTimeTest, CountLastPresent) {
  auto p = Minutes({3, kNaN, 7});
  EXPECT_EQ(RangeValue(F::kCountOverTime, p, 5, 2), 3);
  EXPECT_EQ(RangeValue(F::kLastOverTime, p, 5, 2), 7);
  EXPECT_EQ(RangeValue(F::kPresentOverTime, p, 5, 2), 1);
  EXPECT_TRUE(std::isnan(RangeValue(F::kLastOverTime, p, 5, 1)));
}

TEST(EvalFunctionsOverTimeTest, StddevAndStdvar) {
  auto lin = Minutes({1, 3, 4, 8, 9});
  EXPECT_DOUBLE_EQ(RangeValue(F::kStdvarOverTime, lin, 10, 5), 9.2);
  EXPECT_DOUBLE_EQ(RangeValue(F::kStddevOverTime, lin, 10, 5), 3.03315017762062);
  EXPECT_EQ(RangeValue(F::kStdvarOverTime, Minutes({4}), 10, 5), 0);
  EXPECT_DOUBLE_EQ(RangeValue(F::kStddevOverTime, Minutes({0, 10, 20}), 5, 2), 8.16496580927726);
  EXPECT_TRUE(std::isnan(RangeValue(F::kStdvarOverTime, Minutes({1, kInf, 3}), 5, 2)));
}

TEST(EvalFunctionsOverTimeTest, QuantileOverTime) {
  auto lin = Minutes({1, 3, 4, 8, 9});
  EXPECT_DOUBLE_EQ(RangeValue(F::kQuantileOverTime, lin, 10, 5, {0.3}), 3.2);
  // Weight 0 on +Inf still multiplies: 1*1 + 3*0 (sorted 1 3 +Inf).
  EXPECT_EQ(RangeValue(F::kQuantileOverTime, Minutes({1, kInf, 3}), 10, 5, {0}), 1);
  EXPECT_EQ(RangeValue(F::kQuantileOverTime, Minutes({1, kInf, 3}), 10, 5, {1.5}), kInf);
  EXPECT_TRUE(std::isnan(RangeValue(F::kQuantileOverTime, lin, 10, 5, {kNaN})));
}

TEST(EvalFunctionsOverTimeTest, RangeFunctionsAreThoseWithAMatrixArgument) {
  EXPECT_TRUE(IsRangeFunction(F::kRate));
  EXPECT_TRUE(IsRangeFunction(F::kQuantileOverTime));
  EXPECT_TRUE(IsRangeFunction(F::kAbsentOverTime));
  EXPECT_TRUE(IsRangeFunction(F::kHoltWinters));
  EXPECT_FALSE(IsRangeFunction(F::kAbs));
  EXPECT_FALSE(IsRangeFunction(F::kHistogramQuantile));
}

// ---- Quantile ---------------------------------------------------------------

TEST(EvalFunctionsQuantileTest, InterpolatesBetweenClosestRanks) {
  std::vector<double> v = {4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(Quantile(0.5, &v), 2.5);
  EXPECT_DOUBLE_EQ(Quantile(0.9, &v), 3.7);
  EXPECT_EQ(Quantile(0, &v), 1);
  EXPECT_EQ(Quantile(1, &v), 4);
  EXPECT_EQ(Quantile(-0.1, &v), -kInf);
  EXPECT_EQ(Quantile(1.1, &v), kInf);
  std::vector<double> empty;
  EXPECT_TRUE(std::isnan(Quantile(0.5, &empty)));
}

TEST(EvalFunctionsQuantileTest, NaNSortsFirst) {
  std::vector<double> v = {2, kNaN, 1};
  EXPECT_EQ(Quantile(1, &v), 2);
  EXPECT_TRUE(std::isnan(Quantile(0, &v)));
}

// ---- histogram_quantile -----------------------------------------------------

VSample Bucket(std::string name, std::string le, double v, std::string job = "a") {
  return {model::Labels{{"__name__", name}, {"job", job}, {"le", le}}, 0, v};
}

double HQ(double phi, const Vector& in) {
  Vector out;
  HistogramQuantile(phi, in, 1000, &out);
  EXPECT_EQ(out.size(), 1u);
  return out.empty() ? -12345 : out[0].v;
}

TEST(EvalFunctionsHistogramQuantileTest, InterpolatesWithinTheBucket) {
  Vector in = {Bucket("h", "1", 1), Bucket("h", "2", 3), Bucket("h", "+Inf", 4)};
  Vector out;
  HistogramQuantile(0.5, in, 1000, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].metric, (model::Labels{{"job", "a"}}));
  EXPECT_EQ(out[0].t, 1000);
  EXPECT_DOUBLE_EQ(out[0].v, 1.5);
  // The first bucket starts at 0: rank 0.8 of 1 in [0, 1].
  EXPECT_DOUBLE_EQ(HQ(0.2, in), 0.8);
  // Rank in the +Inf bucket: the highest finite bound.
  EXPECT_EQ(HQ(0.9, in), 2);
  EXPECT_EQ(HQ(-1, in), -kInf);
  EXPECT_EQ(HQ(2, in), kInf);
  EXPECT_TRUE(std::isnan(HQ(kNaN, in)));
}

TEST(EvalFunctionsHistogramQuantileTest, BucketOrderDoesNotMatter) {
  Vector in = {Bucket("h", "+Inf", 4), Bucket("h", "2", 3), Bucket("h", "1", 1)};
  EXPECT_DOUBLE_EQ(HQ(0.5, in), 1.5);
}

TEST(EvalFunctionsHistogramQuantileTest, NaNWithoutInfBucketFewBucketsOrNoObservations) {
  EXPECT_TRUE(std::isnan(HQ(0.5, {Bucket("h", "1", 1), Bucket("h", "2", 3)})));
  EXPECT_TRUE(std::isnan(HQ(0.5, {Bucket("h", "+Inf", 3)})));
  EXPECT_TRUE(std::isnan(HQ(0.5, {Bucket("h", "1", 0), Bucket("h", "+Inf", 0)})));
}

TEST(EvalFunctionsHistogramQuantileTest, NonPositiveFirstBoundIsReturnedForLowRanks) {
  Vector in = {Bucket("h", "-1", 2), Bucket("h", "1", 3), Bucket("h", "+Inf", 4)};
  EXPECT_EQ(HQ(0.25, in), -1);
  EXPECT_DOUBLE_EQ(HQ(0.625, in), 0);  // rank 2.5: halfway in (-1, 1]
}

TEST(EvalFunctionsHistogramQuantileTest, NonMonotonicCountsAreRaised) {
  // Counts 1 5 3 9: the 3 becomes 5, so rank 4.5 lies in (1, 2].
  Vector in = {Bucket("h", "1", 1), Bucket("h", "2", 5), Bucket("h", "3", 3), Bucket("h", "+Inf", 9)};
  EXPECT_DOUBLE_EQ(HQ(0.5, in), 1.875);
  // rank 6.3 lies past bucket 3 (now 5): in the +Inf bucket -> 3.
  EXPECT_EQ(HQ(0.7, in), 3);
}

TEST(EvalFunctionsHistogramQuantileTest, DuplicateBoundsAreMerged) {
  // "1.0" and "1" are the same bound: counts add up.
  Vector in = {Bucket("h", "1", 1), Bucket("h", "1.0", 1), Bucket("h", "+Inf", 4)};
  EXPECT_DOUBLE_EQ(HQ(0.25, in), 0.5);
}

TEST(EvalFunctionsHistogramQuantileTest, LeIsParsedAsGoParseFloat) {
  // Checked against Prometheus 2.42: hex floats, "inf", "Infinity" and
  // digit-separating underscores are bounds; " 2" and an overflowing
  // "1e400" are not (the series is ignored); "1e-400" is 0.
  EXPECT_DOUBLE_EQ(HQ(0.4, {Bucket("h", "1", 1), Bucket("h", "0x1p1", 2), Bucket("h", "inf", 4)}), 1.6);
  EXPECT_EQ(HQ(0.4, {Bucket("h", "1", 1), Bucket("h", " 2", 2), Bucket("h", "Infinity", 4)}), 1);
  EXPECT_DOUBLE_EQ(HQ(0.4, {Bucket("h", "1", 1), Bucket("h", "1_0", 2), Bucket("h", "+Inf", 4)}), 6.4);
  EXPECT_EQ(HQ(0.1, {Bucket("h", "1", 1), Bucket("h", "1e-400", 0.5), Bucket("h", "+Inf", 4)}), 0);
  EXPECT_TRUE(std::isnan(HQ(0.4, {Bucket("h", "1", 1), Bucket("h", "1e400", 2)})));
  Vector out;
  HistogramQuantile(0.5,
                    {Bucket("h", "x", 1), Bucket("h", "_1", 2), Bucket("h", "1__0", 2), Bucket("h", "0x1", 2),
                     Bucket("h", "+nan", 2), Bucket("h", "", 2)},
                    0, &out);
  EXPECT_TRUE(out.empty());
}

TEST(EvalFunctionsHistogramQuantileTest, GroupsByAllLabelsButLe) {
  Vector in = {Bucket("h", "1", 1, "a"),    Bucket("h", "+Inf", 2, "a"), Bucket("h", "1", 1, "b"),
               Bucket("h", "+Inf", 4, "b"), Bucket("g", "1", 1, "b"),    Bucket("g", "+Inf", 4, "b")};
  Vector out;
  HistogramQuantile(0.5, in, 0, &out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].metric, (model::Labels{{"job", "a"}}));
  EXPECT_DOUBLE_EQ(out[0].v, 1);
  EXPECT_EQ(out[1].metric, (model::Labels{{"job", "b"}}));
  EXPECT_EQ(out[1].v, 1);
  // Same labels as out[1] once the name is gone: the engine rejects the
  // result ("vector cannot contain metrics with the same labelset").
  EXPECT_EQ(out[2].metric, out[1].metric);
}

// ---- elementwise ------------------------------------------------------------

TEST(EvalFunctionsElementwiseTest, RoundTiesUpAndToNearest) {
  EXPECT_EQ(Elem(F::kRound, 2.5), 3);
  EXPECT_EQ(Elem(F::kRound, -2.5), -2);
  EXPECT_DOUBLE_EQ(Elem(F::kRound, 1.234, {0.1}), 1.2);
  EXPECT_EQ(Elem(F::kRound, 7, {5}), 5);
  EXPECT_TRUE(std::isnan(Elem(F::kRound, 5, {0})));
  EXPECT_TRUE(std::isnan(Elem(F::kRound, kNaN)));
}

TEST(EvalFunctionsElementwiseTest, ClampFollowsGoMinMax) {
  EXPECT_EQ(Elem(F::kClamp, 5, {0, 3}), 3);
  EXPECT_EQ(Elem(F::kClamp, -5, {0, 3}), 0);
  EXPECT_TRUE(std::isnan(Elem(F::kClamp, kNaN, {0, 1})));
  EXPECT_TRUE(std::isnan(Elem(F::kClamp, 5, {kNaN, 10})));
  EXPECT_EQ(Elem(F::kClamp, 5, {0, kInf}), 5);
  EXPECT_EQ(Elem(F::kClampMin, kNaN, {kInf}), kInf);
  EXPECT_EQ(Elem(F::kClampMax, kNaN, {-kInf}), -kInf);
  EXPECT_TRUE(std::isnan(Elem(F::kClampMin, kNaN, {0})));
  double out;
  EXPECT_FALSE(EvalElementwise(F::kClamp, 5, std::vector<double>{3, 2}, &out));
}

TEST(EvalFunctionsElementwiseTest, MathFunctions) {
  EXPECT_EQ(Elem(F::kSgn, -0.5), -1);
  EXPECT_EQ(Elem(F::kSgn, 3), 1);
  EXPECT_TRUE(std::signbit(Elem(F::kSgn, -0.0)));
  EXPECT_TRUE(std::isnan(Elem(F::kSgn, kNaN)));
  EXPECT_DOUBLE_EQ(Elem(F::kDeg, 1), 5.729577951308232E+01);
  EXPECT_DOUBLE_EQ(Elem(F::kRad, 180), 3.141592653589793);
  EXPECT_TRUE(std::isnan(Elem(F::kLn, -1)));
  EXPECT_EQ(Elem(F::kLn, 0), -kInf);
  EXPECT_EQ(Elem(F::kLog2, 8), 3);
  EXPECT_EQ(Elem(F::kLog10, 1000), 3);
  EXPECT_TRUE(std::isnan(Elem(F::kSqrt, -1)));
  EXPECT_TRUE(std::isnan(Elem(F::kAcosh, 0.5)));
  EXPECT_EQ(Elem(F::kAbs, -2), 2);
  EXPECT_EQ(Elem(F::kCeil, 1.2), 2);
  EXPECT_EQ(Elem(F::kFloor, -1.2), -2);
  EXPECT_EQ(Elem(F::kExp, 0), 1);
  EXPECT_TRUE(IsElementwiseFunction(F::kClamp));
  EXPECT_TRUE(IsElementwiseFunction(F::kYear));
  EXPECT_TRUE(IsElementwiseFunction(F::kAtanh));
  EXPECT_FALSE(IsElementwiseFunction(F::kRate));
  EXPECT_FALSE(IsElementwiseFunction(F::kLabelReplace));
  EXPECT_FALSE(IsElementwiseFunction(F::kTimestamp));
}

TEST(EvalFunctionsElementwiseTest, TimeFunctionsMatchGoTimeIncludingNaNAndOverflow) {
  // From Prometheus 2.42 (f(vector(v))): NaN, infinities and out-of-range
  // values become Go's int64 "indefinite" value, a date in year 292277026596.
  struct Case {
    F id;
    double v;
    double want;
  } cases[] = {
      {F::kYear, kNaN, 292277026596},
      {F::kMonth, kNaN, 12},
      {F::kDayOfMonth, kNaN, 4},
      {F::kDayOfWeek, kNaN, 0},
      {F::kDayOfYear, kNaN, 339},
      {F::kDaysInMonth, kNaN, 31},
      {F::kHour, kNaN, 15},
      {F::kMinute, kNaN, 30},
      {F::kYear, kInf, 292277026596},
      {F::kMonth, kInf, 12},
      {F::kDayOfMonth, kInf, 4},
      {F::kDayOfWeek, kInf, 0},
      {F::kDayOfYear, kInf, 339},
      {F::kDaysInMonth, kInf, 31},
      {F::kHour, kInf, 15},
      {F::kMinute, kInf, 30},
      {F::kYear, -kInf, 292277026596},
      {F::kMonth, -kInf, 12},
      {F::kDayOfMonth, -kInf, 4},
      {F::kDayOfWeek, -kInf, 0},
      {F::kDayOfYear, -kInf, 339},
      {F::kDaysInMonth, -kInf, 31},
      {F::kHour, -kInf, 15},
      {F::kMinute, -kInf, 30},
      {F::kYear, 1e20, 292277026596},
      {F::kMonth, 1e20, 12},
      {F::kDayOfMonth, 1e20, 4},
      {F::kDayOfWeek, 1e20, 0},
      {F::kDayOfYear, 1e20, 339},
      {F::kDaysInMonth, 1e20, 31},
      {F::kHour, 1e20, 15},
      {F::kMinute, 1e20, 30},
      {F::kYear, -1e20, 292277026596},
      {F::kMonth, -1e20, 12},
      {F::kDayOfMonth, -1e20, 4},
      {F::kDayOfWeek, -1e20, 0},
      {F::kDayOfYear, -1e20, 339},
      {F::kDaysInMonth, -1e20, 31},
      {F::kHour, -1e20, 15},
      {F::kMinute, -1e20, 30},
      {F::kYear, -1.0, 1969},
      {F::kMonth, -1.0, 12},
      {F::kDayOfMonth, -1.0, 31},
      {F::kDayOfWeek, -1.0, 3},
      {F::kDayOfYear, -1.0, 365},
      {F::kDaysInMonth, -1.0, 31},
      {F::kHour, -1.0, 23},
      {F::kMinute, -1.0, 59},
      {F::kYear, -86401.0, 1969},
      {F::kMonth, -86401.0, 12},
      {F::kDayOfMonth, -86401.0, 30},
      {F::kDayOfWeek, -86401.0, 2},
      {F::kDayOfYear, -86401.0, 364},
      {F::kDaysInMonth, -86401.0, 31},
      {F::kHour, -86401.0, 23},
      {F::kMinute, -86401.0, 59},
      {F::kYear, 1500000000.7, 2017},
      {F::kMonth, 1500000000.7, 7},
      {F::kDayOfMonth, 1500000000.7, 14},
      {F::kDayOfWeek, 1500000000.7, 5},
      {F::kDayOfYear, 1500000000.7, 195},
      {F::kDaysInMonth, 1500000000.7, 31},
      {F::kHour, 1500000000.7, 2},
      {F::kMinute, 1500000000.7, 40},
      {F::kYear, -62135596801.0, 0},
      {F::kMonth, -62135596801.0, 12},
      {F::kDayOfMonth, -62135596801.0, 31},
      {F::kDayOfWeek, -62135596801.0, 0},
      {F::kDayOfYear, -62135596801.0, 366},
      {F::kDaysInMonth, -62135596801.0, 31},
      {F::kHour, -62135596801.0, 23},
      {F::kMinute, -62135596801.0, 59},
      {F::kYear, 253402300800.0, 10000},
      {F::kMonth, 253402300800.0, 1},
      {F::kDayOfMonth, 253402300800.0, 1},
      {F::kDayOfWeek, 253402300800.0, 6},
      {F::kDayOfYear, 253402300800.0, 1},
      {F::kDaysInMonth, 253402300800.0, 31},
      {F::kHour, 253402300800.0, 0},
      {F::kMinute, 253402300800.0, 0},
      {F::kYear, 9.2e18, 291536396232},
      {F::kMonth, 9.2e18, 8},
      {F::kDayOfMonth, 9.2e18, 31},
      {F::kDayOfWeek, 9.2e18, 5},
      {F::kDayOfYear, 9.2e18, 244},
      {F::kDaysInMonth, 9.2e18, 31},
      {F::kHour, 9.2e18, 11},
      {F::kMinute, 9.2e18, 33},
      {F::kYear, -9.2e18, -291536392293},
      {F::kMonth, -9.2e18, 5},
      {F::kDayOfMonth, -9.2e18, 3},
      {F::kDayOfWeek, -9.2e18, 2},
      {F::kDayOfYear, -9.2e18, 123},
      {F::kDaysInMonth, -9.2e18, 31},
      {F::kHour, -9.2e18, 12},
      {F::kMinute, -9.2e18, 26},
      {F::kYear, 951782400.0, 2000},
      {F::kMonth, 951782400.0, 2},
      {F::kDayOfMonth, 951782400.0, 29},
      {F::kDayOfWeek, 951782400.0, 2},
      {F::kDayOfYear, 951782400.0, 60},
      {F::kDaysInMonth, 951782400.0, 29},
      {F::kHour, 951782400.0, 0},
      {F::kMinute, 951782400.0, 0},
      {F::kYear, 4107542400.0, 2100},
      {F::kMonth, 4107542400.0, 3},
      {F::kDayOfMonth, 4107542400.0, 1},
      {F::kDayOfWeek, 4107542400.0, 1},
      {F::kDayOfYear, 4107542400.0, 60},
      {F::kDaysInMonth, 4107542400.0, 31},
      {F::kHour, 4107542400.0, 0},
      {F::kMinute, 4107542400.0, 0},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Elem(c.id, c.v), c.want) << GetFunction(c.id).name << "(" << c.v << ")";
  }
}

// ---- label_replace / label_join -------------------------------------------

model::Labels M() { return {{"__name__", "m"}, {"a", "foo-bar"}, {"b", "x"}}; }

model::Labels Replace(std::string dst, std::string repl, std::string src, std::string re) {
  auto r = LabelReplacer::Make(std::move(dst), std::move(repl), std::move(src), re);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r->Apply(M()) : model::Labels{};
}

TEST(EvalFunctionsLabelReplaceTest, ExpandsLikeGoRegexpExpand) {
  // $2x is the group named "2x" (none), $$ a dollar, $name unknown.
  EXPECT_EQ(Replace("dst", "$1-$2x${2}x$$-$name-$1x-${n}-$9", "a", "(?P<n>[a-z]+)-(.*)").Get("dst"),
            "foo-barx$---foo-");
  EXPECT_EQ(Replace("dst", "$", "a", ".*").Get("dst"), "$");
  EXPECT_EQ(Replace("dst", "a${1", "a", "(.*)").Get("dst"), "a${1");
  // Leading zeros make a name, not a number; "é" is a letter; ${0} is all.
  EXPECT_EQ(Replace("dst", "$01|$00|${0}|$\xc3\xa9|$_", "a", "(.*)").Get("dst"), "||foo-bar||");
}

TEST(EvalFunctionsLabelReplaceTest, RegexIsFullyAnchored) {
  EXPECT_EQ(Replace("dst", "z", "a", "oo"), M());
  EXPECT_EQ(Replace("dst", "z", "a", "f.*").Get("dst"), "z");
}

TEST(EvalFunctionsLabelReplaceTest, EmptyResultDeletesTheLabel) {
  EXPECT_EQ(Replace("a", "", "a", "foo.*"), (model::Labels{{"__name__", "m"}, {"b", "x"}}));
  // A missing source is "", which .* matches.
  EXPECT_EQ(Replace("dst", "[$0]", "missing", ".*").Get("dst"), "[]");
}

TEST(EvalFunctionsLabelReplaceTest, InvalidRegexAndDestination) {
  EXPECT_THAT(LabelReplacer::Make("dst", "x", "a", "(.*").status(),
              StatusIs(StatusCode::kInvalidArgument, "invalid regular expression in label_replace(): (.*"));
  EXPECT_THAT(
      LabelReplacer::Make("1dst", "x", "a", "(.*)").status(),
      StatusIs(StatusCode::kInvalidArgument, "invalid destination label name in label_replace(): 1dst"));
  // Go rejects \C, RE2 would not.
  EXPECT_FALSE(LabelReplacer::Make("dst", "x", "a", "\\C").ok());
}

TEST(EvalFunctionsLabelJoinTest, JoinsAndDeletesOnEmpty) {
  auto j = LabelJoiner::Make("dst", "+", {"a", "missing", "b"});
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(j->Apply(M()).Get("dst"), "foo-bar++x");
  auto del = LabelJoiner::Make("b", "+", {"missing"});
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->Apply(M()), (model::Labels{{"__name__", "m"}, {"a", "foo-bar"}}));
}

TEST(EvalFunctionsLabelJoinTest, InvalidNamesSourcesFirst) {
  EXPECT_THAT(LabelJoiner::Make("dst", "+", {"1a"}).status(),
              StatusIs(StatusCode::kInvalidArgument, "invalid source label name in label_join(): 1a"));
  EXPECT_THAT(LabelJoiner::Make("1dst", "+", {"a"}).status(),
              StatusIs(StatusCode::kInvalidArgument, "invalid destination label name in label_join(): 1dst"));
  EXPECT_THAT(LabelJoiner::Make("1dst", "+", {"1a"}).status(),
              StatusIs(StatusCode::kInvalidArgument, "invalid source label name in label_join(): 1a"));
}

}  // namespace
}  // namespace cistern::promql
