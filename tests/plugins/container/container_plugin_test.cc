#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/config/config.h"
#include "agent/loop/handle.h"
#include "agent/plugin/input_runner.h"
#include "agent/plugin/plugin.h"
#include "tests/plugins/container/container_testing.h"
#include "tests/testing/recording_appender.h"
#include "tests/testing/status_matchers.h"

namespace cistern::plugins::container {
namespace {

using ::cistern::testing::StatusIs;
using ::testing::HasSubstr;

plugin::Registry Builtins() {
  plugin::Registry r;
  RegisterBuiltins(&r);
  return r;
}

std::string FixtureConfig(std::string_view fixture, std::string_view extra = "") {
  return "[inputs.container]\ncgroupfs = \"" + testing::FixtureDir(fixture) + "/cgroup\"\nprocfs = \"" +
         testing::FixtureDir(fixture) + "/proc\"\ndocker_socket = \"\"\n" + std::string(extra);
}

TEST(ContainerPluginTest, IsRegisteredWithItsSchemaAndCadvisorsJob) {
  plugin::Registry registry = Builtins();
  const plugin::Descriptor* d = registry.Find("container");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->default_job, "cadvisor");
  EXPECT_FALSE(d->multi_instance);
  std::vector<std::string> keys;
  for (const auto& f : d->schema) keys.push_back(f.key);
  EXPECT_THAT(
      keys, ::testing::ElementsAre("cgroupfs", "procfs", "docker_socket", "docker_timeout",
                                   "container_labels", "containers_only", "max_depth", "exclude", "per_cpu"));
}

TEST(ContainerPluginTest, DefaultsAreCadvisorsPaths) {
  plugin::Registry registry = Builtins();
  auto c = config::ParseConfig("[inputs.container]\n", "t.toml");
  CISTERN_ASSERT_OK(c);
  auto specs = plugin::ResolveInputs(*c, registry);
  CISTERN_ASSERT_OK(specs);
  const plugin::InputSpec* spec = nullptr;
  for (const auto& s : *specs) {
    if (s.id == "container") spec = &s;
  }
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(spec->options.GetString("cgroupfs"), "/sys/fs/cgroup");
  EXPECT_EQ(spec->options.GetString("procfs"), "/proc");
  EXPECT_EQ(spec->options.GetString("docker_socket"), "/var/run/docker.sock");
  EXPECT_EQ(spec->options.GetDuration("docker_timeout"), Duration(1000));
  EXPECT_THAT(spec->options.GetStringList("container_labels"),
              ::testing::ElementsAre("com.docker.compose.project", "com.docker.compose.service"));
}

// Runs one collection through the core's InputRunner, as `cistern agent` would.
struct RunResult {
  Status status;
  std::vector<cistern::testing::RecordedSample> samples;
};
RunResult RunOnce(const std::string& toml) {
  RunResult out;
  plugin::Registry registry = Builtins();
  auto c = config::ParseConfig(toml, "t.toml");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  if (!c.ok()) return out;
  auto specs = plugin::ResolveInputs(*c, registry);
  EXPECT_TRUE(specs.ok()) << specs.status().ToString();
  if (!specs.ok()) return out;
  uv_loop_t loop;
  EXPECT_EQ(uv_loop_init(&loop), 0);
  obs::Registry metrics;
  cistern::testing::RecordingAppendable sink;
  for (auto& spec : *specs) {
    if (spec.id != "container") continue;
    plugin::InputRunner runner(&loop, std::move(spec), &sink, &metrics);
    out.status = runner.Start();
    if (!out.status.ok()) break;
    bool done = false;
    runner.CollectNow([&](Status s) {
      out.status = s;
      done = true;
    });
    while (!done) uv_run(&loop, UV_RUN_ONCE);
    bool stopped = false;
    runner.Stop([&] { stopped = true; });
    while (!stopped) uv_run(&loop, UV_RUN_ONCE);
    break;
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
  out.samples = sink.samples();
  return out;
}

TEST(ContainerPluginTest, CollectsOnAWorkerThroughTheInputRunner) {
  RunResult r = RunOnce(FixtureConfig("v2_systemd_docker"));
  CISTERN_EXPECT_OK(r.status);
  int usage = 0;
  for (const auto& s : r.samples) {
    if (s.labels.MetricName() != "container_cpu_usage_seconds_total") continue;
    ++usage;
    EXPECT_EQ(s.labels.Get("job"), "cadvisor");
    EXPECT_FALSE(s.labels.Get("instance").empty());
    EXPECT_EQ(s.labels.Get("cpu"), "total");
  }
  EXPECT_EQ(usage, 10);  // every cgroup of the fixture has CPU time
}

TEST(ContainerPluginTest, HostWithoutCgroupsFailsTheCollection) {
  RunResult r = RunOnce("[inputs.container]\ncgroupfs = \"/nonexistent/cgroup\"\ndocker_socket = \"\"\n");
  EXPECT_THAT(r.status, StatusIs(StatusCode::kFailedPrecondition, HasSubstr("cgroupfs /nonexistent/cgroup")));
}

TEST(ContainerPluginTest, BadExcludePatternFailsToStart) {
  RunResult r = RunOnce(FixtureConfig("v2_systemd_docker", "exclude = \"(\"\n"));
  EXPECT_THAT(r.status, StatusIs(StatusCode::kInvalidArgument, HasSubstr("exclude: bad regular expression")));
}

}  // namespace
}  // namespace cistern::plugins::container
