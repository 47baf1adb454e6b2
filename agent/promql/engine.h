// The PromQL engine: evaluates a parsed expression (agent/promql/parser.h)
// against a storage::Queryable as an instant query (one timestamp) or a range
// query (start, end, step), with Prometheus 2.42's semantics: 5-minute
// lookback, staleness markers, offset / @, subqueries, every operator,
// aggregation and function.
//
// Evaluation is step-vectorised like Prometheus': each node is evaluated for
// all steps of the query at once; selectors read each series' samples once
// (one forward pass, sliding windows for range functions), the Querier's
// postings intersection runs before any chunk is read.
//
// Errors (Status codes, mapped by the HTTP API to Prometheus' errorType and
// status as 2.42's returnAPIError does):
//   InvalidArgument     bad_data  400  parse errors, invalid query parameters
//   FailedPrecondition  execution 422  runtime errors of the evaluation, e.g.
//                                      "vector cannot contain metrics with
//                                      the same labelset", many-to-many
//                                      matching, holt_winters' factor checks
//   ResourceExhausted   execution 422  "query processing would load too many
//                                      samples into memory in query execution"
//   DeadlineExceeded    timeout   503  "query timed out in <phase>"
//   Cancelled           canceled  503
//   anything else       internal  500  storage errors (DataLoss, Internal, ...)
//
// Thread-safe: one Engine serves concurrent queries; each query runs on the
// caller's thread (never the loop's).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/promql/ast.h"
#include "agent/promql/value.h"
#include "agent/storage/querier.h"

namespace cistern::promql {

struct EngineOptions {
  int64_t lookback_delta_ms = 5 * 60 * 1000;  // --query.lookback-delta
  int64_t max_samples = 50'000'000;           // --query.max-samples: points in memory at once
  int64_t timeout_ms = 2 * 60 * 1000;         // --query.timeout
  int max_concurrent = 20;                    // --query.max-concurrency: more wait for a slot
  // Step of subqueries written without one (`x[1h:]`): Prometheus uses the
  // global evaluation interval.
  int64_t default_subquery_step_ms = 60 * 1000;
};

struct QueryResult {
  // Instant query: ScalarValue, StringValue or Vector. Range query: Matrix
  // (a scalar expression becomes one series without labels).
  Value value;
  std::vector<std::string> warnings;
  int64_t samples_loaded = 0;  // peak points held, for stats and limits
};

// Per-query options.
struct QueryOptions {
  // Set to true (from any thread) to cancel: the query ends with Cancelled.
  const std::atomic<bool>* cancel = nullptr;
  int64_t timeout_ms = 0;  // 0: the engine's
  int64_t lookback_delta_ms = 0;  // 0: the engine's
};

class Engine {
 public:
  explicit Engine(EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const EngineOptions& options() const { return options_; }

  // Instant query at `ts_ms`.
  StatusOr<QueryResult> Instant(storage::Queryable& store, const Expr& expr, int64_t ts_ms,
                                const QueryOptions& opts = {});
  // Range query over [start_ms, end_ms] every step_ms (> 0, start <= end).
  StatusOr<QueryResult> Range(storage::Queryable& store, const Expr& expr, int64_t start_ms, int64_t end_ms,
                              int64_t step_ms, const QueryOptions& opts = {});

  // Parse + evaluate (parse errors are InvalidArgument with Prometheus' text).
  StatusOr<QueryResult> Instant(storage::Queryable& store, std::string_view query, int64_t ts_ms,
                                const QueryOptions& opts = {});
  StatusOr<QueryResult> Range(storage::Queryable& store, std::string_view query, int64_t start_ms,
                              int64_t end_ms, int64_t step_ms, const QueryOptions& opts = {});

  // Queries running now / waiting for a slot (for /metrics).
  int active() const;
  int queued() const;

  struct Slots;

 private:
  EngineOptions options_;
  std::unique_ptr<Slots> slots_;
};

}  // namespace cistern::promql
