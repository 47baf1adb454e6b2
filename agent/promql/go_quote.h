// Go's text formatting, as Prometheus' messages and printer use it:
// strconv.Quote (fmt's %q and %.Nq), strconv.QuoteRune, fmt's %#U and the
// rune decoding of utf8.DecodeRuneInString. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cistern::promql {

inline constexpr int32_t kRuneError = 0xFFFD;
inline constexpr int32_t kMaxRune = 0x10FFFF;

// Decodes the rune at the start of `s` like utf8.DecodeRuneInString: invalid
// or truncated sequences give (kRuneError, 1); empty input gives (kRuneError, 0).
int32_t DecodeRune(std::string_view s, int* width);
void AppendRune(std::string* out, int32_t r);  // UTF-8; invalid runes as U+FFFD

// unicode.IsPrint: letters, marks, numbers, punctuation, symbols, ASCII space.
bool IsGoPrint(int32_t r);

// strconv.Quote: "a\"b\n" style, \x for bad UTF-8 bytes, \u/\U for
// non-printable runes. With max_runes >= 0 only that many runes are quoted
// (fmt's "%.10q").
std::string GoQuote(std::string_view s, int max_runes = -1);
// strconv.QuoteRune ('a', '\n', '\''); out-of-range runes quote as U+FFFD.
std::string GoQuoteRune(int32_t r);
// fmt's %#U: "U+0071 'q'", or "U+000A" for non-printable runes.
std::string GoUnicodeString(int32_t r);

}  // namespace cistern::promql
