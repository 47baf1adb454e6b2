#include "agent/api/query_params.h"

#include <cctype>
#include <cmath>
#include <limits>

#include "agent/base/float_format.h"
#include "agent/net/http_common.h"
#include "agent/promql/duration.h"
#include "agent/promql/go_quote.h"
#include "agent/promql/parser.h"

namespace cistern::api {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool IsDigit(std::string_view s, size_t pos) {
  return pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]));
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar.
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int DaysIn(int month, int year) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Go's time.Parse(time.RFC3339Nano, s), as far as it accepts input:
// 2006-01-02T15:04:05[.999999999](Z|+07:00). The hour may have one digit and
// fraction digits past the ninth are ignored, as in Go.
bool ParseRfc3339(std::string_view s, int64_t* ms) {
  int year, month, day, hour, minute, second;
  if (!Digits(s, 0, 4, &year) || s.size() < 5 || s[4] != '-') return false;
  if (!Digits(s, 5, 2, &month) || s.size() < 8 || s[7] != '-') return false;
  if (!Digits(s, 8, 2, &day) || s.size() < 11 || s[10] != 'T') return false;
  size_t p = 11;
  if (!IsDigit(s, p)) return false;
  if (IsDigit(s, p + 1)) {
    Digits(s, p, 2, &hour);
    p += 2;
  } else {
    hour = s[p] - '0';
    p += 1;
  }
  if (p >= s.size() || s[p] != ':' || !Digits(s, p + 1, 2, &minute)) return false;
  p += 3;
  if (p >= s.size() || s[p] != ':' || !Digits(s, p + 1, 2, &second)) return false;
  p += 3;
  int64_t nanos = 0;
  if (p + 1 < s.size() && (s[p] == '.' || s[p] == ',') && IsDigit(s, p + 1)) {
    size_t q = p + 1;
    int64_t scale = 100'000'000;
    for (; IsDigit(s, q); ++q) {
      nanos += (s[q] - '0') * scale;
      scale /= 10;
    }
    p = q;
  }
  int64_t offset_s = 0;
  if (p < s.size() && s[p] == 'Z') {
    p += 1;
  } else {
    int oh, om;
    if (p + 6 > s.size() || (s[p] != '+' && s[p] != '-') || s[p + 3] != ':' || !Digits(s, p + 1, 2, &oh) ||
        !Digits(s, p + 4, 2, &om))
      return false;
    offset_s = (oh * 60 + om) * 60 * (s[p] == '-' ? -1 : 1);
    p += 6;
  }
  if (p != s.size()) return false;
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return false;
  if (day < 1 || day > DaysIn(month, year)) return false;
  int64_t secs = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  *ms = secs * 1000 + nanos / 1'000'000;
  return true;
}

// strconv.ParseFloat: no surrounding space; out-of-range values fail.
bool ParseGoFloat(std::string_view s, double* out) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return false;
  if (!ParseFloat(s, out)) return false;
  if (std::isinf(*out)) {
    std::string_view body = s[0] == '+' || s[0] == '-' ? s.substr(1) : s;
    return !body.empty() && (body[0] == 'i' || body[0] == 'I');
  }
  return true;
}

}  // namespace

StatusOr<Form> Form::FromRequest(const net::HttpRequest& request) {
  std::vector<std::pair<std::string, std::string>> pairs;
  const std::string* ct = request.Header("Content-Type");
  if (request.method == "POST" && ct != nullptr && ct->rfind("application/x-www-form-urlencoded", 0) == 0) {
    if (!net::ParseFormUrlEncoded(request.body, &pairs))
      return InvalidArgumentError("error parsing form values: malformed form body");
  }
  std::vector<std::pair<std::string, std::string>> url;
  if (!net::ParseFormUrlEncoded(request.query, &url))
    return InvalidArgumentError("error parsing form values: malformed query string");
  for (auto& p : url) pairs.push_back(std::move(p));
  return Form(std::move(pairs));
}

std::string_view Form::Value(std::string_view key) const {
  for (const auto& [k, v] : pairs_)
    if (k == key) return v;
  return {};
}

std::vector<std::string> Form::Values(std::string_view key) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : pairs_)
    if (k == key) out.push_back(v);
  return out;
}

bool Form::Has(std::string_view key) const {
  for (const auto& p : pairs_)
    if (p.first == key) return true;
  return false;
}

StatusOr<int64_t> ParseApiTime(std::string_view s) {
  double f;
  if (ParseGoFloat(s, &f) && std::isfinite(f)) {
    // math.Modf, then the fraction rounded to milliseconds.
    double whole = std::trunc(f);
    double frac_ms = std::round((f - whole) * 1000);
    constexpr double kLimit = static_cast<double>(kApiMaxTimeMs / 1000);
    if (whole >= kLimit) return kApiMaxTimeMs;
    if (whole <= -kLimit) return kApiMinTimeMs;
    return static_cast<int64_t>(whole) * 1000 + static_cast<int64_t>(frac_ms);
  }
  int64_t ms;
  if (ParseRfc3339(s, &ms)) return ms;
  if (s == kApiMinTimeText) return kApiMinTimeMs;
  if (s == kApiMaxTimeText) return kApiMaxTimeMs;
  return InvalidArgumentError("cannot parse " + promql::GoQuote(s) + " to a valid timestamp");
}

StatusOr<int64_t> ParseApiTimeParam(const Form& form, std::string_view name, int64_t fallback) {
  std::string_view v = form.Value(name);
  if (v.empty()) return fallback;
  auto t = ParseApiTime(v);
  if (!t.ok())
    return InvalidArgumentError("Invalid time value for '" + std::string(name) +
                                "': " + t.status().message());
  return *t;
}

StatusOr<int64_t> ParseApiDuration(std::string_view s) {
  double f;
  if (ParseGoFloat(s, &f)) {
    if (std::isnan(f)) return std::numeric_limits<int64_t>::min();  // what Go's conversion yields
    double ns = f * 1e9;
    if (ns > 9.2233720368547748e18 || ns < -9.2233720368547758e18)
      return InvalidArgumentError("cannot parse " + promql::GoQuote(s) +
                                  " to a valid duration. It overflows int64");
    return static_cast<int64_t>(ns);
  }
  auto ms = promql::ParseDuration(s);
  if (ms.ok() && *ms <= std::numeric_limits<int64_t>::max() / 1'000'000) return *ms * 1'000'000;
  return InvalidArgumentError("cannot parse " + promql::GoQuote(s) + " to a valid duration");
}

StatusOr<std::vector<std::vector<storage::LabelMatcher>>> ParseMatcherSets(
    const std::vector<std::string>& selectors) {
  std::vector<std::vector<storage::LabelMatcher>> sets;
  for (const std::string& s : selectors) {
    CISTERN_ASSIGN_OR_RETURN(std::vector<storage::LabelMatcher> matchers, promql::ParseMetricSelector(s));
    sets.push_back(std::move(matchers));
  }
  for (const auto& set : sets) {
    bool non_empty = false;
    for (const storage::LabelMatcher& m : set) non_empty |= !m.Matches("");
    if (!non_empty) return InvalidArgumentError("match[] must contain at least one non-empty matcher");
  }
  return sets;
}

}  // namespace cistern::api
