// The values PromQL evaluates to, as Prometheus' promql.Value: scalar,
// string, instant vector (one sample per series at one time) and range
// vector / range-query result (points per series). Plain value types.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "agent/model/labels.h"

namespace cistern::promql {

// One float point of a series.
struct FPoint {
  int64_t t = 0;  // milliseconds
  double v = 0;
};

// A series with points in time order: an element of a Matrix.
struct SeriesPoints {
  model::Labels metric;
  std::vector<FPoint> points;
};
using Matrix = std::vector<SeriesPoints>;

// An element of an instant vector.
struct VSample {
  model::Labels metric;
  int64_t t = 0;
  double v = 0;
};
using Vector = std::vector<VSample>;

struct ScalarValue {
  int64_t t = 0;
  double v = 0;
};

struct StringValue {
  int64_t t = 0;
  std::string v;
};

// monostate only for "no value" (never a query result).
using Value = std::variant<std::monostate, ScalarValue, StringValue, Vector, Matrix>;

}  // namespace cistern::promql
