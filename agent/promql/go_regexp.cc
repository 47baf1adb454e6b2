#include "agent/promql/go_regexp.h"

#include <re2/re2.h>

namespace cistern::promql {
namespace {

// regexp/syntax ErrorCode strings, by RE2 error code.
std::string_view GoErrorCode(RE2::ErrorCode code) {
  switch (code) {
    case RE2::ErrorBadEscape: return "invalid escape sequence";
    case RE2::ErrorBadCharClass: return "invalid character class";
    case RE2::ErrorBadCharRange: return "invalid character class range";
    case RE2::ErrorMissingBracket: return "missing closing ]";
    case RE2::ErrorMissingParen: return "missing closing )";
    case RE2::ErrorUnexpectedParen: return "unexpected )";
    case RE2::ErrorTrailingBackslash: return "trailing backslash at end of expression";
    case RE2::ErrorRepeatArgument: return "missing argument to repetition operator";
    case RE2::ErrorRepeatSize: return "invalid repeat count";
    case RE2::ErrorRepeatOp: return "invalid nested repetition operator";
    case RE2::ErrorBadPerlOp: return "invalid or unsupported Perl syntax";
    case RE2::ErrorBadUTF8: return "invalid UTF-8";
    case RE2::ErrorBadNamedCapture: return "invalid named capture";
    case RE2::ErrorPatternTooLarge: return "expression too large";
    default: return "regexp/syntax: internal error";
  }
}

std::string Format(std::string_view code, std::string_view expr) {
  return "error parsing regexp: " + std::string(code) + ": `" + std::string(expr) + "`";
}

}  // namespace

std::optional<std::string> GoRegexpError(std::string_view v) {
  std::string pattern = "^(?:" + std::string(v) + ")$";
  RE2::Options opts;
  opts.set_log_errors(false);
  RE2 re(pattern, opts);
  if (!re.ok()) return Format(GoErrorCode(re.error_code()), re.error_arg());
  // Go has no \C (any byte).
  for (size_t i = 0; i + 1 < v.size(); ++i) {
    if (v[i] != '\\') continue;
    if (v[i + 1] == 'C') return Format("invalid escape sequence", "\\C");
    ++i;
  }
  return std::nullopt;
}

}  // namespace cistern::promql
