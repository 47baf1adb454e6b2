// Internal to the parser: the recursive-descent Parser shared by
// parser.cc (entry points, expressions, calls, aggregations) and
// parser_selectors.cc (selectors, matchers, grouping labels, modifiers).
// One Parser per query; not thread-safe. `input` must outlive it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/promql/ast.h"
#include "agent/promql/lexer.h"
#include "agent/promql/token.h"
#include "agent/storage/label_matcher.h"

namespace cistern::promql::internal {

// Trees taller than kMaxHeight are rejected (Prometheus has no limit; a
// recursive evaluator and printer need one).
inline constexpr int kMaxHeight = 1000;

// Stops at the first error (the only one Prometheus reports); every parse
// function returns null/false once failed() is set.
class Parser {
 public:
  explicit Parser(std::string_view input) : input_(input), lex_(input) {}

  ExprPtr ParseTop();
  bool ParseSelectorTop(std::vector<storage::LabelMatcher>* out);

  bool failed() const { return failed_; }
  const PosRange& err_range() const { return err_range_; }
  const std::string& err_message() const { return err_message_; }

 private:
  const Token& Peek();
  Token Take();
  void Fail(PosRange r, std::string message);
  void Unexpected(const Token& t, std::string_view context, std::string_view expected);
  void UnexpectedHere(const Token& t) { Unexpected(t, agg_depth_ > 0 ? "aggregation" : "", ""); }

  ExprPtr ParseExpr(int min_prec);
  ExprPtr ParseUnary();
  ExprPtr ParsePrimary();
  ExprPtr ParsePostfix(ExprPtr e);
  ExprPtr ParseVectorSelector(const Token* name);
  bool ParseLabelMatchers(std::vector<storage::LabelMatcher>* out, int32_t* end);
  std::optional<storage::LabelMatcher> MakeMatcher(const Token& name, const Token& op, const Token& value);
  ExprPtr ParseCall(const Token& name);
  bool ParseCallBody(std::vector<ExprPtr>* args, int32_t* end);
  ExprPtr ParseAggregate(const Token& op);
  bool ParseGroupingLabels(std::vector<std::string>* out, int32_t* end);
  bool ParseBinModifiers(BinaryExpr* b);
  ExprPtr ParseRangeOrSubquery(ExprPtr e);
  ExprPtr ParseOffset(ExprPtr e);
  ExprPtr ParseAt(ExprPtr e);
  bool DurationValue(const Token& t, int64_t* ms);
  bool NumberValue(const Token& t, double* v);

  std::string_view input_;
  Lexer lex_;
  Token peek_;
  bool has_peek_ = false;
  int agg_depth_ = 0;  // inside an aggregation's parentheses
  // Guards against stack exhaustion (here and in every recursive walk of the
  // tree): ParseExpr recursion depth, and the height of the last node built.
  bool Deeper(const Token& at, int height);
  int depth_ = 0;
  int height_ = 0;
  bool failed_ = false;
  PosRange err_range_;
  std::string err_message_;
  std::string lex_error_;  // owns the lexer error text
};

}  // namespace cistern::promql::internal
