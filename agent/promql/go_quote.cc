#include "agent/promql/go_quote.h"

#include <algorithm>
#include <cstdio>
#include <iterator>

namespace cistern::promql {
namespace {

struct RuneRange {
  int32_t lo, hi;
};
constexpr RuneRange kPrintRanges[] = {
#include "agent/promql/go_print_table.inc"
};

void AppendHex(std::string* out, const char* prefix, uint32_t v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%s%0*x", prefix, digits, v);
  out->append(buf);
}

// strconv.appendEscapedRune.
void AppendEscapedRune(std::string* out, int32_t r, char quote) {
  if (r == quote || r == '\\') {
    out->push_back('\\');
    out->push_back(static_cast<char>(r));
    return;
  }
  if (IsGoPrint(r)) {
    AppendRune(out, r);
    return;
  }
  switch (r) {
    case '\a': out->append("\\a"); return;
    case '\b': out->append("\\b"); return;
    case '\f': out->append("\\f"); return;
    case '\n': out->append("\\n"); return;
    case '\r': out->append("\\r"); return;
    case '\t': out->append("\\t"); return;
    case '\v': out->append("\\v"); return;
    default: break;
  }
  if (r < ' ' || r == 0x7f) {
    AppendHex(out, "\\x", static_cast<uint32_t>(r), 2);
  } else if (r < 0x10000) {
    AppendHex(out, "\\u", static_cast<uint32_t>(r), 4);
  } else {
    AppendHex(out, "\\U", static_cast<uint32_t>(r), 8);
  }
}

}  // namespace


bool IsGoPrint(int32_t r) {
  if (r < 0x80) return r >= 0x20 && r < 0x7f;
  auto it = std::upper_bound(std::begin(kPrintRanges), std::end(kPrintRanges), r,
                             [](int32_t v, const RuneRange& rr) { return v < rr.lo; });
  if (it == std::begin(kPrintRanges)) return false;
  --it;
  return r <= it->hi;
}

std::string GoQuote(std::string_view s, int max_runes) {
  std::string out = "\"";
  int runes = 0;
  while (!s.empty() && (max_runes < 0 || runes < max_runes)) {
    int w;
    int32_t r = DecodeRune(s, &w);
    if (w == 1 && r == kRuneError) {
      AppendHex(&out, "\\x", static_cast<uint8_t>(s[0]), 2);
    } else {
      AppendEscapedRune(&out, r, '"');
    }
    s.remove_prefix(static_cast<size_t>(w));
    ++runes;
  }
  out.push_back('"');
  return out;
}

std::string GoQuoteRune(int32_t r) {
  if (r < 0 || r > kMaxRune || (r >= 0xD800 && r <= 0xDFFF)) r = kRuneError;
  std::string out = "'";
  AppendEscapedRune(&out, r, '\'');
  out.push_back('\'');
  return out;
}

std::string GoUnicodeString(int32_t r) {
  std::string out;
  AppendHex(&out, "U+", static_cast<uint32_t>(r), 4);
  // %X, not %x.
  for (size_t i = 2; i < out.size(); ++i) {
    if (out[i] >= 'a' && out[i] <= 'f') out[i] = static_cast<char>(out[i] - 'a' + 'A');
  }
  if (IsGoPrint(r)) {
    out.append(" '");
    AppendRune(&out, r);
    out.push_back('\'');
  }
  return out;
}

}  // namespace cistern::promql
