#include "agent/promql/lexer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cistern::promql {
namespace {

using T = TokenType;

struct Lexed {
  T type;
  std::string value;
  int32_t pos;
  friend bool operator==(const Lexed&, const Lexed&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Lexed& l) {
    return os << static_cast<int>(l.type) << ":" << l.value << "@" << l.pos;
  }
};

std::vector<Lexed> Lex(std::string_view q) {
  Lexer lex(q);
  std::vector<Lexed> out;
  for (;;) {
    Token t = lex.Next();
    out.push_back({t.type, std::string(t.value), t.pos});
    if (t.type == T::kEOF || t.type == T::kError) return out;
  }
}

std::vector<T> Types(std::string_view q) {
  std::vector<T> out;
  for (const Lexed& l : Lex(q)) out.push_back(l.type);
  return out;
}

std::string LexError(std::string_view q) {
  auto toks = Lex(q);
  return toks.back().type == T::kError ? toks.back().value + "@" + std::to_string(toks.back().pos) : "";
}

TEST(LexerTest, SelectorWithMatchersAndRange) {
  EXPECT_EQ(Lex(R"(foo{a="b"}[5m])"),
            (std::vector<Lexed>{{T::kIdentifier, "foo", 0},  {T::kLeftBrace, "{", 3}, {T::kIdentifier, "a", 4},
                                {T::kEql, "=", 5},           {T::kString, "\"b\"", 6}, {T::kRightBrace, "}", 9},
                                {T::kLeftBracket, "[", 10},  {T::kDuration, "5m", 11}, {T::kRightBracket, "]", 13},
                                {T::kEOF, "", 14}}));
}

TEST(LexerTest, KeywordsAreCaseInsensitive) {
  EXPECT_EQ(Types("SUM By aNd Offset"), (std::vector<T>{T::kSum, T::kBy, T::kLand, T::kOffset, T::kEOF}));
}

TEST(LexerTest, InfAndNanAreNumbers) {
  EXPECT_EQ(Types("Inf nan NaN"), (std::vector<T>{T::kNumber, T::kNumber, T::kNumber, T::kEOF}));
}

TEST(LexerTest, LabelNamesInsideBracesAreNeverKeywords) {
  EXPECT_EQ(Types(R"({by="x", sum!~"y"})"),
            (std::vector<T>{T::kLeftBrace, T::kIdentifier, T::kEql, T::kString, T::kComma, T::kIdentifier,
                            T::kNeqRegex, T::kString, T::kRightBrace, T::kEOF}));
}

TEST(LexerTest, ColonMakesAMetricIdentifier) {
  EXPECT_EQ(Types("a:b foo"), (std::vector<T>{T::kMetricIdentifier, T::kIdentifier, T::kEOF}));
}

TEST(LexerTest, OperatorsAndComparisons) {
  EXPECT_EQ(Types("+ - * / % ^ == != < <= > >= @"),
            (std::vector<T>{T::kAdd, T::kSub, T::kMul, T::kDiv, T::kMod, T::kPow, T::kEqlc, T::kNeq, T::kLss,
                            T::kLte, T::kGtr, T::kGte, T::kAt, T::kEOF}));
}

TEST(LexerTest, NumbersHexExponentAndDurations) {
  EXPECT_EQ(Lex("0x1F 1.5e3 .5 1h30m"),
            (std::vector<Lexed>{{T::kNumber, "0x1F", 0}, {T::kNumber, "1.5e3", 5}, {T::kNumber, ".5", 11},
                                {T::kDuration, "1h30m", 14}, {T::kEOF, "", 19}}));
}

TEST(LexerTest, CommentsRunToEndOfLine) {
  EXPECT_EQ(Lex("x # note\ny"), (std::vector<Lexed>{{T::kIdentifier, "x", 0}, {T::kComment, "# note", 2},
                                                     {T::kIdentifier, "y", 9}, {T::kEOF, "", 10}}));
}

TEST(LexerTest, SubqueryColonAndStep) {
  EXPECT_EQ(Types("x[30m:1m]"), (std::vector<T>{T::kIdentifier, T::kLeftBracket, T::kDuration, T::kColon,
                                                T::kDuration, T::kRightBracket, T::kEOF}));
}

TEST(LexerTest, LetterInsideBracketsLexesAsColonLikePrometheus) {
  EXPECT_EQ(Types("x[5m a]"), (std::vector<T>{T::kIdentifier, T::kLeftBracket, T::kDuration, T::kColon,
                                              T::kRightBracket, T::kEOF}));
  EXPECT_EQ(LexError("x[5m:b]"), "unexpected colon 'b'@5");
}

TEST(LexerTest, StringEscapesAreValidated) {
  EXPECT_EQ(Types(R"("a\n\x41\u00e9\U0001F600\101" 'it\'s' `raw\`)"),
            (std::vector<T>{T::kString, T::kString, T::kString, T::kEOF}));
  EXPECT_EQ(LexError(R"(x "a\qb")"), "unknown escape sequence U+0071 'q'@2");
  EXPECT_EQ(LexError(R"("\x4g")"), "illegal character U+0067 'g' in escape sequence@0");
  EXPECT_EQ(LexError(R"("\u12")"), "illegal character U+0022 '\"' in escape sequence@0");
  EXPECT_EQ(LexError(R"("\400")"), "escape sequence is an invalid Unicode code point@0");
  EXPECT_EQ(LexError(R"("\ud800")"), "escape sequence is an invalid Unicode code point@0");
  EXPECT_EQ(LexError("'\\\"'"), "unknown escape sequence U+0022 '\"'@0");
  EXPECT_EQ(LexError("\"abc"), "unterminated quoted string@0");
  EXPECT_EQ(LexError("\"a\nb\""), "unterminated quoted string@0");
  EXPECT_EQ(LexError("`abc"), "unterminated raw string@0");
  EXPECT_EQ(LexError("\"\xff\""), "invalid UTF-8 rune@0");
}

TEST(LexerTest, ErrorsAndTheirPositions) {
  EXPECT_EQ(LexError("foo $"), "unexpected character: '$'@4");
  EXPECT_EQ(LexError("sum(foo"), "unclosed left parenthesis@7");
  EXPECT_EQ(LexError("foo[5m"), "unclosed left bracket@6");
  EXPECT_EQ(LexError("x )"), "unexpected right parenthesis ')'@3");  // after the paren, as Prometheus
  EXPECT_EQ(LexError("x ]"), "unexpected right bracket ']'@2");
  EXPECT_EQ(LexError("x[5m["), "unexpected left bracket '['@4");
  EXPECT_EQ(LexError("x{a=\"b\""), "unexpected end of input inside braces@7");
  EXPECT_EQ(LexError("x{a:b}"), "unexpected character inside braces: ':'@3");
  EXPECT_EQ(LexError("x{{"), "unexpected left brace '{'@2");
  EXPECT_EQ(LexError("x{a!b}"), "unexpected character after '!' inside braces: 'b'@3");
  EXPECT_EQ(LexError("x !"), "unexpected character after '!': '\xef\xbf\xbd'@2");
  EXPECT_EQ(LexError("x =~ y"), "unexpected character after '=': '~'@2");
}

TEST(LexerTest, DurationSyntaxErrors) {
  EXPECT_EQ(LexError("x[]"), "missing unit character in duration@2");
  EXPECT_EQ(LexError("x[5]"), "missing unit character in duration@2");
  EXPECT_EQ(LexError("x[5mm]"), "bad duration syntax: \"5mm\"@2");
  EXPECT_EQ(LexError("x[2w1y]"), "bad duration syntax: \"2w1\"@2");
  EXPECT_EQ(LexError("1_000"), "bad number or duration syntax: \"1\"@0");
  EXPECT_EQ(LexError("5mx"), "bad number or duration syntax: \"5mx\"@0");
}

TEST(LexerTest, AfterAnErrorOnlyEndOfInput) {
  Lexer lex("$ x");
  EXPECT_EQ(lex.Next().type, T::kError);
  EXPECT_EQ(lex.Next().type, T::kEOF);
  EXPECT_EQ(lex.Next().type, T::kEOF);
}

TEST(LexerTest, DescribeTokenLikePrometheus) {
  EXPECT_EQ(DescribeToken({T::kIdentifier, 0, "foo"}), "identifier \"foo\"");
  EXPECT_EQ(DescribeToken({T::kMetricIdentifier, 0, "a:b"}), "metric identifier \"a:b\"");
  EXPECT_EQ(DescribeToken({T::kMul, 0, "*"}), "<op:*>");
  EXPECT_EQ(DescribeToken({T::kSum, 0, "SUM"}), "<aggr:SUM>");
  EXPECT_EQ(DescribeToken({T::kBy, 0, "by"}), "<by>");
  EXPECT_EQ(DescribeToken({T::kStart, 0, "start"}), "\"start\"");
  EXPECT_EQ(DescribeToken({T::kRightParen, 0, ")"}), "\")\"");
  EXPECT_EQ(DescribeToken({T::kNumber, 0, "1234567890123"}), "number \"1234567890\"...");
  EXPECT_EQ(DescribeToken({T::kString, 0, "\"abcdefghijklm\""}), "string \"\\\"abcdefghi\"...");
  EXPECT_EQ(DescribeToken({T::kDuration, 0, "5m"}), "duration \"5m\"");
  EXPECT_EQ(DescribeToken({T::kEOF, 3, ""}), "end of input");
}

}  // namespace
}  // namespace cistern::promql
