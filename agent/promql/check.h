// Internal to the parser: Prometheus' checkAST (type checks and the rules the
// grammar leaves to it), run on a syntactically valid tree. Sets Expr::type on
// every node, turns set operations many-to-many and drops vector matching
// where a side is not an instant vector. Not thread-safe per tree.
#pragma once

#include <string>
#include <string_view>

#include "agent/promql/ast.h"

namespace cistern::promql::internal {

// False on the first violation, with its range and message.
bool CheckAst(std::string_view query, Expr* root, PosRange* err_range, std::string* err_message);

}  // namespace cistern::promql::internal
