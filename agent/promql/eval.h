// The evaluator behind Engine (internal to agent/promql): evaluates one AST
// node for all steps of a time grid at once, as Prometheus 2.42's evaluator
// does, with the same results. One Evaluator per query, one thread.
//
// Vector-typed nodes evaluate to a Matrix whose points sit exactly on the
// grid's timestamps (a series has a point at the steps where it is present);
// scalar-typed nodes to one value per step; strings to their text. Range
// vectors are never materialised except as an instant query's result: range
// functions stream each series through a sliding window.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "agent/base/status.h"
#include "agent/promql/ast.h"
#include "agent/promql/value.h"
#include "agent/storage/querier.h"

namespace cistern::promql::internal {

// A time grid: start, start + interval, ..., end (end - start a multiple of
// interval; an instant evaluation is start == end, interval 1).
struct Grid {
  int64_t start = 0;
  int64_t end = 0;
  int64_t interval = 1;
  // Callers keep grids small enough (see Evaluator::CheckGrid).
  int Steps() const { return static_cast<int>((end - start) / interval) + 1; }
  int64_t Time(int step) const { return start + step * interval; }
};

struct EvalOptions {
  int64_t lookback_ms = 5 * 60 * 1000;
  int64_t max_samples = 50'000'000;
  int64_t default_subquery_step_ms = 60 * 1000;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  const std::atomic<bool>* cancel = nullptr;
};

// The value of a node over a grid.
struct Result {
  ValueType type = ValueType::kNone;
  Matrix series;                // kVector: points on the grid; kMatrix: raw points
  std::vector<double> scalars;  // kScalar: one per step
  std::string str;              // kString
  int64_t Points() const;
};

class Evaluator {
 public:
  // `query_start` / `query_end` resolve `@ start()` / `@ end()`.
  Evaluator(storage::Querier* querier, EvalOptions options, int64_t query_start, int64_t query_end);

  // Evaluates `e` over `grid`. Errors as documented in engine.h.
  StatusOr<Result> Eval(const Expr& e, const Grid& grid);

  std::vector<std::string> TakeWarnings() { return std::move(warnings_); }
  int64_t peak_samples() const { return peak_samples_; }

  // Sample accounting against max_samples (points held by live results).
  Status AddSamples(int64_t n);
  void ReleaseSamples(int64_t n) { current_samples_ -= n; }
  // Deadline / cancellation check; cheap enough to call per series.
  Status CheckAbort();
  // A grid of [start, end] every interval must not have more steps than
  // max_samples (every step holds at least one value of a scalar).
  Status CheckGrid(int64_t start, int64_t end, int64_t interval) const;

 private:
  StatusOr<Result> EvalNode(const Expr& e, const Grid& grid);
  StatusOr<Result> EvalVectorSelector(const VectorSelector& vs, const Grid& grid, bool sample_times);
  StatusOr<Result> EvalMatrixTopLevel(const Expr& e, const Grid& grid);
  StatusOr<Result> EvalSubqueryInner(const SubqueryExpr& sq, const Grid& grid, int64_t* range_ms,
                                     int64_t* offset_ms, AtModifier* at);
  StatusOr<Result> EvalCall(const Expr& e, const Call& call, const Grid& grid);
  StatusOr<Result> EvalRangeCall(const Call& call, const Grid& grid);
  StatusOr<Result> EvalBinary(const BinaryExpr& b, const Grid& grid);
  StatusOr<Result> EvalAggregate(const AggregateExpr& a, const Grid& grid);
  StatusOr<std::vector<std::shared_ptr<storage::Series>>> SelectSeries(const VectorSelector& vs, int64_t mint,
                                                                        int64_t maxt, int64_t range_ms,
                                                                        const Grid& grid, std::string_view func);
  int64_t ResolveAt(const AtModifier& at) const;

  storage::Querier* querier_;
  EvalOptions options_;
  int64_t query_start_, query_end_;
  std::vector<std::string> warnings_;
  int64_t current_samples_ = 0;
  int64_t peak_samples_ = 0;
  uint32_t abort_counter_ = 0;
};

// Helpers shared by the evaluator's files.

// The expression inside any parentheses.
inline const Expr& UnwrapParens(const Expr& e) {
  const Expr* p = &e;
  while (const auto* paren = p->As<ParenExpr>()) p = paren->expr.get();
  return *p;
}

// Time arithmetic that saturates instead of overflowing (offsets, ranges and
// @ timestamps may be anywhere in int64's range).
inline int64_t SatSub(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) return b > 0 ? storage::kMinTime : storage::kMaxTime;
  return r;
}

// The labels without __name__.
model::Labels DropMetricName(const model::Labels& l);
// The first labelset that occurs twice in `m` (by series), or nullptr.
const model::Labels* FindDuplicateLabelset(const Matrix& m);

// Builds a vector-typed Result from per-step emissions: output series are
// interned by labelset; a second emission into the same series at the same
// step is the "same labelset" error.
class Collector {
 public:
  explicit Collector(const Grid& grid) : grid_(grid) {}
  // Index of the output series with `labels` (created on first use).
  int Intern(const model::Labels& labels);
  int Intern(model::Labels&& labels);
  // Adds the point (step time, v). False if the series already has a point
  // at this step.
  bool Emit(int series, int step, double v);
  Result Take();
  size_t size() const { return out_.size(); }
  const model::Labels& labels(int series) const { return out_[series].metric; }
  int64_t points() const { return points_; }

 private:
  int Find(const model::Labels& labels, uint64_t h) const;
  Grid grid_;
  Matrix out_;
  std::vector<int> last_step_;
  std::vector<uint64_t> hashes_;
  std::vector<std::vector<int>> buckets_;  // open hashing: hash % size -> series
  int64_t points_ = 0;
  void Rehash();
};

// The points of a vector Result laid out by step: for step s, the entries
// (input series index, value) of the series present at s, in series order.
struct StepTable {
  struct Entry {
    int32_t series;
    double v;
  };
  std::vector<uint32_t> offsets;  // Steps() + 1
  std::vector<Entry> entries;
  explicit StepTable(const Result& r, const Grid& grid);
  std::span<const Entry> At(int step) const {
    return {entries.data() + offsets[step], entries.data() + offsets[step + 1]};
  }
};

// "vector cannot contain metrics with the same labelset".
Status SameLabelsetError();

}  // namespace cistern::promql::internal
