// Tokens of the PromQL lexer (Prometheus' ItemType) and their descriptions
// in "unexpected ..." messages. Value types, thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cistern::promql {

enum class TokenType : uint8_t {
  kError,  // Token::value holds the message
  kEOF,
  kComment,
  kIdentifier,        // foo (no colon)
  kMetricIdentifier,  // foo:bar
  kNumber,
  kString,  // value still quoted
  kDuration,
  kLeftParen,
  kRightParen,
  kLeftBrace,
  kRightBrace,
  kLeftBracket,
  kRightBracket,
  kComma,
  kEql,  // "=" (matchers)
  kColon,
  // Operators.
  kAdd,
  kDiv,
  kEqlc,
  kEqlRegex,
  kGte,
  kGtr,
  kLand,
  kLor,
  kLss,
  kLte,
  kLunless,
  kMod,
  kMul,
  kNeq,
  kNeqRegex,
  kPow,
  kSub,
  kAt,
  kAtan2,
  // Aggregators.
  kAvg,
  kBottomK,
  kCount,
  kCountValues,
  kGroup,
  kMax,
  kMin,
  kQuantile,
  kStddev,
  kStdvar,
  kSum,
  kTopK,
  // Keywords.
  kBool,
  kBy,
  kGroupLeft,
  kGroupRight,
  kIgnoring,
  kOffset,
  kOn,
  kWithout,
  // @ preprocessors.
  kStart,
  kEnd,
};

struct Token {
  TokenType type = TokenType::kEOF;
  int32_t pos = 0;        // byte offset of the first character
  std::string_view value;  // the text (for kError: the message)
  int32_t end() const { return pos + static_cast<int32_t>(value.size()); }
};

bool IsOperator(TokenType t);
bool IsAggregator(TokenType t);
bool IsKeyword(TokenType t);
bool IsComparisonOperator(TokenType t);
bool IsSetOperator(TokenType t);

// The canonical spelling of a keyword/operator token: "sum", "+", "and".
std::string_view TokenTypeString(TokenType t);

// Keyword lookup, case-insensitive as Prometheus ("SUM" is kSum; "inf" and
// "nan" are kNumber). Returns false when `word` is not a keyword.
bool LookupKeyword(std::string_view word, TokenType* type);

// Item.desc(): `identifier "foo"`, `<op:*>`, `<aggr:sum>`, `<by>`, `"("`,
// `number "1234567890"...`, `end of input`.
std::string DescribeToken(const Token& t);

}  // namespace cistern::promql
