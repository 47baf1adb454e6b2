// Clocks. Wall-clock milliseconds for sample timestamps; monotonic for intervals.
#pragma once

#include <chrono>
#include <cstdint>

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

}  // namespace cistern
