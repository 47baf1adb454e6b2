// Selectors, label matchers, grouping labels, binary-operator modifiers and
// the postfix modifiers ([range], [range:step], offset, @) of the Parser.
#include <cmath>

#include "agent/model/labels.h"
#include "agent/promql/duration.h"
#include "agent/promql/go_quote.h"
#include "agent/promql/go_regexp.h"
#include "agent/promql/literals.h"
#include "agent/promql/parser_impl.h"
#include "agent/promql/parser_rules.h"

namespace cistern::promql::internal {

using T = TokenType;

ExprPtr Parser::ParsePostfix(ExprPtr e) {
  while (e) {
    const Token& t = Peek();
    if (failed_) return nullptr;
    if (t.type == T::kLeftBracket) {
      e = ParseRangeOrSubquery(std::move(e));
    } else if (t.type == T::kOffset) {
      e = ParseOffset(std::move(e));
    } else if (t.type == T::kAt) {
      e = ParseAt(std::move(e));
    } else {
      break;
    }
  }
  return e;
}

ExprPtr Parser::ParseVectorSelector(const Token* name) {
  VectorSelector vs;
  PosRange pos;
  if (name) {
    vs.name = std::string(name->value);
    pos = {name->pos, name->end()};
  }
  const Token& t = Peek();
  if (failed_) return nullptr;
  if (t.type == T::kLeftBrace) {
    if (!name) pos.start = t.pos;
    if (!ParseLabelMatchers(&vs.matchers, &pos.end)) return nullptr;
  }
  if (name) {
    auto m = storage::LabelMatcher::Make(storage::MatchType::kEqual, std::string(model::kMetricName), vs.name);
    vs.matchers.push_back(std::move(m).value());
  }
  height_ = 1;
  return MakeExpr(pos, std::move(vs));
}

bool Parser::ParseLabelMatchers(std::vector<storage::LabelMatcher>* out, int32_t* end) {
  Take();  // {
  const Token& first = Peek();
  if (failed_) return false;
  if (first.type == T::kRightBrace) {
    *end = Take().end();
    return true;
  }
  for (;;) {
    const Token& t = Peek();
    if (failed_) return false;
    if (t.type != T::kIdentifier) {
      Unexpected(t, "label matching", "identifier or \"}\"");
      return false;
    }
    Token name = Take();
    const Token& op = Peek();
    if (failed_) return false;
    if (!IsMatchOp(op.type)) {
      Unexpected(op, "label matching", "label matching operator");
      return false;
    }
    Token op_tok = Take();
    const Token& value = Peek();
    if (failed_) return false;
    if (value.type != T::kString) {
      Unexpected(value, "label matching", "string");
      return false;
    }
    Token value_tok = Take();
    std::optional<storage::LabelMatcher> m = MakeMatcher(name, op_tok, value_tok);
    if (!m) return false;
    out->push_back(std::move(*m));
    const Token& n = Peek();
    if (failed_) return false;
    if (n.type == T::kComma) {
      Take();
      const Token& n2 = Peek();
      if (failed_) return false;
      if (n2.type == T::kRightBrace) {
        *end = Take().end();
        return true;
      }
      continue;
    }
    if (n.type == T::kRightBrace) {
      *end = Take().end();
      return true;
    }
    Unexpected(n, "label matching", "\",\" or \"}\"");
    return false;
  }
}

std::optional<storage::LabelMatcher> Parser::MakeMatcher(const Token& name, const Token& op, const Token& value) {
  std::string v;
  if (!UnquoteString(value.value, &v)) {
    Fail({value.pos, value.end()}, "error unquoting string " + GoQuote(value.value) + ": invalid syntax");
    return std::nullopt;
  }
  storage::MatchType type = ToMatchType(op.type);
  PosRange range{name.pos, value.end()};
  if (type == storage::MatchType::kRegexp || type == storage::MatchType::kNotRegexp) {
    if (auto err = GoRegexpError(v)) {
      Fail(range, *err);
      return std::nullopt;
    }
  }
  auto m = storage::LabelMatcher::Make(type, std::string(name.value), std::move(v));
  if (!m.ok()) {
    Fail(range, m.status().message());
    return std::nullopt;
  }
  return std::move(m).value();
}

bool Parser::ParseGroupingLabels(std::vector<std::string>* out, int32_t* end) {
  const Token& t = Peek();
  if (failed_) return false;
  if (t.type != T::kLeftParen) {
    Unexpected(t, "grouping opts", "\"(\"");
    return false;
  }
  Take();
  if (Peek().type == T::kRightParen) {
    *end = Take().end();
    return true;
  }
  for (;;) {
    const Token& l = Peek();
    if (failed_) return false;
    if (!IsMaybeLabel(l.type)) {
      Unexpected(l, "grouping opts", "label");
      return false;
    }
    Token label = Take();
    if (!model::IsValidLabelName(label.value)) {
      Unexpected(label, "grouping opts", "label");
      return false;
    }
    out->emplace_back(label.value);
    const Token& n = Peek();
    if (failed_) return false;
    if (n.type == T::kComma) {
      Take();
      if (Peek().type == T::kRightParen) {
        *end = Take().end();
        return true;
      }
      continue;
    }
    if (n.type == T::kRightParen) {
      *end = Take().end();
      return true;
    }
    Unexpected(n, "grouping opts", "\",\" or \")\"");
    return false;
  }
}

bool Parser::ParseBinModifiers(BinaryExpr* b) {
  VectorMatching vm;
  int32_t end;
  if (Peek().type == T::kBool) {
    Take();
    b->return_bool = true;
  }
  const Token& t = Peek();
  if (failed_) return false;
  if (t.type == T::kOn || t.type == T::kIgnoring) {
    vm.on = Take().type == T::kOn;
    if (!ParseGroupingLabels(&vm.matching_labels, &end)) return false;
    const Token& g = Peek();
    if (failed_) return false;
    if (g.type == T::kGroupLeft || g.type == T::kGroupRight) {
      vm.card = Take().type == T::kGroupLeft ? Cardinality::kManyToOne : Cardinality::kOneToMany;
      const Token& l = Peek();
      if (failed_) return false;
      if (l.type == T::kLeftParen || !CanStartExpr(l.type)) {
        if (!ParseGroupingLabels(&vm.include, &end)) return false;
      }
    }
  }
  b->matching = std::move(vm);
  return true;
}

ExprPtr Parser::ParseRangeOrSubquery(ExprPtr e) {
  Token lb = Take();
  const Token& t = Peek();
  if (failed_) return nullptr;
  if (t.type != T::kDuration) {
    Unexpected(t, "subquery selector", "duration");
    return nullptr;
  }
  int64_t range;
  if (!DurationValue(Take(), &range)) return nullptr;
  const Token& n = Peek();
  if (failed_) return nullptr;
  if (n.type == T::kRightBracket) {
    Token rb = Take();
    const VectorSelector* vs = e->As<VectorSelector>();
    const char* err = nullptr;
    if (!vs) {
      err = "ranges only allowed for vector selectors";
    } else if (vs->offset_ms != 0) {
      err = "no offset modifiers allowed before range";
    } else if (vs->at.kind == AtKind::kTimestamp) {
      err = "no @ modifiers allowed before range";
    }
    if (err) {
      Fail({lb.pos, rb.end()}, err);
      return nullptr;
    }
    PosRange pos{e->pos.start, rb.end()};
    ++height_;
    return MakeExpr(pos, MatrixSelector{std::move(e), range});
  }
  if (n.type != T::kColon) {
    Unexpected(n, "subquery or range", "\":\" or \"]\"");
    return nullptr;
  }
  Take();
  int64_t step = 0;
  const Token& s = Peek();
  if (failed_) return nullptr;
  if (s.type == T::kDuration) {
    if (!DurationValue(Take(), &step)) return nullptr;
    const Token& r = Peek();
    if (failed_) return nullptr;
    if (r.type != T::kRightBracket) {
      Unexpected(r, "subquery selector", "\"]\"");
      return nullptr;
    }
  } else if (s.type != T::kRightBracket) {
    Unexpected(s, "subquery selector", "duration or \"]\"");
    return nullptr;
  }
  Token rb = Take();
  PosRange pos{e->pos.start, rb.pos + 1};
  SubqueryExpr sq;
  sq.expr = std::move(e);
  sq.range_ms = range;
  sq.step_ms = step;
  if (!Deeper(rb, ++height_)) return nullptr;
  return MakeExpr(pos, std::move(sq));
}

ExprPtr Parser::ParseOffset(ExprPtr e) {
  Take();  // offset
  bool negative = Peek().type == T::kSub;
  if (negative) Take();
  const Token& t = Peek();
  if (failed_) return nullptr;
  if (t.type != T::kDuration) {
    Unexpected(t, "offset", "duration");
    return nullptr;
  }
  Token d = Take();
  int64_t ms;
  if (!DurationValue(d, &ms)) return nullptr;
  int64_t* target = OffsetTarget(e.get());
  if (!target) {
    Fail(e->pos, "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery");
    return nullptr;
  }
  if (*target != 0) {
    Fail(e->pos, "offset may not be set multiple times");
    return nullptr;
  }
  *target = negative ? -ms : ms;
  e->pos.end = d.end();
  return e;
}

ExprPtr Parser::ParseAt(ExprPtr e) {
  Take();  // @
  const Token& t = Peek();
  if (failed_) return nullptr;
  AtModifier at;
  int32_t end;
  if (t.type == T::kNumber || t.type == T::kAdd || t.type == T::kSub) {
    bool negative = false;
    if (t.type != T::kNumber) {
      negative = Take().type == T::kSub;
      const Token& n = Peek();
      if (failed_) return nullptr;
      if (n.type != T::kNumber) {
        Unexpected(n, "@", "timestamp");
        return nullptr;
      }
    }
    Token num = Take();
    double ts;
    if (!NumberValue(num, &ts)) return nullptr;
    if (negative) ts = -ts;
    if (std::isinf(ts) || std::isnan(ts) || ts >= 9223372036854775807.0 || ts <= -9223372036854775808.0) {
      Fail(e->pos, "timestamp out of bounds for @ modifier: " + FormatGoF(ts));
      return nullptr;
    }
    at = {AtKind::kTimestamp, FromFloatSeconds(ts)};
    end = num.end();
  } else if (t.type == T::kStart || t.type == T::kEnd) {
    at.kind = Take().type == T::kStart ? AtKind::kStart : AtKind::kEnd;
    for (T want : {T::kLeftParen, T::kRightParen}) {
      const Token& p = Peek();
      if (failed_) return nullptr;
      if (p.type != want) {
        Unexpected(p, "@", "timestamp");
        return nullptr;
      }
      end = Take().end();
    }
  } else {
    Unexpected(t, "@", "timestamp");
    return nullptr;
  }
  AtModifier* target = AtTarget(e.get());
  if (!target) {
    Fail(e->pos, "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery");
    return nullptr;
  }
  if (target->kind != AtKind::kNone) {
    Fail(e->pos, "@ <timestamp> may not be set multiple times");
    return nullptr;
  }
  *target = at;
  e->pos.end = end;
  return e;
}

bool Parser::DurationValue(const Token& t, int64_t* ms) {
  auto d = ParseDuration(t.value);
  if (!d.ok()) {
    Fail({t.pos, t.end()}, d.status().message());
    return false;
  }
  if (*d == 0) {
    Fail({t.pos, t.end()}, "duration must be greater than 0");
    return false;
  }
  *ms = *d;
  return true;
}

bool Parser::NumberValue(const Token& t, double* v) {
  std::string err;
  if (!ParseNumberLiteral(t.value, v, &err)) {
    Fail({t.pos, t.end()}, "error parsing number: " + err);
    return false;
  }
  return true;
}

}  // namespace cistern::promql::internal
