#include "agent/promql/parser_rules.h"

namespace cistern::promql {
namespace {

using T = TokenType;

struct BinaryRule {
  TokenType token;
  BinaryOp op;
  int precedence;
};

constexpr BinaryRule kBinaryRules[] = {
    {T::kLor, BinaryOp::kOr, 1},      {T::kLand, BinaryOp::kAnd, 2},   {T::kLunless, BinaryOp::kUnless, 2},
    {T::kEqlc, BinaryOp::kEql, 3},    {T::kNeq, BinaryOp::kNeq, 3},    {T::kGtr, BinaryOp::kGtr, 3},
    {T::kLss, BinaryOp::kLss, 3},     {T::kGte, BinaryOp::kGte, 3},    {T::kLte, BinaryOp::kLte, 3},
    {T::kAdd, BinaryOp::kAdd, 4},     {T::kSub, BinaryOp::kSub, 4},    {T::kMul, BinaryOp::kMul, 5},
    {T::kDiv, BinaryOp::kDiv, 5},     {T::kMod, BinaryOp::kMod, 5},    {T::kAtan2, BinaryOp::kAtan2, 5},
    {T::kPow, BinaryOp::kPow, kPowPrecedence},
};

struct AggregateRule {
  TokenType token;
  AggregateOp op;
};

constexpr AggregateRule kAggregateRules[] = {
    {T::kSum, AggregateOp::kSum},       {T::kAvg, AggregateOp::kAvg},
    {T::kCount, AggregateOp::kCount},   {T::kMin, AggregateOp::kMin},
    {T::kMax, AggregateOp::kMax},       {T::kGroup, AggregateOp::kGroup},
    {T::kStddev, AggregateOp::kStddev}, {T::kStdvar, AggregateOp::kStdvar},
    {T::kTopK, AggregateOp::kTopK},     {T::kBottomK, AggregateOp::kBottomK},
    {T::kCountValues, AggregateOp::kCountValues}, {T::kQuantile, AggregateOp::kQuantile},
};

}  // namespace

int BinaryPrecedence(TokenType t) {
  for (const BinaryRule& r : kBinaryRules) {
    if (r.token == t) return r.precedence;
  }
  return 0;
}

BinaryOp ToBinaryOp(TokenType t) {
  for (const BinaryRule& r : kBinaryRules) {
    if (r.token == t) return r.op;
  }
  return BinaryOp::kAdd;
}

AggregateOp ToAggregateOp(TokenType t) {
  for (const AggregateRule& r : kAggregateRules) {
    if (r.token == t) return r.op;
  }
  return AggregateOp::kSum;
}

bool IsMatchOp(TokenType t) {
  return t == T::kEql || t == T::kNeq || t == T::kEqlRegex || t == T::kNeqRegex;
}

storage::MatchType ToMatchType(TokenType t) {
  switch (t) {
    case T::kNeq: return storage::MatchType::kNotEqual;
    case T::kEqlRegex: return storage::MatchType::kRegexp;
    case T::kNeqRegex: return storage::MatchType::kNotRegexp;
    default: return storage::MatchType::kEqual;
  }
}

bool IsMetricIdentifierToken(TokenType t) {
  switch (t) {
    case T::kIdentifier:
    case T::kMetricIdentifier:
    case T::kBy:
    case T::kWithout:
    case T::kOffset:
    case T::kLand:
    case T::kLor:
    case T::kLunless:
    case T::kStart:
    case T::kEnd:
      return true;
    default:
      return IsAggregator(t);
  }
}

bool IsMaybeLabel(TokenType t) {
  if (t == T::kWithout) return false;
  return IsMetricIdentifierToken(t) || IsKeyword(t) || t == T::kAtan2;
}

bool CanStartExpr(TokenType t) {
  switch (t) {
    case T::kNumber:
    case T::kString:
    case T::kLeftParen:
    case T::kLeftBrace:
    case T::kAdd:
    case T::kSub:
      return true;
    default:
      return IsMetricIdentifierToken(t);
  }
}

int64_t* OffsetTarget(Expr* e) {
  if (auto* vs = e->As<VectorSelector>()) return &vs->offset_ms;
  if (auto* ms = e->As<MatrixSelector>()) return &ms->vector_selector->As<VectorSelector>()->offset_ms;
  if (auto* sq = e->As<SubqueryExpr>()) return &sq->offset_ms;
  return nullptr;
}

AtModifier* AtTarget(Expr* e) {
  if (auto* vs = e->As<VectorSelector>()) return &vs->at;
  if (auto* ms = e->As<MatrixSelector>()) return &ms->vector_selector->As<VectorSelector>()->at;
  if (auto* sq = e->As<SubqueryExpr>()) return &sq->at;
  return nullptr;
}

}  // namespace cistern::promql
