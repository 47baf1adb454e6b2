#include "agent/promql/printer.h"

#include <algorithm>
#include <cstdio>

#include "agent/base/float_format.h"
#include "agent/model/labels.h"
#include "agent/promql/duration.h"
#include "agent/promql/functions.h"
#include "agent/promql/go_quote.h"

namespace cistern::promql {
namespace {

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += sep;
    out += v[i];
  }
  return out;
}

// " @ 10.000" / " @ start()" then " offset 5m" / " offset -5m".
std::string ModifierSuffix(const AtModifier& at, int64_t offset_ms) {
  std::string out;
  switch (at.kind) {
    case AtKind::kTimestamp: {
      char buf[64];
      std::snprintf(buf, sizeof buf, " @ %.3f", static_cast<double>(at.timestamp_ms) / 1000.0);
      out += buf;
      break;
    }
    case AtKind::kStart: out += " @ start()"; break;
    case AtKind::kEnd: out += " @ end()"; break;
    case AtKind::kNone: break;
  }
  if (offset_ms > 0) out += " offset " + FormatDuration(offset_ms);
  if (offset_ms < 0) out += " offset -" + FormatDuration(-offset_ms);
  return out;
}

// The selector without its modifiers: name{sorted matchers}.
std::string SelectorBody(const VectorSelector& vs) {
  std::vector<std::string> parts;
  for (const storage::LabelMatcher& m : vs.matchers) {
    if (m.name() == model::kMetricName && m.type() == storage::MatchType::kEqual && m.value() == vs.name) continue;
    parts.push_back(m.name() + std::string(storage::MatchTypeString(m.type())) + GoQuote(m.value()));
  }
  if (parts.empty()) return vs.name;
  std::sort(parts.begin(), parts.end());
  return vs.name + "{" + Join(parts, ",") + "}";
}

std::string MatchingString(const BinaryExpr& b) {
  if (!b.matching) return "";
  const VectorMatching& vm = *b.matching;
  if (vm.matching_labels.empty() && !vm.on) return "";
  std::string out = vm.on ? " on (" : " ignoring (";
  out += Join(vm.matching_labels, ", ") + ")";
  if (vm.card == Cardinality::kManyToOne || vm.card == Cardinality::kOneToMany) {
    out += vm.card == Cardinality::kManyToOne ? " group_left (" : " group_right (";
    out += Join(vm.include, ", ") + ")";
  }
  return out;
}

struct Printer {
  std::string operator()(const NumberLiteral& n) const { return FormatFloatG(n.value); }
  std::string operator()(const StringLiteral& s) const { return GoQuote(s.value); }
  std::string operator()(const VectorSelector& vs) const { return SelectorBody(vs) + ModifierSuffix(vs.at, vs.offset_ms); }
  std::string operator()(const MatrixSelector& ms) const {
    const VectorSelector& vs = ms.selector();
    return SelectorBody(vs) + "[" + FormatDuration(ms.range_ms) + "]" + ModifierSuffix(vs.at, vs.offset_ms);
  }
  std::string operator()(const SubqueryExpr& sq) const {
    std::string step = sq.step_ms != 0 ? FormatDuration(sq.step_ms) : "";
    return Format(*sq.expr) + "[" + FormatDuration(sq.range_ms) + ":" + step + "]" +
           ModifierSuffix(sq.at, sq.offset_ms);
  }
  std::string operator()(const UnaryExpr& u) const { return (u.op == UnaryOp::kMinus ? "-" : "+") + Format(*u.expr); }
  std::string operator()(const BinaryExpr& b) const {
    return Format(*b.lhs) + " " + std::string(BinaryOpString(b.op)) + (b.return_bool ? " bool" : "") +
           MatchingString(b) + " " + Format(*b.rhs);
  }
  std::string operator()(const ParenExpr& p) const { return "(" + Format(*p.expr) + ")"; }
  std::string operator()(const Call& c) const {
    std::string out = std::string(c.func->name) + "(";
    for (size_t i = 0; i < c.args.size(); ++i) {
      if (i > 0) out += ", ";
      out += Format(*c.args[i]);
    }
    return out + ")";
  }
  std::string operator()(const AggregateExpr& a) const {
    std::string out(AggregateOpString(a.op));
    if (a.without) {
      out += " without (" + Join(a.grouping, ", ") + ") ";
    } else if (!a.grouping.empty()) {
      out += " by (" + Join(a.grouping, ", ") + ") ";
    }
    out += "(";
    if (a.param) out += Format(*a.param) + ", ";
    return out + Format(*a.expr) + ")";
  }
};

}  // namespace

std::string Format(const Expr& e) { return std::visit(Printer{}, e.node); }

namespace {

constexpr size_t kMaxCharactersPerLine = 100;

std::string Indent(int level) { return std::string(static_cast<size_t>(level) * 2, ' '); }

std::string PrettyAt(const Expr& e, int level);

struct PrettyPrinter {
  const Expr& e;
  int level;
  bool Split() const { return Format(e).size() > kMaxCharactersPerLine; }
  std::string Plain() const { return Indent(level) + Format(e); }

  std::string operator()(const NumberLiteral&) const { return Plain(); }
  std::string operator()(const StringLiteral&) const { return Plain(); }
  std::string operator()(const VectorSelector&) const { return Plain(); }
  std::string operator()(const MatrixSelector&) const { return Plain(); }
  std::string operator()(const SubqueryExpr& sq) const {
    if (!Split()) return Format(e);  // no indent: as Prometheus
    std::string step = sq.step_ms != 0 ? FormatDuration(sq.step_ms) : "";
    return PrettyAt(*sq.expr, level) + "[" + FormatDuration(sq.range_ms) + ":" + step + "]" +
           ModifierSuffix(sq.at, sq.offset_ms);
  }
  std::string operator()(const UnaryExpr& u) const {
    std::string child = PrettyAt(*u.expr, level);
    size_t b = child.find_first_not_of(" \t\n\r\v\f");
    size_t en = child.find_last_not_of(" \t\n\r\v\f");
    child = b == std::string::npos ? "" : child.substr(b, en - b + 1);
    return Indent(level) + (u.op == UnaryOp::kMinus ? "-" : "+") + child;
  }
  std::string operator()(const BinaryExpr& b) const {
    if (!Split()) return Plain();
    return PrettyAt(*b.lhs, level + 1) + "\n" + Indent(level) + std::string(BinaryOpString(b.op)) +
           (b.return_bool ? " bool" : "") + MatchingString(b) + "\n" + PrettyAt(*b.rhs, level + 1);
  }
  std::string operator()(const ParenExpr& p) const {
    if (!Split()) return Plain();
    return Indent(level) + "(\n" + PrettyAt(*p.expr, level + 1) + "\n" + Indent(level) + ")";
  }
  std::string operator()(const Call& c) const {
    if (!Split()) return Plain();
    std::string args;
    for (size_t i = 0; i < c.args.size(); ++i) {
      if (i > 0) args += ",\n";
      args += PrettyAt(*c.args[i], level + 1);
    }
    return Indent(level) + std::string(c.func->name) + "(\n" + args + "\n" + Indent(level) + ")";
  }
  std::string operator()(const AggregateExpr& a) const {
    if (!Split()) return Plain();
    std::string out = Indent(level) + std::string(AggregateOpString(a.op));
    if (a.without) {
      out += " without (" + Join(a.grouping, ", ") + ") ";
    } else if (!a.grouping.empty()) {
      out += " by (" + Join(a.grouping, ", ") + ") ";
    }
    out += "(\n";
    if (a.param) out += PrettyAt(*a.param, level + 1) + ",\n";
    return out + PrettyAt(*a.expr, level + 1) + "\n" + Indent(level) + ")";
  }
};

std::string PrettyAt(const Expr& e, int level) { return std::visit(PrettyPrinter{e, level}, e.node); }

}  // namespace

std::string Pretty(const Expr& e) { return PrettyAt(e, 0); }

}  // namespace cistern::promql
