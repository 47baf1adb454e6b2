#include "agent/promql/duration.h"

#include "agent/promql/go_quote.h"

namespace cistern::promql {
namespace {

constexpr int64_t kMsPerDay = 24LL * 60 * 60 * 1000;

struct Unit {
  std::string_view name;
  int64_t ms;
};
// In the order model.ParseDuration's regex requires them.
constexpr Unit kUnits[] = {{"y", 365 * kMsPerDay}, {"w", 7 * kMsPerDay}, {"d", kMsPerDay},
                           {"h", 60LL * 60 * 1000},  {"m", 60LL * 1000},     {"s", 1000},
                           {"ms", 1}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

StatusOr<int64_t> ParseDuration(std::string_view s) {
  if (s == "0") return int64_t{0};
  if (s.empty()) return InvalidArgumentError("empty duration string");
  auto invalid = [&] { return InvalidArgumentError("not a valid duration string: " + GoQuote(s)); };
  // Go computes in nanoseconds with wrapping int64 arithmetic and reports
  // "duration out of range" when a count is too large or the sum wraps.
  constexpr int64_t kMaxInt64 = INT64_MAX;
  uint64_t total_ns = 0;
  bool overflow = false;
  size_t next_unit = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == start) return invalid();
    std::string_view digits = s.substr(start, i - start);
    size_t unit;
    if (s.substr(i, 2) == "ms") {
      unit = 6;
      i += 2;
    } else {
      if (i >= s.size()) return invalid();
      char c = s[i++];
      unit = 7;
      for (size_t u = 0; u < 6; ++u) {
        if (kUnits[u].name[0] == c) unit = u;
      }
      if (unit == 7) return invalid();
    }
    if (unit < next_unit) return invalid();
    next_unit = unit + 1;
    // strconv.Atoi clamps on overflow (the error is ignored by model).
    int64_t n = 0;
    for (char c : digits) {
      if (n > (kMaxInt64 - (c - '0')) / 10) {
        n = kMaxInt64;
        break;
      }
      n = n * 10 + (c - '0');
    }
    int64_t mult = kUnits[unit].ms;
    if (n > kMaxInt64 / (mult * 1000000)) overflow = true;
    uint64_t d = static_cast<uint64_t>(n) * 1000000u * static_cast<uint64_t>(mult);
    total_ns += d;
    if (static_cast<int64_t>(total_ns) < 0) overflow = true;
  }
  if (overflow) return InvalidArgumentError("duration out of range");
  return static_cast<int64_t>(total_ns) / 1000000;
}

std::string FormatDuration(int64_t ms) {
  if (ms == 0) return "0s";
  std::string r;
  auto f = [&](const Unit& u, bool exact) {
    if (exact && ms % u.ms != 0) return;
    int64_t v = ms / u.ms;
    if (v > 0) {
      r += std::to_string(v);
      r += u.name;
      ms -= v * u.ms;
    }
  };
  f(kUnits[0], true);
  f(kUnits[1], true);
  for (size_t u = 2; u < 7; ++u) f(kUnits[u], false);
  return r;
}

}  // namespace cistern::promql
