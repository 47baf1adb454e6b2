// Clocks. Wall-clock milliseconds for sample timestamps; monotonic for intervals.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>

namespace cistern {

inline int64_t NowUnixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline int64_t MonotonicNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Seconds elapsed on the steady clock since `t` (durations for logs and metrics).
inline double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// "2026-12-01T15:15:00Z" for a millisecond Unix timestamp (seconds, UTC;
// floors negative times).
inline std::string FormatUnixMillisUtc(int64_t ms) {
  time_t secs = static_cast<time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace cistern
