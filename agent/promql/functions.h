// The signature table of PromQL's functions, exactly those of Prometheus
// 2.42 (incl. the experimental native-histogram functions histogram_count,
// histogram_sum, histogram_fraction). The parser resolves a call to an entry;
// the engine keeps its implementation table indexed by FunctionId.
// Immutable static data, thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "agent/promql/ast.h"

namespace cistern::promql {

enum class FunctionId : uint8_t {
  kAbs, kAbsent, kAbsentOverTime, kAcos, kAcosh, kAsin, kAsinh, kAtan, kAtanh,
  kAvgOverTime, kCeil, kChanges, kClamp, kClampMax, kClampMin, kCos, kCosh,
  kCountOverTime, kDayOfMonth, kDayOfWeek, kDayOfYear, kDaysInMonth, kDeg,
  kDelta, kDeriv, kExp, kFloor, kHistogramCount, kHistogramFraction,
  kHistogramQuantile, kHistogramSum, kHoltWinters, kHour, kIdelta, kIncrease,
  kIrate, kLabelJoin, kLabelReplace, kLastOverTime, kLn, kLog10, kLog2,
  kMaxOverTime, kMinOverTime, kMinute, kMonth, kPi, kPredictLinear,
  kPresentOverTime, kQuantileOverTime, kRad, kRate, kResets, kRound, kScalar,
  kSgn, kSin, kSinh, kSort, kSortDesc, kSqrt, kStddevOverTime,
  kStdvarOverTime, kSumOverTime, kTan, kTanh, kTime, kTimestamp, kVector,
  kYear,
  kCount_,  // number of functions
};

struct Function {
  FunctionId id;
  std::string_view name;
  std::array<ValueType, 5> arg_types;  // the first num_args are used
  uint8_t num_args;
  // 0: exactly num_args; n > 0: up to n more of the last type (the last
  // declared one is then optional); -1: any number more.
  int8_t variadic;
  ValueType return_type;

  std::span<const ValueType> args() const { return {arg_types.data(), num_args}; }
};

// All functions, in FunctionId order (table[i].id == FunctionId(i)).
std::span<const Function> AllFunctions();
const Function& GetFunction(FunctionId id);
// nullptr for an unknown name.
const Function* LookupFunction(std::string_view name);

}  // namespace cistern::promql
