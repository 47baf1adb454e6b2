// Logging: a small front for spdlog (which stays inside log.cc).
//
//   obs::Info("wal", "replayed {} segments in {:.1f}s", n, secs);
//
// Text lines:  2026-11-22T13:40:01.123Z info wal: replayed 3 segments in 0.2s
// JSON lines:  {"ts":"2026-11-22T13:40:01.123Z","level":"info","component":"wal","msg":"..."}
// Thread-safe. Messages are lower-case and lead with where (STYLE.md).
#pragma once

#include <fmt/core.h>

#include <atomic>
#include <string>
#include <string_view>
#include <utility>

#include "agent/base/status.h"

namespace cistern::obs {

enum class LogLevel { kTrace = 0, kDebug, kInfo, kWarn, kError, kOff };
enum class LogFormat { kText, kJson };

StatusOr<LogLevel> ParseLogLevel(std::string_view s);
StatusOr<LogFormat> ParseLogFormat(std::string_view s);
std::string_view LogLevelName(LogLevel level);

// Configures the process logger (stderr). Safe to call again (reload).
void InitLogging(LogLevel level, LogFormat format);
void SetLogLevel(LogLevel level);

namespace internal {
extern std::atomic<int> g_min_level;
void Write(LogLevel level, std::string_view component, std::string_view message);
}  // namespace internal

inline bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) >= internal::g_min_level.load(std::memory_order_relaxed);
}

template <typename... Args>
void Log(LogLevel level, std::string_view component, fmt::format_string<Args...> f, Args&&... args) {
  if (!LogEnabled(level)) return;
  internal::Write(level, component, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Trace(std::string_view c, fmt::format_string<Args...> f, Args&&... a) { Log(LogLevel::kTrace, c, f, std::forward<Args>(a)...); }
template <typename... Args>
void Debug(std::string_view c, fmt::format_string<Args...> f, Args&&... a) { Log(LogLevel::kDebug, c, f, std::forward<Args>(a)...); }
template <typename... Args>
void Info(std::string_view c, fmt::format_string<Args...> f, Args&&... a) { Log(LogLevel::kInfo, c, f, std::forward<Args>(a)...); }
template <typename... Args>
void Warn(std::string_view c, fmt::format_string<Args...> f, Args&&... a) { Log(LogLevel::kWarn, c, f, std::forward<Args>(a)...); }
template <typename... Args>
void Error(std::string_view c, fmt::format_string<Args...> f, Args&&... a) { Log(LogLevel::kError, c, f, std::forward<Args>(a)...); }

// Lets at most `burst` messages through per `period_ms`; the first one after
// a quiet spell reports how many were suppressed. Thread-safe.
class RateLimiter {
 public:
  RateLimiter(int burst, int64_t period_ms) : burst_(burst), period_ms_(period_ms) {}
  // Returns true if a message may be logged now; *suppressed gets the count
  // of messages held back since the last one let through.
  bool Allow(uint64_t* suppressed);

 private:
  const int burst_;
  const int64_t period_ms_;
  std::atomic<int64_t> window_start_{0};
  std::atomic<int> used_{0};
  std::atomic<uint64_t> suppressed_{0};
};

}  // namespace cistern::obs
