#include "agent/base/float_format.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>

namespace cistern {
namespace {

// Shortest round-trip digits and decimal exponent: v = 0.d1d2d3... * 10^dp.
struct Digits {
  std::string digits;  // no leading zeros, no dot
  int dp = 0;          // position of the decimal point
  bool negative = false;
};

Digits Shortest(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view s(buf, static_cast<size_t>(res.ptr - buf));
  Digits d;
  if (!s.empty() && s[0] == '-') {
    d.negative = true;
    s.remove_prefix(1);
  }
  size_t e = s.find('e');
  std::string_view mant = s.substr(0, e);
  int exp = std::atoi(std::string(s.substr(e + 1)).c_str());
  for (char c : mant) {
    if (c != '.') d.digits.push_back(c);
  }
  while (d.digits.size() > 1 && d.digits.back() == '0') d.digits.pop_back();
  d.dp = exp + 1;
  if (d.digits == "0") d.dp = 1;
  return d;
}

bool Special(double v, std::string* out) {
  if (std::isnan(v)) {
    out->append("NaN");
    return true;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return true;
  }
  return false;
}

void AppendFixed(std::string* out, const Digits& d) {
  if (d.negative) out->push_back('-');
  if (d.dp <= 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-d.dp), '0');
    out->append(d.digits);
    return;
  }
  if (static_cast<size_t>(d.dp) >= d.digits.size()) {
    out->append(d.digits);
    out->append(static_cast<size_t>(d.dp) - d.digits.size(), '0');
    return;
  }
  out->append(d.digits, 0, static_cast<size_t>(d.dp));
  out->push_back('.');
  out->append(d.digits, static_cast<size_t>(d.dp));
}

}  // namespace

void AppendFloatG(std::string* out, double v) {
  if (Special(v, out)) return;
  if (v == 0) {
    out->append(std::signbit(v) ? "-0" : "0");
    return;
  }
  Digits d = Shortest(v);
  int exp = d.dp - 1;
  // Go's strconv 'g' with shortest precision switches to exponent form when
  // exp < -4 || exp >= 6 (so 1e6 prints as "1e+06", as exporters show).
  constexpr int eprec = 6;
  if (exp < -4 || exp >= eprec) {
    if (d.negative) out->push_back('-');
    out->push_back(d.digits[0]);
    if (d.digits.size() > 1) {
      out->push_back('.');
      out->append(d.digits, 1);
    }
    out->push_back('e');
    out->push_back(exp < 0 ? '-' : '+');
    int a = exp < 0 ? -exp : exp;
    if (a < 10) out->push_back('0');
    out->append(std::to_string(a));
    return;
  }
  AppendFixed(out, d);
}

std::string FormatFloatG(double v) {
  std::string s;
  AppendFloatG(&s, v);
  return s;
}

std::string FormatFloatF(double v) {
  std::string s;
  if (Special(v, &s)) return s;
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  AppendFixed(&s, Shortest(v));
  return s;
}

bool ParseFloat(std::string_view s, double* out) {
  if (s.empty()) return false;
  std::string_view body = s;
  bool neg = false;
  if (body[0] == '+' || body[0] == '-') {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  auto ieq = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
    }
    return true;
  };
  if (ieq(body, "inf") || ieq(body, "infinity")) {
    *out = neg ? -HUGE_VAL : HUGE_VAL;
    return true;
  }
  if (ieq(body, "nan")) {
    *out = std::nan("");
    return true;
  }
  std::string tmp(s);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(tmp.c_str(), &end);
  if (end != tmp.c_str() + tmp.size()) return false;
  // strtod accepts "nan(...)", "infinity" variants handled above; reject other letters.
  for (char c : tmp) {
    if (c == 'n' || c == 'N' || c == 'i' || c == 'I') return false;
  }
  *out = v;
  return true;
}

}  // namespace cistern
