#include "agent/promql/ast.h"

#include <cmath>

#include "agent/promql/functions.h"

namespace cistern::promql {
namespace {

constexpr std::string_view kBinaryOpStrings[] = {"+",  "-",  "*", "/",  "%",  "^",   "atan2", "==",
                                                 "!=", ">",  "<", ">=", "<=", "and", "or",    "unless"};
constexpr std::string_view kAggregateOpStrings[] = {"sum",    "avg",  "count",   "min",
                                                    "max",    "group", "stddev", "stdvar",
                                                    "topk",   "bottomk", "count_values", "quantile"};

bool SameMatchers(const std::vector<storage::LabelMatcher>& a, const std::vector<storage::LabelMatcher>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].type() != b[i].type() || a[i].name() != b[i].name() || a[i].value() != b[i].value()) return false;
  }
  return true;
}

bool SameNumber(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

bool SameMatching(const std::optional<VectorMatching>& a, const std::optional<VectorMatching>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return a->card == b->card && a->matching_labels == b->matching_labels && a->on == b->on &&
         a->include == b->include;
}

bool SameChild(const ExprPtr& a, const ExprPtr& b, bool pos) {
  if (!a || !b) return !a && !b;
  return Equal(*a, *b, pos);
}

}  // namespace

std::string_view ValueTypeName(ValueType t) {
  switch (t) {
    case ValueType::kNone: return "none";
    case ValueType::kVector: return "vector";
    case ValueType::kScalar: return "scalar";
    case ValueType::kMatrix: return "matrix";
    case ValueType::kString: return "string";
  }
  return "none";
}

std::string_view DocumentedType(ValueType t) {
  switch (t) {
    case ValueType::kVector: return "instant vector";
    case ValueType::kMatrix: return "range vector";
    default: return ValueTypeName(t);
  }
}

std::string_view BinaryOpString(BinaryOp op) { return kBinaryOpStrings[static_cast<size_t>(op)]; }
bool IsComparison(BinaryOp op) { return op >= BinaryOp::kEql && op <= BinaryOp::kLte; }
bool IsSetOperator(BinaryOp op) { return op >= BinaryOp::kAnd; }

std::string_view AggregateOpString(AggregateOp op) { return kAggregateOpStrings[static_cast<size_t>(op)]; }
bool HasParam(AggregateOp op) { return op >= AggregateOp::kTopK; }

const VectorSelector& MatrixSelector::selector() const {
  return std::get<VectorSelector>(vector_selector->node);
}

ValueType TypeOf(const Expr& e) {
  struct Visitor {
    ValueType operator()(const NumberLiteral&) const { return ValueType::kScalar; }
    ValueType operator()(const StringLiteral&) const { return ValueType::kString; }
    ValueType operator()(const VectorSelector&) const { return ValueType::kVector; }
    ValueType operator()(const MatrixSelector&) const { return ValueType::kMatrix; }
    ValueType operator()(const SubqueryExpr&) const { return ValueType::kMatrix; }
    ValueType operator()(const UnaryExpr& u) const { return TypeOf(*u.expr); }
    ValueType operator()(const ParenExpr& p) const { return TypeOf(*p.expr); }
    ValueType operator()(const Call& c) const { return c.func->return_type; }
    ValueType operator()(const AggregateExpr&) const { return ValueType::kVector; }
    ValueType operator()(const BinaryExpr& b) const {
      if (TypeOf(*b.lhs) == ValueType::kScalar && TypeOf(*b.rhs) == ValueType::kScalar) return ValueType::kScalar;
      return ValueType::kVector;
    }
  };
  return std::visit(Visitor{}, e.node);
}

bool Equal(const Expr& a, const Expr& b, bool pos) {
  if (a.node.index() != b.node.index()) return false;
  if (pos && !(a.pos == b.pos)) return false;
  if (auto* x = a.As<NumberLiteral>()) return SameNumber(x->value, b.As<NumberLiteral>()->value);
  if (auto* x = a.As<StringLiteral>()) return x->value == b.As<StringLiteral>()->value;
  if (auto* x = a.As<VectorSelector>()) {
    auto* y = b.As<VectorSelector>();
    return x->name == y->name && SameMatchers(x->matchers, y->matchers) && x->offset_ms == y->offset_ms &&
           x->at == y->at;
  }
  if (auto* x = a.As<MatrixSelector>()) {
    auto* y = b.As<MatrixSelector>();
    return x->range_ms == y->range_ms && SameChild(x->vector_selector, y->vector_selector, pos);
  }
  if (auto* x = a.As<SubqueryExpr>()) {
    auto* y = b.As<SubqueryExpr>();
    return x->range_ms == y->range_ms && x->step_ms == y->step_ms && x->offset_ms == y->offset_ms &&
           x->at == y->at && SameChild(x->expr, y->expr, pos);
  }
  if (auto* x = a.As<UnaryExpr>()) {
    auto* y = b.As<UnaryExpr>();
    return x->op == y->op && SameChild(x->expr, y->expr, pos);
  }
  if (auto* x = a.As<BinaryExpr>()) {
    auto* y = b.As<BinaryExpr>();
    return x->op == y->op && x->return_bool == y->return_bool && SameMatching(x->matching, y->matching) &&
           SameChild(x->lhs, y->lhs, pos) && SameChild(x->rhs, y->rhs, pos);
  }
  if (auto* x = a.As<ParenExpr>()) return SameChild(x->expr, b.As<ParenExpr>()->expr, pos);
  if (auto* x = a.As<Call>()) {
    auto* y = b.As<Call>();
    if (x->func != y->func || x->args.size() != y->args.size()) return false;
    for (size_t i = 0; i < x->args.size(); ++i) {
      if (!SameChild(x->args[i], y->args[i], pos)) return false;
    }
    return true;
  }
  auto* x = a.As<AggregateExpr>();
  auto* y = b.As<AggregateExpr>();
  return x->op == y->op && x->grouping == y->grouping && x->without == y->without &&
         SameChild(x->expr, y->expr, pos) && SameChild(x->param, y->param, pos);
}

}  // namespace cistern::promql
