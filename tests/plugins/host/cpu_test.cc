// The cpu collector and /proc/stat's per-CPU lines. Expected values on the
// system_basic fixture are node_exporter 1.5.0's output for the same tree.
#include "plugins/host/cpu.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "plugins/host/proc_stat.h"
#include "tests/plugins/host/host_testing.h"
#include "tests/plugins/host/system_test_util.h"
#include "tests/testing/recording_appender.h"
#include "tests/testing/status_matchers.h"

namespace cistern::plugins::host {
namespace {

using ::cistern::testing::StatusIs;
using testing::Fixture;
using ::testing::HasSubstr;
using testing::InDir;
namespace ht = ::cistern::plugins::host::testing;

TEST(ParseProcStatTest, CpuTicksBecomeSecondsAtUserHz100) {
  auto s =
      ParseProcStat("cpu  10 20 30 40 50 60 70 80 90 100\ncpu0 44490 19 21045 1087069 220 1 3410 4 120 7\n");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_DOUBLE_EQ(s->total.guest_nice, 1.0);
  ASSERT_EQ(s->cpus.size(), 1u);
  const CpuTimes& c = s->cpus.at(0);
  EXPECT_DOUBLE_EQ(c.user, 444.90);
  EXPECT_DOUBLE_EQ(c.nice, 0.19);
  EXPECT_DOUBLE_EQ(c.system, 210.45);
  EXPECT_DOUBLE_EQ(c.idle, 10870.69);
  EXPECT_DOUBLE_EQ(c.iowait, 2.20);
  EXPECT_DOUBLE_EQ(c.irq, 0.01);
  EXPECT_DOUBLE_EQ(c.softirq, 34.10);
  EXPECT_DOUBLE_EQ(c.steal, 0.04);
  EXPECT_DOUBLE_EQ(c.guest, 1.20);
  EXPECT_DOUBLE_EQ(c.guest_nice, 0.07);
}

TEST(ParseProcStatTest, ShortCpuLinesOfOlderKernelsLeaveTheRestZero) {
  auto s = ParseProcStat("cpu0 100 0 0 500\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->cpus.at(0).idle, 5);
  EXPECT_EQ(s->cpus.at(0).iowait, 0);
  EXPECT_EQ(s->cpus.at(0).guest_nice, 0);
}

TEST(ParseProcStatTest, OfflineCpusHaveNoEntry) {
  auto s = ParseProcStat("cpu  3 0 0 0\ncpu0 1 0 0 0\ncpu2 2 0 0 0\n");
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->cpus.size(), 2u);
  EXPECT_TRUE(s->cpus.count(0));
  EXPECT_TRUE(s->cpus.count(2));
}

TEST(ParseProcStatTest, AMalformedNumberNamesTheLine) {
  EXPECT_THAT(ParseProcStat("cpu  1 2\ncpu0 1 x 3\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 2: cpu0: cannot parse \"x\"")));
  EXPECT_THAT(ParseProcStat("cpuX 1 2\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 1: cpu id")));
}

CpuTimes Times(double user, double idle) {
  CpuTimes t;
  t.user = user;
  t.idle = idle;
  return t;
}

TEST(CpuTimesTrackerTest, ACounterThatGoesBackwardsKeepsItsPreviousValue) {
  CpuTimesTracker tracker;
  tracker.Update({{0, Times(100, 1000)}});
  const auto& out = tracker.Update({{0, Times(99.5, 999.0)}});
  EXPECT_EQ(out.at(0).user, 100);
  EXPECT_EQ(out.at(0).idle, 1000);
  EXPECT_EQ(tracker.Update({{0, Times(101, 1001)}}).at(0).user, 101);
}

TEST(CpuTimesTrackerTest, IdleDroppingThreeSecondsOrMoreMeansHotplugAndStartsOver) {
  CpuTimesTracker tracker;
  tracker.Update({{1, Times(100, 1000)}});
  const auto& out = tracker.Update({{1, Times(5, 997)}});
  EXPECT_EQ(out.at(1).user, 5);
  EXPECT_EQ(out.at(1).idle, 997);
}

TEST(CpuTimesTrackerTest, ACpuThatWentOfflineIsForgotten) {
  CpuTimesTracker tracker;
  tracker.Update({{0, Times(1, 1)}, {1, Times(100, 100)}});
  EXPECT_EQ(tracker.Update({{0, Times(2, 2)}}).count(1), 0u);
  // Back online with lower counters: reported as they are now.
  EXPECT_EQ(tracker.Update({{0, Times(3, 3)}, {1, Times(1, 1)}}).at(1).user, 1);
}

TEST(CpuCollectorTest, EveryModeOfEveryCpuAsNodeExporterReportsIt) {
  auto r = ht::Run(SystemCollectors(), "cpu", Fixture("system_basic"));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.CountPrefix("node_cpu_seconds_total"), 4u * 8);
  EXPECT_EQ(r.CountPrefix("node_cpu_guest_seconds_total"), 4u * 2);
  EXPECT_DOUBLE_EQ(r.At("node_cpu_seconds_total{cpu=\"0\", mode=\"idle\"}"), 10870.69);
  EXPECT_DOUBLE_EQ(r.At("node_cpu_seconds_total{cpu=\"0\", mode=\"iowait\"}"), 2.2);
  EXPECT_DOUBLE_EQ(r.At("node_cpu_seconds_total{cpu=\"0\", mode=\"irq\"}"), 0.01);
  EXPECT_DOUBLE_EQ(r.At("node_cpu_seconds_total{cpu=\"0\", mode=\"nice\"}"), 0.19);
  EXPECT_DOUBLE_EQ(r.At("node_cpu_seconds_total{cpu=\"0\", mode=\"softirq\"}"), 34.1);
  EXPECT_DOUBLE_EQ(r.At("node_cpu_seconds_total{cpu=\"0\", mode=\"steal\"}"), 0.04);
  EXPECT_DOUBLE_EQ(r.At("node_cpu_seconds_total{cpu=\"0\", mode=\"system\"}"), 210.45);
  EXPECT_DOUBLE_EQ(r.At("node_cpu_seconds_total{cpu=\"0\", mode=\"user\"}"), 444.9);
  EXPECT_DOUBLE_EQ(r.At("node_cpu_seconds_total{cpu=\"3\", mode=\"idle\"}"), 56696.05);
  EXPECT_DOUBLE_EQ(r.At("node_cpu_seconds_total{cpu=\"3\", mode=\"user\"}"), 1632.9);
  EXPECT_DOUBLE_EQ(r.At("node_cpu_guest_seconds_total{cpu=\"2\", mode=\"user\"}"), 1.41);
  EXPECT_DOUBLE_EQ(r.At("node_cpu_guest_seconds_total{cpu=\"2\", mode=\"nice\"}"), 0.13);
  EXPECT_FALSE(r.Has("node_cpu_seconds_total{cpu=\"-1\", mode=\"idle\"}"));  // the "cpu" total line
}

TEST(CpuCollectorTest, ThermalThrottlesPerPackageAndPerCore) {
  // Fixture: cpuN is package N/2, core N%2; each core and package count is
  // read from its first CPU.
  auto r = ht::Run(SystemCollectors(), "cpu", Fixture("system_basic"));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.CountPrefix("node_cpu_package_throttles_total"), 2u);
  EXPECT_EQ(r.At("node_cpu_package_throttles_total{package=\"0\"}"), 7);
  EXPECT_EQ(r.At("node_cpu_package_throttles_total{package=\"1\"}"), 207);
  EXPECT_EQ(r.CountPrefix("node_cpu_core_throttles_total"), 4u);
  EXPECT_EQ(r.At("node_cpu_core_throttles_total{core=\"0\", package=\"0\"}"), 5);
  EXPECT_EQ(r.At("node_cpu_core_throttles_total{core=\"1\", package=\"0\"}"), 15);
  EXPECT_EQ(r.At("node_cpu_core_throttles_total{core=\"0\", package=\"1\"}"), 25);
  EXPECT_EQ(r.At("node_cpu_core_throttles_total{core=\"1\", package=\"1\"}"), 35);
}

TEST(CpuCollectorTest, IsolatedCpusFromTheKernelsList) {
  auto r = ht::Run(SystemCollectors(), "cpu", Fixture("system_basic"));  // isolated: "1,3"
  EXPECT_EQ(r.CountPrefix("node_cpu_isolated"), 2u);
  EXPECT_EQ(r.At("node_cpu_isolated{cpu=\"1\"}"), 1);
  EXPECT_EQ(r.At("node_cpu_isolated{cpu=\"3\"}"), 1);

  cistern::testing::TempDir dir;
  dir.WriteFile("proc/stat", "cpu0 1 0 0 0\n");
  dir.WriteFile("sys/devices/system/cpu/isolated", "0,2-4\n");
  auto ranged = ht::Run(SystemCollectors(), "cpu", InDir(dir));
  EXPECT_EQ(ranged.CountPrefix("node_cpu_isolated"), 4u);
  EXPECT_TRUE(ranged.Has("node_cpu_isolated{cpu=\"3\"}"));
  dir.WriteFile("sys/devices/system/cpu/isolated", "\n");  // none isolated (the usual case)
  EXPECT_EQ(ht::Run(SystemCollectors(), "cpu", InDir(dir)).CountPrefix("node_cpu_isolated"), 0u);
}

TEST(CpuCollectorTest, ABadIsolatedListFailsAfterTheCpuTimes) {
  cistern::testing::TempDir dir;
  dir.WriteFile("proc/stat", "cpu0 1 0 0 0\n");
  dir.WriteFile("sys/devices/system/cpu/isolated", "1-x\n");
  auto r = ht::Run(SystemCollectors(), "cpu", InDir(dir));
  EXPECT_THAT(r.status,
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("isolated: invalid cpu list entry")));
  EXPECT_EQ(r.CountPrefix("node_cpu_seconds_total"), 8u);
}

TEST(CpuCollectorTest, WithoutSysfsOnlyTheTimes) {
  cistern::testing::TempDir dir;
  dir.WriteFile("proc/stat", "cpu  1 0 0 0\ncpu0 1 0 0 0\ncpu2 2 0 0 0\n");
  auto r = ht::Run(SystemCollectors(), "cpu", InDir(dir));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.samples.size(), 2u * 10);  // an offline cpu1 is not reported
  EXPECT_FALSE(r.Has("node_cpu_seconds_total{cpu=\"1\", mode=\"user\"}"));
  EXPECT_EQ(r.At("node_cpu_seconds_total{cpu=\"2\", mode=\"user\"}"), 0.02);
}

TEST(CpuCollectorTest, NoProcStatIsNotFoundAndABadOneNamesTheFile) {
  cistern::testing::TempDir dir;
  EXPECT_THAT(ht::Run(SystemCollectors(), "cpu", InDir(dir)).status,
              StatusIs(StatusCode::kNotFound, HasSubstr("stat")));
  std::string path = dir.WriteFile("proc/stat", "cpu0 1 zz\n");
  EXPECT_THAT(ht::Run(SystemCollectors(), "cpu", InDir(dir)).status,
              StatusIs(StatusCode::kInvalidArgument, HasSubstr(path + ": line 1")));
}

TEST(CpuCollectorTest, CountersStayMonotonicAcrossCollections) {
  cistern::testing::TempDir dir;
  HostConfig config = InDir(dir);
  auto collector = NewCpuCollector(config);
  auto collect = [&]() {
    cistern::testing::RecordingAppendable store;
    auto app = store.NewAppender();
    Emitter out(app.get(), 1);
    EXPECT_TRUE(collector->Collect(out).ok());
    EXPECT_TRUE(app->Commit().ok());
    for (const auto& s : store.samples()) {
      if (s.labels.ToString() == "node_cpu_seconds_total{cpu=\"0\", mode=\"iowait\"}") return s.value;
    }
    return -1.0;
  };
  dir.WriteFile("proc/stat", "cpu0 100 0 0 100000 5000\n");
  EXPECT_EQ(collect(), 50);
  dir.WriteFile("proc/stat", "cpu0 101 0 0 100100 4990\n");  // iowait went back 0.1 s
  EXPECT_EQ(collect(), 50);
  dir.WriteFile("proc/stat", "cpu0 102 0 0 100200 5100\n");
  EXPECT_EQ(collect(), 51);
}

TEST(CpuCollectorTest, OnThisHostEveryOnlineCpuIsReported) {
  auto r = ht::Run(SystemCollectors(), "cpu", HostConfig{});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  EXPECT_EQ(r.CountPrefix("node_cpu_seconds_total"), static_cast<size_t>(online) * 8);
  EXPECT_GT(r.At("node_cpu_seconds_total{cpu=\"0\", mode=\"idle\"}"), 0);
}

}  // namespace
}  // namespace cistern::plugins::host
