#include "agent/promql/eval_functions.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numbers>
#include <unordered_map>
#include <utility>

#include "agent/promql/literals.h"

namespace cistern::promql {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Go's math.Min / math.Max: an infinity of the favoured sign wins over NaN,
// otherwise NaN wins; -0 < +0.
double GoMin(double x, double y) {
  if (std::isinf(x) && x < 0) return x;
  if (std::isinf(y) && y < 0) return y;
  if (std::isnan(x) || std::isnan(y)) return kNaN;
  if (x == 0 && x == y) return std::signbit(x) ? x : y;
  return x < y ? x : y;
}

double GoMax(double x, double y) {
  if (std::isinf(x) && x > 0) return x;
  if (std::isinf(y) && y > 0) return y;
  if (std::isnan(x) || std::isnan(y)) return kNaN;
  if (x == 0 && x == y) return std::signbit(x) ? y : x;
  return x > y ? x : y;
}

// Neumaier's variant of Kahan summation (functions.go kahanSumInc).
void KahanSumInc(double inc, double* sum, double* c) {
  double t = *sum + inc;
  if (std::fabs(*sum) >= std::fabs(inc)) {
    *c += (*sum - t) + inc;
  } else {
    *c += (inc - t) + *sum;
  }
  *sum = t;
}

// time.Duration(ms).Seconds(): whole seconds plus the nanosecond rest.
double DurationSeconds(int64_t ms) {
  int64_t sec = ms / 1000;
  int64_t nsec = (ms % 1000) * 1000000;
  return static_cast<double>(sec) + static_cast<double>(nsec) / 1e9;
}

// ---- Range functions -------------------------------------------------------

// extrapolatedRate: rate, increase, delta.
bool ExtrapolatedRate(const RangeArgs& a, bool is_counter, bool is_rate, double* out) {
  const auto& p = a.points;
  if (p.size() < 2) return false;
  double result = p.back().v - p.front().v;
  if (is_counter) {
    double prev = p.front().v;
    for (size_t i = 1; i < p.size(); ++i) {
      if (p[i].v < prev) result += prev;
      prev = p[i].v;
    }
  }
  double duration_to_start = static_cast<double>(p.front().t - a.range_start_ms) / 1000;
  double duration_to_end = static_cast<double>(a.range_end_ms - p.back().t) / 1000;
  double sampled_interval = static_cast<double>(p.back().t - p.front().t) / 1000;
  double average_between = sampled_interval / static_cast<double>(p.size() - 1);

  if (is_counter && result > 0 && p.front().v >= 0) {
    // A counter is not extrapolated below zero.
    double duration_to_zero = sampled_interval * (p.front().v / result);
    if (duration_to_zero < duration_to_start) duration_to_start = duration_to_zero;
  }
  double threshold = average_between * 1.1;
  double interval = sampled_interval;
  interval += duration_to_start < threshold ? duration_to_start : average_between / 2;
  interval += duration_to_end < threshold ? duration_to_end : average_between / 2;
  double factor = interval / sampled_interval;
  if (is_rate) factor /= DurationSeconds(a.range_end_ms - a.range_start_ms);
  *out = result * factor;
  return true;
}

// instantValue: irate, idelta (the last two points).
bool InstantValue(const RangeArgs& a, bool is_rate, double* out) {
  const auto& p = a.points;
  if (p.size() < 2) return false;
  const FPoint& last = p[p.size() - 1];
  const FPoint& prev = p[p.size() - 2];
  double result = (is_rate && last.v < prev.v) ? last.v : last.v - prev.v;
  int64_t sampled_interval = last.t - prev.t;
  if (sampled_interval == 0) return false;
  if (is_rate) result /= static_cast<double>(sampled_interval) / 1000;
  *out = result;
  return true;
}

// linearRegression: least squares with x in seconds relative to
// intercept_ms; a constant series gives slope 0 (NaN when it is infinite).
void LinearRegression(std::span<const FPoint> p, int64_t intercept_ms, double* slope, double* intercept) {
  double n = 0, sum_x = 0, c_x = 0, sum_y = 0, c_y = 0, sum_xy = 0, c_xy = 0, sum_x2 = 0, c_x2 = 0;
  double init_y = p.front().v;
  bool const_y = true;
  for (size_t i = 0; i < p.size(); ++i) {
    if (const_y && i > 0 && p[i].v != init_y) const_y = false;
    n += 1.0;
    double x = static_cast<double>(p[i].t - intercept_ms) / 1e3;
    KahanSumInc(x, &sum_x, &c_x);
    KahanSumInc(p[i].v, &sum_y, &c_y);
    KahanSumInc(x * p[i].v, &sum_xy, &c_xy);
    KahanSumInc(x * x, &sum_x2, &c_x2);
  }
  if (const_y) {
    if (std::isinf(init_y)) {
      *slope = *intercept = kNaN;
    } else {
      *slope = 0;
      *intercept = init_y;
    }
    return;
  }
  sum_x += c_x;
  sum_y += c_y;
  sum_xy += c_xy;
  sum_x2 += c_x2;
  double cov_xy = sum_xy - sum_x * sum_y / n;
  double var_x = sum_x2 - sum_x * sum_x / n;
  *slope = cov_xy / var_x;
  *intercept = sum_y / n - *slope * sum_x / n;
}

bool Deriv(const RangeArgs& a, double* out, std::string*) {
  if (a.points.size() < 2) return false;
  double slope, intercept;
  LinearRegression(a.points, a.points.front().t, &slope, &intercept);
  *out = slope;
  return true;
}

bool PredictLinear(const RangeArgs& a, double* out, std::string*) {
  if (a.points.size() < 2) return false;
  double duration = a.scalars.empty() ? 0 : a.scalars[0];
  double slope, intercept;
  LinearRegression(a.points, a.eval_ms, &slope, &intercept);
  *out = slope * duration + intercept;
  return true;
}

double CalcTrendValue(size_t i, double tf, double s0, double s1, double b) {
  if (i == 0) return b;
  double x = tf * (s1 - s0);
  double y = (1 - tf) * b;
  return x + y;
}

bool HoltWinters(const RangeArgs& a, double* out, std::string* error) {
  double sf = a.scalars.size() > 0 ? a.scalars[0] : kNaN;
  double tf = a.scalars.size() > 1 ? a.scalars[1] : kNaN;
  // The checks run before the point count is looked at, as Prometheus.
  if (sf <= 0 || sf >= 1) {
    *error = "invalid smoothing factor. Expected: 0 < sf < 1, got: " + FormatGoF(sf);
    return false;
  }
  if (tf <= 0 || tf >= 1) {
    *error = "invalid trend factor. Expected: 0 < tf < 1, got: " + FormatGoF(tf);
    return false;
  }
  const auto& p = a.points;
  if (p.size() < 2) return false;
  double s0 = 0, s1 = p[0].v, b = p[1].v - p[0].v;
  for (size_t i = 1; i < p.size(); ++i) {
    double x = sf * p[i].v;
    b = CalcTrendValue(i - 1, tf, s0, s1, b);
    double y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  *out = s1;
  return true;
}

bool Changes(const RangeArgs& a, double* out, std::string*) {
  int changes = 0;
  double prev = a.points.front().v;
  for (size_t i = 1; i < a.points.size(); ++i) {
    double cur = a.points[i].v;
    if (cur != prev && !(std::isnan(cur) && std::isnan(prev))) ++changes;
    prev = cur;
  }
  *out = changes;
  return true;
}

bool Resets(const RangeArgs& a, double* out, std::string*) {
  int resets = 0;
  double prev = a.points.front().v;
  for (size_t i = 1; i < a.points.size(); ++i) {
    if (a.points[i].v < prev) ++resets;
    prev = a.points[i].v;
  }
  *out = resets;
  return true;
}

// Incremental mean with Kahan compensation; an infinite mean stays as it is
// unless an infinity of the other sign or a NaN arrives.
bool AvgOverTime(const RangeArgs& a, double* out, std::string*) {
  // Fast path (most windows): finite values whose sum cannot overflow. A
  // compensated sum divided once agrees with the incremental mean to the
  // last bits (well inside the differential test's 1e-9) without two
  // dependent divisions per point.
  {
    double sum = 0, c = 0, max_abs = 0;
    for (const FPoint& p : a.points) {
      KahanSumInc(p.v, &sum, &c);
      max_abs = std::max(max_abs, std::fabs(p.v));  // NaN: stays, fails the test below
    }
    const double n = static_cast<double>(a.points.size());
    if (max_abs < 1e300 / n && std::isfinite(sum)) {
      *out = (sum + c) / n;
      return true;
    }
  }
  double mean = 0, count = 0, c = 0;
  for (const FPoint& p : a.points) {
    count++;
    if (std::isinf(mean)) {
      if (std::isinf(p.v) && (mean > 0) == (p.v > 0)) continue;
      if (!std::isinf(p.v) && !std::isnan(p.v)) continue;
    }
    KahanSumInc(p.v / count - mean / count, &mean, &c);
  }
  *out = std::isinf(mean) ? mean : mean + c;
  return true;
}

bool SumOverTime(const RangeArgs& a, double* out, std::string*) {
  double sum = 0, c = 0;
  for (const FPoint& p : a.points) KahanSumInc(p.v, &sum, &c);
  *out = std::isinf(sum) ? sum : sum + c;
  return true;
}

bool CountOverTime(const RangeArgs& a, double* out, std::string*) {
  *out = static_cast<double>(a.points.size());
  return true;
}

bool LastOverTime(const RangeArgs& a, double* out, std::string*) {
  *out = a.points.back().v;
  return true;
}

bool PresentOverTime(const RangeArgs&, double* out, std::string*) {
  *out = 1;
  return true;
}

// A NaN so far is replaced by any later value.
bool MaxOverTime(const RangeArgs& a, double* out, std::string*) {
  double m = a.points.front().v;
  for (const FPoint& p : a.points) {
    if (p.v > m || std::isnan(m)) m = p.v;
  }
  *out = m;
  return true;
}

bool MinOverTime(const RangeArgs& a, double* out, std::string*) {
  double m = a.points.front().v;
  for (const FPoint& p : a.points) {
    if (p.v < m || std::isnan(m)) m = p.v;
  }
  *out = m;
  return true;
}

// Welford's algorithm with Kahan-compensated mean and sum of squares.
double StdvarOf(std::span<const FPoint> points) {
  double count = 0, mean = 0, c_mean = 0, aux = 0, c_aux = 0;
  for (const FPoint& p : points) {
    count++;
    double delta = p.v - (mean + c_mean);
    KahanSumInc(delta / count, &mean, &c_mean);
    KahanSumInc(delta * (p.v - (mean + c_mean)), &aux, &c_aux);
  }
  return (aux + c_aux) / count;
}

bool StddevOverTime(const RangeArgs& a, double* out, std::string*) {
  *out = std::sqrt(StdvarOf(a.points));
  return true;
}

bool StdvarOverTime(const RangeArgs& a, double* out, std::string*) {
  *out = StdvarOf(a.points);
  return true;
}

bool QuantileOverTime(const RangeArgs& a, double* out, std::string*) {
  std::vector<double> values;
  values.reserve(a.points.size());
  for (const FPoint& p : a.points) values.push_back(p.v);
  *out = Quantile(a.scalars.empty() ? kNaN : a.scalars[0], &values);
  return true;
}

bool AbsentOverTime(const RangeArgs&, double* out, std::string*) {
  *out = 1;
  return true;
}

using RangeKernel = bool (*)(const RangeArgs&, double*, std::string*);

// The implementation table of range functions, indexed by FunctionId.
constexpr auto kRangeKernels = [] {
  std::array<RangeKernel, static_cast<size_t>(FunctionId::kCount_)> t{};
  auto set = [&t](FunctionId id, RangeKernel k) { t[static_cast<size_t>(id)] = k; };
  set(FunctionId::kRate,
      [](const RangeArgs& a, double* o, std::string*) { return ExtrapolatedRate(a, true, true, o); });
  set(FunctionId::kIncrease,
      [](const RangeArgs& a, double* o, std::string*) { return ExtrapolatedRate(a, true, false, o); });
  set(FunctionId::kDelta,
      [](const RangeArgs& a, double* o, std::string*) { return ExtrapolatedRate(a, false, false, o); });
  set(FunctionId::kIrate,
      [](const RangeArgs& a, double* o, std::string*) { return InstantValue(a, true, o); });
  set(FunctionId::kIdelta,
      [](const RangeArgs& a, double* o, std::string*) { return InstantValue(a, false, o); });
  set(FunctionId::kDeriv, Deriv);
  set(FunctionId::kPredictLinear, PredictLinear);
  set(FunctionId::kHoltWinters, HoltWinters);
  set(FunctionId::kChanges, Changes);
  set(FunctionId::kResets, Resets);
  set(FunctionId::kAvgOverTime, AvgOverTime);
  set(FunctionId::kSumOverTime, SumOverTime);
  set(FunctionId::kCountOverTime, CountOverTime);
  set(FunctionId::kLastOverTime, LastOverTime);
  set(FunctionId::kPresentOverTime, PresentOverTime);
  set(FunctionId::kMaxOverTime, MaxOverTime);
  set(FunctionId::kMinOverTime, MinOverTime);
  set(FunctionId::kStddevOverTime, StddevOverTime);
  set(FunctionId::kStdvarOverTime, StdvarOverTime);
  set(FunctionId::kQuantileOverTime, QuantileOverTime);
  set(FunctionId::kAbsentOverTime, AbsentOverTime);
  return t;
}();

// ---- Elementwise functions ------------------------------------------------

using UnaryMath = double (*)(double);

double Sgn(double v) {
  if (v < 0) return -1;
  if (v > 0) return 1;
  return v;
}
double Deg(double v) { return v * 180 / std::numbers::pi; }
double Rad(double v) { return v * std::numbers::pi / 180; }

constexpr auto kUnaryMath = [] {
  std::array<UnaryMath, static_cast<size_t>(FunctionId::kCount_)> t{};
  auto set = [&t](FunctionId id, UnaryMath f) { t[static_cast<size_t>(id)] = f; };
  set(FunctionId::kAbs, [](double v) { return std::fabs(v); });
  set(FunctionId::kCeil, [](double v) { return std::ceil(v); });
  set(FunctionId::kFloor, [](double v) { return std::floor(v); });
  set(FunctionId::kExp, [](double v) { return std::exp(v); });
  set(FunctionId::kSqrt, [](double v) { return std::sqrt(v); });
  set(FunctionId::kLn, [](double v) { return std::log(v); });
  set(FunctionId::kLog2, [](double v) { return std::log2(v); });
  set(FunctionId::kLog10, [](double v) { return std::log10(v); });
  set(FunctionId::kSin, [](double v) { return std::sin(v); });
  set(FunctionId::kCos, [](double v) { return std::cos(v); });
  set(FunctionId::kTan, [](double v) { return std::tan(v); });
  set(FunctionId::kAsin, [](double v) { return std::asin(v); });
  set(FunctionId::kAcos, [](double v) { return std::acos(v); });
  set(FunctionId::kAtan, [](double v) { return std::atan(v); });
  set(FunctionId::kSinh, [](double v) { return std::sinh(v); });
  set(FunctionId::kCosh, [](double v) { return std::cosh(v); });
  set(FunctionId::kTanh, [](double v) { return std::tanh(v); });
  set(FunctionId::kAsinh, [](double v) { return std::asinh(v); });
  set(FunctionId::kAcosh, [](double v) { return std::acosh(v); });
  set(FunctionId::kAtanh, [](double v) { return std::atanh(v); });
  set(FunctionId::kSgn, Sgn);
  set(FunctionId::kDeg, Deg);
  set(FunctionId::kRad, Rad);
  return t;
}();

bool IsTimeFunction(FunctionId id) {
  switch (id) {
    case FunctionId::kDayOfMonth:
    case FunctionId::kDayOfWeek:
    case FunctionId::kDayOfYear:
    case FunctionId::kDaysInMonth:
    case FunctionId::kHour:
    case FunctionId::kMinute:
    case FunctionId::kMonth:
    case FunctionId::kYear:
      return true;
    default:
      return false;
  }
}

// ---- histogram_quantile ----------------------------------------------------

struct Bucket {
  double upper_bound;
  double count;
};

// strconv.ParseFloat(s, 64) acceptance: Go float syntax (decimal or hex
// with a 'p' exponent, '_' between digits), "inf"/"infinity"/"nan" in any
// case; a finite literal that overflows is a range error (rejected).
bool GoParseFloat(std::string_view s, double* out) {
  if (s.empty()) return false;
  size_t i = 0;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    i = 1;
  }
  auto equal_fold = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t k = 0; k < a.size(); ++k) {
      char c = a[k];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != b[k]) return false;
    }
    return true;
  };
  std::string_view rest = s.substr(i);
  if (equal_fold(rest, "inf") || equal_fold(rest, "infinity")) {
    *out = neg ? -kInf : kInf;
    return true;
  }
  if (i == 0 && equal_fold(rest, "nan")) {
    *out = kNaN;
    return true;
  }
  auto lower = [](char c) { return static_cast<char>(c | 0x20); };
  bool hex = rest.size() > 2 && rest[0] == '0' && lower(rest[1]) == 'x';
  auto is_digit = [&](char c) {
    return (c >= '0' && c <= '9') || (hex && lower(c) >= 'a' && lower(c) <= 'f');
  };
  size_t j = hex ? 2 : 0;
  bool saw_digits = false, saw_dot = false;
  for (; j < rest.size(); ++j) {
    char c = rest[j];
    if (c == '_') continue;
    if (c == '.') {
      if (saw_dot) break;
      saw_dot = true;
      continue;
    }
    if (!is_digit(c)) break;
    saw_digits = true;
  }
  if (!saw_digits) return false;
  char exp_char = hex ? 'p' : 'e';
  if (j < rest.size() && lower(rest[j]) == exp_char) {
    ++j;
    if (j < rest.size() && (rest[j] == '+' || rest[j] == '-')) ++j;
    if (j >= rest.size() || rest[j] < '0' || rest[j] > '9') return false;
    for (; j < rest.size() && ((rest[j] >= '0' && rest[j] <= '9') || rest[j] == '_'); ++j) {
    }
  } else if (hex) {
    return false;
  }
  if (j != rest.size()) return false;
  // underscoreOK: each '_' between digits (a base prefix counts as one).
  char saw = hex ? '0' : '^';
  for (size_t k = hex ? 2 : 0; k < rest.size(); ++k) {
    char c = rest[k];
    if (is_digit(c)) {
      saw = '0';
      continue;
    }
    if (c == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  if (saw == '_') return false;
  std::string clean;
  clean.reserve(s.size());
  for (char c : s) {
    if (c != '_') clean.push_back(c);
  }
  double v = std::strtod(clean.c_str(), nullptr);
  if (std::isinf(v)) return false;  // ErrRange
  *out = v;
  return true;
}

// bucketQuantile.
double BucketQuantile(double q, std::vector<Bucket>* buckets_in) {
  if (std::isnan(q)) return kNaN;
  if (q < 0) return -kInf;
  if (q > 1) return kInf;
  auto& buckets = *buckets_in;
  std::stable_sort(buckets.begin(), buckets.end(),
                   [](const Bucket& a, const Bucket& b) { return a.upper_bound < b.upper_bound; });
  if (!(std::isinf(buckets.back().upper_bound) && buckets.back().upper_bound > 0)) return kNaN;

  // coalesceBuckets: merge equal upper bounds.
  size_t n = 0;
  Bucket last = buckets[0];
  for (size_t i = 1; i < buckets.size(); ++i) {
    if (buckets[i].upper_bound == last.upper_bound) {
      last.count += buckets[i].count;
    } else {
      buckets[n++] = last;
      last = buckets[i];
    }
  }
  buckets[n++] = last;
  buckets.resize(n);

  // ensureMonotonic.
  double max = -kInf;
  for (Bucket& b : buckets) {
    if (b.count > max) {
      max = b.count;
    } else if (b.count < max) {
      b.count = max;
    }
  }

  if (buckets.size() < 2) return kNaN;
  double observations = buckets.back().count;
  if (observations == 0) return kNaN;
  double rank = q * observations;
  size_t b = 0;
  while (b < buckets.size() - 1 && !(buckets[b].count >= rank)) ++b;
  if (b == buckets.size() - 1) return buckets[buckets.size() - 2].upper_bound;
  if (b == 0 && buckets[0].upper_bound <= 0) return buckets[0].upper_bound;
  double bucket_start = 0;
  double bucket_end = buckets[b].upper_bound;
  double count = buckets[b].count;
  if (b > 0) {
    bucket_start = buckets[b - 1].upper_bound;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  return bucket_start + (bucket_end - bucket_start) * (rank / count);
}


}  // namespace

bool IsRangeFunction(FunctionId id) {
  for (ValueType t : GetFunction(id).args()) {
    if (t == ValueType::kMatrix) return true;
  }
  return false;
}

bool EvalRangeFunction(FunctionId id, const RangeArgs& args, double* out, std::string* error) {
  RangeKernel k = kRangeKernels[static_cast<size_t>(id)];
  if (k == nullptr || args.points.empty()) return false;
  return k(args, out, error);
}

bool IsElementwiseFunction(FunctionId id) {
  return kUnaryMath[static_cast<size_t>(id)] != nullptr || IsTimeFunction(id) || id == FunctionId::kRound ||
         id == FunctionId::kClamp || id == FunctionId::kClampMin || id == FunctionId::kClampMax;
}

bool EvalElementwise(FunctionId id, double v, std::span<const double> scalars, double* out) {
  if (UnaryMath f = kUnaryMath[static_cast<size_t>(id)]) {
    *out = f(v);
    return true;
  }
  if (IsTimeFunction(id)) {
    *out = EvalTimeFunction(id, v);
    return true;
  }
  auto arg = [&scalars](size_t i) { return i < scalars.size() ? scalars[i] : kNaN; };
  switch (id) {
    case FunctionId::kRound: {
      // Ties round up; the inverse gives fewer floating point surprises.
      double to_nearest = scalars.empty() ? 1 : scalars[0];
      double inverse = 1.0 / to_nearest;
      *out = std::floor(v * inverse + 0.5) / inverse;
      return true;
    }
    case FunctionId::kClamp: {
      double min = arg(0), max = arg(1);
      if (max < min) return false;
      *out = GoMax(min, GoMin(max, v));
      return true;
    }
    case FunctionId::kClampMin:
      *out = GoMax(arg(0), v);
      return true;
    case FunctionId::kClampMax:
      *out = GoMin(arg(0), v);
      return true;
    default:
      return false;
  }
}

double Quantile(double phi, std::vector<double>* values) {
  if (values->empty()) return kNaN;
  if (std::isnan(phi)) return kNaN;
  if (phi < 0) return -kInf;
  if (phi > 1) return kInf;
  // NaN sorts first, as Prometheus' vectorByValueHeap.
  std::sort(values->begin(), values->end(), [](double a, double b) {
    if (std::isnan(a)) return !std::isnan(b);
    return a < b;
  });
  double n = static_cast<double>(values->size());
  double rank = phi * (n - 1);
  double lower = std::max(0.0, std::floor(rank));
  double upper = std::min(n - 1, lower + 1);
  double weight = rank - std::floor(rank);
  return (*values)[static_cast<size_t>(lower)] * (1 - weight) +
         (*values)[static_cast<size_t>(upper)] * weight;
}

void HistogramQuantile(double phi, const Vector& in, int64_t t_ms, Vector* out) {
  struct Group {
    model::Labels metric;
    std::vector<Bucket> buckets;
  };
  std::vector<Group> groups;
  std::unordered_map<std::string, size_t> index;
  std::string key;
  for (const VSample& s : in) {
    double upper;
    if (!GoParseFloat(s.metric.Get("le"), &upper)) continue;
    key.clear();
    for (const model::Label& l : s.metric) {
      if (l.name == "le") continue;
      key.append(l.name).push_back('\xff');
      key.append(l.value).push_back('\xff');
    }
    auto [it, inserted] = index.try_emplace(key, groups.size());
    if (inserted) {
      model::LabelsBuilder b(s.metric);
      b.Del("le").Del(model::kMetricName);
      groups.push_back({b.Build(), {}});
    }
    groups[it->second].buckets.push_back({upper, s.v});
  }
  for (Group& g : groups) {
    double v = BucketQuantile(phi, &g.buckets);
    out->push_back({std::move(g.metric), t_ms, v});
  }
}

}  // namespace cistern::promql
