// The vmstat collector. The system_basic fixture's vmstat is a real one; the
// fields selected are the ones node_exporter 1.5.0 reports for it.
#include "plugins/host/vmstat.h"

#include <gtest/gtest.h>

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

TEST(ParseVmstatTest, EveryNameValueLineInOrder) {
  auto f = ParseVmstat("nr_free_pages 5877585\n\npgfault 42722735\n");
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->size(), 2u);
  EXPECT_EQ((*f)[0].first, "nr_free_pages");
  EXPECT_EQ((*f)[1].second, 42722735);
  EXPECT_THAT(ParseVmstat("pgfault 1\npgmajfault x\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 2: pgmajfault: cannot parse \"x\"")));
}

TEST(VmstatCollectorTest, OnlyNodeExportersDefaultFields) {
  auto r = ht::Run(SystemCollectors(), "vmstat", Fixture("system_basic"));
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.samples.size(), 7u);
  for (const char* name : {"oom_kill", "pgfault", "pgmajfault", "pgpgin", "pgpgout", "pswpin", "pswpout"}) {
    EXPECT_TRUE(r.Has("node_vmstat_" + std::string(name) + "{}")) << name;
  }
  EXPECT_FALSE(r.Has("node_vmstat_nr_free_pages{}"));
  EXPECT_FALSE(r.Has("node_vmstat_thp_fault_alloc{}"));  // "fault", but not after "pg"
}

TEST(VmstatCollectorTest, ThePatternIsAPrefixMatch) {
  cistern::testing::TempDir dir;
  dir.WriteFile("proc/vmstat",
                "pgpgin 1\npgsteal_kswapd 2\npgdemote_faulty 3\noom_kill_extra 4\nxpgfault 5\n");
  auto r = ht::Run(SystemCollectors(), "vmstat", InDir(dir));
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(r.samples.size(), 3u);
  EXPECT_EQ(r.At("node_vmstat_pgpgin{}"), 1);
  EXPECT_EQ(r.At("node_vmstat_pgdemote_faulty{}"), 3);
  EXPECT_EQ(r.At("node_vmstat_oom_kill_extra{}"), 4);
}

TEST(VmstatCollectorTest, MissingIsNotFoundAndMalformedNamesTheFile) {
  cistern::testing::TempDir dir;
  EXPECT_EQ(ht::Run(SystemCollectors(), "vmstat", InDir(dir)).status.code(), StatusCode::kNotFound);
  std::string path = dir.WriteFile("proc/vmstat", "nr_x y\n");  // even a field not reported must parse
  EXPECT_THAT(ht::Run(SystemCollectors(), "vmstat", InDir(dir)).status,
              StatusIs(StatusCode::kInvalidArgument, HasSubstr(path + ": line 1: nr_x")));
}

TEST(VmstatCollectorTest, OnThisHostPageFaultsAreCounted) {
  auto r = ht::Run(SystemCollectors(), "vmstat", HostConfig{});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_GT(r.At("node_vmstat_pgfault{}"), 0);
  EXPECT_TRUE(r.Has("node_vmstat_oom_kill{}"));
}

}  // namespace
}  // namespace cistern::plugins::host
