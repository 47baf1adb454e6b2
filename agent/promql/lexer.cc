#include "agent/promql/lexer.h"

#include <cstdint>

#include "agent/promql/go_quote.h"

namespace cistern::promql {
namespace {

constexpr int32_t kEof = -1;

bool IsSpace(int32_t r) { return r == ' ' || r == '\t' || r == '\n' || r == '\r'; }
bool IsEndOfLine(int32_t r) { return r == '\r' || r == '\n'; }
bool IsDigit(int32_t r) { return r >= '0' && r <= '9'; }
bool IsAlpha(int32_t r) { return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'); }
bool IsAlphaNumeric(int32_t r) { return IsAlpha(r) || IsDigit(r); }

int DigitVal(int32_t r) {
  if (r >= '0' && r <= '9') return r - '0';
  if (r >= 'a' && r <= 'f') return r - 'a' + 10;
  if (r >= 'A' && r <= 'F') return r - 'A' + 10;
  return 16;
}

bool Contains(std::string_view valid, int32_t r) {
  if (r < 0 || r >= 0x80) return false;
  return valid.find(static_cast<char>(r)) != std::string_view::npos;
}

}  // namespace

int32_t Lexer::NextRune() {
  if (pos_ >= static_cast<int32_t>(input_.size())) {
    width_ = 0;
    return kEof;
  }
  int w;
  int32_t r = DecodeRune(input_.substr(static_cast<size_t>(pos_)), &w);
  width_ = w;
  pos_ += w;
  return r;
}

int32_t Lexer::PeekRune() {
  int32_t r = NextRune();
  Backup();
  return r;
}

bool Lexer::Accept(std::string_view valid) {
  if (Contains(valid, NextRune())) return true;
  Backup();
  return false;
}

void Lexer::AcceptRun(std::string_view valid) {
  while (Contains(valid, NextRune())) {
  }
  Backup();
}

bool Lexer::Emit(TokenType type, Token* out) {
  *out = Token{type, start_, input_.substr(static_cast<size_t>(start_), static_cast<size_t>(pos_ - start_))};
  start_ = pos_;
  return true;
}

bool Lexer::Errorf(std::string message, Token* out) {
  error_ = std::move(message);
  *out = Token{TokenType::kError, start_, error_};
  state_ = State::kDone;
  return true;
}

Token Lexer::Next() {
  Token t;
  for (;;) {
    bool got = false;
    switch (state_) {
      case State::kDone:
        start_ = pos_ = static_cast<int32_t>(input_.size());
        return Token{TokenType::kEOF, pos_, {}};
      case State::kStatements:
        got = brace_open_ ? LexInsideBraces(&t) : LexStatements(&t);
        break;
      case State::kInsideBraces:
        got = LexInsideBraces(&t);
        break;
      case State::kDuration:
        state_ = State::kStatements;
        got = LexDuration(&t);
        break;
    }
    if (got) return t;
  }
}

bool Lexer::LexStatements(Token* out) {
  if (input_.substr(static_cast<size_t>(pos_)).starts_with('#')) return LexLineComment(out);
  int32_t r = NextRune();
  if (r == kEof) {
    if (paren_depth_ != 0) return Errorf("unclosed left parenthesis", out);
    if (bracket_open_) return Errorf("unclosed left bracket", out);
    Emit(TokenType::kEOF, out);
    state_ = State::kDone;
    return true;
  }
  if (IsSpace(r)) {
    SkipSpaces();
    return false;
  }
  switch (r) {
    case ',': return Emit(TokenType::kComma, out);
    case '*': return Emit(TokenType::kMul, out);
    case '/': return Emit(TokenType::kDiv, out);
    case '%': return Emit(TokenType::kMod, out);
    case '+': return Emit(TokenType::kAdd, out);
    case '-': return Emit(TokenType::kSub, out);
    case '^': return Emit(TokenType::kPow, out);
    case '@': return Emit(TokenType::kAt, out);
    case '=': {
      int32_t t = PeekRune();
      if (t == '=') {
        NextRune();
        return Emit(TokenType::kEqlc, out);
      }
      if (t == '~') return Errorf("unexpected character after '=': " + GoQuoteRune(t), out);
      return Emit(TokenType::kEql, out);
    }
    case '!': {
      int32_t t = NextRune();
      if (t == '=') return Emit(TokenType::kNeq, out);
      return Errorf("unexpected character after '!': " + GoQuoteRune(t), out);
    }
    case '<':
      if (PeekRune() == '=') {
        NextRune();
        return Emit(TokenType::kLte, out);
      }
      return Emit(TokenType::kLss, out);
    case '>':
      if (PeekRune() == '=') {
        NextRune();
        return Emit(TokenType::kGte, out);
      }
      return Emit(TokenType::kGtr, out);
    case '"':
    case '\'':
      string_open_ = r;
      return LexString(out);
    case '`':
      string_open_ = r;
      return LexRawString(out);
    case '(':
      ++paren_depth_;
      return Emit(TokenType::kLeftParen, out);
    case ')':
      Emit(TokenType::kRightParen, out);
      if (--paren_depth_ < 0) return Errorf("unexpected right parenthesis " + GoQuoteRune(r), out);
      return true;
    case '{':
      brace_open_ = true;
      state_ = State::kInsideBraces;
      return Emit(TokenType::kLeftBrace, out);
    case '[':
      if (bracket_open_) return Errorf("unexpected left bracket " + GoQuoteRune(r), out);
      got_colon_ = false;
      Emit(TokenType::kLeftBracket, out);
      if (IsSpace(PeekRune())) SkipSpaces();
      bracket_open_ = true;
      state_ = State::kDuration;
      return true;
    case ']':
      if (!bracket_open_) return Errorf("unexpected right bracket " + GoQuoteRune(r), out);
      bracket_open_ = false;
      return Emit(TokenType::kRightBracket, out);
    default:
      break;
  }
  if (IsDigit(r) || (r == '.' && IsDigit(PeekRune()))) {
    Backup();
    return LexNumberOrDuration(out);
  }
  if (IsAlpha(r) || r == ':') {
    if (!bracket_open_) {
      Backup();
      return LexKeywordOrIdentifier(out);
    }
    // Inside brackets any letter lexes as the subquery colon (Prometheus 2.42).
    if (got_colon_) return Errorf("unexpected colon " + GoQuoteRune(r), out);
    got_colon_ = true;
    return Emit(TokenType::kColon, out);
  }
  return Errorf("unexpected character: " + GoQuoteRune(r), out);
}

bool Lexer::LexInsideBraces(Token* out) {
  if (input_.substr(static_cast<size_t>(pos_)).starts_with('#')) return LexLineComment(out);
  int32_t r = NextRune();
  if (r == kEof) return Errorf("unexpected end of input inside braces", out);
  if (IsSpace(r)) {
    SkipSpaces();
    return false;
  }
  if (IsAlpha(r)) {
    Backup();
    return LexIdentifier(out);
  }
  switch (r) {
    case ',':
      return Emit(TokenType::kComma, out);
    case '"':
    case '\'':
      string_open_ = r;
      return LexString(out);
    case '`':
      string_open_ = r;
      return LexRawString(out);
    case '=':
      if (NextRune() == '~') return Emit(TokenType::kEqlRegex, out);
      Backup();
      return Emit(TokenType::kEql, out);
    case '!': {
      int32_t nr = NextRune();
      if (nr == '~') return Emit(TokenType::kNeqRegex, out);
      if (nr == '=') return Emit(TokenType::kNeq, out);
      return Errorf("unexpected character after '!' inside braces: " + GoQuoteRune(nr), out);
    }
    case '{':
      return Errorf("unexpected left brace " + GoQuoteRune(r), out);
    case '}':
      brace_open_ = false;
      state_ = State::kStatements;
      return Emit(TokenType::kRightBrace, out);
    default:
      return Errorf("unexpected character inside braces: " + GoQuoteRune(r), out);
  }
}

void Lexer::SkipSpaces() {
  while (IsSpace(PeekRune())) NextRune();
  start_ = pos_;
}

bool Lexer::LexLineComment(Token* out) {
  pos_ += 1;
  int32_t r = NextRune();
  while (!IsEndOfLine(r) && r != kEof) r = NextRune();
  Backup();
  return Emit(TokenType::kComment, out);
}

bool Lexer::LexEscape(Token* out) {
  int n;
  uint32_t base, max;
  int32_t ch = NextRune();
  switch (ch) {
    case 'a': case 'b': case 'f': case 'n': case 'r': case 't': case 'v': case '\\':
      return true;
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
      n = 3, base = 8, max = 255;
      break;
    case 'x':
      ch = NextRune();
      n = 2, base = 16, max = 255;
      break;
    case 'u':
      ch = NextRune();
      n = 4, base = 16, max = kMaxRune;
      break;
    case 'U':
      ch = NextRune();
      n = 8, base = 16, max = kMaxRune;
      break;
    case kEof:
      Errorf("escape sequence not terminated", out);
      return false;
    default:
      if (ch == string_open_) return true;
      Errorf("unknown escape sequence " + GoUnicodeString(ch), out);
      return false;
  }
  uint32_t x = 0;
  while (n > 0) {
    uint32_t d = static_cast<uint32_t>(DigitVal(ch));
    if (d >= base) {
      if (ch == kEof) {
        Errorf("escape sequence not terminated", out);
      } else {
        Errorf("illegal character " + GoUnicodeString(ch) + " in escape sequence", out);
      }
      return false;
    }
    x = x * base + d;
    if (--n > 0) ch = NextRune();
  }
  if (x > max || (x >= 0xD800 && x < 0xE000)) {
    Errorf("escape sequence is an invalid Unicode code point", out);
    return false;
  }
  return true;
}

bool Lexer::LexString(Token* out) {
  for (;;) {
    int32_t r = NextRune();
    if (r == '\\') {
      if (!LexEscape(out)) return true;
    } else if (r == kRuneError) {
      return Errorf("invalid UTF-8 rune", out);
    } else if (r == kEof || r == '\n') {
      return Errorf("unterminated quoted string", out);
    } else if (r == string_open_) {
      return Emit(TokenType::kString, out);
    }
  }
}

bool Lexer::LexRawString(Token* out) {
  for (;;) {
    int32_t r = NextRune();
    if (r == kRuneError) return Errorf("invalid UTF-8 rune", out);
    if (r == kEof) return Errorf("unterminated raw string", out);
    if (r == string_open_) return Emit(TokenType::kString, out);
  }
}

bool Lexer::LexDuration(Token* out) {
  if (ScanNumber()) return Errorf("missing unit character in duration", out);
  if (!AcceptRemainingDuration()) {
    return Errorf("bad duration syntax: " + GoQuote(input_.substr(static_cast<size_t>(start_), static_cast<size_t>(pos_ - start_))), out);
  }
  Backup();
  return Emit(TokenType::kDuration, out);
}

bool Lexer::LexNumberOrDuration(Token* out) {
  if (ScanNumber()) return Emit(TokenType::kNumber, out);
  if (AcceptRemainingDuration()) {
    Backup();
    return Emit(TokenType::kDuration, out);
  }
  return Errorf("bad number or duration syntax: " +
                    GoQuote(input_.substr(static_cast<size_t>(start_), static_cast<size_t>(pos_ - start_))),
                out);
}

bool Lexer::ScanNumber() {
  std::string_view digits = "0123456789";
  if (Accept("0") && Accept("xX")) digits = "0123456789abcdefABCDEF";
  AcceptRun(digits);
  if (Accept(".")) AcceptRun(digits);
  if (Accept("eE")) {
    Accept("+-");
    AcceptRun("0123456789");
  }
  return !IsAlphaNumeric(PeekRune());
}

bool Lexer::AcceptRemainingDuration() {
  if (!Accept("smhdwy")) return false;
  Accept("s");  // "ms"; bad units like "hs" are caught by ParseDuration
  while (Accept("0123456789")) {
    while (Accept("0123456789")) {
    }
    if (!Accept("smhdw")) return false;  // "y" only comes first
    Accept("s");
  }
  return !IsAlphaNumeric(NextRune());
}

bool Lexer::LexKeywordOrIdentifier(Token* out) {
  for (;;) {
    int32_t r = NextRune();
    if (IsAlphaNumeric(r) || r == ':') continue;
    Backup();
    break;
  }
  std::string_view word = input_.substr(static_cast<size_t>(start_), static_cast<size_t>(pos_ - start_));
  TokenType kw;
  if (LookupKeyword(word, &kw)) return Emit(kw, out);
  if (word.find(':') == std::string_view::npos) return Emit(TokenType::kIdentifier, out);
  return Emit(TokenType::kMetricIdentifier, out);
}

bool Lexer::LexIdentifier(Token* out) {
  while (IsAlphaNumeric(NextRune())) {
  }
  Backup();
  return Emit(TokenType::kIdentifier, out);
}

}  // namespace cistern::promql
