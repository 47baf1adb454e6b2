#include "agent/promql/literals.h"

#include <cerrno>
#include <clocale>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "agent/promql/go_quote.h"

namespace cistern::promql {
namespace {

int Digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

// strconv.ParseInt(s, 0, 64) for unsigned input; false on syntax or range error.
bool ParseGoInt(std::string_view s, int64_t* out) {
  int base = 10;
  if (s.size() >= 2 && s[0] == '0') {
    char p = s[1];
    if (p == 'x' || p == 'X') {
      base = 16;
      s.remove_prefix(2);
    } else if (p == 'o' || p == 'O') {
      base = 8;
      s.remove_prefix(2);
    } else if (p == 'b' || p == 'B') {
      base = 2;
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
  }
  if (s.empty()) return false;
  uint64_t n = 0;
  for (char c : s) {
    int d = Digit(c);
    if (d >= base) return false;
    if (n > (static_cast<uint64_t>(INT64_MAX) - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) return false;
    n = n * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  *out = static_cast<int64_t>(n);
  return true;
}

bool EqualFold(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

// Go's decimal float syntax (no sign here): digits with at most one '.', at
// least one digit, optional exponent with at least one digit.
bool IsGoDecimalFloat(std::string_view s) {
  size_t i = 0, digits = 0;
  bool dot = false;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      ++digits;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (digits == 0) return false;
  if (i == s.size()) return true;
  if (s[i] != 'e' && s[i] != 'E') return false;
  ++i;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t exp_digits = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) ++exp_digits;
  return exp_digits > 0 && i == s.size();
}

}  // namespace

bool ParseNumberLiteral(std::string_view s, double* out, std::string* error) {
  int64_t n;
  if (ParseGoInt(s, &n)) {
    *out = static_cast<double>(n);
    return true;
  }
  if (EqualFold(s, "inf") || EqualFold(s, "infinity")) {
    *out = HUGE_VAL;
    return true;
  }
  if (EqualFold(s, "nan")) {
    *out = std::nan("");
    return true;
  }
  std::string prefix = "strconv.ParseFloat: parsing " + GoQuote(s) + ": ";
  // Hex floats need a 'p' exponent, which the lexer never produces.
  if (!IsGoDecimalFloat(s)) {
    *error = prefix + "invalid syntax";
    return false;
  }
  std::string buf(s);
  double v = std::strtod(buf.c_str(), nullptr);
  if (std::isinf(v)) {
    *error = prefix + "value out of range";
    return false;
  }
  *out = v;
  return true;
}

bool UnquoteString(std::string_view s, std::string* out) {
  out->clear();
  if (s.size() < 2 || s.front() != s.back()) return false;
  char quote = s.front();
  s = s.substr(1, s.size() - 2);
  if (quote == '`') {
    if (s.find('`') != std::string_view::npos) return false;
    out->assign(s);
    return true;
  }
  if (quote != '"' && quote != '\'') return false;
  if (s.find('\n') != std::string_view::npos) return false;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == quote) return false;
    if (c != '\\') {
      out->push_back(c);
      ++i;
      continue;
    }
    if (++i >= s.size()) return false;
    char e = s[i++];
    auto hex = [&](int n, uint32_t* v) {
      *v = 0;
      for (int k = 0; k < n; ++k, ++i) {
        if (i >= s.size() || Digit(s[i]) >= 16) return false;
        *v = *v * 16 + static_cast<uint32_t>(Digit(s[i]));
      }
      return true;
    };
    uint32_t v;
    switch (e) {
      case 'a': out->push_back('\a'); break;
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'v': out->push_back('\v'); break;
      case '\\': out->push_back('\\'); break;
      case '\'':
      case '"':
        if (e != quote) return false;
        out->push_back(e);
        break;
      case 'x':
        if (!hex(2, &v)) return false;
        out->push_back(static_cast<char>(v));
        break;
      case 'u':
      case 'U':
        if (!hex(e == 'u' ? 4 : 8, &v)) return false;
        if (v > static_cast<uint32_t>(kMaxRune) || (v >= 0xD800 && v < 0xE000)) return false;
        AppendRune(out, static_cast<int32_t>(v));
        break;
      default:
        if (e < '0' || e > '7') return false;
        v = static_cast<uint32_t>(e - '0');
        for (int k = 0; k < 2; ++k, ++i) {
          if (i >= s.size() || s[i] < '0' || s[i] > '7') return false;
          v = v * 8 + static_cast<uint32_t>(s[i] - '0');
        }
        if (v > 255) return false;
        out->push_back(static_cast<char>(v));
        break;
    }
  }
  return true;
}

std::string FormatGoF(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[512];
  std::snprintf(buf, sizeof buf, "%f", v);
  return buf;
}

int64_t FromFloatSeconds(double v) {
  double r = std::round(v * 1000);
  if (!(r >= -9223372036854775808.0 && r < 9223372036854775808.0)) return INT64_MIN;
  return static_cast<int64_t>(r);
}

}  // namespace cistern::promql
