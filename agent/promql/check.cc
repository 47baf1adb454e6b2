#include "agent/promql/check.h"

#include "agent/model/labels.h"
#include "agent/promql/functions.h"
#include "agent/promql/go_quote.h"

namespace cistern::promql::internal {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Prometheus' checkAST, in its order of checks (the first error wins).
class Checker {
 public:
  explicit Checker(std::string_view query) : query_(query) {}

  ValueType Check(Expr& e);
  bool failed() const { return failed_; }
  PosRange range;
  std::string message;

 private:
  void Fail(PosRange r, std::string m) {
    if (failed_) return;
    failed_ = true;
    range = r;
    message = std::move(m);
  }
  void ExpectType(Expr& e, ValueType want, std::string_view context) {
    ValueType t = Check(e);
    if (t != want) {
      Fail(e.pos, "expected type " + std::string(DocumentedType(want)) + " in " + std::string(context) + ", got " +
                      std::string(DocumentedType(t)));
    }
  }
  // The operator between the operands, trimmed of spaces.
  PosRange OpRange(const BinaryExpr& b) const {
    PosRange r{b.lhs->pos.end, b.rhs->pos.start - 1};
    auto n = static_cast<int32_t>(query_.size());
    while (r.start < n && IsSpace(query_[static_cast<size_t>(r.start)])) ++r.start;
    while (r.end > 0 && r.end < n && IsSpace(query_[static_cast<size_t>(r.end)])) --r.end;
    return r;
  }
  void CheckBinary(Expr& e, BinaryExpr& b);
  void CheckCall(Expr& e, Call& c);
  void CheckSelector(Expr& e, const VectorSelector& vs);

  std::string_view query_;
  bool failed_ = false;
};

ValueType Checker::Check(Expr& e) {
  ValueType type = TypeOf(e);
  e.type = type;
  if (auto* agg = e.As<AggregateExpr>()) {
    ExpectType(*agg->expr, ValueType::kVector, "aggregation expression");
    if (agg->op == AggregateOp::kTopK || agg->op == AggregateOp::kBottomK || agg->op == AggregateOp::kQuantile) {
      ExpectType(*agg->param, ValueType::kScalar, "aggregation parameter");
    }
    if (agg->op == AggregateOp::kCountValues) ExpectType(*agg->param, ValueType::kString, "aggregation parameter");
  } else if (auto* b = e.As<BinaryExpr>()) {
    CheckBinary(e, *b);
  } else if (auto* c = e.As<Call>()) {
    CheckCall(e, *c);
  } else if (auto* p = e.As<ParenExpr>()) {
    Check(*p->expr);
  } else if (auto* u = e.As<UnaryExpr>()) {
    ValueType t = Check(*u->expr);
    if (t != ValueType::kScalar && t != ValueType::kVector) {
      Fail(e.pos, "unary expression only allowed on expressions of type scalar or instant vector, got " +
                      GoQuote(DocumentedType(t)));
    }
  } else if (auto* sq = e.As<SubqueryExpr>()) {
    ValueType t = Check(*sq->expr);
    if (t != ValueType::kVector) {
      Fail(e.pos, "subquery is only allowed on instant vector, got " + std::string(ValueTypeName(t)) + " instead");
    }
  } else if (auto* ms = e.As<MatrixSelector>()) {
    Check(*ms->vector_selector);
  } else if (auto* vs = e.As<VectorSelector>()) {
    CheckSelector(e, *vs);
  }
  return type;
}

void Checker::CheckBinary(Expr& e, BinaryExpr& b) {
  ValueType lt = Check(*b.lhs);
  ValueType rt = Check(*b.rhs);
  VectorMatching& vm = *b.matching;  // the parser always sets it
  if (b.return_bool && !IsComparison(b.op)) Fail(OpRange(b), "bool modifier can only be used on comparison operators");
  if (IsComparison(b.op) && !b.return_bool && rt == ValueType::kScalar && lt == ValueType::kScalar) {
    Fail(OpRange(b), "comparisons between scalars must use BOOL modifier");
  }
  if (IsSetOperator(b.op) && vm.card == Cardinality::kOneToOne) vm.card = Cardinality::kManyToMany;
  for (const std::string& l1 : vm.matching_labels) {
    for (const std::string& l2 : vm.include) {
      if (l1 == l2 && vm.on) Fail(OpRange(b), "label " + GoQuote(l1) + " must not occur in ON and GROUP clause at once");
    }
  }
  if (lt != ValueType::kScalar && lt != ValueType::kVector) {
    Fail(b.lhs->pos, "binary expression must contain only scalar and instant vector types");
  }
  if (rt != ValueType::kScalar && rt != ValueType::kVector) {
    Fail(b.rhs->pos, "binary expression must contain only scalar and instant vector types");
  }
  std::string op_quoted = GoQuote(BinaryOpString(b.op));
  if (lt != ValueType::kVector || rt != ValueType::kVector) {
    if (!vm.matching_labels.empty()) Fail(e.pos, "vector matching only allowed between instant vectors");
    b.matching.reset();
  } else if (IsSetOperator(b.op)) {
    if (vm.card == Cardinality::kOneToMany || vm.card == Cardinality::kManyToOne) {
      Fail(e.pos, "no grouping allowed for " + op_quoted + " operation");
    }
    if (vm.card != Cardinality::kManyToMany) Fail(e.pos, "set operations must always be many-to-many");
  }
  if ((lt == ValueType::kScalar || rt == ValueType::kScalar) && IsSetOperator(b.op)) {
    Fail(e.pos, "set operator " + op_quoted + " not allowed in binary scalar expression");
  }
}

void Checker::CheckCall(Expr& e, Call& c) {
  const Function& f = *c.func;
  size_t nargs = f.num_args;
  size_t got = c.args.size();
  std::string name = GoQuote(f.name);
  if (f.variadic == 0) {
    if (nargs != got) {
      Fail(e.pos, "expected " + std::to_string(nargs) + " argument(s) in call to " + name + ", got " +
                      std::to_string(got));
    }
  } else {
    size_t na = nargs - 1;
    if (na > got) {
      Fail(e.pos, "expected at least " + std::to_string(na) + " argument(s) in call to " + name + ", got " +
                      std::to_string(got));
    } else if (f.variadic > 0 && na + static_cast<size_t>(f.variadic) < got) {
      Fail(e.pos, "expected at most " + std::to_string(na + static_cast<size_t>(f.variadic)) +
                      " argument(s) in call to " + name + ", got " + std::to_string(got));
    }
  }
  std::string context = "call to function " + name;
  for (size_t i = 0; i < got; ++i) {
    size_t k = i;
    if (k >= nargs) {
      if (f.variadic == 0) break;
      k = nargs - 1;
    }
    ExpectType(*c.args[i], f.arg_types[k], context);
  }
}

void Checker::CheckSelector(Expr& e, const VectorSelector& vs) {
  if (!vs.name.empty()) {
    // The last matcher is the one for the name written outside the braces.
    for (size_t i = 0; i + 1 < vs.matchers.size(); ++i) {
      if (vs.matchers[i].name() == model::kMetricName) {
        Fail(e.pos, "metric name must not be set twice: " + GoQuote(vs.name) + " or " +
                        GoQuote(vs.matchers[i].value()));
      }
    }
    return;
  }
  for (const storage::LabelMatcher& m : vs.matchers) {
    if (!m.Matches("")) return;
  }
  Fail(e.pos, "vector selector must contain at least one non-empty matcher");
}

}  // namespace

bool CheckAst(std::string_view query, Expr* root, PosRange* err_range, std::string* err_message) {
  Checker c(query);
  c.Check(*root);
  if (!c.failed()) return true;
  *err_range = c.range;
  *err_message = std::move(c.message);
  return false;
}

}  // namespace cistern::promql::internal
