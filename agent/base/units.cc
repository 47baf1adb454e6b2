#include "agent/base/units.h"

#include <cmath>
#include <cstdlib>
#include <limits>

namespace cistern {
namespace {

struct Unit {
  std::string_view name;
  int64_t ms;
};
// Order matters: the largest unit first, as Prometheus requires.
constexpr Unit kDurationUnits[] = {
    {"y", 365LL * 24 * 3600 * 1000}, {"w", 7LL * 24 * 3600 * 1000},
    {"d", 24LL * 3600 * 1000},       {"h", 3600LL * 1000},
    {"m", 60LL * 1000},              {"s", 1000},
    {"ms", 1},
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

StatusOr<Duration> ParseDuration(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError("invalid duration \"" + std::string(text) + "\": " +
                                std::string(why));
  };
  if (text.empty()) return bad("empty");
  if (text == "0") return Duration(0);
  int64_t total = 0;
  size_t i = 0;
  int last_unit = -1;
  while (i < text.size()) {
    if (!IsDigit(text[i])) return bad("expected a number");
    int64_t n = 0;
    while (i < text.size() && IsDigit(text[i])) {
      if (n > std::numeric_limits<int64_t>::max() / 10) return bad("too large");
      n = n * 10 + (text[i] - '0');
      ++i;
    }
    size_t j = i;
    while (j < text.size() && !IsDigit(text[j])) ++j;
    std::string_view unit = text.substr(i, j - i);
    if (unit.empty()) return bad("missing unit (one of y w d h m s ms)");
    int found = -1;
    for (int u = 0; u < static_cast<int>(std::size(kDurationUnits)); ++u) {
      if (kDurationUnits[u].name == unit) found = u;
    }
    if (found < 0) return bad("unknown unit \"" + std::string(unit) + "\" (one of y w d h m s ms)");
    if (found <= last_unit) return bad("units must be in decreasing order and not repeat");
    last_unit = found;
    if (n > std::numeric_limits<int64_t>::max() / kDurationUnits[found].ms) return bad("too large");
    int64_t add = n * kDurationUnits[found].ms;
    if (total > std::numeric_limits<int64_t>::max() - add) return bad("too large");
    total += add;
    i = j;
  }
  return Duration(total);
}

std::string FormatDuration(Duration d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  for (const Unit& u : kDurationUnits) {
    if (ms >= u.ms) {
      out += std::to_string(ms / u.ms);
      out += u.name;
      ms %= u.ms;
    }
  }
  return out;
}

StatusOr<uint64_t> ParseSize(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError("invalid size \"" + std::string(text) + "\": " + std::string(why));
  };
  size_t i = 0;
  while (i < text.size() && (IsDigit(text[i]) || text[i] == '.')) ++i;
  std::string_view number = text.substr(0, i);
  std::string_view unit = text.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  if (number.empty()) return bad("expected a number");
  char* end = nullptr;
  std::string num(number);
  double value = std::strtod(num.c_str(), &end);
  if (end != num.c_str() + num.size() || !std::isfinite(value)) return bad("expected a number");
  static constexpr struct {
    std::string_view name;
    double factor;
  } kUnits[] = {
      {"", 1},           {"B", 1},
      {"KB", 1e3},       {"MB", 1e6},           {"GB", 1e9},           {"TB", 1e12}, {"PB", 1e15},
      {"KiB", 1024.0},   {"MiB", 1048576.0},    {"GiB", 1073741824.0}, {"TiB", 1099511627776.0},
      {"PiB", 1125899906842624.0},
  };
  for (const auto& u : kUnits) {
    if (u.name == unit) {
      double bytes = value * u.factor;
      if (bytes >= 1.8e19) return bad("too large");
      if (bytes != std::floor(bytes)) return bad("not a whole number of bytes");
      return static_cast<uint64_t>(bytes);
    }
  }
  return bad("unknown unit \"" + std::string(unit) + "\" (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)");
}

std::string FormatSize(uint64_t bytes) {
  static constexpr struct {
    std::string_view name;
    uint64_t factor;
  } kUnits[] = {{"PiB", 1ULL << 50}, {"TiB", 1ULL << 40}, {"GiB", 1ULL << 30},
                {"MiB", 1ULL << 20}, {"KiB", 1ULL << 10}};
  for (const auto& u : kUnits) {
    if (bytes != 0 && bytes % u.factor == 0) return std::to_string(bytes / u.factor) + std::string(u.name);
  }
  return std::to_string(bytes) + "B";
}

}  // namespace cistern
