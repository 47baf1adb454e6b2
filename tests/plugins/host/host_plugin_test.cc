#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <uv.h>

#include "agent/config/config.h"
#include "agent/plugin/input_runner.h"
#include "agent/plugin/plugin.h"
#include "tests/testing/recording_appender.h"
#include "tests/testing/status_matchers.h"

namespace cistern::plugins::host {
plugin::Descriptor Describe();
namespace {

using ::testing::HasSubstr;

class HostPluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(uv_loop_init(&loop_), 0);
    registry_.Register(Describe());
  }
  void TearDown() override {
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }
  StatusOr<std::vector<plugin::InputSpec>> Resolve(const std::string& toml) {
    auto c = config::ParseConfig(toml, "test.toml");
    if (!c.ok()) return c.status();
    return plugin::ResolveInputs(*c, registry_);
  }
  // Runs one collection of the [inputs.host] in `toml`; returns its status.
  Status CollectOnce(const std::string& toml) {
    auto specs = Resolve(toml);
    if (!specs.ok()) return specs.status();
    plugin::InputRunner runner(&loop_, std::move((*specs)[0]), &sink_, &metrics_);
    CISTERN_RETURN_IF_ERROR(runner.Start());
    Status got = InternalError("not called");
    bool done = false;
    runner.CollectNow([&](Status s) {
      got = s;
      done = true;
    });
    while (!done) uv_run(&loop_, UV_RUN_ONCE);
    bool stopped = false;
    runner.Stop([&] { stopped = true; });
    while (!stopped) uv_run(&loop_, UV_RUN_ONCE);
    return got;
  }
  std::string Fixture(const std::string& name) { return std::string(HOST_TESTDATA) + "/" + name; }

  uv_loop_t loop_;
  plugin::Registry registry_;
  cistern::testing::RecordingAppendable sink_;
  obs::Registry metrics_;
};

TEST_F(HostPluginTest, UnknownCollectorIsAConfigErrorListingTheKnownOnes) {
  auto specs = Resolve("[inputs.host]\ncollectors = [\"cpu\", \"nosuch\"]\n");
  ASSERT_TRUE(specs.ok());
  plugin::InputRunner runner(&loop_, std::move((*specs)[0]), &sink_, &metrics_);
  Status s = runner.Start();
  EXPECT_THAT(s, testing::StatusIs(StatusCode::kInvalidArgument, HasSubstr("unknown collector \"nosuch\"")));
  EXPECT_THAT(s.message(), HasSubstr("meminfo"));
}

TEST_F(HostPluginTest, OnlyTheChosenCollectorsRunEachWithItsOutcome) {
  std::string dir = Fixture("system_basic");
  CISTERN_ASSERT_OK(CollectOnce("[inputs.host]\nprocfs = \"" + dir + "/proc\"\nsysfs = \"" + dir +
                                "/sys\"\ncollectors = [\"loadavg\"]\n"));
  EXPECT_EQ(sink_.Find("node_load1").size(), 1u);
  EXPECT_TRUE(sink_.Find("node_memory_MemTotal_bytes").empty());
  auto success = sink_.Find("node_scrape_collector_success");
  ASSERT_EQ(success.size(), 1u);
  EXPECT_EQ(success[0].labels.Get("collector"), "loadavg");
  EXPECT_EQ(success[0].value, 1);
  EXPECT_EQ(success[0].labels.Get("job"), "node");
}

TEST_F(HostPluginTest, AMalformedSourceFailsItsCollectorAndTheOthersStillReport) {
  std::string dir = Fixture("plugin_broken");
  Status s = CollectOnce("[inputs.host]\nprocfs = \"" + dir + "/proc\"\nsysfs = \"" + dir +
                         "/sys\"\ncollectors = [\"loadavg\", \"meminfo\"]\n");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("loadavg"));
  EXPECT_TRUE(sink_.Find("node_load1").empty());
  EXPECT_EQ(sink_.Find("node_memory_MemTotal_bytes").size(), 1u);  // the rest is still collected
  for (const auto& smp : sink_.Find("node_scrape_collector_success")) {
    EXPECT_EQ(smp.value, smp.labels.Get("collector") == "meminfo" ? 1 : 0) << smp.labels.ToString();
  }
  EXPECT_THAT(metrics_.RenderText(),
              HasSubstr("cistern_host_collector_errors_total{input=\"host\",collector=\"loadavg\"} 1\n"));
}

TEST_F(HostPluginTest, AMissingSourceIsNotAnError) {
  std::string dir = Fixture("plugin_broken");
  // No /proc/pressure in the fixture: like a kernel without PSI.
  CISTERN_EXPECT_OK(CollectOnce("[inputs.host]\nprocfs = \"" + dir + "/proc\"\ncollectors = [\"pressure\", \"meminfo\"]\n"));
  auto success = sink_.Find("node_scrape_collector_success");
  ASSERT_EQ(success.size(), 2u);
}

}  // namespace
}  // namespace cistern::plugins::host
