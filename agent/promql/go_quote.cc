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

int32_t DecodeRune(std::string_view s, int* width) {
  if (s.empty()) {
    *width = 0;
    return kRuneError;
  }
  auto b = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  uint8_t c0 = b(0);
  *width = 1;
  if (c0 < 0x80) return c0;
  int n;
  int32_t r;
  uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c0 >= 0xC2 && c0 <= 0xDF) {
    n = 2;
    r = c0 & 0x1F;
  } else if (c0 >= 0xE0 && c0 <= 0xEF) {
    n = 3;
    r = c0 & 0x0F;
    if (c0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (c0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (c0 >= 0xF0 && c0 <= 0xF4) {
    n = 4;
    r = c0 & 0x07;
    if (c0 == 0xF0) lo = 0x90;
    if (c0 == 0xF4) hi = 0x8F;  // <= U+10FFFF
  } else {
    return kRuneError;
  }
  if (s.size() < static_cast<size_t>(n)) return kRuneError;
  for (int i = 1; i < n; ++i) {
    uint8_t c = b(i);
    uint8_t l = i == 1 ? lo : 0x80, h = i == 1 ? hi : 0xBF;
    if (c < l || c > h) return kRuneError;
    r = (r << 6) | (c & 0x3F);
  }
  *width = n;
  return r;
}

void AppendRune(std::string* out, int32_t r) {
  if (r < 0 || r > kMaxRune || (r >= 0xD800 && r <= 0xDFFF)) r = kRuneError;
  if (r < 0x80) {
    out->push_back(static_cast<char>(r));
  } else if (r < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (r >> 6)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else if (r < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (r >> 12)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (r >> 18)));
    out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
  }
}

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
