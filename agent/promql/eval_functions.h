// The numeric kernels of PromQL's functions, as Prometheus 2.42's
// promql/functions.go computes them. The engine (engine.cc) selects data,
// walks steps, evaluates scalar arguments, handles metric-name dropping and
// labels; these compute values. Pure functions, thread-safe, no allocation
// per call except where noted.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/model/labels.h"
#include "agent/promql/functions.h"
#include "agent/promql/value.h"

namespace cistern::promql {

// One step of a range-vector function over one series.
struct RangeArgs {
  // The series' points in the window, time order, all within
  // [range_start_ms, range_end_ms] (both ends inclusive, as Prometheus 2.x).
  // Never contains staleness markers (the engine removes them).
  std::span<const FPoint> points;
  int64_t range_start_ms = 0;  // step time - offset - range
  int64_t range_end_ms = 0;    // step time - offset
  // The step time itself (Prometheus' enh.Ts): predict_linear's intercept
  // is taken there, not at range_end_ms (they differ under offset).
  int64_t eval_ms = 0;
  // Scalar arguments evaluated at this step, in argument order, the range
  // argument left out: quantile_over_time(φ, m) -> {φ};
  // predict_linear(m, t) -> {t}; holt_winters(m, sf, tf) -> {sf, tf}.
  std::span<const double> scalars;
};

// True for functions taking a range vector (rate ... present_over_time,
// absent_over_time included).
bool IsRangeFunction(FunctionId id);

// Evaluates range function `id` (not absent_over_time, which the engine
// handles) for one series at one step. Returns false when there is no output
// sample (too few points, ...). Sets *error (and returns false) for a runtime
// error that fails the query, with Prometheus' message, e.g. holt_winters'
// "invalid smoothing factor. Expected: 0 < sf < 1, got: 1.500000" (Go's %f).
bool EvalRangeFunction(FunctionId id, const RangeArgs& args, double* out, std::string* error);

// True for functions applied value by value to an instant vector whose
// result depends only on the value and scalar arguments: abs ceil floor exp
// sqrt ln log2 log10 sgn deg rad round clamp clamp_min clamp_max, the trig
// functions, and the time functions day_of_month day_of_week day_of_year
// days_in_month hour minute month year (value = Unix seconds, UTC).
bool IsElementwiseFunction(FunctionId id);

// Applies elementwise function `id` to value `v` with the call's scalar
// arguments (clamp: {min, max}; clamp_min/max: {bound}; round: {to_nearest}
// or empty for 1). Returns false when the element is dropped (time functions
// never drop; clamp with max < min drops every element, as Prometheus).
bool EvalElementwise(FunctionId id, double v, std::span<const double> scalars, double* out);

// A time function (day_of_month ... year) of Unix seconds `v`, in UTC, as
// Go's time package computes it (NaN and out-of-range values included).
double EvalTimeFunction(FunctionId id, double v);

// The φ-quantile of `values` (reordered in place) as Prometheus' quantile():
// φ < 0 -> -Inf, φ > 1 -> +Inf, NaN φ -> NaN, empty -> NaN, linear
// interpolation between closest ranks. Shared by the quantile aggregation and
// quantile_over_time.
double Quantile(double phi, std::vector<double>* values);

// histogram_quantile(φ, buckets): groups `in` by its labels without "le"
// (the metric name stays in the key, as Prometheus 2.42), computes each
// group's quantile with Prometheus 2.42's bucket rules (buckets sorted by
// upper bound, an +Inf bucket required, monotonicity enforced, duplicate
// bounds merged, fewer than 2 buckets or zero count -> NaN, series with a
// missing or unparsable "le" ignored) and appends one sample per group
// (labels without le and __name__, t = t_ms) to *out. Two histograms
// differing only in name thus give two samples with the same labels: the
// engine's duplicate-labelset check then fails the query, as Prometheus.
void HistogramQuantile(double phi, const Vector& in, int64_t t_ms, Vector* out);

// label_replace(v, dst, replacement, src, regex), compiled once per call.
class LabelReplacer {
 public:
  // InvalidArgument with Prometheus' messages: "invalid regular expression
  // in label_replace(): ...", "invalid destination label name in
  // label_replace(): ...".
  static StatusOr<LabelReplacer> Make(std::string dst, std::string replacement, std::string src,
                                      std::string_view regex);
  // The labels after replacement (unchanged when the regex does not match
  // the source value; an empty result value deletes dst).
  model::Labels Apply(const model::Labels& in) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

// label_join(v, dst, separator, src_1, src_2, ...).
class LabelJoiner {
 public:
  // InvalidArgument: "invalid destination label name in label_join(): ...",
  // "invalid source label name in label_join(): ...".
  static StatusOr<LabelJoiner> Make(std::string dst, std::string separator, std::vector<std::string> srcs);
  model::Labels Apply(const model::Labels& in) const;

 private:
  std::string dst_, sep_;
  std::vector<std::string> srcs_;
};

}  // namespace cistern::promql
