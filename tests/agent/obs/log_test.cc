#include "agent/obs/log.h"

#include <gtest/gtest.h>

namespace cistern::obs {
namespace {

std::string Capture(LogFormat format, const std::function<void()>& fn) {
  InitLogging(LogLevel::kInfo, format);
  ::testing::internal::CaptureStderr();
  fn();
  std::string out = ::testing::internal::GetCapturedStderr();
  InitLogging(LogLevel::kInfo, LogFormat::kText);
  return out;
}

TEST(LogTest, TextLinesCarryLevelComponentAndMessage) {
  std::string out = Capture(LogFormat::kText, [] { Info("wal", "replayed {} segments", 3); });
  EXPECT_NE(out.find(" info wal: replayed 3 segments\n"), std::string::npos) << out;
}

TEST(LogTest, JsonLinesEscapeTheMessage) {
  std::string out = Capture(LogFormat::kJson, [] { Warn("http", "bad \"path\"\n"); });
  EXPECT_NE(out.find(R"("level":"warning","component":"http","msg":"bad \"path\"\n"})"), std::string::npos)
      << out;
}

TEST(LogTest, LevelFiltersLowerLevels) {
  InitLogging(LogLevel::kWarn, LogFormat::kText);
  ::testing::internal::CaptureStderr();
  Info("x", "hidden");
  Error("x", "shown");
  std::string out = ::testing::internal::GetCapturedStderr();
  InitLogging(LogLevel::kInfo, LogFormat::kText);
  EXPECT_EQ(out.find("hidden"), std::string::npos);
  EXPECT_NE(out.find("shown"), std::string::npos);
}

TEST(LogTest, ParsesLevelsAndFormats) {
  EXPECT_EQ(*ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_FALSE(ParseLogLevel("verbose").ok());
  EXPECT_EQ(*ParseLogFormat("json"), LogFormat::kJson);
  EXPECT_FALSE(ParseLogFormat("xml").ok());
}

TEST(RateLimiterTest, LetsBurstThroughThenSuppresses) {
  RateLimiter rl(2, 60000);
  uint64_t suppressed = 0;
  EXPECT_TRUE(rl.Allow(&suppressed));
  EXPECT_TRUE(rl.Allow(&suppressed));
  EXPECT_FALSE(rl.Allow(&suppressed));
  EXPECT_FALSE(rl.Allow(&suppressed));
}

}  // namespace
}  // namespace cistern::obs
