// The time functions (day_of_month ... year) as 2.42 computes them: Go's
// time package on Unix seconds in UTC, Go's float -> int64 conversion.
#include "agent/promql/eval_functions.h"

#include <cmath>
#include <cstdint>
#include <limits>

namespace cistern::promql {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ---- Time functions: Go's time package on Unix seconds, UTC ---------------

// Go's float64 -> int64 conversion on amd64 (CVTTSD2SQ): truncation; NaN
// and out-of-range values give the "integer indefinite" INT64_MIN.
int64_t GoFloatToInt64(double v) {
  if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

constexpr int64_t kAbsoluteZeroYear = -292277022399;
constexpr uint64_t kSecondsPerDay = 86400;
constexpr uint64_t kDaysPer400Years = 365 * 400 + 97;
constexpr uint64_t kDaysPer100Years = 365 * 100 + 24;
constexpr uint64_t kDaysPer4Years = 365 * 4 + 1;
// unixToInternal + internalToAbsolute.
constexpr uint64_t kUnixToAbsolute = 9223372028715321600ULL;
constexpr std::array<int, 13> kDaysBefore = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};

bool IsLeap(int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

struct GoDate {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
  int yday;   // 0-based
};

// time.absDate.
GoDate AbsDate(uint64_t abs) {
  uint64_t d = abs / kSecondsPerDay;
  uint64_t n = d / kDaysPer400Years;
  uint64_t y = 400 * n;
  d -= kDaysPer400Years * n;
  n = d / kDaysPer100Years;
  n -= n >> 2;
  y += 100 * n;
  d -= kDaysPer100Years * n;
  n = d / kDaysPer4Years;
  y += 4 * n;
  d -= kDaysPer4Years * n;
  n = d / 365;
  n -= n >> 2;
  y += n;
  d -= 365 * n;

  GoDate out;
  out.year = static_cast<int64_t>(y) + kAbsoluteZeroYear;
  out.yday = static_cast<int>(d);
  int day = out.yday;
  if (IsLeap(out.year)) {
    if (day > 31 + 29 - 1) {
      day--;
    } else if (day == 31 + 29 - 1) {
      out.month = 2;
      out.day = 29;
      return out;
    }
  }
  int month = day / 31;
  int end = kDaysBefore[month + 1];
  int begin;
  if (day >= end) {
    month++;
    begin = end;
  } else {
    begin = kDaysBefore[month];
  }
  out.month = month + 1;
  out.day = day - begin + 1;
  return out;
}

// time.daysSinceEpoch (days since the absolute epoch, wrapping).
uint64_t DaysSinceEpoch(int64_t year) {
  uint64_t y = static_cast<uint64_t>(year) - static_cast<uint64_t>(kAbsoluteZeroYear);
  uint64_t n = y / 400;
  y -= 400 * n;
  uint64_t d = kDaysPer400Years * n;
  n = y / 100;
  y -= 100 * n;
  d += kDaysPer100Years * n;
  n = y / 4;
  y -= 4 * n;
  d += kDaysPer4Years * n;
  d += 365 * y;
  return d;
}

}  // namespace

double EvalTimeFunction(FunctionId id, double v) {
  uint64_t abs = static_cast<uint64_t>(GoFloatToInt64(v)) + kUnixToAbsolute;
  switch (id) {
    case FunctionId::kDayOfMonth:
      return AbsDate(abs).day;
    case FunctionId::kDayOfWeek:
      return static_cast<double>((abs + kSecondsPerDay) % (7 * kSecondsPerDay) / kSecondsPerDay);
    case FunctionId::kDayOfYear:
      return AbsDate(abs).yday + 1;
    case FunctionId::kHour:
      return static_cast<double>(abs % kSecondsPerDay / 3600);
    case FunctionId::kMinute:
      return static_cast<double>(abs % 3600 / 60);
    case FunctionId::kMonth:
      return AbsDate(abs).month;
    case FunctionId::kYear:
      return static_cast<double>(AbsDate(abs).year);
    case FunctionId::kDaysInMonth: {
      // 32 - time.Date(year, month, 32, 0, 0, 0, 0, UTC).Day().
      GoDate date = AbsDate(abs);
      uint64_t d = DaysSinceEpoch(date.year) + static_cast<uint64_t>(kDaysBefore[date.month - 1]);
      if (IsLeap(date.year) && date.month >= 3) d++;
      d += 31;
      return 32 - AbsDate(d * kSecondsPerDay).day;
    }
    default:
      return kNaN;
  }
}


}  // namespace cistern::promql
