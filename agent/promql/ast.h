// The PromQL syntax tree, as the parser produces it and the engine evaluates
// it. Mirrors Prometheus 2.42's promql/parser AST: every node is an Expr with
// a byte range into the query and one alternative of a variant; children are
// owned (ExprPtr). Functions are resolved to their signature-table entry,
// label matchers are compiled, durations are milliseconds. After Parse()
// every Expr carries its checked ValueType.
//
// Plain value types: thread-compatible; a finished tree may be read from
// many threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "agent/storage/label_matcher.h"

namespace cistern::promql {

struct Function;

// Byte offsets into the query: [start, end).
struct PosRange {
  int32_t start = 0;
  int32_t end = 0;
  friend bool operator==(const PosRange&, const PosRange&) = default;
};

enum class ValueType : uint8_t { kNone, kVector, kScalar, kMatrix, kString };
// "vector", "scalar", "matrix", "string", "none" (Prometheus' ValueType).
std::string_view ValueTypeName(ValueType t);
// DocumentedType: "instant vector", "range vector", "scalar", "string", "none".
std::string_view DocumentedType(ValueType t);

enum class BinaryOp : uint8_t {
  kAdd, kSub, kMul, kDiv, kMod, kPow, kAtan2,
  kEql, kNeq, kGtr, kLss, kGte, kLte,  // comparisons
  kAnd, kOr, kUnless,                  // set operators
};
std::string_view BinaryOpString(BinaryOp op);  // "+", "==", "and", "atan2"
bool IsComparison(BinaryOp op);
bool IsSetOperator(BinaryOp op);

enum class AggregateOp : uint8_t {
  kSum, kAvg, kCount, kMin, kMax, kGroup, kStddev, kStdvar,
  kTopK, kBottomK, kCountValues, kQuantile,  // these take a parameter
};
std::string_view AggregateOpString(AggregateOp op);  // "sum", "count_values"
bool HasParam(AggregateOp op);

enum class UnaryOp : uint8_t { kPlus, kMinus };

// The @ modifier: a fixed time, or the query's start/end.
enum class AtKind : uint8_t { kNone, kTimestamp, kStart, kEnd };
struct AtModifier {
  AtKind kind = AtKind::kNone;
  int64_t timestamp_ms = 0;  // for kTimestamp
  friend bool operator==(const AtModifier&, const AtModifier&) = default;
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct NumberLiteral {
  double value = 0;
};

struct StringLiteral {
  std::string value;  // unquoted; may hold any bytes
};

struct VectorSelector {
  std::string name;  // the metric name written outside braces, or ""
  // Matchers in written order; when `name` is set, {__name__="name"} last.
  std::vector<storage::LabelMatcher> matchers;
  int64_t offset_ms = 0;  // "offset 5m" = 300000; may be negative
  AtModifier at;
};

struct MatrixSelector {
  ExprPtr vector_selector;  // always holds a VectorSelector
  int64_t range_ms = 0;
  const VectorSelector& selector() const;
};

struct SubqueryExpr {
  ExprPtr expr;  // instant-vector typed
  int64_t range_ms = 0;
  int64_t step_ms = 0;  // 0: the engine's default step
  int64_t offset_ms = 0;
  AtModifier at;
};

struct UnaryExpr {
  UnaryOp op = UnaryOp::kMinus;
  ExprPtr expr;
};

enum class Cardinality : uint8_t { kOneToOne, kManyToOne, kOneToMany, kManyToMany };

struct VectorMatching {
  Cardinality card = Cardinality::kOneToOne;  // kManyToMany for and/or/unless
  std::vector<std::string> matching_labels;   // on(...) / ignoring(...)
  bool on = false;
  std::vector<std::string> include;  // group_left(...) / group_right(...)
};

struct BinaryExpr {
  BinaryOp op = BinaryOp::kAdd;
  ExprPtr lhs;
  ExprPtr rhs;
  bool return_bool = false;
  // Set only when both sides are instant vectors (as Prometheus' checker).
  std::optional<VectorMatching> matching;
};

struct ParenExpr {
  ExprPtr expr;
};

struct Call {
  const Function* func = nullptr;  // entry of the signature table
  std::vector<ExprPtr> args;
};

struct AggregateExpr {
  AggregateOp op = AggregateOp::kSum;
  ExprPtr expr;
  ExprPtr param;  // topk/bottomk/quantile/count_values only
  std::vector<std::string> grouping;
  bool without = false;
};

using ExprNode = std::variant<NumberLiteral, StringLiteral, VectorSelector, MatrixSelector,
                              SubqueryExpr, UnaryExpr, BinaryExpr, ParenExpr, Call, AggregateExpr>;

struct Expr {
  PosRange pos;
  ValueType type = ValueType::kNone;  // filled by the checker
  ExprNode node;

  template <typename T>
  const T* As() const { return std::get_if<T>(&node); }
  template <typename T>
  T* As() { return std::get_if<T>(&node); }
};

template <typename T>
ExprPtr MakeExpr(PosRange pos, T node) {
  auto e = std::make_unique<Expr>();
  e->pos = pos;
  e->node = std::move(node);
  return e;
}

// The type of an expression from its structure (Prometheus' Expr.Type()).
ValueType TypeOf(const Expr& e);

// Structural equality (node kinds, operators, values, matchers, durations,
// modifiers; NaN equals NaN). Positions compared only when asked.
bool Equal(const Expr& a, const Expr& b, bool compare_positions = false);

}  // namespace cistern::promql
