// Internal to the parser: the token classes and tables of Prometheus 2.42's
// grammar (operator precedence, which keywords may be metric or label names,
// what starts an expression) and where modifiers attach. Pure functions.
#pragma once

#include <cstdint>

#include "agent/promql/ast.h"
#include "agent/promql/token.h"
#include "agent/storage/label_matcher.h"

namespace cistern::promql {

// Binary operator precedence, 0 for non-operators: or < and/unless <
// comparisons < + - < * / % atan2 < ^ (the only right-associative one).
int BinaryPrecedence(TokenType t);
inline constexpr int kPowPrecedence = 6;

BinaryOp ToBinaryOp(TokenType t);
AggregateOp ToAggregateOp(TokenType t);
bool IsMatchOp(TokenType t);
storage::MatchType ToMatchType(TokenType t);

// The grammar's metric_identifier: identifiers plus keywords that may name a
// metric (sum, by, offset, and, start, ...; not on, bool, group_left, atan2).
bool IsMetricIdentifierToken(TokenType t);
// maybe_label: identifiers plus every keyword except `without`.
bool IsMaybeLabel(TokenType t);
// Tokens an expression may start with.
bool CanStartExpr(TokenType t);

// Where `offset` / `@` attach: the selector or subquery's field, or nullptr
// when `e` takes no modifiers.
int64_t* OffsetTarget(Expr* e);
AtModifier* AtTarget(Expr* e);

}  // namespace cistern::promql
