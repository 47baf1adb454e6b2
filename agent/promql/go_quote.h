// Go's text formatting, as Prometheus' messages and printer use it:
// strconv.Quote (fmt's %q and %.Nq), strconv.QuoteRune, fmt's %#U and the
// rune decoding of utf8.DecodeRuneInString. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "agent/base/utf8.h"

namespace cistern::promql {

// The UTF-8 primitives live in base (the JSON writer uses them too).
using ::cistern::AppendRune;
using ::cistern::DecodeRune;
using ::cistern::kMaxRune;
using ::cistern::kRuneError;

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
