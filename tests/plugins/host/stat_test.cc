// The stat collector. Expected values on the system_basic fixture are
// node_exporter 1.5.0's output for the same tree.
#include <gtest/gtest.h>

#include "plugins/host/proc_stat.h"
#include "tests/plugins/host/host_testing.h"
#include "tests/plugins/host/system_test_util.h"
#include "tests/testing/status_matchers.h"

namespace cistern::plugins::host {
namespace {

using ::cistern::testing::StatusIs;
using testing::Fixture;
using ::testing::HasSubstr;
using testing::InDir;
namespace ht = ::cistern::plugins::host::testing;

TEST(ParseProcStatTest, SystemCountersAndTheIntrTotal) {
  auto s = ParseProcStat(
      "intr 8885917 17 0 0 0\nctxt 38014093\nbtime 1418183276\nprocesses 26442\nprocs_running 2\n"
      "procs_blocked 1\nsoftirq 5057579 250191 1481983\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->interrupts, 8885917u);
  EXPECT_EQ(s->context_switches, 38014093u);
  EXPECT_EQ(s->boot_time, 1418183276u);
  EXPECT_EQ(s->processes_created, 26442u);
  EXPECT_EQ(s->procs_running, 2u);
  EXPECT_EQ(s->procs_blocked, 1u);
}

TEST(ParseProcStatTest, UnknownKeysAndLonelyWordsAreSkipped) {
  auto s = ParseProcStat("newthing 1 2 3\nbtime\n\nctxt 5\n");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->context_switches, 5u);
  EXPECT_EQ(s->boot_time, 0u);
}

TEST(ParseProcStatTest, AMalformedCounterNamesLineAndKey) {
  EXPECT_THAT(ParseProcStat("ctxt 1\nbtime -5\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 2: btime: cannot parse \"-5\"")));
}

TEST(StatCollectorTest, TheSixSystemCountersAsNodeExporterReportsThem) {
  auto r = ht::Run(SystemCollectors(), "stat", Fixture("system_basic"));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.samples.size(), 6u);
  EXPECT_EQ(r.At("node_boot_time_seconds{}"), 1418183276);
  EXPECT_EQ(r.At("node_context_switches_total{}"), 38014093);
  EXPECT_EQ(r.At("node_forks_total{}"), 26442);
  EXPECT_EQ(r.At("node_intr_total{}"), 8885917);
  EXPECT_EQ(r.At("node_procs_running{}"), 2);
  EXPECT_EQ(r.At("node_procs_blocked{}"), 1);
}

TEST(StatCollectorTest, MissingIsNotFoundAndMalformedNamesTheFile) {
  cistern::testing::TempDir dir;
  EXPECT_EQ(ht::Run(SystemCollectors(), "stat", InDir(dir)).status.code(), StatusCode::kNotFound);
  std::string path = dir.WriteFile("proc/stat", "ctxt many\n");
  auto r = ht::Run(SystemCollectors(), "stat", InDir(dir));
  EXPECT_THAT(r.status, StatusIs(StatusCode::kInvalidArgument, HasSubstr(path + ": line 1: ctxt")));
  EXPECT_TRUE(r.samples.empty());
}

TEST(StatCollectorTest, OnThisHostBootTimeIsInThePast) {
  auto r = ht::Run(SystemCollectors(), "stat", HostConfig{});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_GT(r.At("node_boot_time_seconds{}"), 1e9);
  EXPECT_LT(r.At("node_boot_time_seconds{}"), static_cast<double>(time(nullptr)));
  EXPECT_GT(r.At("node_forks_total{}"), 0);
}

}  // namespace
}  // namespace cistern::plugins::host
