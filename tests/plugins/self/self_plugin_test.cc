#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/obs/process_metrics.h"
#include "agent/plugin/input_runner.h"
#include "agent/plugin/plugin.h"
#include "tests/testing/recording_appender.h"
#include "tests/testing/status_matchers.h"

namespace cistern::plugins {
namespace {

TEST(SelfInputTest, AppendsEveryRegistryPointAsASample) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  plugin::Registry registry;
  RegisterBuiltins(&registry);
  obs::Registry metrics;
  obs::RegisterProcessMetrics(&metrics);
  metrics.NewCounterFamily("cistern_test_drops_total", "x", {"reason"})->With({"full"})->Inc(7);
  testing::RecordingAppendable sink;
  {
    config::Config c;  // no inputs configured: self is on by default
    auto specs = plugin::ResolveInputs(c, registry);
    ASSERT_TRUE(specs.ok());
    ASSERT_EQ(specs->size(), 1u);
    plugin::InputRunner runner(&loop, std::move((*specs)[0]), &sink, &metrics);
    CISTERN_ASSERT_OK(runner.Start());
    Status got = InternalError("not called");
    runner.CollectNow([&](Status s) { got = s; });
    CISTERN_EXPECT_OK(got);
    bool stopped = false;
    runner.Stop([&] { stopped = true; });
    EXPECT_TRUE(stopped);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);

  auto drops = sink.Find("cistern_test_drops_total");
  ASSERT_EQ(drops.size(), 1u);
  EXPECT_EQ(drops[0].labels.Get("reason"), "full");
  EXPECT_EQ(drops[0].value, 7);
  EXPECT_EQ(sink.Find("process_resident_memory_bytes").size(), 1u);
  auto info = sink.Find("cistern_build_info");
  ASSERT_EQ(info.size(), 1u);
  EXPECT_FALSE(info[0].labels.Get("version").empty());
  // All samples of one collection share its timestamp.
  for (const auto& s : sink.samples()) EXPECT_EQ(s.timestamp_ms, drops[0].timestamp_ms);
}

}  // namespace
}  // namespace cistern::plugins
