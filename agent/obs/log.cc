#include "agent/obs/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>

#include "agent/base/json.h"
#include "agent/base/time.h"

namespace cistern::obs {
namespace internal {
std::atomic<int> g_min_level{static_cast<int>(LogLevel::kInfo)};
}  // namespace internal

namespace {

std::mutex g_mu;
std::shared_ptr<spdlog::logger> g_logger;  // guarded by g_mu for replacement
std::atomic<int> g_format{static_cast<int>(LogFormat::kText)};

spdlog::level::level_enum ToSpd(LogLevel l) {
  switch (l) {
    case LogLevel::kTrace: return spdlog::level::trace;
    case LogLevel::kDebug: return spdlog::level::debug;
    case LogLevel::kInfo: return spdlog::level::info;
    case LogLevel::kWarn: return spdlog::level::warn;
    case LogLevel::kError: return spdlog::level::err;
    case LogLevel::kOff: return spdlog::level::off;
  }
  return spdlog::level::info;
}


std::shared_ptr<spdlog::logger> Logger() {
  std::lock_guard lock(g_mu);
  if (!g_logger) {
    g_logger = std::make_shared<spdlog::logger>("cistern", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    g_logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    g_logger->set_level(spdlog::level::trace);
    g_logger->flush_on(spdlog::level::trace);
  }
  return g_logger;
}

}  // namespace

StatusOr<LogLevel> ParseLogLevel(std::string_view s) {
  if (s == "trace") return LogLevel::kTrace;
  if (s == "debug") return LogLevel::kDebug;
  if (s == "info") return LogLevel::kInfo;
  if (s == "warn") return LogLevel::kWarn;
  if (s == "error") return LogLevel::kError;
  return InvalidArgumentError("unknown log level \"" + std::string(s) + "\" (trace|debug|info|warn|error)");
}

StatusOr<LogFormat> ParseLogFormat(std::string_view s) {
  if (s == "text") return LogFormat::kText;
  if (s == "json") return LogFormat::kJson;
  return InvalidArgumentError("unknown log format \"" + std::string(s) + "\" (text|json)");
}

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace: return "trace";
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
    case LogLevel::kOff: return "off";
  }
  return "info";
}

void InitLogging(LogLevel level, LogFormat format) {
  auto logger = Logger();
  g_format.store(static_cast<int>(format));
  if (format == LogFormat::kJson) {
    logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})", spdlog::pattern_time_type::utc);
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  }
  SetLogLevel(level);
}

void SetLogLevel(LogLevel level) { internal::g_min_level.store(static_cast<int>(level)); }

namespace internal {
void Write(LogLevel level, std::string_view component, std::string_view message) {
  std::string line;
  if (static_cast<LogFormat>(g_format.load()) == LogFormat::kJson) {
    line.append("\"component\":");
    AppendJsonString(&line, component);
    line.append(",\"msg\":");
    AppendJsonString(&line, message);
    line.push_back('}');
  } else {
    line.reserve(component.size() + message.size() + 2);
    line.append(component);
    line.append(": ");
    line.append(message);
  }
  Logger()->log(ToSpd(level), "{}", line);
}
}  // namespace internal

bool RateLimiter::Allow(uint64_t* suppressed) {
  int64_t now = MonotonicNanos() / 1000000;
  int64_t start = window_start_.load();
  if (now - start >= period_ms_ && window_start_.compare_exchange_strong(start, now)) {
    used_.store(0);
  }
  if (used_.fetch_add(1) < burst_) {
    *suppressed = suppressed_.exchange(0);
    return true;
  }
  suppressed_.fetch_add(1);
  return false;
}

}  // namespace cistern::obs
