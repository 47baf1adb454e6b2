// A recursive-descent rendering of Prometheus 2.42's yacc grammar
// (generated_parser.y). Syntax errors name the same context as the grammar's
// error productions would: the innermost of label matching, grouping opts,
// offset, @, subquery brackets and aggregation, else none. Semantic errors
// are raised at the moment the yacc actions would run, so that the first
// error (the only one reported) is the same.
#include "agent/promql/parser.h"

#include <algorithm>

#include "agent/promql/check.h"
#include "agent/promql/functions.h"
#include "agent/promql/go_quote.h"
#include "agent/promql/literals.h"
#include "agent/promql/parser_impl.h"
#include "agent/promql/parser_rules.h"

namespace cistern::promql {
namespace internal {

using T = TokenType;


const Token& Parser::Peek() {
  if (!has_peek_) {
    do {
      peek_ = lex_.Next();
    } while (peek_.type == T::kComment);
    has_peek_ = true;
    if (peek_.type == T::kError) {
      lex_error_ = std::string(peek_.value);
      peek_.value = lex_error_;
      Fail({peek_.pos, static_cast<int32_t>(input_.size())}, lex_error_);
    }
  }
  return peek_;
}

Token Parser::Take() {
  Peek();
  has_peek_ = false;
  return peek_;
}

void Parser::Fail(PosRange r, std::string message) {
  if (failed_) return;
  failed_ = true;
  err_range_ = r;
  err_message_ = std::move(message);
}

void Parser::Unexpected(const Token& t, std::string_view context, std::string_view expected) {
  if (failed_) return;  // a lexer error was reported already
  std::string msg = "unexpected " + DescribeToken(t);
  if (!context.empty()) msg += " in " + std::string(context);
  if (!expected.empty()) msg += ", expected " + std::string(expected);
  Fail({t.pos, t.end()}, std::move(msg));
}

ExprPtr Parser::ParseTop() {
  const Token& t = Peek();
  if (failed_) return nullptr;
  if (t.type == T::kEOF) {
    Fail({0, 0}, "no expression found in input");
    return nullptr;
  }
  ExprPtr e = ParseExpr(0);
  if (!e) return nullptr;
  const Token& end = Peek();
  if (failed_) return nullptr;
  if (end.type != T::kEOF) {
    Unexpected(end, "", "");
    return nullptr;
  }
  return e;
}

bool Parser::ParseSelectorTop(std::vector<storage::LabelMatcher>* out) {
  const Token& t = Peek();
  if (failed_) return false;
  ExprPtr e;
  if (t.type == T::kLeftBrace) {
    e = ParseVectorSelector(nullptr);
  } else if (IsMetricIdentifierToken(t.type)) {
    Token name = Take();
    e = ParseVectorSelector(&name);
  } else {
    Unexpected(t, "", "");
    return false;
  }
  if (!e) return false;
  const Token& end = Peek();
  if (failed_) return false;
  if (end.type != T::kEOF) {
    Unexpected(end, "", "");
    return false;
  }
  *out = std::move(e->As<VectorSelector>()->matchers);
  return true;
}

bool Parser::Deeper(const Token& at, int height) {
  if (height <= kMaxHeight) return true;
  Fail({at.pos, at.end()}, "expression nests too deeply (more than " + std::to_string(kMaxHeight) + " levels)");
  return false;
}

ExprPtr Parser::ParseExpr(int min_prec) {
  struct DepthGuard {
    int* d;
    ~DepthGuard() { --*d; }
  } guard{&depth_};
  if (!Deeper(Peek(), ++depth_)) return nullptr;
  ExprPtr lhs = ParseUnary();
  int lhs_height = height_;
  while (lhs) {
    const Token& t = Peek();
    if (failed_) return nullptr;
    int prec = BinaryPrecedence(t.type);
    if (prec == 0 || prec < min_prec) break;
    Token op = Take();
    BinaryExpr b;
    b.op = ToBinaryOp(op.type);
    if (!ParseBinModifiers(&b)) return nullptr;
    ExprPtr rhs = ParseExpr(op.type == T::kPow ? prec : prec + 1);
    if (!rhs) return nullptr;
    lhs_height = std::max(lhs_height, height_) + 1;
    if (!Deeper(op, lhs_height)) return nullptr;
    PosRange pos{lhs->pos.start, rhs->pos.end};
    b.lhs = std::move(lhs);
    b.rhs = std::move(rhs);
    lhs = MakeExpr(pos, std::move(b));
  }
  height_ = lhs_height;
  return lhs;
}

ExprPtr Parser::ParseUnary() {
  const Token& t = Peek();
  if (failed_) return nullptr;
  if (t.type != T::kAdd && t.type != T::kSub) return ParsePostfix(ParsePrimary());
  Token op = Take();
  // `unary_op expr %prec MUL`: the operand extends over ^ only.
  ExprPtr operand = ParseExpr(kPowPrecedence);
  if (!operand) return nullptr;
  if (auto* n = operand->As<NumberLiteral>()) {
    if (op.type == T::kSub) n->value = -n->value;
    operand->pos.start = op.pos;
    return operand;
  }
  if (!Deeper(op, ++height_)) return nullptr;
  PosRange pos{op.pos, operand->pos.end};
  return MakeExpr(pos, UnaryExpr{op.type == T::kSub ? UnaryOp::kMinus : UnaryOp::kPlus, std::move(operand)});
}

ExprPtr Parser::ParsePrimary() {
  const Token& t = Peek();
  if (failed_) return nullptr;
  switch (t.type) {
    case T::kNumber: {
      Token tok = Take();
      double v;
      if (!NumberValue(tok, &v)) return nullptr;
      height_ = 1;
      return MakeExpr({tok.pos, tok.end()}, NumberLiteral{v});
    }
    case T::kString: {
      Token tok = Take();
      StringLiteral s;
      if (!UnquoteString(tok.value, &s.value)) {
        Fail({tok.pos, tok.end()}, "error unquoting string " + GoQuote(tok.value) + ": invalid syntax");
        return nullptr;
      }
      height_ = 1;
      return MakeExpr({tok.pos, tok.end()}, std::move(s));
    }
    case T::kLeftParen: {
      Token lp = Take();
      ExprPtr inner = ParseExpr(0);
      if (!inner) return nullptr;
      const Token& rp = Peek();
      if (failed_) return nullptr;
      if (rp.type != T::kRightParen) {
        UnexpectedHere(rp);
        return nullptr;
      }
      int32_t end = Take().end();
      ++height_;
      return MakeExpr({lp.pos, end}, ParenExpr{std::move(inner)});
    }
    case T::kLeftBrace:
      return ParseVectorSelector(nullptr);
    case T::kIdentifier: {
      Token name = Take();
      const Token& next = Peek();
      if (failed_) return nullptr;
      if (next.type == T::kLeftParen) return ParseCall(name);
      return ParseVectorSelector(&name);
    }
    default:
      break;
  }
  if (IsAggregator(t.type)) {
    Token op = Take();
    const Token& next = Peek();
    if (failed_) return nullptr;
    if (next.type == T::kLeftParen || next.type == T::kBy || next.type == T::kWithout) return ParseAggregate(op);
    return ParseVectorSelector(&op);  // `sum` alone is a metric name
  }
  if (IsMetricIdentifierToken(t.type)) {
    Token name = Take();
    return ParseVectorSelector(&name);
  }
  UnexpectedHere(t);
  return nullptr;
}





ExprPtr Parser::ParseCall(const Token& name) {
  Call call;
  int32_t end;
  if (!ParseCallBody(&call.args, &end)) return nullptr;
  call.func = LookupFunction(name.value);
  if (!call.func) {
    Fail({name.pos, name.end()}, "unknown function with name " + GoQuote(name.value));
    return nullptr;
  }
  return MakeExpr({name.pos, end}, std::move(call));
}

bool Parser::ParseCallBody(std::vector<ExprPtr>* args, int32_t* end) {
  Take();  // (
  const Token& t = Peek();
  if (failed_) return false;
  int height = 1;
  if (t.type == T::kRightParen) {
    *end = Take().end();
    height_ = height;
    return true;
  }
  for (;;) {
    ExprPtr arg = ParseExpr(0);
    if (!arg) return false;
    height = std::max(height, height_ + 1);
    height_ = height;
    args->push_back(std::move(arg));
    const Token& n = Peek();
    if (failed_) return false;
    if (n.type == T::kComma) {
      Token comma = Take();
      const Token& n2 = Peek();
      if (failed_) return false;
      if (CanStartExpr(n2.type)) continue;
      // yacc reduces `function_call_args COMMA` by default here.
      Fail({comma.pos, comma.end()}, "trailing commas not allowed in function call args");
      return false;
    }
    if (n.type == T::kRightParen) {
      *end = Take().end();
      return true;
    }
    UnexpectedHere(n);
    return false;
  }
}

ExprPtr Parser::ParseAggregate(const Token& op) {
  AggregateExpr agg;
  agg.op = ToAggregateOp(op.type);
  ++agg_depth_;
  int32_t end = op.end();
  bool modifier_first = false;
  if (Peek().type == T::kBy || Peek().type == T::kWithout) {
    agg.without = Take().type == T::kWithout;
    if (!ParseGroupingLabels(&agg.grouping, &end)) return nullptr;
    modifier_first = true;
  }
  const Token& t = Peek();
  if (failed_) return nullptr;
  if (t.type != T::kLeftParen) {
    UnexpectedHere(t);
    return nullptr;
  }
  std::vector<ExprPtr> args;
  if (!ParseCallBody(&args, &end)) return nullptr;
  --agg_depth_;
  if (!modifier_first) {
    // Reading the token after the body (a lexer error there comes first).
    const Token& m = Peek();
    if (failed_) return nullptr;
    if (m.type == T::kBy || m.type == T::kWithout) {
      agg.without = Take().type == T::kWithout;
      if (!ParseGroupingLabels(&agg.grouping, &end)) return nullptr;
    }
  }
  PosRange pos{op.pos, end};
  if (args.empty()) {
    Fail(pos, "no arguments for aggregate expression provided");
    return nullptr;
  }
  size_t want = HasParam(agg.op) ? 2 : 1;
  if (args.size() != want) {
    Fail(pos, "wrong number of arguments for aggregate expression provided, expected " + std::to_string(want) +
                  ", got " + std::to_string(args.size()));
    return nullptr;
  }
  if (want == 2) agg.param = std::move(args[0]);
  agg.expr = std::move(args[want - 1]);
  return MakeExpr(pos, std::move(agg));
}








}  // namespace internal

namespace {

ParseError MakeError(std::string_view query, PosRange range, std::string message) {
  ParseError e;
  e.range = range;
  e.message = std::move(message);
  int32_t pos = range.start;
  if (pos >= 0 && static_cast<size_t>(pos) <= query.size()) {
    int line = 1;
    int32_t last_break = -1;
    for (int32_t i = 0; i < pos; ++i) {
      if (query[static_cast<size_t>(i)] == '\n') {
        last_break = i;
        ++line;
      }
    }
    e.line = line;
    e.column = pos - last_break;
  }
  return e;
}

Status ErrorStatus(ParseError e, ParseError* out) {
  Status s = InvalidArgumentError(e.ToString());
  if (out) *out = std::move(e);
  return s;
}

}  // namespace

std::string ParseError::ToString() const {
  std::string where = line > 0 ? std::to_string(line) + ":" + std::to_string(column) + ":" : "invalid position:";
  return where + " parse error: " + message;
}

StatusOr<ExprPtr> ParseExpr(std::string_view query, ParseError* error) {
  internal::Parser p(query);
  ExprPtr e = p.ParseTop();
  if (!e) return ErrorStatus(MakeError(query, p.err_range(), p.err_message()), error);
  PosRange range;
  std::string message;
  if (!internal::CheckAst(query, e.get(), &range, &message)) {
    return ErrorStatus(MakeError(query, range, std::move(message)), error);
  }
  return e;
}

StatusOr<std::vector<storage::LabelMatcher>> ParseMetricSelector(std::string_view selector, ParseError* error) {
  internal::Parser p(selector);
  std::vector<storage::LabelMatcher> out;
  if (!p.ParseSelectorTop(&out)) return ErrorStatus(MakeError(selector, p.err_range(), p.err_message()), error);
  return out;
}

}  // namespace cistern::promql
