#include "agent/promql/token.h"

#include <iterator>

#include "agent/promql/go_quote.h"

namespace cistern::promql {
namespace {

struct Spelling {
  TokenType type;
  std::string_view text;
};

// Prometheus' ItemTypeStr plus its keyword map. Types without an entry are
// described by kind ("identifier", "number", ...).
constexpr Spelling kSpellings[] = {
    {TokenType::kLeftParen, "("},    {TokenType::kRightParen, ")"},
    {TokenType::kLeftBrace, "{"},    {TokenType::kRightBrace, "}"},
    {TokenType::kLeftBracket, "["},  {TokenType::kRightBracket, "]"},
    {TokenType::kComma, ","},        {TokenType::kEql, "="},
    {TokenType::kColon, ":"},        {TokenType::kSub, "-"},
    {TokenType::kAdd, "+"},          {TokenType::kMul, "*"},
    {TokenType::kMod, "%"},          {TokenType::kDiv, "/"},
    {TokenType::kEqlc, "=="},        {TokenType::kNeq, "!="},
    {TokenType::kLte, "<="},         {TokenType::kLss, "<"},
    {TokenType::kGte, ">="},         {TokenType::kGtr, ">"},
    {TokenType::kEqlRegex, "=~"},    {TokenType::kNeqRegex, "!~"},
    {TokenType::kPow, "^"},          {TokenType::kAt, "@"},
    {TokenType::kLand, "and"},       {TokenType::kLor, "or"},
    {TokenType::kLunless, "unless"}, {TokenType::kAtan2, "atan2"},
    {TokenType::kSum, "sum"},        {TokenType::kAvg, "avg"},
    {TokenType::kCount, "count"},    {TokenType::kMin, "min"},
    {TokenType::kMax, "max"},        {TokenType::kGroup, "group"},
    {TokenType::kStddev, "stddev"},  {TokenType::kStdvar, "stdvar"},
    {TokenType::kTopK, "topk"},      {TokenType::kBottomK, "bottomk"},
    {TokenType::kCountValues, "count_values"},
    {TokenType::kQuantile, "quantile"},
    {TokenType::kOffset, "offset"},  {TokenType::kBy, "by"},
    {TokenType::kWithout, "without"}, {TokenType::kOn, "on"},
    {TokenType::kIgnoring, "ignoring"}, {TokenType::kGroupLeft, "group_left"},
    {TokenType::kGroupRight, "group_right"}, {TokenType::kBool, "bool"},
    {TokenType::kStart, "start"},    {TokenType::kEnd, "end"},
};

// The first entry of kSpellings that is a word (the keyword map).
constexpr size_t kFirstKeyword = 24;

bool Between(TokenType t, TokenType lo, TokenType hi) {
  return static_cast<int>(t) >= static_cast<int>(lo) && static_cast<int>(t) <= static_cast<int>(hi);
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != b[i]) return false;
  }
  return true;
}

}  // namespace

bool IsOperator(TokenType t) { return Between(t, TokenType::kAdd, TokenType::kAtan2); }
bool IsAggregator(TokenType t) { return Between(t, TokenType::kAvg, TokenType::kTopK); }
bool IsKeyword(TokenType t) { return Between(t, TokenType::kBool, TokenType::kWithout); }

bool IsComparisonOperator(TokenType t) {
  switch (t) {
    case TokenType::kEqlc:
    case TokenType::kNeq:
    case TokenType::kLte:
    case TokenType::kLss:
    case TokenType::kGte:
    case TokenType::kGtr:
      return true;
    default:
      return false;
  }
}

bool IsSetOperator(TokenType t) {
  return t == TokenType::kLand || t == TokenType::kLor || t == TokenType::kLunless;
}

std::string_view TokenTypeString(TokenType t) {
  for (const Spelling& s : kSpellings) {
    if (s.type == t) return s.text;
  }
  return "";
}

bool LookupKeyword(std::string_view word, TokenType* type) {
  for (size_t i = kFirstKeyword; i < std::size(kSpellings); ++i) {
    if (EqualFold(word, kSpellings[i].text)) {
      *type = kSpellings[i].type;
      return true;
    }
  }
  if (EqualFold(word, "inf") || EqualFold(word, "nan")) {
    *type = TokenType::kNumber;
    return true;
  }
  return false;
}

std::string DescribeToken(const Token& t) {
  // Item.String().
  auto str = [&]() -> std::string {
    if (t.type == TokenType::kIdentifier || t.type == TokenType::kMetricIdentifier) {
      return GoQuote(t.value);
    }
    if (IsKeyword(t.type)) return "<" + std::string(t.value) + ">";
    if (IsOperator(t.type)) return "<op:" + std::string(t.value) + ">";
    if (IsAggregator(t.type)) return "<aggr:" + std::string(t.value) + ">";
    if (t.value.size() > 10) return GoQuote(t.value, 10) + "...";
    return GoQuote(t.value);
  };
  if (!TokenTypeString(t.type).empty()) return str();
  switch (t.type) {
    case TokenType::kEOF:
      return "end of input";
    case TokenType::kError:
      return "error " + std::string(t.value);
    case TokenType::kComment:
      return "comment " + str();
    case TokenType::kIdentifier:
      return "identifier " + str();
    case TokenType::kMetricIdentifier:
      return "metric identifier " + str();
    case TokenType::kString:
      return "string " + str();
    case TokenType::kNumber:
      return "number " + str();
    case TokenType::kDuration:
      return "duration " + str();
    default:
      return str();
  }
}

}  // namespace cistern::promql
