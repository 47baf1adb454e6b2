// The conntrack collector. Expected values on the fixtures are node_exporter
// 1.5.0's output for the same trees (--path.procfs=<fixture>/proc).
#include "plugins/host/conntrack.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/plugins/host/host_testing.h"
#include "tests/plugins/host/system_test_util.h"
#include "tests/testing/status_matchers.h"

namespace cistern::plugins::host {
namespace {

using ::cistern::testing::StatusIs;
using ::testing::HasSubstr;

constexpr const char* kHeader =
    "entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop "
    "icmp_error  expect_new expect_create expect_delete search_restart\n";

TEST(ParseConntrackStatTest, SumsTheHexadecimalColumnsOverTheCpus) {
  auto s = ParseConntrackStat(
      std::string(kHeader) +
      "00000001  00000002 0000000a 00000004 00000010 0000ffff 00000007 00000008 00000100 "
      "00000001 00000002 00000003 0000000d  0000000e 0000000f 00000010 0000000F\n"
      "00000001  00000002 00000014 00000004 00000020 00000001 00000007 00000008 00000200 "
      "00000002 00000004 00000006 0000000d  0000000e 0000000f 00000010 ffffffffffffffff\n");
  CISTERN_ASSERT_OK(s.status());
  EXPECT_EQ(s->found, 30u);
  EXPECT_EQ(s->invalid, 48u);
  EXPECT_EQ(s->ignore, 65536u);
  EXPECT_EQ(s->insert, 768u);
  EXPECT_EQ(s->insert_failed, 3u);
  EXPECT_EQ(s->drop, 6u);
  EXPECT_EQ(s->early_drop, 9u);
  EXPECT_EQ(s->search_restart, 14u);  // 15 + (2^64 - 1): wraps, as Go's uint64
}

TEST(ParseConntrackStatTest, AHeaderAloneOrNothingIsAllZero) {
  for (std::string text : {std::string(kHeader), std::string()}) {
    auto s = ParseConntrackStat(text);
    CISTERN_ASSERT_OK(s.status());
    EXPECT_EQ(s->found, 0u);
    EXPECT_EQ(s->search_restart, 0u);
  }
}

TEST(ParseConntrackStatTest, ALineWithoutSeventeenColumnsIsAnError) {
  // Linux < 2.6.35 had 16 columns; node_exporter 1.5.0 rejects that too.
  EXPECT_THAT(ParseConntrackStat(std::string(kHeader) +
                                 "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"),
              StatusIs(StatusCode::kDataLoss, HasSubstr("line 3: expected 17 columns, got 16")));
  EXPECT_THAT(ParseConntrackStat(std::string(kHeader) + "\n"),
              StatusIs(StatusCode::kDataLoss, HasSubstr("line 2: expected 17 columns, got 0")));
}

TEST(ParseConntrackStatTest, AColumnThatIsNotHexadecimalIsAnError) {
  EXPECT_THAT(
      ParseConntrackStat(std::string(kHeader) + "0 0 0 0 0x10 0 0 0 0 0 0 0 0 0 0 0 0\n"),
      StatusIs(StatusCode::kDataLoss, HasSubstr("line 2: column 5: not a hexadecimal number: \"0x10\"")));
  EXPECT_THAT(ParseConntrackStat(std::string(kHeader) + "-1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"),
              StatusIs(StatusCode::kDataLoss, HasSubstr("column 1")));  // entries: checked, not reported
  EXPECT_THAT(
      ParseConntrackStat(std::string(kHeader) + "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 10000000000000000\n"),
      StatusIs(StatusCode::kDataLoss, HasSubstr("column 17")));
}

TEST(ConntrackCollectorTest, EntriesLimitAndTheSummedStatistics) {
  testing::Result r = testing::Run(DeviceCollectors(), "conntrack", testing::Fixture("conntrack_busy"));
  CISTERN_ASSERT_OK(r.status);
  EXPECT_EQ(r.samples.size(), 10u);
  EXPECT_EQ(r.At("node_nf_conntrack_entries{}"), 1234);
  EXPECT_EQ(r.At("node_nf_conntrack_entries_limit{}"), 65536);
  EXPECT_EQ(r.At("node_nf_conntrack_stat_found{}"), 30);
  EXPECT_EQ(r.At("node_nf_conntrack_stat_invalid{}"), 48);
  EXPECT_EQ(r.At("node_nf_conntrack_stat_ignore{}"), 44846);
  EXPECT_EQ(r.At("node_nf_conntrack_stat_insert{}"), 768);
  EXPECT_EQ(r.At("node_nf_conntrack_stat_insert_failed{}"), 3);
  EXPECT_EQ(r.At("node_nf_conntrack_stat_drop{}"), 6);
  EXPECT_EQ(r.At("node_nf_conntrack_stat_early_drop{}"), 9);
  EXPECT_EQ(r.At("node_nf_conntrack_stat_search_restart{}"), 255);
}

TEST(ConntrackCollectorTest, ThisMachinesFilesIdle) {
  testing::Result r = testing::Run(DeviceCollectors(), "conntrack", testing::Fixture("conntrack_host"));
  CISTERN_ASSERT_OK(r.status);
  EXPECT_EQ(r.samples.size(), 10u);
  EXPECT_EQ(r.At("node_nf_conntrack_entries{}"), 0);
  EXPECT_EQ(r.At("node_nf_conntrack_entries_limit{}"), 262144);
  EXPECT_EQ(r.At("node_nf_conntrack_stat_found{}"), 0);
}

TEST(ConntrackCollectorTest, NoModuleIsNotFound) {
  testing::Result r = testing::Run(DeviceCollectors(), "conntrack", testing::Fixture("device_none"));
  EXPECT_THAT(r.status, StatusIs(StatusCode::kNotFound,
                                 HasSubstr("device_none/proc/sys/net/netfilter/nf_conntrack_count")));
  EXPECT_TRUE(r.samples.empty());
}

TEST(ConntrackCollectorTest, MalformedStatisticsFailNamingTheFileAfterEntriesAndLimit) {
  testing::Result r = testing::Run(DeviceCollectors(), "conntrack", testing::Fixture("conntrack_malformed"));
  EXPECT_THAT(r.status,
              StatusIs(StatusCode::kDataLoss,
                       HasSubstr("conntrack_malformed/proc/net/stat/nf_conntrack: line 3: expected 17")));
  EXPECT_EQ(r.samples.size(), 2u);  // node_exporter: the same two, and a failure
  EXPECT_EQ(r.At("node_nf_conntrack_entries{}"), 1234);
  EXPECT_EQ(r.At("node_nf_conntrack_entries_limit{}"), 65536);
}

TEST(ConntrackCollectorTest, MissingStatisticsFailAfterEntriesAndLimit) {
  testing::Result r = testing::Run(DeviceCollectors(), "conntrack", testing::Fixture("conntrack_nostat"));
  EXPECT_THAT(r.status, StatusIs(StatusCode::kFailedPrecondition,
                                 HasSubstr("conntrack_nostat/proc/net/stat/nf_conntrack")));
  EXPECT_EQ(r.samples.size(), 2u);
  EXPECT_EQ(r.At("node_nf_conntrack_entries_limit{}"), 65536);
}

TEST(ConntrackCollectorTest, AMalformedCountOrLimitNamesTheFile) {
  cistern::testing::TempDir dir;
  std::string count = dir.WriteFile("proc/sys/net/netfilter/nf_conntrack_count", "many\n");
  EXPECT_THAT(testing::Run(DeviceCollectors(), "conntrack", testing::InDir(dir)).status,
              StatusIs(StatusCode::kInvalidArgument, HasSubstr(count)));
  dir.WriteFile("proc/sys/net/netfilter/nf_conntrack_count", "7\n");
  std::string max = dir.WriteFile("proc/sys/net/netfilter/nf_conntrack_max", "-1\n");
  testing::Result r = testing::Run(DeviceCollectors(), "conntrack", testing::InDir(dir));
  EXPECT_THAT(r.status, StatusIs(StatusCode::kInvalidArgument, HasSubstr(max)));
  EXPECT_EQ(r.At("node_nf_conntrack_entries{}"), 7);
}

TEST(ConntrackLiveTest, OnThisHostEntriesAreWithinTheLimit) {
  testing::Result r = testing::Run(DeviceCollectors(), "conntrack", HostConfig{});
  if (r.status.code() == StatusCode::kNotFound)
    GTEST_SKIP() << "nf_conntrack not loaded: " << r.status.ToString();
  CISTERN_ASSERT_OK(r.status);
  EXPECT_EQ(r.samples.size(), 10u);
  EXPECT_GT(r.At("node_nf_conntrack_entries_limit{}"), 0);
  EXPECT_LE(r.At("node_nf_conntrack_entries{}"), r.At("node_nf_conntrack_entries_limit{}"));
}

}  // namespace
}  // namespace cistern::plugins::host
