// The PromQL parser: query text -> checked AST, with Prometheus 2.42's
// grammar, type checks and error messages ("1:14: parse error: unexpected
// <op:*>"), so that the HTTP API and rule loading answer like Prometheus.
// Only the first error is reported, as Prometheus' ParseErrors.Error() does.
//
// Stateless free functions, thread-safe; the returned tree owns everything
// (it does not point into the query text).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/base/status.h"
#include "agent/promql/ast.h"
#include "agent/storage/label_matcher.h"

namespace cistern::promql {

struct ParseError {
  PosRange range;       // byte offsets into the query
  std::string message;  // "unexpected identifier \"bar\""
  int line = 0;         // 1-based line of range.start; 0 if the position is invalid
  int column = 0;       // 1-based byte column within that line
  // "2:5: parse error: <message>" (Prometheus' ParseErr.Error()).
  std::string ToString() const;
};

// Parses and type-checks an expression. On failure: InvalidArgument whose
// message is ParseError::ToString(), and *error (if given) filled in.
StatusOr<ExprPtr> ParseExpr(std::string_view query, ParseError* error = nullptr);

// A bare selector as in the match[] parameter of /api/v1/series:
// `up`, `{job="x"}`, `http_requests_total{code=~"5.."}`. Returns its matchers
// (the metric name as a trailing __name__ matcher). Like Prometheus'
// ParseMetricSelector this does not require a non-empty matcher.
StatusOr<std::vector<storage::LabelMatcher>> ParseMetricSelector(std::string_view selector,
                                                                 ParseError* error = nullptr);

}  // namespace cistern::promql
