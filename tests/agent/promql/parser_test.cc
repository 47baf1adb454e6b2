#include "agent/promql/parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "agent/promql/duration.h"
#include "agent/promql/functions.h"
#include "tests/testing/status_matchers.h"

namespace cistern::promql {
namespace {

using ::cistern::testing::StatusIs;
using ::testing::HasSubstr;

ExprPtr MustParse(std::string_view q) {
  auto e = ParseExpr(q);
  EXPECT_TRUE(e.ok()) << q << ": " << e.status().message();
  return e.ok() ? std::move(e).value() : nullptr;
}

std::string ErrorOf(std::string_view q) {
  auto e = ParseExpr(q);
  return e.ok() ? "ok" : e.status().message();
}

TEST(ParserTest, SelectorHasCompiledMatchersAndTrailingNameMatcher) {
  ExprPtr e = MustParse(R"(http_requests{code=~"5..", job!="x"})");
  const auto* vs = e->As<VectorSelector>();
  ASSERT_NE(vs, nullptr);
  EXPECT_EQ(vs->name, "http_requests");
  ASSERT_EQ(vs->matchers.size(), 3u);
  EXPECT_EQ(vs->matchers[0].type(), storage::MatchType::kRegexp);
  EXPECT_TRUE(vs->matchers[0].Matches("503"));
  EXPECT_FALSE(vs->matchers[0].Matches("x503"));  // anchored
  EXPECT_EQ(vs->matchers[2].name(), "__name__");
  EXPECT_EQ(vs->matchers[2].value(), "http_requests");
  EXPECT_EQ(e->pos, (PosRange{0, 36}));
  EXPECT_EQ(e->type, ValueType::kVector);
}

TEST(ParserTest, RangeOffsetAndAtInMilliseconds) {
  ExprPtr e = MustParse("rate(x[5m] offset -1h @ 1.5)");
  const auto* call = e->As<Call>();
  ASSERT_NE(call, nullptr);
  EXPECT_EQ(call->func->id, FunctionId::kRate);
  const auto* ms = call->args[0]->As<MatrixSelector>();
  ASSERT_NE(ms, nullptr);
  EXPECT_EQ(ms->range_ms, 300000);
  EXPECT_EQ(ms->selector().offset_ms, -3600000);
  EXPECT_EQ(ms->selector().at, (AtModifier{AtKind::kTimestamp, 1500}));
  EXPECT_EQ(call->args[0]->type, ValueType::kMatrix);
  EXPECT_EQ(e->pos, (PosRange{0, 28}));
}

TEST(ParserTest, SubqueryWithDefaultStepAndAtEnd) {
  ExprPtr e = MustParse("max_over_time(sum(x)[30m:] @ end())");
  const auto* sq = e->As<Call>()->args[0]->As<SubqueryExpr>();
  ASSERT_NE(sq, nullptr);
  EXPECT_EQ(sq->range_ms, 1800000);
  EXPECT_EQ(sq->step_ms, 0);
  EXPECT_EQ(sq->at.kind, AtKind::kEnd);
}

TEST(ParserTest, PowerBindsTighterThanUnaryMinus) {
  ExprPtr e = MustParse("-2^2");
  const auto* u = e->As<UnaryExpr>();
  ASSERT_NE(u, nullptr);
  EXPECT_EQ(u->op, UnaryOp::kMinus);
  EXPECT_EQ(u->expr->As<BinaryExpr>()->op, BinaryOp::kPow);
}

TEST(ParserTest, UnaryMinusOnNumberFoldsIntoTheLiteral) {
  ExprPtr e = MustParse("-2 * 3");
  const auto* b = e->As<BinaryExpr>();
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->lhs->As<NumberLiteral>()->value, -2);
  EXPECT_EQ(b->lhs->pos, (PosRange{0, 2}));
  EXPECT_EQ(e->type, ValueType::kScalar);
}

TEST(ParserTest, PowerIsRightAssociativeOthersLeft) {
  ExprPtr e = MustParse("2 ^ 3 ^ 2");
  EXPECT_NE(e->As<BinaryExpr>()->rhs->As<BinaryExpr>(), nullptr);
  e = MustParse("1 - 2 - 3");
  EXPECT_NE(e->As<BinaryExpr>()->lhs->As<BinaryExpr>(), nullptr);
}

TEST(ParserTest, PrecedenceAndOrUnlessComparisonsAtan2) {
  // a or (b and c); (a * b) atan2 c; (a + (b * c)) == d
  EXPECT_EQ(MustParse("a or b and c")->As<BinaryExpr>()->op, BinaryOp::kOr);
  EXPECT_EQ(MustParse("a * b atan2 c")->As<BinaryExpr>()->op, BinaryOp::kAtan2);
  EXPECT_EQ(MustParse("a + b * c == d")->As<BinaryExpr>()->op, BinaryOp::kEql);
}

TEST(ParserTest, VectorMatchingAndGrouping) {
  ExprPtr e = MustParse("a / on(job, instance) group_left(team) b");
  const auto& m = *e->As<BinaryExpr>()->matching;
  EXPECT_TRUE(m.on);
  EXPECT_EQ(m.card, Cardinality::kManyToOne);
  EXPECT_EQ(m.matching_labels, (std::vector<std::string>{"job", "instance"}));
  EXPECT_EQ(m.include, (std::vector<std::string>{"team"}));
}

TEST(ParserTest, SetOperatorsAreManyToManyAndScalarSidesDropMatching) {
  EXPECT_EQ(MustParse("a and b")->As<BinaryExpr>()->matching->card, Cardinality::kManyToMany);
  EXPECT_FALSE(MustParse("a + 1")->As<BinaryExpr>()->matching.has_value());
}

TEST(ParserTest, AggregationModifierBeforeOrAfterAndParam) {
  for (std::string_view q : {"topk by (a) (5, x)", "topk(5, x) by (a)"}) {
    ExprPtr e = MustParse(q);
    const auto* agg = e->As<AggregateExpr>();
    ASSERT_NE(agg, nullptr) << q;
    EXPECT_EQ(agg->op, AggregateOp::kTopK);
    EXPECT_EQ(agg->grouping, (std::vector<std::string>{"a"}));
    EXPECT_EQ(agg->param->As<NumberLiteral>()->value, 5);
    EXPECT_NE(agg->expr->As<VectorSelector>(), nullptr);
  }
}

TEST(ParserTest, KeywordsAsMetricAndLabelNames) {
  EXPECT_EQ(MustParse("sum")->As<VectorSelector>()->name, "sum");
  EXPECT_EQ(MustParse(R"(by{a="b"})")->As<VectorSelector>()->name, "by");
  EXPECT_EQ(MustParse("sum by (on, bool, offset) (x)")->As<AggregateExpr>()->grouping.size(), 3u);
  EXPECT_EQ(ErrorOf("sum by (without) (x)"),
            "1:9: parse error: unexpected <without> in grouping opts, expected label");
  EXPECT_EQ(ErrorOf("on"), "1:1: parse error: unexpected <on>");
}

TEST(ParserTest, StringsUnquoteGoEscapes) {
  EXPECT_EQ(MustParse(R"("\u00e9\x41\101\t")")->As<StringLiteral>()->value, "\xc3\xa9" "AA\t");
  EXPECT_EQ(MustParse(R"('it\'s')")->As<StringLiteral>()->value, "it's");
  EXPECT_EQ(MustParse(R"(`a\nb`)")->As<StringLiteral>()->value, "a\\nb");
  EXPECT_EQ(MustParse(R"("\xff")")->As<StringLiteral>()->value, "\xff");
}

TEST(ParserTest, NumbersLikeGoParseIntThenParseFloat) {
  EXPECT_EQ(MustParse("0x1F")->As<NumberLiteral>()->value, 31);
  EXPECT_EQ(MustParse("010")->As<NumberLiteral>()->value, 8);  // octal, as Prometheus
  EXPECT_EQ(MustParse("019")->As<NumberLiteral>()->value, 19);
  EXPECT_TRUE(std::isinf(MustParse("-Inf")->As<NumberLiteral>()->value));
  EXPECT_TRUE(std::isnan(MustParse("NaN")->As<NumberLiteral>()->value));
  EXPECT_EQ(ErrorOf("1e"), "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"1e\": invalid syntax");
  EXPECT_EQ(ErrorOf("1e400"),
            "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"1e400\": value out of range");
}

TEST(ParserTest, SyntaxErrorsNameTheGrammarContext) {
  EXPECT_EQ(ErrorOf("foo bar"), "1:5: parse error: unexpected identifier \"bar\"");
  EXPECT_EQ(ErrorOf("1 +"), "1:4: parse error: unexpected end of input");
  EXPECT_EQ(ErrorOf("sum(foo) by bar"), "1:13: parse error: unexpected identifier \"bar\" in grouping opts, expected \"(\"");
  EXPECT_EQ(ErrorOf(R"(foo{a="b" c="d"})"),
            "1:11: parse error: unexpected identifier \"c\" in label matching, expected \",\" or \"}\"");
  EXPECT_EQ(ErrorOf("foo{a}"), "1:6: parse error: unexpected \"}\" in label matching, expected label matching operator");
  EXPECT_EQ(ErrorOf("foo{a=}"), "1:7: parse error: unexpected \"}\" in label matching, expected string");
  EXPECT_EQ(ErrorOf("foo[5m 1m]"),
            "1:8: parse error: unexpected duration \"1m\" in subquery or range, expected \":\" or \"]\"");
  EXPECT_EQ(ErrorOf("foo[5m:1m 2m]"), "1:11: parse error: unexpected duration \"2m\" in subquery selector, expected \"]\"");
  EXPECT_EQ(ErrorOf("x[5m:,]"), "1:6: parse error: unexpected \",\" in subquery selector, expected duration or \"]\"");
  EXPECT_EQ(ErrorOf("foo offset bar"), "1:12: parse error: unexpected identifier \"bar\" in offset, expected duration");
  EXPECT_EQ(ErrorOf("foo @ start"), "1:12: parse error: unexpected end of input in @, expected timestamp");
  EXPECT_EQ(ErrorOf("sum(x y)"), "1:7: parse error: unexpected identifier \"y\" in aggregation");
  EXPECT_EQ(ErrorOf("sum by (a) without (b) (x)"), "1:12: parse error: unexpected <without> in aggregation");
  EXPECT_EQ(ErrorOf("a + on(b) group_left ,"), "1:22: parse error: unexpected \",\" in grouping opts, expected \"(\"");
  EXPECT_EQ(ErrorOf("()"), "1:2: parse error: unexpected \")\"");
  EXPECT_EQ(ErrorOf(""), "1:1: parse error: no expression found in input");
  EXPECT_EQ(ErrorOf("# only a comment"), "1:1: parse error: no expression found in input");
}

TEST(ParserTest, TrailingCommaIsReportedWhereYaccReducesIt) {
  EXPECT_EQ(ErrorOf("rate(foo[5m],)"), "1:13: parse error: trailing commas not allowed in function call args");
  EXPECT_EQ(ErrorOf("rate(x, on)"), "1:7: parse error: trailing commas not allowed in function call args");
  EXPECT_EQ(ErrorOf("rate(x, ])"), "1:9: parse error: unexpected right bracket ']'");  // lexer error first
}

TEST(ParserTest, LexerErrorBeforeALaterSemanticError) {
  EXPECT_EQ(ErrorOf("sum() $"), "1:7: parse error: unexpected character: '$'");
  EXPECT_EQ(ErrorOf("sum by (a) () $"), "1:1: parse error: no arguments for aggregate expression provided");
  EXPECT_EQ(ErrorOf("foo(x) $"), "1:1: parse error: unknown function with name \"foo\"");
}

TEST(ParserTest, PositionsAreLineAndByteColumn) {
  EXPECT_EQ(ErrorOf("foo\nbar"), "2:1: parse error: unexpected identifier \"bar\"");
  EXPECT_EQ(ErrorOf("sum(\n  rate(x[5m]) by (job)\n)"), "2:15: parse error: unexpected <by> in aggregation");
  ParseError err;
  EXPECT_FALSE(ParseExpr("x\n+\n", &err).ok());
  EXPECT_EQ(err.range, (PosRange{4, 4}));
  EXPECT_EQ(err.line, 3);
  EXPECT_EQ(err.column, 1);
  EXPECT_EQ(err.message, "unexpected end of input");
}

TEST(ParserTest, TypeChecksLikePrometheus) {
  EXPECT_EQ(ErrorOf("rate(x)"),
            "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector");
  EXPECT_EQ(ErrorOf("\"a\" + 1"), "1:1: parse error: binary expression must contain only scalar and instant vector types");
  EXPECT_EQ(ErrorOf("1 and 2"), "1:1: parse error: set operator \"and\" not allowed in binary scalar expression");
  EXPECT_EQ(ErrorOf("1 + bool 2"), "1:3: parse error: bool modifier can only be used on comparison operators");
  EXPECT_EQ(ErrorOf("1 == 2"), "1:3: parse error: comparisons between scalars must use BOOL modifier");
  EXPECT_EQ(ErrorOf("a and on(b) group_left c"), "1:1: parse error: no grouping allowed for \"and\" operation");
  EXPECT_EQ(ErrorOf("a + on(b) group_left(b) c"),
            "1:3: parse error: label \"b\" must not occur in ON and GROUP clause at once");
  EXPECT_EQ(ErrorOf("1 + on(a) 2"), "1:1: parse error: vector matching only allowed between instant vectors");
  EXPECT_EQ(ErrorOf("x[5m:][5m]"), "1:7: parse error: ranges only allowed for vector selectors");
  EXPECT_EQ(ErrorOf("foo[5m][5m:]"), "1:1: parse error: subquery is only allowed on instant vector, got matrix instead");
  EXPECT_EQ(ErrorOf("sum(x) offset 5m"),
            "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector "
            "or a subquery");
  EXPECT_EQ(ErrorOf("sum(x) @ 5"),
            "1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a "
            "subquery");
  EXPECT_EQ(ErrorOf("x @ 5 [5m]"), "1:7: parse error: no @ modifiers allowed before range");
  EXPECT_EQ(ErrorOf("x offset 5m [5m]"), "1:13: parse error: no offset modifiers allowed before range");
  EXPECT_EQ(ErrorOf("x offset 1m offset 2m"), "1:1: parse error: offset may not be set multiple times");
  EXPECT_EQ(ErrorOf("x @ 100 @ 200"), "1:1: parse error: @ <timestamp> may not be set multiple times");
  EXPECT_EQ(ErrorOf("x @ NaN"), "1:1: parse error: timestamp out of bounds for @ modifier: NaN");
  EXPECT_EQ(ErrorOf("foo{__name__=\"bar\"}"), "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\"");
  EXPECT_EQ(ErrorOf("{a=~\".*\"}"), "1:1: parse error: vector selector must contain at least one non-empty matcher");
  EXPECT_EQ(ErrorOf("-\"a\""),
            "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "
            "\"string\"");
  EXPECT_EQ(ErrorOf("foo()"), "1:1: parse error: unknown function with name \"foo\"");
  EXPECT_EQ(ErrorOf("sum(1)"), "1:5: parse error: expected type instant vector in aggregation expression, got scalar");
  EXPECT_EQ(ErrorOf("topk(x)"),
            "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1");
}

TEST(ParserTest, FunctionArityIncludingOptionalAndVariadic) {
  EXPECT_EQ(ErrorOf("abs()"), "1:1: parse error: expected 1 argument(s) in call to \"abs\", got 0");
  EXPECT_EQ(ErrorOf("round(x, 1, 2)"), "1:1: parse error: expected at most 2 argument(s) in call to \"round\", got 3");
  EXPECT_EQ(ErrorOf("label_join(x)"), "1:1: parse error: expected at least 3 argument(s) in call to \"label_join\", got 1");
  EXPECT_EQ(ErrorOf("time(1)"), "1:1: parse error: expected 0 argument(s) in call to \"time\", got 1");
  EXPECT_EQ(ErrorOf("label_join(x,\"a\",\"b\",\"c\",\"d\",1)"),
            "1:30: parse error: expected type string in call to function \"label_join\", got scalar");
  MustParse("year()");
  MustParse("round(x)");
  MustParse("label_join(x, \"a\", \",\", \"b\", \"c\", \"d\")");
}

TEST(ParserTest, EveryFunctionOf242IsKnownAndNoOther) {
  EXPECT_EQ(AllFunctions().size(), 70u);
  EXPECT_NE(LookupFunction("histogram_fraction"), nullptr);
  EXPECT_EQ(LookupFunction("histogram_stddev"), nullptr);
  EXPECT_EQ(LookupFunction("sort_by_label"), nullptr);
  for (const Function& f : AllFunctions()) EXPECT_EQ(&GetFunction(f.id), &f);
}

TEST(ParserTest, RegexErrorsUseGoTexts) {
  EXPECT_EQ(ErrorOf(R"(x{a=~"("})"), "1:3: parse error: error parsing regexp: missing closing ): `^(?:()$`");
  EXPECT_EQ(ErrorOf(R"(x{a=~"a**"})"), "1:3: parse error: error parsing regexp: invalid nested repetition operator: `**`");
  EXPECT_EQ(ErrorOf(R"(x{a=~"\\C"})"), "1:3: parse error: error parsing regexp: invalid escape sequence: `\\C`");
}

TEST(ParserTest, DeepNestingIsRejectedNotCrashing) {
  std::string q(5000, '(');
  q += "x" + std::string(5000, ')');
  EXPECT_THAT(ParseExpr(q), StatusIs(StatusCode::kInvalidArgument, HasSubstr("nests too deeply")));
  std::string chain = "x";
  for (int i = 0; i < 5000; ++i) chain += "+x";
  EXPECT_THAT(ParseExpr(chain), StatusIs(StatusCode::kInvalidArgument, HasSubstr("nests too deeply")));
}

TEST(ParseMetricSelectorTest, ReturnsMatchersAndAllowsEmptyOnes) {
  auto m = ParseMetricSelector(R"(up{job="x"})");
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->size(), 2u);
  EXPECT_EQ((*m)[1].name(), "__name__");
  auto empty = ParseMetricSelector("{}");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_THAT(ParseMetricSelector("rate(x[5m])"),
              StatusIs(StatusCode::kInvalidArgument, "1:5: parse error: unexpected \"(\""));
  EXPECT_THAT(ParseMetricSelector(""), StatusIs(StatusCode::kInvalidArgument, "1:1: parse error: unexpected end of input"));
}

TEST(DurationTest, ParsesPrometheusUnitsInOrder) {
  EXPECT_EQ(*ParseDuration("1h30m"), 5400000);
  EXPECT_EQ(*ParseDuration("1y"), 365LL * 86400000);
  EXPECT_EQ(*ParseDuration("2w"), 14LL * 86400000);
  EXPECT_EQ(*ParseDuration("1s500ms"), 1500);
  EXPECT_EQ(*ParseDuration("0"), 0);
  EXPECT_THAT(ParseDuration("30m1h"), StatusIs(StatusCode::kInvalidArgument, "not a valid duration string: \"30m1h\""));
  EXPECT_THAT(ParseDuration("1.5m"), StatusIs(StatusCode::kInvalidArgument, "not a valid duration string: \"1.5m\""));
  EXPECT_THAT(ParseDuration(""), StatusIs(StatusCode::kInvalidArgument, "empty duration string"));
  EXPECT_THAT(ParseDuration("300y"), StatusIs(StatusCode::kInvalidArgument, "duration out of range"));
}

TEST(DurationTest, FormatsLikeModelDuration) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(5400000), "1h30m");
  EXPECT_EQ(FormatDuration(365LL * 86400000), "1y");
  EXPECT_EQ(FormatDuration(379LL * 86400000), "379d");  // 1y2w: years/weeks only when exact
  EXPECT_EQ(FormatDuration(14LL * 86400000), "2w");
  EXPECT_EQ(FormatDuration(1500), "1s500ms");
}

}  // namespace
}  // namespace cistern::promql
