#include "agent/promql/functions.h"

#include <algorithm>
#include <iterator>

namespace cistern::promql {
namespace {

constexpr ValueType V = ValueType::kVector;
constexpr ValueType M = ValueType::kMatrix;
constexpr ValueType S = ValueType::kScalar;
constexpr ValueType Str = ValueType::kString;
constexpr ValueType N = ValueType::kNone;

using F = FunctionId;

// name, argument types, count, variadic, return type: promql/parser/functions.go.
constexpr Function kFunctions[] = {
    {F::kAbs, "abs", {V}, 1, 0, V},
    {F::kAbsent, "absent", {V}, 1, 0, V},
    {F::kAbsentOverTime, "absent_over_time", {M}, 1, 0, V},
    {F::kAcos, "acos", {V}, 1, 0, V},
    {F::kAcosh, "acosh", {V}, 1, 0, V},
    {F::kAsin, "asin", {V}, 1, 0, V},
    {F::kAsinh, "asinh", {V}, 1, 0, V},
    {F::kAtan, "atan", {V}, 1, 0, V},
    {F::kAtanh, "atanh", {V}, 1, 0, V},
    {F::kAvgOverTime, "avg_over_time", {M}, 1, 0, V},
    {F::kCeil, "ceil", {V}, 1, 0, V},
    {F::kChanges, "changes", {M}, 1, 0, V},
    {F::kClamp, "clamp", {V, S, S}, 3, 0, V},
    {F::kClampMax, "clamp_max", {V, S}, 2, 0, V},
    {F::kClampMin, "clamp_min", {V, S}, 2, 0, V},
    {F::kCos, "cos", {V}, 1, 0, V},
    {F::kCosh, "cosh", {V}, 1, 0, V},
    {F::kCountOverTime, "count_over_time", {M}, 1, 0, V},
    {F::kDayOfMonth, "day_of_month", {V}, 1, 1, V},
    {F::kDayOfWeek, "day_of_week", {V}, 1, 1, V},
    {F::kDayOfYear, "day_of_year", {V}, 1, 1, V},
    {F::kDaysInMonth, "days_in_month", {V}, 1, 1, V},
    {F::kDeg, "deg", {V}, 1, 0, V},
    {F::kDelta, "delta", {M}, 1, 0, V},
    {F::kDeriv, "deriv", {M}, 1, 0, V},
    {F::kExp, "exp", {V}, 1, 0, V},
    {F::kFloor, "floor", {V}, 1, 0, V},
    {F::kHistogramCount, "histogram_count", {V}, 1, 0, V},
    {F::kHistogramFraction, "histogram_fraction", {S, S, V}, 3, 0, V},
    {F::kHistogramQuantile, "histogram_quantile", {S, V}, 2, 0, V},
    {F::kHistogramSum, "histogram_sum", {V}, 1, 0, V},
    {F::kHoltWinters, "holt_winters", {M, S, S}, 3, 0, V},
    {F::kHour, "hour", {V}, 1, 1, V},
    {F::kIdelta, "idelta", {M}, 1, 0, V},
    {F::kIncrease, "increase", {M}, 1, 0, V},
    {F::kIrate, "irate", {M}, 1, 0, V},
    {F::kLabelJoin, "label_join", {V, Str, Str, Str}, 4, -1, V},
    {F::kLabelReplace, "label_replace", {V, Str, Str, Str, Str}, 5, 0, V},
    {F::kLastOverTime, "last_over_time", {M}, 1, 0, V},
    {F::kLn, "ln", {V}, 1, 0, V},
    {F::kLog10, "log10", {V}, 1, 0, V},
    {F::kLog2, "log2", {V}, 1, 0, V},
    {F::kMaxOverTime, "max_over_time", {M}, 1, 0, V},
    {F::kMinOverTime, "min_over_time", {M}, 1, 0, V},
    {F::kMinute, "minute", {V}, 1, 1, V},
    {F::kMonth, "month", {V}, 1, 1, V},
    {F::kPi, "pi", {N}, 0, 0, S},
    {F::kPredictLinear, "predict_linear", {M, S}, 2, 0, V},
    {F::kPresentOverTime, "present_over_time", {M}, 1, 0, V},
    {F::kQuantileOverTime, "quantile_over_time", {S, M}, 2, 0, V},
    {F::kRad, "rad", {V}, 1, 0, V},
    {F::kRate, "rate", {M}, 1, 0, V},
    {F::kResets, "resets", {M}, 1, 0, V},
    {F::kRound, "round", {V, S}, 2, 1, V},
    {F::kScalar, "scalar", {V}, 1, 0, S},
    {F::kSgn, "sgn", {V}, 1, 0, V},
    {F::kSin, "sin", {V}, 1, 0, V},
    {F::kSinh, "sinh", {V}, 1, 0, V},
    {F::kSort, "sort", {V}, 1, 0, V},
    {F::kSortDesc, "sort_desc", {V}, 1, 0, V},
    {F::kSqrt, "sqrt", {V}, 1, 0, V},
    {F::kStddevOverTime, "stddev_over_time", {M}, 1, 0, V},
    {F::kStdvarOverTime, "stdvar_over_time", {M}, 1, 0, V},
    {F::kSumOverTime, "sum_over_time", {M}, 1, 0, V},
    {F::kTan, "tan", {V}, 1, 0, V},
    {F::kTanh, "tanh", {V}, 1, 0, V},
    {F::kTime, "time", {N}, 0, 0, S},
    {F::kTimestamp, "timestamp", {V}, 1, 0, V},
    {F::kVector, "vector", {S}, 1, 0, V},
    {F::kYear, "year", {V}, 1, 1, V},
};
static_assert(std::size(kFunctions) == static_cast<size_t>(FunctionId::kCount_));

constexpr bool TableIsOrdered() {
  for (size_t i = 0; i < std::size(kFunctions); ++i) {
    if (static_cast<size_t>(kFunctions[i].id) != i) return false;
    if (i > 0 && !(kFunctions[i - 1].name < kFunctions[i].name)) return false;
  }
  return true;
}
static_assert(TableIsOrdered(), "kFunctions must follow FunctionId order and be sorted by name");

}  // namespace

std::span<const Function> AllFunctions() { return kFunctions; }

const Function& GetFunction(FunctionId id) { return kFunctions[static_cast<size_t>(id)]; }

const Function* LookupFunction(std::string_view name) {
  auto it = std::lower_bound(std::begin(kFunctions), std::end(kFunctions), name,
                             [](const Function& f, std::string_view n) { return f.name < n; });
  if (it == std::end(kFunctions) || it->name != name) return nullptr;
  return &*it;
}

}  // namespace cistern::promql
