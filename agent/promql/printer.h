// Format: an expression in Prometheus' canonical String() form, as
// /api/v1/format_query and promtool print it: `sum by (job) (rate(x[5m]))`,
// matchers sorted, durations normalised (`x[90m]` -> `x[1h30m]`), numbers in
// Go's %g form. Parse(Format(e)) yields an equal tree. Thread-safe.
#pragma once

#include <string>

#include "agent/promql/ast.h"

namespace cistern::promql {

std::string Format(const Expr& e);

// Prometheus' Prettify (Expr.Pretty(0)), which /api/v1/format_query returns:
// Format(), except that a node longer than 100 bytes is split over lines,
// its children indented by two spaces per level.
std::string Pretty(const Expr& e);

}  // namespace cistern::promql
