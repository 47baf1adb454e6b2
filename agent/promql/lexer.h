// Lexer: PromQL text -> tokens, a port of Prometheus 2.42's state machine
// (promql/parser/lex.go) including its quirks, so that errors and their
// positions match: keywords are case-insensitive, label names inside braces
// are never keywords, a duration must follow "[", strings are checked for Go
// escape rules here (unquoting happens in the parser).
//
// After an error token the lexer only returns kEOF. Comments are returned as
// kComment (the parser skips them). `input` must outlive the Lexer; tokens
// point into it. Not thread-safe; one Lexer per parse.
#pragma once

#include <string>
#include <string_view>

#include "agent/promql/token.h"

namespace cistern::promql {

class Lexer {
 public:
  explicit Lexer(std::string_view input) : input_(input) {}

  Token Next();

 private:
  enum class State { kStatements, kInsideBraces, kDuration, kDone };

  // One step of a state; returns true when a token was produced in *out.
  bool LexStatements(Token* out);
  bool LexInsideBraces(Token* out);
  bool LexDuration(Token* out);
  bool LexNumberOrDuration(Token* out);
  bool LexKeywordOrIdentifier(Token* out);
  bool LexIdentifier(Token* out);
  bool LexString(Token* out);
  bool LexRawString(Token* out);
  // Consumes one escape sequence after '\'; false (with *out set) on error.
  bool LexEscape(Token* out);
  bool LexLineComment(Token* out);
  void SkipSpaces();

  bool ScanNumber();
  bool AcceptRemainingDuration();

  int32_t NextRune();
  int32_t PeekRune();
  void Backup() { pos_ -= width_; }
  bool Accept(std::string_view valid);
  void AcceptRun(std::string_view valid);
  bool Emit(TokenType type, Token* out);
  bool Errorf(std::string message, Token* out);

  std::string_view input_;
  State state_ = State::kStatements;
  int32_t pos_ = 0;
  int32_t start_ = 0;
  int32_t width_ = 0;
  int paren_depth_ = 0;
  bool brace_open_ = false;
  bool bracket_open_ = false;
  bool got_colon_ = false;
  int32_t string_open_ = 0;
  std::string error_;  // backing store of the error token's message
};

}  // namespace cistern::promql
